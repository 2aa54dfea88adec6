"""The `Phase`s of a plan, from the outline of any Markdown document.

Sections decide what an item is (PRODUCT.md, "The document model"): task items under the
three requirement headings are requirements, those under `#### Week N` inside
`## Implementation Plan` are tasks, bullets under `### Key Milestones` are milestones.
Every other task box is a task too, keyed by the heading it sits under; its nested boxes
are its sub-tasks. Only in a document on the phase template (`# Phase N: Name`) do the
template's named checklists (Success Criteria, ...) and quoted boxes stay document-only.

Which phase a box belongs to: the nearest heading above it that names a phase
(`## Phase 2 — Auth`, `### PHASE 1: ... ✅`), or a GSD roadmap line that does
(`- [x] **Phase 3: Name** - ...`); otherwise the file's title is its group. Problems are
appended to the diagnostics list; every box that does not reach the forge is recorded
with the reason (`Coverage`).

This module builds the items; which phase, dates and section the headings name is
`syncer.markdown.phase_find`, and the drafts both fill are `syncer.markdown.phase_drafts`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from syncer.markdown.blocks import Box, Entry, Heading, Outline
from syncer.markdown.fields import (
    is_placeholder,
    normalise_priority,
    parse_bold_field,
    parse_date,
    parse_item_field,
    phase_dates,
    plain_text,
    split_milestone,
    strip_done_marker,
)
from syncer.markdown.itemline import ItemLine, split_item_line, split_requirement
from syncer.markdown.phase_drafts import _Dropped, _Owner, _PhaseDraft, _ReqDraft, _Role, _TaskDraft
from syncer.markdown.phase_find import (
    PhaseFinder,
    _bad_priority,
    _gsd_phase,
    _heading_kind,
    _named_checklist,
)
from syncer.markdown.source import Source
from syncer.model import (
    SUBTASK_SEP,
    ChecklistItem,
    Coverage,
    Diagnostic,
    ItemKey,
    Kind,
    Milestone,
    ParseOptions,
    Phase,
    Requirement,
    SourcePos,
    SubTask,
    Task,
    Unsynced,
    slugify,
)

_SLUG_MAX = 80
_SECTION_MAX = 48

DOCUMENT_ONLY = "in a section kept document-only"
PLACEHOLDER = "an unfilled template placeholder"
NO_TEXT = "no text on the box's line"
QUOTED = "in a block quote of a phase-template document"
UNDER_REQUIREMENT = "nested under a requirement (its issue has no checklist)"


@dataclass(frozen=True, slots=True)
class BuiltPlan:
    phases: tuple[Phase, ...]
    coverage: Coverage
    template: bool


class PlanBuilder(PhaseFinder):
    """Turns the outline of one document into its `Phase`s, diagnostics and coverage."""

    def __init__(
        self,
        path: str,
        source: Source,
        tree: Outline,
        diags: list[Diagnostic],
        options: ParseOptions | None = None,
    ) -> None:
        super().__init__(path, source, tree, diags, options)
        self.owners: dict[Entry, _Owner] = {}
        self.keys: dict[ItemKey, int] = {}
        self.unsynced: list[Unsynced] = []
        self.subtask_count = 0
        self._kinds: dict[Heading | None, Kind | tuple[int, str] | None] = {}

    # --- the walk --------------------------------------------------------------------------

    def build(self) -> BuiltPlan:
        overview = self._overview() if self.template else {}
        for entry in self.tree.entries:
            self._entry(entry)
        self._week_problems()
        self._phase_dates()
        phases = []
        for draft in self.phases.values():
            empty = not (draft.requirements or draft.tasks or draft.checklist or draft.milestones)
            if empty and (draft is not self.group or not self.template):
                continue  # a heading that names a phase but holds no box of it
            phases.append(self._finish_phase(draft, overview))
        items = sum(len(p.items) for p in phases)
        coverage = Coverage(
            boxes=len(self.tree.boxes),
            items=items,
            subtasks=self.subtask_count,
            unsynced=tuple(sorted(self.unsynced, key=lambda u: u.line)),
        )
        return BuiltPlan(tuple(phases), coverage, self.template)

    def _finish_phase(self, draft: _PhaseDraft, overview: dict[str, str]) -> Phase:
        is_title = draft is self.group and self.template
        found = phase_dates("\n".join(draft.dates)) | draft.table_dates
        day = found.pop() if len(found) == 1 else None  # two different dates: ambiguous
        return Phase(
            file=self.path,
            number=draft.number,
            name=draft.name,
            line=draft.line + 1,
            duration=overview.get("duration") if is_title else None,
            priority=overview.get("priority") if is_title else None,
            dependencies=overview.get("dependencies") if is_title else None,
            primary_objective=self._primary_objective() if is_title else None,
            requirements=tuple(self._finish_requirement(d) for d in draft.requirements),
            tasks=tuple(
                t
                for d in draft.tasks
                for t in (
                    replace(d.task, subtasks=tuple(d.subtasks)) if d.subtasks else d.task,
                    *d.children,  # `subtasks = "issues"`: right after their task
                )
            ),
            milestones=tuple(draft.milestones),
            checklist=tuple(draft.checklist),
            numbered=draft.numbered,
            target=None if is_title else day,
        )

    # --- list items ------------------------------------------------------------------------

    def _entry(self, entry: Entry) -> None:
        """Decide what one list item is: its nearest claimed ancestor decides first (sub-task,
        requirement field, dropped with its parent), then its section."""
        owner = self._nearest_owner(entry)
        if entry.box is None:
            if isinstance(owner, _ReqDraft) and entry.parent is owner.entry:
                self._requirement_field(owner, entry)
            elif owner is None and _section(entry) == "key milestones" and not entry.quoted:
                self._milestone(entry)
            return
        box = entry.box
        if isinstance(owner, _Dropped):
            self._drop(entry, owner.reason)
        elif isinstance(owner, _TaskDraft) and self.options.subtask_issues:
            self._subtask(owner, entry, box)
        elif isinstance(owner, _TaskDraft):
            # Nested task items are sub-tasks: a checklist in the parent's issue body.
            item = split_item_line(self.source, entry.line, box.offset)
            text = self.source.decode(item.text_start, item.text_end).strip()
            owner.subtasks.append(SubTask(text, box.checked, entry.line + 1))
            self.owners[entry] = owner
            self.subtask_count += 1
        elif isinstance(owner, _ReqDraft):
            self._checklist(entry, box, UNDER_REQUIREMENT)
        elif owner is _Role.CHECKLIST:
            self._checklist(entry, box, DOCUMENT_ONLY)
        elif entry.quoted and self.template:
            self._drop(entry, QUOTED)
        else:
            self._top_level_item(entry, box)

    def _drop(self, entry: Entry, reason: str) -> None:
        self.owners[entry] = _Dropped(reason)
        self.unsynced.append(Unsynced(entry.line + 1, reason))

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
        draft, named_by = self._phase_of(entry)
        if isinstance(kind, Kind):
            self._requirement(draft, entry, box, kind)
        elif kind is not None:
            self._task(draft, entry, box, kind[0], kind[1])
        elif self.template and _named_checklist(heading) and not self.options.sync_checklists:
            self._checklist(entry, box, DOCUMENT_ONLY, draft)
        else:
            self._plain_task(draft, named_by, entry, box)

    def _claim(self, entry: Entry, key: ItemKey, title: str, at: int) -> ItemKey:
        """`key`, or for the second and later item with the same key in this document, the
        key with its occurrence (`write-tests~2`) and a warning: one repeated line never
        stops the rest."""
        seen = self.keys.get(key, 0)
        self.keys[key] = seen + 1
        if not seen:
            return key
        unique = replace(key, slug=f"{key.slug}~{seen + 1}")
        while unique in self.keys:
            seen += 1
            unique = replace(key, slug=f"{key.slug}~{seen + 1}")
        self.keys[unique] = 1
        self.warn(
            entry.line,
            "duplicate-item",
            f"`{title}` appears more than once under this heading; this one is kept apart "
            f"as {unique} (by its place): renaming it keeps the keys clearer",
            self.source.col(at),
        )
        return unique

    def _pos(self, item: ItemLine, line0: int, title_start: int, title_end: int) -> SourcePos:
        return SourcePos(self.path, line0 + 1, item.box, item.line_end, title_start, title_end)

    def _requirement(self, draft: _PhaseDraft, entry: Entry, box: Box, kind: Kind) -> None:
        src = self.source
        item = split_item_line(src, entry.line, box.offset)
        spans = split_requirement(src, item)
        if spans is None:
            # No `**Title**:`: the whole line is the requirement's title.
            self._plain_task(draft, None, entry, box, kind)
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
            self._drop(entry, PLACEHOLDER)
            return
        key = ItemKey(draft.number, kind.value, slugify(title))
        key = self._claim(entry, key, title, spans.title_start)
        pos = replace(
            self._pos(item, entry.line, spans.title_start, spans.title_end),
            desc_start=spans.description_start,
            desc_end=max(spans.description_start, item.text_end),
        )
        req = Requirement(key, kind, title, description, box.checked, pos, link=item.link)
        req_draft = _ReqDraft(entry, req)
        draft.requirements.append(req_draft)
        self.owners[entry] = req_draft

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

    def _text(self, entry: Entry, box: Box) -> tuple[ItemLine, str] | None:
        """The item's line and its text, or None (reported) when it has none or is a
        template placeholder."""
        src = self.source
        item = split_item_line(src, entry.line, box.offset)
        text = src.decode(item.text_start, item.text_end).strip()
        if not text:
            # The text wraps onto the next line; the first line is what links and renames
            # edit, so it must hold the text.
            col = src.col(item.text_start)
            self.warn(entry.line, "empty-item", "a task with no text after its box", col)
            self._drop(entry, NO_TEXT)
            return None
        if is_placeholder(text):
            col = src.col(item.text_start)
            self.warn(entry.line, "placeholder", f"`{text}` is an unfilled placeholder", col)
            self._drop(entry, PLACEHOLDER)
            return None
        return item, text

    def _task(self, draft: _PhaseDraft, entry: Entry, box: Box, week: int, focus: str) -> None:
        found = self._text(entry, box)
        if found is None:
            return
        item, raw = found
        # The key is made from the line as written (as 0.1 made it); the title is its text.
        key = ItemKey(draft.number, f"week-{week}", slugify(raw))
        key = self._claim(entry, key, raw, item.text_start)
        pos = self._pos(item, entry.line, item.text_start, item.text_end)
        text = strip_done_marker(plain_text(raw))
        task = _TaskDraft(Task(key, week, focus, text, box.checked, pos, link=item.link))
        draft.tasks.append(task)
        self.owners[entry] = task

    def _subtask(self, owner: _TaskDraft, entry: Entry, box: Box) -> None:
        """`subtasks = "issues"`: a nested box is a task of its own, keyed under its task
        (`write-tests.unit-tests`), with its task's week and section (so its labels and
        milestone); deeper boxes are sub-tasks of the same task (one level, like the
        checklist)."""
        found = self._text(entry, box)
        if found is None:
            return
        item, raw = found
        parent = owner.task
        title = strip_done_marker(plain_text(raw))
        slug = slugify(title)[:_SLUG_MAX].strip("-") or "item"
        key = replace(parent.key, slug=f"{parent.key.slug}{SUBTASK_SEP}{slug}")
        key = self._claim(entry, key, title, item.text_start)
        pos = self._pos(item, entry.line, item.text_start, item.text_end)
        sub = Task(
            key,
            parent.week,
            parent.week_focus,
            title,
            box.checked,
            pos,
            link=item.link,
            section=parent.section,
            parent=parent.key,
        )
        owner.children.append(sub)
        self.owners[entry] = owner

    def _plain_task(
        self,
        draft: _PhaseDraft,
        named_by: Heading | None,
        entry: Entry,
        box: Box,
        kind: Kind | None = None,
    ) -> None:
        """Any other box: a task keyed by the heading it sits under and its text as read
        (emphasis and link syntax dropped, a trailing ✅ left out)."""
        found = self._text(entry, box)
        if found is None:
            return
        item, raw = found
        text = plain_text(raw)
        gsd = _gsd_phase(raw) if entry.parent is None else None
        if gsd is not None:
            # `- [x] **Phase 3: Name** - ...`: the line names its phase.
            draft = self._phase(gsd, draft.line if gsd.number in self.phases else entry.line)
            draft.dates.append(entry.text)
            named_by = None
        title = strip_done_marker(text)
        heading = entry.heading
        if kind is not None:
            section = kind.value
        elif heading is None or heading is named_by or heading is self.group_heading:
            section = "tasks"
        else:
            section = slugify(_heading_name(heading))[:_SECTION_MAX].strip("-") or "tasks"
        slug = slugify(title)[:_SLUG_MAX].strip("-") or "item"
        key = self._claim(entry, ItemKey(draft.number, section, slug), title, item.text_start)
        pos = self._pos(item, entry.line, item.text_start, item.text_end)
        if kind is not None:
            req = Requirement(key, kind, title, "", box.checked, pos, link=item.link)
            req_draft = _ReqDraft(entry, req)
            draft.requirements.append(req_draft)
            self.owners[entry] = req_draft
            return
        where = _heading_name(heading) if heading is not None else ""
        task = Task(key, None, "", title, box.checked, pos, link=item.link, section=where)
        task_draft = _TaskDraft(task)
        draft.tasks.append(task_draft)
        self.owners[entry] = task_draft

    def _checklist(
        self, entry: Entry, box: Box, reason: str, draft: _PhaseDraft | None = None
    ) -> None:
        src = self.source
        self.owners[entry] = _Role.CHECKLIST
        self.unsynced.append(Unsynced(entry.line + 1, reason))
        item = split_item_line(src, entry.line, box.offset)
        text = src.decode(item.text_start, item.text_end).strip()
        # Unfilled template checklists (`- [ ] [Dependency 1]`) are dropped without a
        # warning: they are never synced, so there is nothing to protect.
        if not text or is_placeholder(text) or _is_placeholder_requirement(text):
            return
        heading = entry.heading.text if entry.heading is not None else ""
        pos = self._pos(item, entry.line, item.text_start, item.text_end)
        target = draft if draft is not None else self._phase_of(entry)[0]
        target.checklist.append(ChecklistItem(heading, text, box.checked, pos))

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
        draft, _ = self._phase_of(entry)
        draft.milestones.append(Milestone(day, name, description, entry.line + 1))


def _heading_name(heading: Heading) -> str:
    return plain_text(heading.text)


def _section(entry: Entry) -> str:
    return entry.heading.text.casefold() if entry.heading is not None else ""


def _is_placeholder_requirement(text: str) -> bool:
    """`**Unit Tests**: [Coverage target]`: a titled checklist line whose text is a hole."""
    parsed = parse_bold_field(text)
    return parsed is not None and is_placeholder(parsed[1])
