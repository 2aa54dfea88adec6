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
from syncer.markdown.fields import why_not_a_phase
from syncer.markdown.phase import PlanBuilder
from syncer.markdown.source import Source
from syncer.model import (
    Diagnostic,
    Document,
    ItemKey,
    ParseOptions,
    Phase,
    Requirement,
    Severity,
    Task,
    slugify,
)
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
    """Every real task-list box in `data`, in order, as GitHub renders them.

    Boxes in code, HTML blocks, tables and front matter are not included; boxes in block
    quotes are (`Box.quoted`); `[P]`, `[✅]` and the like are not boxes.
    """
    return outline(Source(data)).boxes


def parse_document(path: str, data: bytes, options: ParseOptions | None = None) -> Document:
    """Parse one document; problems become diagnostics, never exceptions.

    Any Markdown file is a plan: a document on the phase template (`# Phase N: Name`) maps
    as 0.1 did; any other maps by its own headings (`syncer.markdown.phase`).
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
    builder = PlanBuilder(path, source, tree, diags, options)
    built = builder.build()
    if not built.template:
        note = _not_on_template(path, tree)
        if note is not None:
            diags.append(note)
    diags.sort(key=lambda d: (d.line, d.col))
    return Document(path, data, built.phases, tuple(diags), built.coverage, built.template)


def load_documents(
    paths: Sequence[Path], root: Path | None = None, options: ParseOptions | None = None
) -> list[Document]:
    """Read and parse `paths` in order; each document's path is shown relative to `root`.

    A file that cannot be read (or is not a plain file of the repository) becomes a document
    with an error, so that it is reported and the others proceed.
    """
    read, refused = read_files(paths, root)
    return order_like(paths, root, [*parse_documents(read, options), *refused])


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
            refused.append(Document(shown, b"", (), (diag,)))
    return read, refused


def order_like(
    paths: Sequence[Path], root: Path | None, docs: Sequence[Document]
) -> list[Document]:
    """`docs` in the order of the `paths` they were read from."""
    rank = {_display(p, root): i for i, p in enumerate(paths)}
    return sorted(docs, key=lambda d: rank.get(d.path, len(rank)))


def parse_documents(
    files: Sequence[tuple[str, bytes]], options: ParseOptions | None = None
) -> list[Document]:
    """Parse documents already read (`read_documents`), in order.

    Two phase-template documents claiming the same phase number get a `duplicate-phase`
    error on the second, since their item keys would collide. When either is another plan
    (two roadmaps that both have a `Phase 1`), the later one's keys of that phase are
    qualified by its path (`phase-1~docs-roadmap/...`) and it gets a warning instead.
    """
    docs: list[Document] = []
    seen: dict[str, tuple[str, bool]] = {}
    with collector_paused():
        for shown, data in files:
            doc = parse_document(shown, data, options)
            phases: list[Phase] = []
            extra: list[Diagnostic] = []
            for phase in doc.phases:
                first, template = seen.setdefault(phase.number, (shown, doc.template))
                if first == shown:
                    phases.append(phase)
                elif template and doc.template:
                    extra.append(
                        Diagnostic(
                            shown,
                            phase.line,
                            1,
                            Severity.ERROR,
                            "duplicate-phase",
                            f"phase {phase.number} is also described in {first}",
                        )
                    )
                    phases.append(phase)
                else:
                    qualified = f"{phase.number}~{_path_slug(shown)}"
                    extra.append(
                        Diagnostic(
                            shown,
                            phase.line,
                            1,
                            Severity.WARNING,
                            "phase-elsewhere",
                            f"phase {phase.number} is also in {first}; the items here are "
                            f"kept apart under the key phase-{qualified}",
                        )
                    )
                    phases.append(_requalified(phase, qualified))
            if extra:
                merged = sorted((*doc.diagnostics, *extra), key=lambda d: (d.line, d.col))
                doc = replace(doc, phases=tuple(phases), diagnostics=tuple(merged))
            docs.append(doc)
    return docs


def _path_slug(path: str) -> str:
    return slugify(path.rsplit(".", 1)[0].replace("/", "-"))


def _requalified(phase: Phase, group: str) -> Phase:
    """`phase` with every item key's phase part replaced by `group`."""

    def rekey(key: ItemKey) -> ItemKey:
        return ItemKey(group, key.section, key.slug)

    requirements: tuple[Requirement, ...] = tuple(
        replace(r, key=rekey(r.key)) for r in phase.requirements
    )
    tasks: tuple[Task, ...] = tuple(replace(t, key=rekey(t.key)) for t in phase.tasks)
    return replace(phase, requirements=requirements, tasks=tasks, group=group)


def _display(path: Path, root: Path | None) -> str:
    """`path` relative to `root`, as the repository names it: a link is shown by its own
    name, never by its target's (which may be a local path outside the repository)."""
    if root is not None:
        # The resolved paths only when the plain ones do not nest: resolving asks the file
        # system about every component, and a run shows each of its documents' paths.
        try:
            return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
        except ValueError:
            pass
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def _not_on_template(path: str, tree: Outline) -> Diagnostic | None:
    """A warning when the title looks like it names a phase but cannot (`# Phase two: X`):
    the document still syncs, under its own title."""
    h1 = next((h for h in tree.headings if h.level == 1), None)
    if h1 is None:
        return None
    why = why_not_a_phase(h1.text)
    if why is None:
        return None
    msg = (
        f"the title `{h1.text}` does not name a phase: {why}; its boxes sync as a plan titled by it"
    )
    return Diagnostic(path, h1.line + 1, 1, Severity.WARNING, "not-a-phase-title", msg)
