"""The document model: what a phase document says, as frozen values.

Every syncable item (a `Requirement` or a `Task`) carries its stable `ItemKey` and the
`SourcePos` of its checkbox, so that the editor can change exactly the bytes it means to.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Kind(StrEnum):
    """What an item is; the value doubles as the key section and the `type:` label."""

    FUNCTIONAL = "functional"
    NON_FUNCTIONAL = "non-functional"
    TECHNICAL = "technical"
    TASK = "task"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


_SLUG_DROP = re.compile(r"[^\w\s-]", re.UNICODE)
_SLUG_SPACE = re.compile(r"[\s_-]+", re.UNICODE)


def slugify(text: str) -> str:
    """A lower-case slug that keeps letters of every script (`Ελληνικά` stays Greek).

    Markdown emphasis and code marks are dropped, runs of spaces and dashes become one dash.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _SLUG_DROP.sub("", text)
    return _SLUG_SPACE.sub("-", text).strip("-") or "item"


@dataclass(frozen=True, slots=True, order=True)
class ItemKey:
    """`phase-2/functional/password-sign-in`, `phase-3/week-2/write-tests`."""

    phase: str
    section: str
    slug: str

    def __str__(self) -> str:
        return f"phase-{self.phase}/{self.section}/{self.slug}"

    @classmethod
    def parse(cls, text: str) -> ItemKey:
        parts = text.split("/")
        if len(parts) != 3 or not parts[0].startswith("phase-") or not all(parts):
            raise ValueError(f"not an item key: {text!r}")
        return cls(parts[0].removeprefix("phase-"), parts[1], parts[2])


@dataclass(frozen=True, slots=True)
class SourcePos:
    """Where an item stands in its file.

    `line` is 1-based. Offsets are byte offsets into the file's bytes (BOM included):
    `box` is the offset of the character inside the brackets (` `, `x` or `X`);
    `line_end` is the offset just past the last non-blank byte of the item's first line,
    where a link is appended; `title_start`/`title_end` delimit the title text on that
    line (for renames written back into the document); `desc_start`/`desc_end` delimit a
    requirement's description on that line (both 0 for a task).
    """

    file: str
    line: int
    box: int
    line_end: int
    title_start: int
    title_end: int
    desc_start: int = 0
    desc_end: int = 0


@dataclass(frozen=True, slots=True)
class IssueLink:
    """`([#42](https://github.com/o/r/issues/42))` found at the end of an item's line."""

    number: int
    url: str


@dataclass(frozen=True, slots=True)
class SubTask:
    text: str
    checked: bool
    line: int


@dataclass(frozen=True, slots=True)
class Requirement:
    key: ItemKey
    kind: Kind
    title: str
    description: str
    checked: bool
    pos: SourcePos
    acceptance_criteria: str | None = None
    priority: str | None = None
    estimate: str | None = None
    link: IssueLink | None = None

    @property
    def issue_title(self) -> str:
        """The title as written; `text_safety.forge_title` makes it fit the forge."""
        return self.title


@dataclass(frozen=True, slots=True)
class Task:
    """A task: under `#### Week N` in an Implementation Plan (`week` set), or any other
    task box of a plan (`week` None; `section` names the heading it sits under)."""

    key: ItemKey
    week: int | None
    week_focus: str
    text: str
    checked: bool
    pos: SourcePos
    subtasks: tuple[SubTask, ...] = ()
    link: IssueLink | None = None
    section: str = ""
    # With `subtasks = "issues"`: a nested box is a task of its own, and this is its
    # task's key (`syncer.sync.subtask_plan`); None for a task that is nobody's sub-task.
    parent: ItemKey | None = None

    @property
    def kind(self) -> Kind:
        return Kind.TASK

    @property
    def title(self) -> str:
        return self.text

    @property
    def issue_title(self) -> str:
        """The title as written; `text_safety.forge_title` makes it fit the forge."""
        return self.text


Item = Requirement | Task

# A sub-task's key slug is its task's, a dot, and its own (`write-tests.unit-tests`):
# `slugify` never leaves a dot, so no other item's key has one.
SUBTASK_SEP = "."


def subtask_parent(key: str) -> str | None:
    """The key of the task whose sub-task `key` is, or None for any other item's key."""
    parts = key.split("/")
    if len(parts) != 3 or SUBTASK_SEP not in parts[2]:
        return None  # not an item's key (a phase parent's is `phase-2/parent.functional`)
    return f"{parts[0]}/{parts[1]}/{parts[2].split(SUBTASK_SEP, 1)[0]}"


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """Any other task-list item: reported by `status`, never synced."""

    section: str
    text: str
    checked: bool
    pos: SourcePos


