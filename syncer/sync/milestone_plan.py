"""Which milestones a plan creates or brings in line: one per phase, one per key milestone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from syncer.forges.base import IssueState, MilestoneSpec, RemoteMilestone, Snapshot
from syncer.model import Document, slugify
from syncer.sync.actions import EnsureMilestone, Note
from syncer.sync.lock import ManagedMilestone
from syncer.sync.plan_changes import ARROW
from syncer.sync.render import RenderConfig, milestone_title


@dataclass(frozen=True, slots=True)
class MilestonePlan:
    actions: list[EnsureMilestone]
    notes: list[Note]
    table: dict[str, ManagedMilestone]  # lasting name -> id (0: made by this run) and title
    view: dict[str, str]  # a title an issue may show -> the title wanted now
    to_base: dict[str, str]  # the title wanted now -> the lock's title


def plan_milestones(
    docs: Sequence[Document],
    snapshot: Snapshot,
    cfg: RenderConfig,
    locked: Mapping[str, ManagedMilestone] | None = None,
) -> MilestonePlan:
    """Milestones to create or bring in line, and notes on group milestones left as they are.

    A milestone the lock knows is found by its id, so a new title format, a renamed phase
    or a person's rename or close on the forge is one write on it, never a new milestone.
    A GitLab group's milestone with the title is used as it is: the project cannot have its
    own of that title, and editing the group's would change it for every project of it.
    """
    locked = locked or {}
    existing = snapshot.milestones_by_title()
    by_id = {m.id: m for m in snapshot.milestones if not m.group}
    out: list[EnsureMilestone] = []
    notes: list[Note] = []
    table: dict[str, ManagedMilestone] = {}
    view: dict[str, str] = {}
    to_base: dict[str, str] = {}
    for phase in (p for doc in docs for p in doc.phases):
        number = phase.key_phase  # two plans' `Phase 1`s are two milestones
        wanted = [
            (
                f"phase-{number}",
                MilestoneSpec(
                    milestone_title(cfg, phase), phase.primary_objective or "", phase.due
                ),
            )
        ]
        wanted += [
            (
                f"phase-{number}/{slugify(m.name)}",
                MilestoneSpec(milestone_title(cfg, phase, m.name), m.description, m.date),
            )
            for m in phase.milestones
            if not m.is_completion
        ]
        for lasting, spec in wanted:
            rec = locked.get(lasting)
            have: RemoteMilestone | None = by_id.get(rec.id) if rec is not None else None
            taken = existing.get(spec.title)
            if have is None or (taken is not None and taken is not have):
                have = taken
            if rec is not None and rec.title != spec.title:
                to_base[spec.title] = rec.title
                view.setdefault(rec.title, spec.title)
            if have is None:
                out.append(EnsureMilestone(spec))
                table[lasting] = ManagedMilestone(0, spec.title)
                continue
            if not have.group:
                table[lasting] = ManagedMilestone(have.id, spec.title)
            reasons = _changes(have, spec, rec)
            if have.title != spec.title:
                view[have.title] = spec.title
            if reasons and not have.group:
                state: IssueState | None = "open" if have.state == "closed" else None
                spec = replace(spec, state=state)
                out.append(EnsureMilestone(spec, existing_id=have.id, reasons=reasons))
            elif have.group and (
                have.due != spec.due or have.description.strip() != spec.description.strip()
            ):
                due = have.due.isoformat() if have.due else "none"
                notes.append(
                    Note(
                        spec.title,
                        f"a group milestone (due {due}); its date and description are "
                        "the group's, and phasesync leaves them as they are",
                    )
                )
    notes = list({n.key: n for n in notes}.values())
    return MilestonePlan(_unique(out), notes, table, view, to_base)


def _changes(
    have: RemoteMilestone, spec: MilestoneSpec, rec: ManagedMilestone | None
) -> tuple[str, ...]:
    """What bringing `have` in line with `spec` changes, each as the plan's rows word a
    change (`field: old → new`, `syncer.sync.plan_changes`), naming the value replaced."""
    out: list[str] = []
    if have.title != spec.title:
        by = " (renamed on the forge)" if rec is not None and have.title != rec.title else ""
        out.append(f"title: {have.title} {ARROW} {spec.title}{by}")
    if have.state == "closed":
        out.append(f"state: closed {ARROW} open (closed on the forge)")
    if have.due != spec.due:
        out.append(f"due: {have.due or 'none'} {ARROW} {spec.due or 'none'}")
    if have.description.strip() != spec.description.strip():
        out.append("description (brought in line with the document)")
    return tuple(out)


def _unique(items: list[EnsureMilestone]) -> list[EnsureMilestone]:
    seen: set[str] = set()
    out = []
    for m in items:
        if m.spec.title not in seen:
            seen.add(m.spec.title)
            out.append(m)
    return out
