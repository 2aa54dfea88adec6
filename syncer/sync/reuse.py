"""Per-document reuse: a run parses and plans only the documents whose inputs changed.

The settled shortcut (`syncer.sync.settled`) skips a run whose every input is as the last
idle sync left it; one ticked box anywhere and every document is parsed and every item
planned again. Most of that work is the same as the last run's: a document whose bytes did
not change, whose issues did not change on the forge and whose context did not change
plans to exactly what it planned last time. When that was *nothing* (every item as the
lock has it, no action, no conflict, no note), the document need not be parsed at all:
its items are present with their lock entries unchanged.

The record
----------
After a sync, each parsed document that contributed nothing to its plan is recorded in the
lock (`ForgeState.documents`, one line per document) with

* `digest`: of the run's context (below), its path, its bytes, the lock entries that name
  its file (which are then exactly its items: the item keys need no list of their own),
  the three lists that follow, and its surroundings (below);
* `phases`: its phase numbers (two documents with one phase change each other's parse);
* `labels`, `milestones`: the labels and milestones it wants, by lasting name (the
  planner renames, recolours and retires them from the wants of every document).

The context is what every document's plan depends on: phasesync's version and `EPOCH`,
the forge's identity and issue address, the settings that shape a plan. A document's
surroundings are what the forge lists and the lock manages of the labels and milestones
*it* wants: for each of its lasting label names, the lock's entry and every listed label
named as that entry or as the settings name it (any case) or with the entry's id; for
each of its milestones, the lock's entry and every listed milestone with its id or title.
A label or milestone that no item of the document wants enters its plan nowhere but in
the run's label and milestone plan, which is made from every document's wants (a reused
document's come from its record), and so a new phase's labels, or a label recoloured on
the forge, leave the other documents' records standing.

When a record is trusted
------------------------
A run reuses a document unparsed only when all of these hold; otherwise it parses it:

* the run may take the settled shortcut (configured globs, incremental listing, no
  journal, no unreadable file) and has neither `--prefer` nor `--adopt`;
* its recomputed digest equals the record's (so its bytes, its items' lock entries, the
  settings, and the listed and managed labels and milestones it wants are all as they
  were);
* none of its issues is in this run's listing (nor listed as gone), and no listed issue
  carries one of its items' key markers;
* none of its issues is also another lock entry's;
* no parsed document shares a phase number or an item key with it, links one of its
  issues, or has an item the lock knows under one of its issues. A document that fails
  this is parsed too, and the check repeats with it among the parsed (so that the parsed
  documents are exactly those a full parse would give, in the same order).

A run's plan is then made from the parsed documents and what the reused ones contribute
(`plan.Kept`: their item keys are present, their lock entries stay, their labels and
milestones are wanted). It is the plan a full parse makes; the property test
`tests/property/test_reuse.py` checks that, run by run, against a twin without reuse.

When a record is written
------------------------
Only a sync (no `--prefer`, no `--adopt`, on the configured globs, incremental listing,
no journal) writes records, and only when its plan has nothing to do with the labels and
milestones (no create, rename or delete; their tables as the lock has them), renames no
item, needs no complete listing, leaves every listed issue as the lock describes it, and has
no note it cannot put down to one document's item. A parsed document is then recorded
when it has no error and no warning about another document (`phase-elsewhere`; the
warnings about its own bytes are said again whenever it is parsed), every item has a lock
entry under its own key that names its file and that the plan leaves as it is (its link,
if any, the entry's issue), every lock entry that names its file is one of its items, and
no action, conflict, note, edit or skipped item concerns it. Every other parsed
document's record is dropped; a reused document keeps its record; documents no longer
in the run are forgotten.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from syncer.forges.base import LabelSpec, Snapshot
from syncer.markdown.parse import parse_documents
from syncer.model import Document, ParseOptions, Severity
from syncer.sync.actions import Plan
from syncer.sync.body import key_of
from syncer.sync.lock import DocumentRecord, ForgeState, LockEntry
from syncer.sync.milestone_plan import plan_milestones
from syncer.sync.plan import Kept
from syncer.sync.renames import wanted_labels
from syncer.sync.render import RenderConfig

_SEP = b"\x1e"
# The form of the records' digests: a record of another form never matches (its document
# is parsed once and recorded again). 2: labels and milestones per document.
_RECORD_FORM = b"document records 2"
# Diagnostics `parse_documents` gives a document for what another one says.
_ACROSS = frozenset({"duplicate-phase", "phase-elsewhere"})


def context_digest(inputs: str) -> str:
    """The context of every document's plan: `inputs` (`settled.inputs_digest` of no
    document and no item: version, identity, issue address, settings). The labels and
    milestones enter each document's own digest (`Surroundings`)."""
    return hashlib.sha256(_RECORD_FORM + _SEP + inputs.encode("ascii")).hexdigest()


