"""What a document's headings say: which phase each part of it belongs to (the title, the
headings and GSD roadmap lines that name a phase), the dates written next to a phase, the
phase template's overview, and what a heading makes of the boxes under it (requirements,
a week's tasks, a named checklist).

`PhaseFinder` is the base of `syncer.markdown.phase.PlanBuilder`, which builds the items.
"""

from __future__ import annotations

import re

from syncer.markdown.blocks import Entry, Heading, Outline
from syncer.markdown.fields import (
    PhaseTitle,
    is_placeholder,
    normalise_priority,
    parse_bold_field,
    parse_phase_heading,
    parse_title,
    parse_week,
    plain_text,
    table_phase_dates,
)
from syncer.markdown.phase_drafts import _PhaseDraft
from syncer.markdown.source import Source
from syncer.model import (
    Diagnostic,
    Kind,
    ParseOptions,
    Severity,
    slugify,
)

_REQUIREMENT_SECTIONS = {
    "functional requirements": Kind.FUNCTIONAL,
    "non-functional requirements": Kind.NON_FUNCTIONAL,
    "technical requirements": Kind.TECHNICAL,
}
_OVERVIEW_FIELDS = {"phase number", "phase name", "duration", "priority", "dependencies"}
# The phase template's own checklists: document-only in a template document by default.
NAMED_CHECKLISTS = frozenset(
    {
        "success criteria",
        "phase completion checklist",
        "quality assurance",
        "testing strategy",
        "deployment",
        "deployment strategy",
        "monitoring",
        "monitoring and observability",
        "documentation requirements",
        "dependencies and prerequisites",
    }
)
_HEADING_TRIM = re.compile(r"^[\W_]+|[\W_]+$", re.UNICODE)
# `Week two:`, `Week:`: a week heading whose number is missing.
_WEEKISH = re.compile(r"week\b", re.IGNORECASE)
_GROUP_MAX = 30


