"""What a run takes and gives: `EngineConfig` (the settings, resolved), `RunRequest` (the
command's direction and options) and `RunResult` (what it planned and did).

`syncer.sync.engine` re-exports them: callers import them from there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from syncer.forges.base import Snapshot
from syncer.model import Document, ParseOptions
from syncer.sync.actions import Direction, Plan
from syncer.sync.apply_types import ApplyOptions, Outcome
from syncer.sync.board_run import BoardConfig, BoardPlan
from syncer.sync.content_edits import ForgeEdits
from syncer.sync.dependencies import DependencyPlan
from syncer.sync.plan_state import DoneItems
from syncer.sync.render import RenderConfig
from syncer.sync.structure import StructurePlan
from syncer.sync.subtask_plan import SubtaskPlan


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """Everything a run needs from the settings, already resolved."""

    render: RenderConfig
    paths: tuple[str, ...] = ("docs/phases/**/*.md",)
    lock_file: str = "phasesync.lock"
    write_links: bool = True
    on_removed: Literal["close", "keep"] = "close"
    parse: ParseOptions = field(default_factory=ParseOptions)
    forge_edits: ForgeEdits = "accept"
    # Items ticked before they have an issue: created and closed, or left in the document.
    done_items: DoneItems = "create"
    # A complete listing at least this often (by our clock against the forge's listed_at).
    full_listing_after: timedelta = timedelta(days=1)
    apply: ApplyOptions = field(default_factory=ApplyOptions)
    phase_parents: bool = False  # a parent issue per phase (`syncer.sync.structure`)
    dependencies: Literal["text", "links"] = "text"  # `syncer.sync.dependencies`
    project: BoardConfig | None = None  # a GitHub project board (`syncer.sync.board`)
    # Parse and plan only the documents whose inputs changed (`syncer.sync.reuse`); off,
    # every run parses every document (the property tests' twin).
    reuse: bool = True


@dataclass(frozen=True, slots=True)
class RunRequest:
    direction: Direction
    paths: tuple[str, ...] = ()  # explicit PATHs; empty: the configured globs
    dry_run: bool = False
    prefer: Literal["document", "forge"] | None = None
    adopt: bool = False
    full: bool = False


@dataclass(frozen=True, slots=True)
class RunResult:
    docs: tuple[Document, ...]
    plan: Plan
    snapshot: Snapshot
    outcome: Outcome | None  # None on a dry run or when the plan had problems
    # The inputs were those of the last sync that had nothing to do (`syncer.sync.settled`):
    # the documents were not parsed (`docs` is empty) and the plan is empty.
    settled: bool = False
    structure: StructurePlan | None = None  # with `phase_parents`: what the parents need
    subtasks: SubtaskPlan | None = None  # `subtasks = "issues"`: the sub-tasks' relations
    dependencies: DependencyPlan | None = None  # with `dependencies = "links"`
    # Documents not parsed this run: their inputs were as a run that had nothing to do for
    # them left them (`syncer.sync.reuse`); they are not in `docs`.
    reused: tuple[str, ...] = ()
    board: BoardPlan | None = None  # with `project`: what the board needs

    @property
    def broken(self) -> tuple[Document, ...]:
        return tuple(d for d in self.docs if d.blocked)