@dataclass(frozen=True, slots=True)
class Milestone:
    """`- **2026-03-06**: Name - Description` under `### Key Milestones`."""

    date: date
    name: str
    description: str
    line: int

    @property
    def is_completion(self) -> bool:
        return self.name.strip().casefold() == "phase completion"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    file: str
    line: int
    col: int
    severity: Severity
    code: str
    message: str

    def format(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.severity}: {self.message} [{self.code}]"


@dataclass(frozen=True, slots=True)
class Phase:
    """A phase of a plan; or, with `numbered` False, the group of a plan's boxes that sit
    under no heading naming a phase (`number` is then the group's id, `name` the file's
    title)."""

    file: str
    number: str
    name: str
    line: int
    duration: str | None = None
    priority: str | None = None
    dependencies: str | None = None
    primary_objective: str | None = None
    requirements: tuple[Requirement, ...] = ()
    tasks: tuple[Task, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    checklist: tuple[ChecklistItem, ...] = ()
    numbered: bool = True
    # A date written next to the phase (`Target: 2025-06-20`, `(completed 2025-11-02)`).
    target: date | None = None
    # The phase part of its keys when it differs from `number`: a plan's `Phase 1` that
    # another document also has is kept apart as `1~docs-roadmap` (`parse_documents`).
    group: str | None = None

    @property
    def key_phase(self) -> str:
        """The phase part of its item keys and of its milestones' lasting names."""
        return self.group or self.number

    @property
    def items(self) -> tuple[Item, ...]:
        return (*self.requirements, *self.tasks)

    @property
    def title(self) -> str:
        """`Phase 2: User Authentication`, or a plan group's own title."""
        return f"Phase {self.number}: {self.name}" if self.numbered else self.name

    @property
    def due(self) -> date | None:
        """The `Phase Completion` milestone's date, else the latest milestone's, else the
        date written next to the phase."""
        for m in self.milestones:
            if m.is_completion:
                return m.date
        return max((m.date for m in self.milestones), default=self.target)


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """What the parser is told by the configuration."""

    # Sync the template's named checklists (Success Criteria, ...) as items too.
    sync_checklists: bool = False
    # `subtasks = "issues"`: a task's nested boxes are items of their own (`Task.parent`),
    # keyed under their task (`write-tests.unit-tests`), instead of its checklist lines.
    subtask_issues: bool = False


@dataclass(frozen=True, slots=True)
class Unsynced:
    """A box that reaches the forge neither as an issue nor as a line in one: why."""

    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class Coverage:
    """What became of a document's task boxes (as GitHub renders them)."""

    boxes: int = 0
    items: int = 0
    subtasks: int = 0
    unsynced: tuple[Unsynced, ...] = ()

    @property
    def document_only(self) -> int:
        return len(self.unsynced)

    @property
    def synced(self) -> int:
        return self.items + self.subtasks

    def summary(self) -> str:
        return (
            f"{self.boxes} boxes: {self.items} items, {self.subtasks} sub-tasks, "
            f"{self.document_only} document-only"
        )


# Errors that stop a whole document from syncing: its keys or its phase cannot be trusted.
# Any other error belongs to one item or one line, which is left out; the rest syncs.
BLOCKING = frozenset({"not-utf8", "unreadable", "duplicate-phase", "phase-number-mismatch"})


@dataclass(frozen=True, slots=True)
class Document:
    """One parsed file: its exact bytes, the phases it describes, diagnostics and what
    became of each box."""

    path: str
    data: bytes
    phases: tuple[Phase, ...]
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    coverage: Coverage = field(default=Coverage())
    # Written on the phase template (`# Phase N: Name`): its named checklists and quoted
    # boxes stay in the document.
    template: bool = False

    @property
    def phase(self) -> Phase | None:
        """The first phase (a phase-template document has exactly one)."""
        return self.phases[0] if self.phases else None

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(i for p in self.phases for i in p.items)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)

    @property
    def blocked(self) -> bool:
        """An error that stops the whole document from syncing (`BLOCKING`)."""
        return any(d.severity is Severity.ERROR and d.code in BLOCKING for d in self.diagnostics)
