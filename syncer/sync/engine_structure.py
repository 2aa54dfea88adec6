"""The engine's part of the plan's structure: what the items' bodies say of their parents
and blockers (`parents_in`), and what phase parents need (`structure_plan`).

Sub-tasks (`syncer.sync.subtask_plan`), dependencies (`syncer.sync.dependencies_engine`)
and the board (`syncer.sync.board_run`) plan themselves; this is what the engine calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from syncer.forges.base import Forge, Snapshot
from syncer.model import Document
from syncer.sync.actions import Plan
from syncer.sync.dependencies_engine import blocked_in
from syncer.sync.engine_types import EngineConfig, RunRequest
from syncer.sync.lock import ForgeState
from syncer.sync.plan_state import PlanConfig
from syncer.sync.structure import StructurePlan, part_of, plan_structure
from syncer.sync.subtask_plan import part_of as subtask_part_of


def parents_in(
    pcfg: PlanConfig,
    cfg: EngineConfig,
    forge: Forge,
    docs: Sequence[Document],
    state: ForgeState,
    snapshot: Snapshot,
) -> PlanConfig:
    """With `phase_parents` on GitLab: each item's `Part of #N` line, from the lock (or the
    parents' key markers, the lock lost); with `subtasks = "issues"`, each sub-task's; with
    `dependencies = "links"`, each item's `Blocked by #N` line (GitLab)."""
    pcfg = blocked_in(pcfg, cfg, forge, docs, state)
    if not (cfg.phase_parents or cfg.parse.subtask_issues) or forge.kind == "github":
        return pcfg
    parents = subtask_part_of(docs, state) if cfg.parse.subtask_issues else {}
    if cfg.phase_parents:
        parents |= part_of(docs, cfg.render, state, forge.kind, snapshot, pcfg.trusted_authors)
    return replace(pcfg, render=replace(pcfg.render, part_of=parents))


def structure_plan(
    cfg: EngineConfig,
    forge: Forge,
    docs: Sequence[Document],
    plan: Plan,
    snapshot: Snapshot,
    state: ForgeState,
    req: RunRequest,
    pcfg: PlanConfig,
) -> StructurePlan | None:
    if not cfg.phase_parents:
        return None
    whole = not req.paths and all(not d.has_errors for d in docs)
    return plan_structure(
        forge.kind,
        docs,
        plan.entries,
        snapshot,
        state,
        cfg.render,
        whole=whole,
        vouched=pcfg.trusted_authors,
    )
