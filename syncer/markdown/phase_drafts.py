"""The drafts a document's phases and items are gathered in while its outline is walked,
before `syncer.markdown.phase` freezes them into `syncer.model`'s records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from syncer.markdown.blocks import Entry
from syncer.model import (
    ChecklistItem,
    Milestone,
    Requirement,
    SubTask,
    Task,
)


@dataclass(slots=True, eq=False)
class _ReqDraft:
    entry: Entry
    req: Requirement
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True, eq=False)
class _TaskDraft:
    task: Task
    subtasks: list[SubTask] = field(default_factory=list)
    # `subtasks = "issues"`: the nested boxes as tasks of their own (`Task.parent`).
    children: list[Task] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class _PhaseDraft:
    number: str
    name: str
    line: int  # 0-based
    numbered: bool = True
    requirements: list[_ReqDraft] = field(default_factory=list)
    tasks: list[_TaskDraft] = field(default_factory=list)
    checklist: list[ChecklistItem] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)  # text written next to the phase
    table_dates: set[date] = field(default_factory=set)  # from a milestones table


@dataclass(frozen=True, slots=True)
class _Dropped:
    """An entry that does not reach the forge: its nested boxes go with it."""

    reason: str


class _Role(Enum):
    CHECKLIST = "checklist"


_Owner = _ReqDraft | _TaskDraft | _Dropped | _Role