class Surroundings:
    """The listed and managed labels and milestones of a run, indexed by what a document's
    wants name them (module doc: "surroundings")."""

    def __init__(self, snapshot: Snapshot, state: ForgeState, render: RenderConfig) -> None:
        self.state = state
        self.render = render
        self.labels_by_name: dict[str, list[str]] = {}
        self.labels_by_id: dict[int, list[str]] = {}
        for label in snapshot.labels:
            text = repr(label)
            self.labels_by_name.setdefault(label.name.casefold(), []).append(text)
            if label.id is not None:
                self.labels_by_id.setdefault(label.id, []).append(text)
        self.milestones_by_id: dict[int, list[str]] = {}
        self.milestones_by_title: dict[str, list[str]] = {}
        for m in snapshot.milestones:
            self.milestones_by_id.setdefault(m.id, []).append(repr(m))
            self.milestones_by_title.setdefault(m.title, []).append(repr(m))
        self._labels: dict[str, list[str]] = {}
        self._milestones: dict[str, list[str]] = {}

    def of(self, labels: Iterable[str], milestones: Iterable[str]) -> list[str]:
        out: list[str] = []
        for lasting in labels:
            out += self._label(lasting)
        for lasting in milestones:
            out += self._milestone(lasting)
        return out

    def _label(self, lasting: str) -> list[str]:
        if lasting in self._labels:  # the documents of a run share most of their wants
            return self._labels[lasting]
        spec = label_spec(self.render, lasting)
        managed = self.state.labels.get(lasting)
        listed = set(self.labels_by_name.get(spec.name.casefold(), ()))
        if managed is not None:
            listed.update(self.labels_by_name.get(managed.name.casefold(), ()))
            if managed.id is not None:
                listed.update(self.labels_by_id.get(managed.id, ()))
        self._labels[lasting] = [f"label {lasting} {spec!r} {managed!r}", *sorted(listed)]
        return self._labels[lasting]

    def _milestone(self, lasting: str) -> list[str]:
        if lasting in self._milestones:
            return self._milestones[lasting]
        ms = self.state.milestones.get(lasting)
        found: set[str] = set()
        if ms is not None:
            found.update(self.milestones_by_id.get(ms.id, ()))
            found.update(self.milestones_by_title.get(ms.title, ()))
        self._milestones[lasting] = [f"milestone {lasting} {ms!r}", *sorted(found)]
        return self._milestones[lasting]


def document_digest(
    context: str,
    path: str,
    data: bytes,
    entries: Mapping[str, LockEntry],
    phases: Iterable[str],
    labels: Iterable[str],
    milestones: Iterable[str],
    around: Iterable[str],
) -> str:
    h = hashlib.sha256(context.encode("ascii") + _SEP)
    h.update(path.encode("utf-8") + _SEP + hashlib.sha256(data).digest() + _SEP)
    for key in sorted(entries):
        h.update(f"{key}\x1f{entries[key]!r}".encode() + _SEP)
    for name, values in (("phases", phases), ("labels", labels), ("milestones", milestones)):
        h.update(name.encode("ascii") + _SEP)
        for value in values:
            h.update(value.encode("utf-8") + b"\x1f")
    h.update(b"around" + _SEP)
    for value in around:
        h.update(value.encode("utf-8") + _SEP)
    return h.hexdigest()


def label_spec(render: RenderConfig, lasting: str) -> LabelSpec:
    """The label `wanted_labels` wants under a lasting name (`week/3` -> `week:3`)."""
    family, _, value = lasting.partition("/")
    fmt, field = {
        "phase": (render.phase_label, "number"),
        "type": (render.type_label, "kind"),
        "priority": (render.priority_label, "priority"),
        "week": (render.week_label, "week"),
    }[family]
    return LabelSpec(fmt.name.format(**{field: value}), fmt.color.lower())


def _raw_phase(number: str) -> str:
    """A phase number as its document writes it (`parse_documents` qualifies a phase
    another document has too as `1~docs-roadmap`)."""
    return number.partition("~")[0]


def by_file(items: Mapping[str, LockEntry]) -> dict[str, dict[str, LockEntry]]:
    out: dict[str, dict[str, LockEntry]] = {}
    for key, entry in items.items():
        out.setdefault(entry.file, {})[key] = entry
    return out


@dataclass(frozen=True, slots=True)
class Prepared:
    """A run's documents: those parsed (in run order), and what the others contribute."""

    docs: list[Document]
    kept: Kept
    reused: frozenset[str]  # paths of the documents not parsed


