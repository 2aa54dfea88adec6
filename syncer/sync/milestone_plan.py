"""Which milestones a plan creates or brings in line: one per phase, one per key milestone."""

from __future__ import annotations

from collections.abc import Sequence

from syncer.forges.base import MilestoneSpec, Snapshot
from syncer.model import Document
from syncer.sync.actions import EnsureMilestone, Note
from syncer.sync.render import RenderConfig, milestone_title


def plan_milestones(
    docs: Sequence[Document], snapshot: Snapshot, cfg: RenderConfig
) -> tuple[list[EnsureMilestone], list[Note]]:
    """Milestones to create or bring in line, and notes on group milestones left as they are.

    A GitLab group's milestone with the title is used as it is: the project cannot have its
    own of that title, and editing the group's would change it for every project of it.
    """
    existing = snapshot.milestones_by_title()
    out: list[EnsureMilestone] = []
    notes: list[Note] = []
    for phase in (p for doc in docs for p in doc.phases):
        wanted = [
            MilestoneSpec(milestone_title(cfg, phase), phase.primary_objective or "", phase.due)
        ]
        wanted += [
            MilestoneSpec(milestone_title(cfg, phase, m.name), m.description, m.date)
            for m in phase.milestones
            if not m.is_completion
        ]
        for spec in wanted:
            have = existing.get(spec.title)
            if have is None:
                out.append(EnsureMilestone(spec))
            elif have.due != spec.due or have.description.strip() != spec.description.strip():
                if have.group:
                    due = have.due.isoformat() if have.due else "none"
                    notes.append(
                        Note(
                            spec.title,
                            f"a group milestone (due {due}); its date and description are "
                            "the group's, and phasesync leaves them as they are",
                        )
                    )
                else:
                    out.append(EnsureMilestone(spec, existing_id=have.id))
    return _unique(out), list({n.key: n for n in notes}.values())


def _unique(items: list[EnsureMilestone]) -> list[EnsureMilestone]:
    seen: set[str] = set()
    out = []
    for m in items:
        if m.spec.title not in seen:
            seen.add(m.spec.title)
            out.append(m)
    return out
