"""What carrying out a plan takes and gives back: `ApplyOptions`, the `Reporter` it
speaks to, and the run's `Outcome`."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from syncer.errors import PhasesyncError
from syncer.sync.actions import Problem
from syncer.sync.ceiling import Ceiling
from syncer.sync.dependencies import DependencyOutcome
from syncer.sync.structure_run import StructureOutcome
from syncer.sync.subtask_run import SubtaskOutcome

if TYPE_CHECKING:
    from syncer.sync.board_run import BoardOutcome


class Reporter(Protocol):
    """Where apply says what it does: a rich progress bar in a terminal, nothing in tests."""

    def start(self, total: int) -> None: ...

    def step(self, description: str) -> None: ...

    def note(self, message: str) -> None: ...

    def wait(self, what: str, seconds: float) -> None:
        """Before a wait of `seconds`: what it waits for (one call per wait)."""


class SilentReporter:
    def start(self, total: int) -> None:
        pass

    def step(self, description: str) -> None:
        pass

    def note(self, message: str) -> None:
        pass

    def wait(self, what: str, seconds: float) -> None:
        pass


@dataclass(frozen=True, slots=True)
class ApplyOptions:
    write_interval: float = 1.0  # seconds between writes, as GitHub asks
    max_writes: int | None = None
    allow_mass_close: bool = False
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    # How long to let a forge finish a create whose answer was lost before looking for it:
    # a slow forge applies a create after the client gave up on it.
    lost_create_wait: float = 10.0
    # The forge's write ceiling (`syncer.sync.ceiling`), and the wall clock its windows
    # are measured on (shared with the next runs through the lock).
    ceiling: Ceiling = field(default_factory=Ceiling)
    wall: Callable[[], float] = time.time


@dataclass(slots=True)
class Outcome:
    """What a run did, for the report and the exit code."""

    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)
    commented: list[int] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    milestones: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    ticked: int = 0
    unticked: int = 0
    linked: int = 0
    writes: int = 0
    error: PhasesyncError | None = None
    # Items left as they are because the forge would refuse them (a body over its limit).
    problems: list[Problem] = field(default_factory=list)
    parents: StructureOutcome | None = None  # with `phase_parents`
    subtasks: SubtaskOutcome | None = None  # with `subtasks = "issues"`
    dependencies: DependencyOutcome | None = None  # with `dependencies = "links"`
    board: BoardOutcome | None = None  # with `project` (`syncer.sync.board_run`)
