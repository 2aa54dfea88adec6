"""The planner: documents + forge snapshot + lock -> a plan. Pure: no I/O.

Two questions are decided per item, each against the lock's last synced value (the base):

* done state (box ticked <=> issue closed), a three-way merge in which either side may move;
* content (title, managed body, managed labels, milestone), which the document owns: a
  change on the forge alone is restored, a title changed on both sides is a conflict.

Without a base (first run, or a lost lock) phasesync takes the safe choice: the issue is
found by its key marker instead of created again, and nothing is reopened or unticked on a
guess. The structure follows vdirsyncer's `sync/__init__.py`: every branch names its case.

This module puts the planner's parts together (`make_plan`): `plan_state` (configuration,
state, the forge side of an item), `plan_items` (identity and creation), `plan_update`
(content and done state of an item with an issue) and `plan_removal` (removed items).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from syncer.forges.base import LabelSpec, Snapshot
from syncer.model import Document
from syncer.runtime import collector_paused
from syncer.sync.actions import (
    DeleteLabel,
    Direction,
    EnsureLabel,
    EnsureMilestone,
    Plan,
    RenameLabel,
)
from syncer.sync.lock import ForgeState, ManagedMilestone
from syncer.sync.milestone_plan import plan_milestones
from syncer.sync.plan_items import ItemPlanner
from syncer.sync.plan_removal import RemovalPlanner
from syncer.sync.plan_state import PlanConfig
from syncer.sync.renames import Names, plan_label_deletes, plan_label_renames, wanted_labels


@dataclass(frozen=True, slots=True)
class Kept:
    """What the documents a run did not parse contribute to its plan (`syncer.sync.reuse`):
    their items are present with their lock entries as they are, and their labels and
    milestones are wanted as the lock has them."""

    keys: frozenset[str] = frozenset()
    labels: Mapping[str, LabelSpec] = field(default_factory=dict)  # by lasting name
    milestones: Mapping[str, ManagedMilestone] = field(default_factory=dict)


class _Planner(ItemPlanner, RemovalPlanner):
    """One run's planner: per item (`plan_items`, `plan_update`), then removals
    (`plan_removal`), over the state they share (`plan_state`)."""


def make_plan(
    direction: Direction,
    docs: Sequence[Document],
    snapshot: Snapshot,
    base: ForgeState,
    cfg: PlanConfig,
    kept: Kept | None = None,
) -> Plan:
    """Decide everything a run will do. Documents with errors are not synced, and the
    issues of their items are left as they are. `kept`: what the documents not given
    contribute (none of their items has anything to do; `syncer.sync.reuse`)."""
    kept = kept or Kept()
    # A document is synced unless an error blocks all of it (`Document.blocked`); an error
    # on one line has left that line's item out already, and the rest syncs.
    good = [d for d in docs if not d.blocked]
    wanted = {**kept.labels, **wanted_labels(cfg.render, good)}
    label_plan, label_view, label_base = plan_label_renames(wanted, base, snapshot)
    ms = plan_milestones(good, snapshot, cfg.render, base.milestones)
    retired = frozenset(x.name.casefold() for x in label_plan.retiring.values())
    names = Names(label_view, label_base, ms.view, ms.to_base, retired)
    planner = _Planner(direction, good, snapshot, base, cfg, names)
    planner.mark_copies(good)
    present: set[str] = set(kept.keys)
    with collector_paused():
        for doc in good:
            for phase in doc.phases:  # a roadmap has several
                for item in phase.items:
                    present.add(str(item.key))
                    planner.plan_item(phase, item)
    # An item left out for an error on its line looks removed: nothing is closed for a
    # document with any error until it is fixed (its other items sync as usual).
    planner.plan_removed(present, {d.path for d in docs if d.has_errors})
    planner.orphan_notes(present)
    for key in kept.keys:
        planner.entries[key] = base.items[key]

    labels: list[EnsureLabel] = []
    milestones: list[EnsureMilestone] = []
    renames: tuple[RenameLabel, ...] = ()
    deletes: list[DeleteLabel] = []
    label_table, milestone_table = dict(base.labels), dict(base.milestones)
    if direction != "pull":
        have = {lbl.name.casefold() for lbl in snapshot.labels} | label_plan.renamed_to
        labels = [EnsureLabel(s) for k, s in sorted(planner.wanted_labels.items()) if k not in have]
        milestones = ms.actions
        planner.notes.extend(ms.notes)
        renames, label_table = label_plan.renames, label_plan.table
        milestone_table = {**kept.milestones, **ms.table}
        managed = set(planner.claimed) | {e.issue for e in base.items.values()}
        deletes, label_notes = plan_label_deletes(
            label_plan.retiring, snapshot, managed, label_table
        )
        planner.notes.extend(label_notes)
        made = {x.spec.name.casefold() for x in labels}
        for lasting, spec in wanted.items():
            # A label of the documents that no write of this run needs is not the lock's yet.
            folded = spec.name.casefold()
            if label_table[lasting].id is None and folded not in made and folded not in have:
                del label_table[lasting]
    return Plan(
        direction=direction,
        labels=tuple(labels),
        renames=renames,
        deletes=tuple(deletes),
        milestones=tuple(milestones),
        issues=tuple(planner.issues),
        documents=tuple(planner.documents),
        conflicts=tuple(planner.conflicts),
        notes=tuple(planner.notes),
        problems=tuple(planner.problems),
        skipped=tuple(planner.skipped),
        entries=planner.entries,
        renamed=planner.renamed,
        managed=len(base.items),
        removal_closes=planner.removal_closes,
        needs_full_listing=planner.needs_full,
        done_left=tuple(planner.done_left),
        managed_labels=label_table,
        managed_milestones=milestone_table,
    )
