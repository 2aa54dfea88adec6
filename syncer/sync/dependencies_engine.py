"""What a run of the engine asks of `dependencies = "links"` (kept here, so that the engine
adds a few calls and no logic): the plan of the relations, the `Blocked by #N` lines of
GitLab's item bodies, and whether the run plans once more to write lines that name issues
it made."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from syncer.forges.base import Forge, Snapshot
from syncer.model import Document
from syncer.sync.actions import Plan
from syncer.sync.apply_types import Outcome
from syncer.sync.dependencies import DependencyPlan, blocked_lines, issue_base, plan_dependencies
from syncer.sync.dependencies_run import merge_outcomes
from syncer.sync.lock import ForgeState
from syncer.sync.plan_state import PlanConfig

if TYPE_CHECKING:
    from syncer.sync.engine import EngineConfig, RunRequest


def plan_links(
    cfg: EngineConfig,
    forge: Forge,
    docs: Sequence[Document],
    plan: Plan,
    snapshot: Snapshot,
    state: ForgeState,
    req: RunRequest,
) -> DependencyPlan | None:
    if cfg.dependencies != "links" or req.direction == "pull":
        return None  # a pull writes nothing to the forge, relations included
    return plan_dependencies(
        forge.kind,
        docs,
        plan.entries,
        snapshot,
        state,
        parents=cfg.phase_parents,
        base=issue_base(forge.issue_url(1)),
        whole=not req.paths and all(not d.has_errors for d in docs),
    )


def blocked_in(
    pcfg: PlanConfig,
    cfg: EngineConfig,
    forge: Forge,
    docs: Sequence[Document],
    state: ForgeState,
) -> PlanConfig:
    """GitLab: each blocked item's `Blocked by #N` line, from the lock's numbers."""
    if cfg.dependencies != "links" or forge.kind != "gitlab":
        return pcfg
    lines = blocked_lines(
        docs, state, parents=cfg.phase_parents, base=issue_base(forge.issue_url(1))
    )
    return replace(pcfg, render=replace(pcfg.render, blocked_by=lines))


def needs_second_pass(deps: DependencyPlan | None, outcome: Outcome | None, dry_run: bool) -> bool:
    """GitLab: a `Blocked by #N` line named an issue this run made: the run plans once more
    (the lock now knows every number) and writes those lines, so that the next push has
    nothing to write. Only after a run that finished without an error."""
    return (
        deps is not None
        and deps.lines_pending
        and not dry_run
        and outcome is not None
        and outcome.error is None
    )


R = TypeVar("R", bound="HasOutcome")


class HasOutcome(Protocol):
    @property
    def outcome(self) -> Outcome | None: ...


def carry(first: R, second: R) -> R:
    """The second pass's result, with both passes' outcomes in its outcome."""
    merged = merge_outcomes(first.outcome, second.outcome)
    return cast(R, replace(cast(Any, second), outcome=merged))
