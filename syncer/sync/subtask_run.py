"""Sub-tasks as sub-issues on the forge: relate each sub-task's issue to its task's, after
the items' writes, journaling every write (`syncer.sync.subtask_plan` has the design);
and GitLab's `Part of #N` line for a sub-task created in the same run as its task.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from syncer.errors import ValidationFailed
from syncer.sync.lock import LockEntry
from syncer.sync.lock_store import LockStore
from syncer.sync.relation_writes import relate, unrelate
from syncer.sync.render import Rendered
from syncer.sync.structure_run import RelationsForge, Write
from syncer.sync.subtask_plan import PREFIX, SubRecord, SubtaskPlan

_PLANNED = "_Planned in "


def fill_part_of(rendered: Rendered, number: int) -> Rendered:
    """`rendered` as `render_item` makes it when its `Part of #N` is known: the line goes
    just before the closing `_Planned in ..._` paragraph (a unit test holds the two equal)."""
    block = rendered.block
    at = block.rfind("\n" + _PLANNED)
    if at < 0:
        return rendered
    # After the paragraph before it, or right after the BEGIN marker when it is the first.
    head = block[: at + 1] + f"Part of #{number}\n\n"
    return replace(rendered, block=head + block[at + 1 :])


@dataclass(slots=True)
class SubtaskOutcome:
    related: int = 0
    unrelated: int = 0
    restored: int = 0  # relations a person removed, made again
    notes: list[str] = field(default_factory=list)


class SubtaskRun:
    """Carries out a `SubtaskPlan` through the applier's paced, budgeted `write`."""

    def __init__(
        self,
        plan: SubtaskPlan,
        forge: RelationsForge,
        store: LockStore,
        note: Callable[[str], None],
    ) -> None:
        self.plan = plan
        self.forge = forge
        self.store = store
        self.identity = forge.identity
        self.records: dict[str, SubRecord] = dict(plan.kept)
        for w in plan.works:
            if w.record is not None:
                self.records[w.task] = w.record
        self.note = note
        self.outcome = SubtaskOutcome(notes=list(plan.notes))
        for n in plan.notes:
            note(n)

    def filled(
        self, key: str, rendered: Rendered, entry: LockEntry, numbers: Mapping[str, int]
    ) -> tuple[Rendered, LockEntry]:
        """GitLab: a sub-task created after its task in this run names it at its create."""
        task = self.plan.fill.get(key)
        number = numbers.get(task) if task is not None else None
        if number is None:
            return rendered, entry
        out = fill_part_of(rendered, number)
        return out, replace(entry, hash=out.hash)

    def _save(self, key: str, rec: SubRecord) -> None:
        self.records[key] = rec
        self.store.record_structure(self.identity, PREFIX + key, rec.to_json())

    def run(self, write: Write[Any], numbers: Mapping[str, int]) -> None:
        """`numbers`: every item key's issue number (the lock's and this run's creations)."""
        github = self.plan.mode == "sub_issues"
        wanted: dict[str, list[int]] = {}
        for w in self.plan.works:
            parent = numbers.get(w.task)
            if parent is None:
                continue  # the task was not made (a budget, a failure): the next run
            rec = self.records.get(w.task)
            read = w.read
            if rec is None or rec.issue != parent:
                # New to the lock: made this run (no relations yet), or read just below.
                rec = SubRecord(parent, (), 0 if github else None)
                read = read or w.record is not None
            kids = [n for n in (numbers.get(c) for c in w.children) if n is not None]
            wanted[w.task] = kids
            if read:
                actual = self.forge.children(parent)
                self.outcome.restored += len(set(kids) & (set(rec.children) - set(actual)))
                # Relations already there (made before the lock knew) count as ours.
                ours = {c for c in rec.children if c in actual} | {c for c in kids if c in actual}
                rec = SubRecord(parent, tuple(sorted(ours)), len(actual) if github else None)
            self._save(w.task, rec)
        # Unrelate first: on GitHub an issue has one parent, so a sub-task moved to another
        # task leaves its old task before it joins the new one.
        for key, kids in wanted.items():
            self._unrelate(key, kids, write)
        for key, kids in wanted.items():
            self._relate(key, kids, write)
        for key in self.plan.forget:
            self.records.pop(key, None)

    def _unrelate(self, key: str, wanted: Sequence[int], write: Write[Any]) -> None:
        _, n = unrelate(self.forge, self.records[key], wanted, write, partial(self._save, key))
        self.outcome.unrelated += n

    def _relate(self, key: str, wanted: Sequence[int], write: Write[Any]) -> None:
        def refused(child: int, exc: ValidationFailed) -> None:
            message = f"#{child} not related to its task #{self.records[key].issue}: {exc.message}"
            self.note(message)
            self.outcome.notes.append(message)

        save = partial(self._save, key)
        _, n = relate(self.forge, self.records[key], wanted, write, save, refused)
        self.outcome.related += n

    def table(self, structure: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        """The lock's `structure` table after this run: `structure`'s other records, and
        these."""
        out: dict[str, Any] = {k: v for k, v in structure.items() if not k.startswith(PREFIX)}
        out.update({PREFIX + k: r.to_json() for k, r in sorted(self.records.items())})
        return out