class PhaseFinder:
    """The phases of one document's outline, and its diagnostics."""

    def __init__(
        self,
        path: str,
        source: Source,
        tree: Outline,
        diags: list[Diagnostic],
        options: ParseOptions | None = None,
    ) -> None:
        self.path = path
        self.source = source
        self.tree = tree
        self.diags = diags
        self.options = options or ParseOptions()
        self.phases: dict[str, _PhaseDraft] = {}
        self._heading_phase: dict[Heading, PhaseTitle | None] = {}
        # The phase-template title: `# Phase N: Name`, as 0.1 read it.
        self.title = next(
            (h for h in tree.headings if h.level == 1 and parse_title(h.text) is not None), None
        )
        self.template = self.title is not None
        # The heading that names the file's group (its h1), if any.
        self.group_heading: Heading | None = self.title
        self.group = self._title_group()

    def warn(self, line0: int, code: str, message: str, col: int | None = None) -> None:
        col = self.source.text_col(line0) if col is None else col
        self.diags.append(Diagnostic(self.path, line0 + 1, col, Severity.WARNING, code, message))

    def error(self, line0: int, code: str, message: str, col: int | None = None) -> None:
        col = self.source.text_col(line0) if col is None else col
        self.diags.append(Diagnostic(self.path, line0 + 1, col, Severity.ERROR, code, message))

    # --- groups and phases -----------------------------------------------------------------

    def _title_group(self) -> _PhaseDraft:
        """The phase of the title (`# Phase 3: ...`), or the file's own group."""
        if self.title is not None:
            parsed = parse_title(self.title.text)
            assert parsed is not None
            return self._phase(parsed, self.title.line)
        h1 = next((h for h in self.tree.headings if h.level == 1), None)
        self.group_heading = h1
        if h1 is not None:
            named = parse_phase_heading(h1.text)
            if named is not None:
                return self._phase(named, h1.line)
        stem = self.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        name = plain_text(h1.text) if h1 is not None and plain_text(h1.text) else stem
        group = slugify(stem)[:_GROUP_MAX].strip("-") or "plan"
        draft = _PhaseDraft(group, name, h1.line if h1 is not None else 0, numbered=False)
        self.phases.setdefault(group, draft)
        return self.phases[group]

    def _phase(self, title: PhaseTitle, line0: int) -> _PhaseDraft:
        draft = self.phases.get(title.number)
        if draft is None:
            draft = self.phases[title.number] = _PhaseDraft(title.number, title.name, line0)
        elif not draft.name and title.name:
            draft.name = title.name
        return draft

    def _names_phase(self, heading: Heading) -> PhaseTitle | None:
        if heading not in self._heading_phase:
            named = None
            if heading is not self.group_heading:
                named = parse_phase_heading(heading.text)
            self._heading_phase[heading] = named
        return self._heading_phase[heading]

    def _phase_of(self, entry: Entry) -> tuple[_PhaseDraft, Heading | None]:
        """The phase a top-level entry belongs to, and the heading that named it."""
        heading = entry.heading
        while heading is not None:
            if heading is self.group_heading:
                return self.group, heading
            named = self._names_phase(heading)
            if named is not None:
                return self._phase(named, heading.line), heading
            heading = heading.parent
        return self.group, None

    def _phase_dates(self) -> None:
        """Text written next to each phase heading: the heading itself, and the paragraphs
        and plain bullets directly under it (`Target: 2025-06-20`)."""
        by_line = {d.line: d for d in self.phases.values()}
        for heading in self.tree.headings:
            named = self._names_phase(heading)
            if named is not None and named.number in self.phases:
                by_line[heading.line] = self.phases[named.number]
            draft = by_line.get(heading.line)
            if draft is not None:
                draft.dates.append(heading.text)
        for para in self.tree.paragraphs:
            if para.heading is not None and para.heading.line in by_line:
                by_line[para.heading.line].dates.append(para.text)
        for entry in self.tree.entries:
            if entry.box is None and entry.heading is not None and entry.heading.line in by_line:
                by_line[entry.heading.line].dates.append(entry.text)
        for table in self.tree.tables:
            for number, day in table_phase_dates(table.header, table.rows):
                if number in self.phases and self.phases[number].numbered:
                    self.phases[number].table_dates.add(day)

    # --- overview and objective ------------------------------------------------------------

    def _overview(self) -> dict[str, str]:
        """`**Phase Number**: 2` and friends, from paragraphs under `## Phase Overview`."""
        found: dict[str, str] = {}
        number = self.group.number
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
                if key == "phase number" and value != number:
                    self.error(
                        line0,
                        "phase-number-mismatch",
                        f"**Phase Number** is {value} but the title says Phase {number}",
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

    def _week_problems(self) -> None:
        """`#### Week two:` in an Implementation Plan: its boxes sync without a week."""
        for heading in self.tree.headings:
            if (
                _WEEKISH.match(heading.text.strip())
                and parse_week(heading.text) is None
                and heading.within("implementation plan")
            ):
                self.warn(
                    heading.line,
                    "bad-week",
                    f"`{heading.text}` is not `Week N: Focus` with a number; its boxes sync "
                    "as tasks without a week",
                )


def _heading_kind(heading: Heading | None) -> Kind | tuple[int, str] | None:
    """What the task items under `heading` are: requirements of a kind, tasks of a week
    (number, focus) or, with None, plain tasks or checklist items."""
    if heading is None:
        return None
    kind = _REQUIREMENT_SECTIONS.get(heading.text.casefold())
    if kind is not None:
        return kind
    week = parse_week(heading.text)
    if week is not None and heading.within("implementation plan"):
        return week
    return None


def _named_checklist(heading: Heading | None) -> bool:
    while heading is not None:
        if _HEADING_TRIM.sub("", heading.text).casefold() in NAMED_CHECKLISTS:
            return True
        heading = heading.parent
    return False


def _gsd_phase(raw: str) -> PhaseTitle | None:
    """`**Phase 3: Name** - description` -> phase 3 `Name`: a roadmap line naming a phase."""
    if not raw.startswith(("**", "__")):
        return None
    end = raw.find(raw[:2], 2)
    return parse_phase_heading(raw[2:end]) if end > 2 else None


def _bad_priority(value: str) -> str:
    return f"priority `{value}` is not High, Medium or Low"
