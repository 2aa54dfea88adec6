"""A `Phase` from the outline of a document that has a `# Phase N: Name` title.

Sections decide what an item is (PRODUCT.md, "The document model"): task items under the
three requirement headings are requirements, those under `#### Week N` inside
`## Implementation Plan` are tasks, bullets under `### Key Milestones` are milestones, and
every other task item is a checklist item. Problems are appended to the diagnostics list.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum

from syncer.markdown.blocks import Box, Entry, Heading, Outline
from syncer.markdown.fields import (
    is_placeholder,
    normalise_priority,
    parse_bold_field,
    parse_date,
    parse_item_field,
    parse_title,
    parse_week,
    split_milestone,
)
from syncer.markdown.itemline import ItemLine, split_item_line, split_requirement
from syncer.markdown.source import Source
from syncer.model import (
    ChecklistItem,
    Diagnostic,
    ItemKey,
    Kind,
    Milestone,
    Phase,
    Requirement,
    Severity,
    SourcePos,
    SubTask,
    Task,
    slugify,
)

_REQUIREMENT_SECTIONS = {
    "functional requirements": Kind.FUNCTIONAL,
    "non-functional requirements": Kind.NON_FUNCTIONAL,
    "technical requirements": Kind.TECHNICAL,
}
_OVERVIEW_FIELDS = {"phase number", "phase name", "duration", "priority", "dependencies"}


@dataclass(slots=True, eq=False)
class _ReqDraft:
    entry: Entry
    req: Requirement
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True, eq=False)
class _TaskDraft:
    task: Task
    subtasks: list[SubTask] = field(default_factory=list)


class _Role(Enum):
    """What a boxed entry turned into when it is not a requirement or a task."""

    DROPPED = "dropped"  # a placeholder or a duplicate: its nested items go with it
    CHECKLIST = "checklist"


_Owner = _ReqDraft | _TaskDraft | _Role


class PhaseBuilder:
    """Turns the outline of a document with a phase title into a `Phase` and diagnostics."""

    def __init__(
        self, path: str, source: Source, tree: Outline, title: Heading, diags: list[Diagnostic]
    ) -> None:
        parsed = parse_title(title.text)
        assert parsed is not None
        self.path = path
        self.source = source
        self.tree = tree
        self.title = title
        self.number = parsed.number
        self.name = parsed.name
        self.diags = diags
        self.owners: dict[Entry, _Owner] = {}
        self.keys: set[ItemKey] = set()
        self.requirements: list[_ReqDraft] = []
        self.tasks: list[_TaskDraft] = []
        self.checklist: list[ChecklistItem] = []
        self.milestones: list[Milestone] = []
        # Per heading, what its items are (looked up once, not once per item).
        self._kinds: dict[Heading | None, Kind | tuple[int, str] | None] = {}

    def warn(self, line0: int, code: str, message: str, col: int | None = None) -> None:
        col = self.source.text_col(line0) if col is None else col
        self.diags.append(Diagnostic(self.path, line0 + 1, col, Severity.WARNING, code, message))

    def error(self, line0: int, code: str, message: str, col: int | None = None) -> None:
        col = self.source.text_col(line0) if col is None else col
        self.diags.append(Diagnostic(self.path, line0 + 1, col, Severity.ERROR, code, message))

    def build(self) -> Phase:
        overview = self._overview()
        for entry in self.tree.entries:
            self._entry(entry)
        requirements = tuple(self._finish_requirement(d) for d in self.requirements)
        tasks = tuple(
            replace(d.task, subtasks=tuple(d.subtasks)) if d.subtasks else d.task
            for d in self.tasks
        )
        return Phase(
            file=self.path,
            number=self.number,
            name=self.name,
            line=self.title.line + 1,
            duration=overview.get("duration"),
            priority=overview.get("priority"),
            dependencies=overview.get("dependencies"),
            primary_objective=self._primary_objective(),
            requirements=requirements,
            tasks=tasks,
            milestones=tuple(self.milestones),
            checklist=tuple(self.checklist),
        )

    # --- overview and objective ------------------------------------------------------------

    def _overview(self) -> dict[str, str]:
        """`**Phase Number**: 2` and friends, from paragraphs under `## Phase Overview`."""
        found: dict[str, str] = {}
        for para in self.tree.paragraphs:
            if para.heading is None or not para.heading.within("phase overview"):
                continue
            for offset, text in enumerate(para.text.split("\n")):
                parsed = parse_bold_field(text)
                if parsed is None or parsed[0].casefold() not in _OVERVIEW_FIELDS:
                    continue
                key, value = parsed[0].casefold(), parsed[1]
                if not value or is_placeholder(value) or key in found:
                    continue
                line0 = para.line + offset
                if key == "phase number" and value != self.number:
                    self.error(
                        line0,
                        "phase-number-mismatch",
                        f"**Phase Number** is {value} but the title says Phase {self.number}",
                    )
                if key == "priority":
                    priority = normalise_priority(value)
                    if priority is None:
                        self.error(line0, "bad-priority", _bad_priority(value))
                        continue
                    value = priority
                found[key] = value
        return found

    def _primary_objective(self) -> str | None:
        for para in self.tree.paragraphs:
            heading = para.heading
            if heading is not None and heading.text.casefold() == "primary objective":
                text = " ".join(para.text.split())
                return None if is_placeholder(text) else text
        return None

    # --- list items ------------------------------------------------------------------------

    def _entry(self, entry: Entry) -> None:
        """Decide what one list item is: its nearest claimed ancestor decides first (sub-task,
        requirement field, dropped with its parent), then its section."""
        owner = self._nearest_owner(entry)
        if entry.box is None:
            if isinstance(owner, _ReqDraft) and entry.parent is owner.entry:
                self._requirement_field(owner, entry)
            elif owner is None and _section(entry) == "key milestones":
                self._milestone(entry)
            return
        if owner is _Role.DROPPED:
            self.owners[entry] = _Role.DROPPED
        elif isinstance(owner, _TaskDraft):
            # Nested task items are sub-tasks: a checklist in the parent's issue body.
            item = split_item_line(self.source, entry.line, entry.box.offset)
            text = self.source.decode(item.text_start, item.text_end).strip()
            owner.subtasks.append(SubTask(text, entry.box.checked, entry.line + 1))
            self.owners[entry] = owner
        elif owner is not None:
            self._checklist(entry, entry.box)
        else:
            self._top_level_item(entry, entry.box)

    def _nearest_owner(self, entry: Entry) -> _Owner | None:
        parent = entry.parent
        while parent is not None:
            owner = self.owners.get(parent)
            if owner is not None:
                return owner
            parent = parent.parent
        return None

    def _top_level_item(self, entry: Entry, box: Box) -> None:
        heading = entry.heading
        if heading in self._kinds:
            kind = self._kinds[heading]
        else:
            kind = self._kinds[heading] = _heading_kind(heading)
        if isinstance(kind, Kind):
            self._requirement(entry, box, kind)
        elif kind is not None:
            self._task(entry, box, kind[0], kind[1])
        else:
            self._checklist(entry, box)

    def _key(self, entry: Entry, key: ItemKey, title: str, at: int) -> bool:
        """Claims `key`; a second item with the same key is an error and is dropped. `at`
        is the byte offset of the item's title (for the diagnostic's column)."""
        if key in self.keys:
            self.error(
                entry.line,
                "duplicate-item",
                f"`{title}` appears twice in this section (key {key}); rename one of them",
                self.source.col(at),
            )
            self.owners[entry] = _Role.DROPPED
            return False
        self.keys.add(key)
        return True

    def _pos(self, item: ItemLine, line0: int, title_start: int, title_end: int) -> SourcePos:
        return SourcePos(self.path, line0 + 1, item.box, item.line_end, title_start, title_end)

    def _requirement(self, entry: Entry, box: Box, kind: Kind) -> None:
        src = self.source
        item = split_item_line(src, entry.line, box.offset)
        spans = split_requirement(src, item)
        if spans is None:
            self.warn(
                entry.line,
                "not-a-requirement",
                f"a task item under {kind.value} requirements without a `**Title**:`; "
                "it is kept as a checklist item and not synced",
            )
            self._checklist(entry, box)
            return
        title = src.decode(spans.title_start, spans.title_end).strip()
        first = src.decode(spans.description_start, item.text_end)
        description = "\n".join([first, *entry.text.split("\n")[1:]]).strip()
        hole = (
            title if is_placeholder(title) else description if is_placeholder(description) else ""
        )
        if hole:
            col = src.col(spans.title_start)
            self.warn(entry.line, "placeholder", f"`{hole}` is an unfilled placeholder", col)
            self.owners[entry] = _Role.DROPPED
            return
        key = ItemKey(self.number, kind.value, slugify(title))
        if not self._key(entry, key, title, spans.title_start):
            return
        pos = replace(
            self._pos(item, entry.line, spans.title_start, spans.title_end),
            desc_start=spans.description_start,
            desc_end=max(spans.description_start, item.text_end),
        )
        req = Requirement(key, kind, title, description, box.checked, pos, link=item.link)
        draft = _ReqDraft(entry, req)
        self.requirements.append(draft)
        self.owners[entry] = draft

    def _requirement_field(self, draft: _ReqDraft, entry: Entry) -> None:
        parsed = parse_item_field(entry.text)
        if parsed is None:
            return
        name, value = parsed
        if not value or is_placeholder(value) or name in draft.fields:
            return
        if name == "priority":
            priority = normalise_priority(value)
            if priority is None:
                self.error(entry.line, "bad-priority", _bad_priority(value))
                return
            value = priority
        draft.fields[name] = value

    @staticmethod
    def _finish_requirement(draft: _ReqDraft) -> Requirement:
        return replace(
            draft.req,
            acceptance_criteria=draft.fields.get("acceptance criteria"),
            priority=draft.fields.get("priority"),
            estimate=draft.fields.get("estimate"),
        )

    def _task(self, entry: Entry, box: Box, week: int, focus: str) -> None:
        src = self.source
        item = split_item_line(src, entry.line, box.offset)
        text = src.decode(item.text_start, item.text_end).strip()
        if not text:
            # The text wraps onto the next line; the first line is what links and renames
            # edit, so it must hold the text.
            col = src.col(item.text_start)
            self.warn(entry.line, "empty-item", "a task with no text after its box", col)
            self.owners[entry] = _Role.DROPPED
            return
        if is_placeholder(text):
            col = src.col(item.text_start)
            self.warn(entry.line, "placeholder", f"`{text}` is an unfilled placeholder", col)
            self.owners[entry] = _Role.DROPPED
            return
        key = ItemKey(self.number, f"week-{week}", slugify(text))
        if not self._key(entry, key, text, item.text_start):
            return
        pos = self._pos(item, entry.line, item.text_start, item.text_end)
        draft = _TaskDraft(Task(key, week, focus, text, box.checked, pos, link=item.link))
        self.tasks.append(draft)
        self.owners[entry] = draft

    def _checklist(self, entry: Entry, box: Box) -> None:
        src = self.source
        self.owners[entry] = _Role.CHECKLIST
        item = split_item_line(src, entry.line, box.offset)
        text = src.decode(item.text_start, item.text_end).strip()
        # Unfilled template checklists (`- [ ] [Dependency 1]`) are dropped without a
        # warning: they are never synced, so there is nothing to protect.
        if not text or is_placeholder(text) or _is_placeholder_requirement(text):
            return
        heading = entry.heading.text if entry.heading is not None else ""
        pos = self._pos(item, entry.line, item.text_start, item.text_end)
        self.checklist.append(ChecklistItem(heading, text, box.checked, pos))

    def _milestone(self, entry: Entry) -> None:
        first = entry.text.split("\n", 1)[0]
        parsed = parse_bold_field(first)
        if parsed is None:
            self.warn(
                entry.line,
                "bad-milestone",
                "a key milestone is written `- **YYYY-MM-DD**: Name - Description`",
            )
            return
        when, rest = parsed
        name, description = split_milestone(rest)
        if is_placeholder(when) or is_placeholder(name):
            hole = when if is_placeholder(when) else name
            self.warn(entry.line, "placeholder", f"`{hole}` is an unfilled placeholder")
            return
        day, problem = parse_date(when)
        if day is None:
            self.error(entry.line, "bad-date", f"milestone `{name}`: {problem}")
            return
        self.milestones.append(Milestone(day, name, description, entry.line + 1))


def _heading_kind(heading: Heading | None) -> Kind | tuple[int, str] | None:
    """What the task items under `heading` are: requirements of a kind, tasks of a week
    (number, focus) or, with None, checklist items."""
    if heading is None:
        return None
    kind = _REQUIREMENT_SECTIONS.get(heading.text.casefold())
    if kind is not None:
        return kind
    week = parse_week(heading.text)
    if week is not None and heading.within("implementation plan"):
        return week
    return None


def _section(entry: Entry) -> str:
    return entry.heading.text.casefold() if entry.heading is not None else ""


def _bad_priority(value: str) -> str:
    return f"priority `{value}` is not High, Medium or Low"


def _is_placeholder_requirement(text: str) -> bool:
    """`**Unit Tests**: [Coverage target]`: a titled checklist line whose text is a hole."""
    parsed = parse_bold_field(text)
    return parsed is not None and is_placeholder(parsed[1])
