"""Phase documents -> `Document`s: the model, every item's byte positions, and diagnostics.

The document is tokenized once by markdown-it-py (`blocks.outline`); sections come from
headings, items from the tasklists plugin's list items, and only then does a regex look at
the one source line of an item to find its bytes (`itemline`). Parsing never raises on the
content of a file: whatever is wrong becomes a `Diagnostic`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from syncer.errors import DocumentError
from syncer.files import read_document_bytes
from syncer.markdown.blocks import Box, Outline, outline
from syncer.markdown.fields import parse_title
from syncer.markdown.phase import PhaseBuilder
from syncer.markdown.source import Source
from syncer.model import Diagnostic, Document, Severity
from syncer.runtime import collector_paused

__all__ = [
    "Box",
    "find_boxes",
    "load_documents",
    "order_like",
    "parse_document",
    "parse_documents",
    "read_documents",
    "read_files",
]

_UNPLACED = "a task item whose box cannot be found on its line; phasesync leaves it alone"


def find_boxes(data: bytes) -> list[Box]:
    """Every real task-list box in `data`, in order, whether or not it is a phase document.

    Boxes in code, HTML blocks, tables, front matter and block quotes are not included;
    `[P]`, `[✅]` and the like are not boxes.
    """
    return outline(Source(data)).boxes


def parse_document(path: str, data: bytes) -> Document:
    """Parse one document; problems become diagnostics, never exceptions.

    A document without a `# Phase N: Name` title has `phase=None` and a
    `not-a-phase-document` error, so that nothing syncs it.
    """
    source = Source(data)
    diags: list[Diagnostic] = []
    if source.decode_error is not None:
        line = source.line_of_offset(source.decode_error)
        diags.append(
            Diagnostic(
                path,
                line + 1,
                1,
                Severity.ERROR,
                "not-utf8",
                f"byte {source.decode_error} is not valid UTF-8; save the file as UTF-8",
            )
        )
    tree = outline(source)
    for line in tree.unlocated:
        diags.append(Diagnostic(path, line + 1, 1, Severity.ERROR, "unplaced-box", _UNPLACED))
    title = next(
        (h for h in tree.headings if h.level == 1 and parse_title(h.text) is not None), None
    )
    if title is None:
        diags.append(_not_a_phase(path, tree))
        return Document(path, data, None, tuple(diags))
    builder = PhaseBuilder(path, source, tree, title, diags)
    phase = builder.build()
    diags.sort(key=lambda d: (d.line, d.col))
    return Document(path, data, phase, tuple(diags))


def load_documents(paths: Sequence[Path], root: Path | None = None) -> list[Document]:
    """Read and parse `paths` in order; each document's path is shown relative to `root`.

    A file that cannot be read (or is not a plain file of the repository) becomes a document
    with an error, so that it is reported and the others proceed.
    """
    read, refused = read_files(paths, root)
    return order_like(paths, root, [*parse_documents(read), *refused])


def read_documents(paths: Sequence[Path], root: Path | None = None) -> list[tuple[str, bytes]]:
    """(path as shown, relative to `root`; exact bytes) of each of `paths`, in order.

    Raises `DocumentError` for a file that cannot be read."""
    return [(_display(path, root), read_document_bytes(path, root)) for path in paths]


def read_files(
    paths: Sequence[Path], root: Path | None = None
) -> tuple[list[tuple[str, bytes]], list[Document]]:
    """(path as shown, exact bytes) of each of `paths` that can be read, in order, and a
    document with an `unreadable` error for each of the others (a FIFO, a device, a link to
    a file outside `root`, a file too large, no permission)."""
    read: list[tuple[str, bytes]] = []
    refused: list[Document] = []
    for path in paths:
        shown = _display(path, root)
        try:
            read.append((shown, read_document_bytes(path, root)))
        except DocumentError as exc:
            diag = Diagnostic(shown, 1, 1, Severity.ERROR, "unreadable", exc.message)
            refused.append(Document(shown, b"", None, (diag,)))
    return read, refused


def order_like(
    paths: Sequence[Path], root: Path | None, docs: Sequence[Document]
) -> list[Document]:
    """`docs` in the order of the `paths` they were read from."""
    rank = {_display(p, root): i for i, p in enumerate(paths)}
    return sorted(docs, key=lambda d: rank.get(d.path, len(rank)))


def parse_documents(files: Sequence[tuple[str, bytes]]) -> list[Document]:
    """Parse documents already read (`read_documents`), in order.

    Two documents claiming the same phase number get a `duplicate-phase` error on the second,
    since their item keys would collide.
    """
    docs: list[Document] = []
    seen: dict[str, str] = {}
    with collector_paused():
        for shown, data in files:
            doc = parse_document(shown, data)
            if doc.phase is not None:
                first = seen.setdefault(doc.phase.number, shown)
                if first != shown:
                    dup = Diagnostic(
                        shown,
                        doc.phase.line,
                        1,
                        Severity.ERROR,
                        "duplicate-phase",
                        f"phase {doc.phase.number} is also described in {first}",
                    )
                    doc = replace(doc, diagnostics=(*doc.diagnostics, dup))
            docs.append(doc)
    return docs


def _display(path: Path, root: Path | None) -> str:
    """`path` relative to `root`, as the repository names it: a link is shown by its own
    name, never by its target's (which may be a local path outside the repository)."""
    if root is not None:
        for p, r in ((Path(os.path.abspath(path)), Path(os.path.abspath(root))),
                     (path.resolve(), root.resolve())):  # fmt: skip
            try:
                return p.relative_to(r).as_posix()
            except ValueError:
                pass
    return path.as_posix()


def _not_a_phase(path: str, tree: Outline) -> Diagnostic:
    h1 = next((h for h in tree.headings if h.level == 1), None)
    if h1 is None:
        msg = "no `# Phase N: Name` title, so this is not a phase document; phasesync skips it"
        return Diagnostic(path, 1, 1, Severity.ERROR, "not-a-phase-document", msg)
    msg = (
        f"the title `{h1.text}` is not `Phase N: Name` with a phase number; "
        "phasesync skips this document"
    )
    return Diagnostic(path, h1.line + 1, 1, Severity.ERROR, "not-a-phase-document", msg)
