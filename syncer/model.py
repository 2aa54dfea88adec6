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
        return self.title


@dataclass(frozen=True, slots=True)
class Task:
    key: ItemKey
    week: int
    week_focus: str
    text: str
    checked: bool
    pos: SourcePos
    subtasks: tuple[SubTask, ...] = ()
    link: IssueLink | None = None

    @property
    def kind(self) -> Kind:
        return Kind.TASK

    @property
    def title(self) -> str:
        return self.text

    @property
    def issue_title(self) -> str:
        return self.text


Item = Requirement | Task


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

    @property
    def items(self) -> tuple[Item, ...]:
        return (*self.requirements, *self.tasks)

    @property
    def due(self) -> date | None:
        """The `Phase Completion` milestone's date, else the latest milestone's."""
        for m in self.milestones:
            if m.is_completion:
                return m.date
        return max((m.date for m in self.milestones), default=None)


@dataclass(frozen=True, slots=True)
class Document:
    """One parsed file: its exact bytes, the phase it describes (if any) and diagnostics."""

    path: str
    data: bytes
    phase: Phase | None
    diagnostics: tuple[Diagnostic, ...] = field(default=())

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)
