"""The applier's lock phase: the lock as a run leaves it (items done, managed labels and
milestones, parents, the listing's starting point), written once at the end."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from syncer.sync.actions import Plan
from syncer.sync.apply_types import ApplyOptions, Outcome
from syncer.sync.dependencies_run import DependencyRun
from syncer.sync.lock import ForgeState, Lock, LockEntry, ManagedLabel, ManagedMilestone
from syncer.sync.lock_store import LockStore
from syncer.sync.structure_run import StructureRun
from syncer.sync.subtask_run import SubtaskRun


class LockPhase:
    """`Applier`'s lock phase, on the applier's state (declared below)."""

    store: LockStore
    lock: Lock
    plan: Plan
    options: ApplyOptions
    listed: datetime
    complete: bool
    settled: str | None
    outcome: Outcome
    identity: str
    base: ForgeState
    milestone_ids: dict[str, int]
    label_ids: dict[str, int | None]
    labels_done: set[str]
    labels_deleted: set[str]
    numbers: dict[str, int]
    done: set[str]
    failed: set[str]
    _finished: bool
    creators: set[str]
    recent: list[float]
    structure: StructureRun | None
    subtasks: SubtaskRun | None
    filled: dict[str, LockEntry]
    dependencies: DependencyRun | None

    # --- lock -----------------------------------------------------------------------------

    def _managed_labels(self) -> dict[str, ManagedLabel]:
        """The lock's label table: the plan's where its write was made (or none was
        needed), the old record where it was not."""
        planned = {r.spec.name.casefold() for r in self.plan.renames}
        made = {x.spec.name.casefold() for x in self.plan.labels}
        out: dict[str, ManagedLabel] = {}
        for lasting, rec in self.plan.managed_labels.items():
            folded = rec.name.casefold()
            if folded in planned and folded not in self.labels_done:
                if lasting in self.base.labels:
                    out[lasting] = self.base.labels[lasting]
                continue
            if rec.id is None and folded in made:
                if folded not in self.label_ids:
                    continue  # not made (yet): the next run finds it by name
                rec = replace(rec, id=self.label_ids[folded])
            out[lasting] = rec
        for lasting, rec in self.base.labels.items():
            if lasting not in out and lasting not in self.plan.managed_labels:
                deleting = rec.name.casefold() in {d.name.casefold() for d in self.plan.deletes}
                if deleting and rec.name.casefold() not in self.labels_deleted:
                    out[lasting] = rec  # its delete did not happen: still phasesync's
        return out

    def _managed_milestones(self) -> dict[str, ManagedMilestone]:
        out: dict[str, ManagedMilestone] = {}
        for lasting, rec in self.plan.managed_milestones.items():
            ident = self.milestone_ids.get(rec.title, rec.id)
            if ident:
                out[lasting] = ManagedMilestone(ident, rec.title)
            elif lasting in self.base.milestones:
                out[lasting] = self.base.milestones[lasting]
        return out

    def _lock_phase(self) -> None:
        items: dict[str, LockEntry] = dict(self.store.load().state(self.identity).items)
        forge_keys = {a.key for a in self.plan.issues}
        for key, entry in self.plan.entries.items():
            entry = self.filled.get(key, entry)  # a sub-task's `Part of #N` filled at create
            old = self.plan.renamed.get(key)
            # A renamed item's actions and edits carry its old key: a retitle that could not
            # be written into its document leaves the old key (and base) in the lock, or the
            # next run, reading the old title, would not know the item's issue.
            keys = {key} if old is None else {key, old}
            if keys & self.failed or any(k in forge_keys and k not in self.done for k in keys):
                continue  # not done: the old base (or the journaled creation) stays
            if old is not None and old != key:
                items.pop(old, None)
            if entry is None:
                items.pop(key, None)
            elif entry.issue == 0:
                if key in self.numbers:
                    items[key] = replace(entry, issue=self.numbers[key])
            else:
                items[key] = entry
        state = replace(
            self.base,
            items=items,
            creators=tuple(sorted(self.creators)),
            recent_writes=self.options.ceiling.keep(self.recent, self.options.wall()),
            labels=self._managed_labels(),
            milestones=self._managed_milestones(),
        )
        if self.structure is not None:
            state = replace(
                state,
                structure=self.structure.table(),
                capabilities=self.structure.capabilities,
            )
        if self.subtasks is not None:
            state = replace(state, structure=self.subtasks.table(state.structure))
        if self.dependencies is not None:  # `dependencies = "links"`
            state = replace(
                state,
                dependencies=self.dependencies.table(),
                capabilities={**state.capabilities, **self.dependencies.capabilities},
            )
        if self._finished and self.outcome.error is None:
            # Only a run that finished may move the incremental listing's starting point on
            # (not one stopped by an error, nor one interrupted by Ctrl-C).
            state = replace(
                state,
                synced_at=self.listed,
                listed_at=self.listed if self.complete else state.listed_at,
                settled=self.settled or state.settled,
            )
        lock = self.lock.with_state(self.identity, state)
        if not self.store.path.exists() and not any(s.items for s in lock.forges.values()):
            # Nothing to remember (a first run refused at its first write, or with no valid
            # document): no lock file, and the next run lists everything anyway.
            self.store.journal.unlink(missing_ok=True)
            return
        self.store.save(lock)