def prepare(
    read: Sequence[tuple[str, bytes]],
    options: ParseOptions,
    state: ForgeState,
    snapshot: Snapshot,
    context: str,
    render: RenderConfig,
) -> Prepared:
    """Parse the documents whose records do not hold (see the module doc); reuse the rest."""
    files = by_file(state.items)
    counts = Counter(e.issue for e in state.items.values())
    listed = {i.number for i in snapshot.issues} | set(snapshot.gone)
    markers = {k for k in (key_of(i.body) for i in snapshot.issues) if k is not None}
    around = Surroundings(snapshot, state, render)
    candidates: dict[str, tuple[DocumentRecord, dict[str, LockEntry]]] = {}
    for path, data in read:
        rec = state.documents.get(path)
        if rec is None:
            continue
        entries = files.get(path, {})
        issues = [e.issue for e in entries.values()]
        if (
            any(n in listed or counts[n] != 1 for n in issues)
            or not markers.isdisjoint(entries)
            or rec.digest
            != document_digest(
                context,
                path,
                data,
                entries,
                rec.phases,
                rec.labels,
                rec.milestones,
                around.of(rec.labels, rec.milestones),
            )
        ):
            continue
        candidates[path] = (rec, entries)
    while True:
        docs = parse_documents([(p, d) for p, d in read if p not in candidates], options)
        phases: set[str] = set()
        keys: set[str] = set()
        numbers: set[int] = set()
        for doc in docs:
            phases.update(_raw_phase(p.number) for p in doc.phases)
            for item in doc.items:
                key = str(item.key)
                keys.add(key)
                if item.link is not None:
                    numbers.add(item.link.number)
                if key in state.items:
                    numbers.add(state.items[key].issue)
        clash = [
            path
            for path, (rec, entries) in candidates.items()
            if not phases.isdisjoint(rec.phases)
            or not keys.isdisjoint(entries)
            or not numbers.isdisjoint(e.issue for e in entries.values())
        ]
        if not clash:
            break
        for path in clash:
            del candidates[path]
    labels: dict[str, LabelSpec] = {}
    milestones = {}
    kept_keys: set[str] = set()
    for rec, entries in candidates.values():
        kept_keys.update(entries)
        for lasting in rec.labels:
            labels[lasting] = label_spec(render, lasting)
        for lasting in rec.milestones:
            if lasting in state.milestones:
                milestones[lasting] = state.milestones[lasting]
    kept = Kept(frozenset(kept_keys), labels, milestones)
    return Prepared(docs, kept, frozenset(candidates))


def records(
    read: Sequence[tuple[str, bytes]],
    docs: Sequence[Document],
    reused: frozenset[str],
    plan: Plan,
    state: ForgeState,
    snapshot: Snapshot,
    context: str,
    render: RenderConfig,
    issue_url: Callable[[int], str],
) -> dict[str, DocumentRecord]:
    """The lock's document records after a sync that planned `plan` (module doc: "When a
    record is written"); the caller has checked the run's own conditions."""
    kept = {p: r for p, r in state.documents.items() if p in reused}
    if not _plan_allows(plan, state):
        return kept
    item_keys = {str(i.key) for d in docs for i in d.items}
    touched: set[str] = set()
    files: set[str] = set()
    for action in plan.issues:
        touched.add(action.key)
    for edit in plan.documents:
        touched.add(edit.key)
        files.add(edit.pos.file)
    for conflict in plan.conflicts:
        touched.add(conflict.key)
        files.add(conflict.file)
    for note in plan.notes:
        if note.key not in item_keys:
            return kept  # a note of no document's item (a milestone's, an orphan issue's)
        touched.add(note.key)
    for problem in (*plan.problems, *plan.skipped):
        files.add(problem.file)
    data = dict(read)
    entries_by_file = by_file(state.items)
    counts = Counter(e.issue for e in state.items.values())
    around = Surroundings(snapshot, state, render)
    out = dict(kept)
    for doc in docs:
        if doc.path in files or doc.path not in data or _not_its_own(doc):
            continue
        entries = entries_by_file.get(doc.path, {})
        items = doc.items
        keys = [str(i.key) for i in items]
        if len(set(keys)) != len(keys) or set(keys) != set(entries):
            continue
        if not all(
            key not in touched
            and plan.entries.get(key) == entries[key]
            and counts[entries[key].issue] == 1
            and (
                item.link is None
                or (
                    item.link.number == entries[key].issue
                    and item.link.url == issue_url(item.link.number)
                )
            )
            for key, item in zip(keys, items, strict=True)
        ):
            continue
        phases = tuple(dict.fromkeys(_raw_phase(p.number) for p in doc.phases))
        labels = tuple(sorted(wanted_labels(render, [doc])))
        empty = Snapshot((), (), (), snapshot.server_time, snapshot.server_time)
        milestones = tuple(sorted(plan_milestones([doc], empty, render).table))
        digest = document_digest(
            context, doc.path, data[doc.path], entries, phases, labels, milestones,
            around.of(labels, milestones),
        )  # fmt: skip
        out[doc.path] = DocumentRecord(digest, phases, labels, milestones)
    return out


def _not_its_own(doc: Document) -> bool:
    """Whether `doc` has an error, or a diagnostic that depends on another document."""
    return any(d.severity is Severity.ERROR or d.code in _ACROSS for d in doc.diagnostics)


def _plan_allows(plan: Plan, state: ForgeState) -> bool:
    """Whether a plan leaves the labels, milestones and item keys alone."""
    return (
        not plan.problems
        and not plan.needs_full_listing
        and not plan.labels
        and not plan.renames
        and not plan.deletes
        and not plan.milestones
        and not plan.renamed
        and dict(plan.managed_labels) == dict(state.labels)
        and dict(plan.managed_milestones) == dict(state.milestones)
    )
