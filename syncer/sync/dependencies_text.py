"""What dependencies a plan states (`dependencies = "links"`): pure, documents in, edges out.

`syncer.sync.dependencies` has the design; this module only reads the words:

* An item's text is its own line and the lines below it that are indented deeper (its
  description, acceptance criteria, sub-bullets), up to the next item. Read from the
  document's bytes, so the parser needs no new field and a sub-bullet it does not model
  (`* Depends on: Create workspace`) still counts.
* In that text, `#42` and a full issue URL of this repository on this forge name issue 42.
  It counts only when issue 42 is an item's (or a phase parent's) as the lock knows it:
  "names another item", never any issue or pull request that happens to have the number.
  The item's own number (its link at the end of its line) is not a dependency.
* `Depends on: <title>` or `Blocked by: <title>` (any case, `**bold**` or not; several
  titles separated by `;`) names the item with exactly that title anywhere in the plan,
  compared without case. No item, or more than one, with that title: a warning for
  `validate` and `plan`, and no relation: a guess would be a wrong link on the forge.
* With `phase_parents`, a phase's `**Dependencies**` line (`Phase 1, Phase 2`, `Phase 2:
  Foundation`) names phases by number: the phase's parent is blocked by theirs. A phase the
  documents do not describe gets a warning (it has no parent to link to).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from syncer.model import Diagnostic, Document, Item, Phase, Severity
from syncer.sync.structure_layout import PARENT

_REF = re.compile(r"(?<![\w&/#])#(\d{1,9})\b")
_CONVENTION = re.compile(
    r"(?i)(?<![\w])(?:\*\*|__)?(depends\s+on|blocked\s+by)(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(.+)$"
)
# The link phasesync appends to an item's line (`([#12](https://...))`): not a title's part.
_OWN_LINK = re.compile(r"\s*\(\[#\d+\]\([^)\s]*\)\)\s*$")
_PHASE = re.compile(r"(?i)\bphase\s+(\d+(?:\.\d+)?)\b")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
_Warn = Callable[[str, int, str, str], None]


@dataclass(frozen=True, slots=True)
class Edge:
    """`blocked` (an item or phase parent key) is blocked by `blocking`, as stated at
    `file:line`."""

    blocked: str
    blocking: str
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class Stated:
    edges: tuple[Edge, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()


def parent_key(phase: Phase) -> str | None:
    """The key of a phase's parent issue (`phase-2/parent`), None for a phase without items
    (it has no parent)."""
    items = phase.items
    return f"phase-{items[0].key.phase}/{PARENT}" if items else None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def item_texts(doc: Document) -> dict[str, tuple[int, str]]:
    """Each item's key -> (its line, its text: its line and the deeper-indented lines below)."""
    lines = doc.data.decode("utf-8", "replace").lstrip("\ufeff").splitlines()
    starts = {i.pos.line for i in doc.items}
    out: dict[str, tuple[int, str]] = {}
    for item in doc.items:
        n = item.pos.line
        if not 0 < n <= len(lines):
            continue
        own = _indent(lines[n - 1])
        text = [lines[n - 1]]
        for k in range(n, len(lines)):
            line = lines[k]
            if k + 1 in starts or _HEADING.match(line):
                break
            if not line.strip():
                continue
            if _indent(line) <= own:
                break
            text.append(line)
        out[str(item.key)] = (n, "\n".join(text))
    return out


def _own_number(item: Item, numbers: Mapping[str, int]) -> int | None:
    if item.link is not None:
        return item.link.number
    return numbers.get(str(item.key))


def stated(
    docs: Sequence[Document],
    *,
    parents: bool,
    issue_base: str | None = None,
    numbers: Mapping[str, int] | None = None,
) -> Stated:
    """Every edge the documents state, and a warning for each name that resolves to no item
    or to several. `issue_base`: this repository's issue URL without the number
    (`https://github.com/o/r/issues/`); `numbers`: each key's issue number, as the lock
    knows it (for `#42`)."""
    numbers = numbers or {}
    by_number: dict[int, str] = {}
    for key, n in numbers.items():
        by_number.setdefault(n, key)
    url = re.compile(re.escape(issue_base) + r"(\d{1,9})\b") if issue_base else None
    titles: dict[str, list[str]] = {}
    for doc in docs:
        for item in doc.items:
            titles.setdefault(item.title.strip().casefold(), []).append(str(item.key))
    edges: list[Edge] = []
    warnings: list[Diagnostic] = []

    def warn(file: str, line: int, code: str, message: str) -> None:
        warnings.append(Diagnostic(file, line, 1, Severity.WARNING, code, message))

    for doc in docs:
        texts = item_texts(doc)
        for item in doc.items:
            key = str(item.key)
            if key not in texts:
                continue
            line, text = texts[key]
            own = _own_number(item, numbers)
            found: list[str] = []
            refs = {int(m) for m in _REF.findall(text)}
            if url is not None:
                refs |= {int(m) for m in url.findall(text)}
            for n in sorted(refs - {own} if own is not None else refs):
                if n in by_number:
                    found.append(by_number[n])
            for row in text.splitlines():
                match = _CONVENTION.search(_OWN_LINK.sub("", row))
                if match is None:
                    continue
                for part in match.group(2).split(";"):
                    name = part.strip(" \t*_`").rstrip(".").strip(" \t*_`")
                    if not name or _REF.fullmatch(name) or (url and url.fullmatch(name)):
                        continue  # an issue reference: read above
                    keys = [k for k in titles.get(name.casefold(), []) if k != key]
                    if len(keys) == 1:
                        found.append(keys[0])
                    elif not keys:
                        warn(
                            doc.path,
                            line,
                            "dependency-unknown",
                            f"{match.group(1)}: no other item is titled {name!r}: no relation "
                            "is made (write its exact title, or its issue as #N)",
                        )
                    else:
                        warn(
                            doc.path,
                            line,
                            "dependency-ambiguous",
                            f"{match.group(1)}: {len(keys)} items are titled {name!r}: no "
                            "relation is made (name its issue as #N instead)",
                        )
            for blocking in dict.fromkeys(found):
                if blocking != key:
                    edges.append(Edge(key, blocking, doc.path, line))
    if parents:
        edges.extend(_phase_edges(docs, warn))
    return Stated(tuple(edges), tuple(warnings))


def _phase_edges(docs: Sequence[Document], warn: _Warn) -> list[Edge]:
    phases = {p.number: p for d in docs for p in d.phases if p.numbered}
    out: list[Edge] = []
    for doc in docs:
        for phase in doc.phases:
            own = parent_key(phase)
            if not phase.numbered or not phase.dependencies or own is None:
                continue
            for number in dict.fromkeys(_PHASE.findall(phase.dependencies)):
                if number == phase.number:
                    continue
                other = phases.get(number)
                blocking = parent_key(other) if other is not None else None
                if blocking is None:
                    warn(
                        doc.path,
                        phase.line,
                        "dependency-unknown",
                        f"Dependencies: Phase {number} is not in the plan (or has no items): "
                        "no relation is made",
                    )
                    continue
                out.append(Edge(own, blocking, doc.path, phase.line))
    return out


def dependency_warnings(docs: Sequence[Document], *, parents: bool) -> list[Document]:
    """`docs` with a warning for every stated dependency whose title names no item or
    several (for `validate`, which has no lock: `#42` is not checked there)."""
    found = stated(docs, parents=parents).warnings
    out = []
    for doc in docs:
        mine = tuple(d for d in found if d.file == doc.path)
        out.append(replace(doc, diagnostics=(*doc.diagnostics, *mine)) if mine else doc)
    return out
