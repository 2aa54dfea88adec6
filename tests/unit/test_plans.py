"""Plans as people write them: phases named every way, several per file, dates next to
them, titles as text, and a word for every box that does not sync."""

from __future__ import annotations

from datetime import date

import pytest

from syncer.markdown.fields import parse_phase_heading, plain_text, strip_done_marker
from syncer.markdown.parse import parse_document, parse_documents
from syncer.model import Document, ParseOptions, Phase, Severity, Task
from syncer.sync.render import DEFAULT_RENDER, milestone_title, render_item


def parse(text: str, path: str = "docs/plan.md", **options: bool) -> Document:
    return parse_document(path, text.encode(), ParseOptions(**options))


def phases(doc: Document) -> list[tuple[str, str]]:
    return [(p.number, p.name) for p in doc.phases]


def keys(doc: Document) -> list[str]:
    return [str(i.key) for i in doc.items]


@pytest.mark.parametrize(
    ("heading", "number", "name"),
    [
        ("Phase 13c: Tooling", "13c", "Tooling"),
        ("Phase 2 — Auth", "2", "Auth"),
        ("PHASE 1: Core Engine ✅ COMPLETED", "1", "Core Engine"),
        ("Phase 11 Windows Test Procedure", "11", "Windows Test Procedure"),
        (
            "Phase 3.0: Critical Fixes (Weeks 9-10) ✅ COMPLETE",
            "3.0",
            "Critical Fixes (Weeks 9-10)",
        ),
        ("🚀 Phase 4 - Launch", "4", "Launch"),
        ("**Phase 5**: Polish", "5", "Polish"),
        ("Phase 2.5: Hardening", "2.5", "Hardening"),
    ],
)
def test_phases_as_people_name_them(heading: str, number: str, name: str) -> None:
    parsed = parse_phase_heading(heading)
    assert parsed is not None and (parsed.number, parsed.name) == (number, name)


@pytest.mark.parametrize(
    "heading", ["Phase Overview", "Phase Completion Checklist", "Phases", "Phaser 3 setup"]
)
def test_headings_that_do_not_name_a_phase(heading: str) -> None:
    assert parse_phase_heading(heading) is None


def test_a_roadmap_with_several_phases_gives_each_its_items_and_milestone() -> None:
    doc = parse(
        "# Roadmap\n\nIntro.\n\n- [ ] loose idea\n\n"
        "## Phase 1: Foundation\nTarget: 2025-06-20\n\n- [x] repo\n- [ ] CI\n"
        "### Backend\n- [ ] schema\n"
        "## Phase 2 — Auth\n- [ ] login\n  - [ ] form\n  - [x] api\n"
        "### PHASE 3: Later ✅ COMPLETED\n- [x] done thing ✅\n"
    )
    assert not doc.diagnostics
    assert phases(doc) == [
        ("plan", "Roadmap"),
        ("1", "Foundation"),
        ("2", "Auth"),
        ("3", "Later"),
    ]
    assert keys(doc) == [
        "phase-plan/tasks/loose-idea",
        "phase-1/tasks/repo",
        "phase-1/tasks/ci",
        "phase-1/backend/schema",
        "phase-2/tasks/login",
        "phase-3/tasks/done-thing",
    ]
    group, one, two, three = doc.phases
    assert not group.numbered and group.title == "Roadmap"
    assert one.title == "Phase 1: Foundation" and one.due == date(2025, 6, 20)
    assert two.due is None
    login = two.tasks[0]
    assert [(s.text, s.checked) for s in login.subtasks] == [("form", False), ("api", True)]
    assert three.tasks[0].text == "done thing"  # the ✅ is a state, not a name
    assert doc.coverage.summary() == "8 boxes: 6 items, 2 sub-tasks, 0 document-only"
    # Milestones: a phase's, or the plan's own title for boxes under no phase.
    assert milestone_title(DEFAULT_RENDER, one) == "Phase 1: Foundation"
    assert milestone_title(DEFAULT_RENDER, group) == "Roadmap"


def test_ticking_and_marking_done_keeps_the_key() -> None:
    before = parse("# Plan\n## Phase 1: A\n- [ ] Zero clippy warnings\n")
    after = parse("# Plan\n## Phase 1: A\n- [x] Zero clippy warnings ✅\n")
    assert keys(before) == keys(after) == ["phase-1/tasks/zero-clippy-warnings"]
    assert after.items[0].issue_title == "Zero clippy warnings"


def test_titles_are_text() -> None:
    doc = parse(
        "# Roadmap\n## Phases\n"
        "- [x] **Phase 1: Foundation** - Compilable solution (completed 2026-02-19)\n"
        "- [ ] **Phase 2: Shell** - see [the spec](https://example.com/spec) and `main.rs`\n"
    )
    assert phases(doc) == [("1", "Foundation"), ("2", "Shell")]
    first, second = doc.items
    assert first.issue_title == "Phase 1: Foundation - Compilable solution (completed 2026-02-19)"
    assert second.issue_title == "Phase 2: Shell - see the spec and `main.rs`"
    assert doc.phases[0].due == date(2026, 2, 19)
    assert doc.phases[1].due is None
    assert plain_text("__bold__ and *em* and ~~x~~") == "bold and em and ~~x~~"
    # The document keeps its own text: the title span is the line's, for renames.
    assert first.pos.title_end - first.pos.title_start == len(
        b"**Phase 1: Foundation** - Compilable solution (completed 2026-02-19)"
    )


def test_gsd_roadmap_lines_and_detail_headings_are_one_phase() -> None:
    doc = parse(
        "# Roadmap\n## Phases\n- [x] **Phase 1: Foundation** - base\n"
        "- [ ] **Phase 2: Shell** - ui\n"
        "## Phase Details\n### Phase 1: Foundation\n- [x] solution builds\n"
        "### Phase 2: Shell\n**Target**: 2026-04-01\n- [ ] window\n"
    )
    assert phases(doc) == [("1", "Foundation"), ("2", "Shell")]
    assert [len(p.items) for p in doc.phases] == [2, 2]
    assert doc.phases[1].due == date(2026, 4, 1)


def test_a_milestones_table_gives_due_dates_when_unambiguous() -> None:
    doc = parse(
        "# Roadmap\n## Phase 1: A\n- [ ] a\n## Phase 2: B\n- [ ] b\n## Phase 3: C\n"
        "Target: 2026-01-01\n\n- [ ] c\n\n"
        "| Phase | Start | Completed |\n|---|---|---|\n"
        "| 1. A | 2025-01-01 | 2025-02-01 |\n| Phase 2 | 2025-01-01 | - |\n"
        "| 3. C | 2025-01-01 | 2026-02-02 |\n| 9. Unknown | - | 2026-09-09 |\n"
    )
    assert [p.due for p in doc.phases] == [date(2025, 2, 1), None, None]  # 3: two dates


def test_a_number_without_a_colon_names_a_phase_and_the_title_can_too() -> None:
    doc = parse("# Phase 11 Windows Test Procedure\n\n- [ ] install\n## Notes\n- [ ] reboot\n")
    assert phases(doc) == [("11", "Windows Test Procedure")]
    assert keys(doc) == ["phase-11/tasks/install", "phase-11/notes/reboot"]
    assert not doc.template  # not `Phase N: Name`: the file maps by its own structure


def test_named_checklists_stay_in_a_template_document_and_sync_when_asked() -> None:
    text = (
        "# Phase 4: Billing\n## Implementation Plan\n#### Week 1: Pay\n- [ ] invoices\n"
        "## Success Criteria\n### Functional Success\n- [ ] all paid\n"
        "## Risks\n- [ ] vendor lock-in reviewed\n"
    )
    doc = parse(text)
    assert doc.template
    assert keys(doc) == ["phase-4/week-1/invoices", "phase-4/risks/vendor-lock-in-reviewed"]
    assert [(u.line, u.reason) for u in doc.coverage.unsynced] == [
        (7, "in a section kept document-only")
    ]
    assert [c.text for c in doc.phases[0].checklist] == ["all paid"]
    synced = parse(text, sync_checklists=True)
    assert "phase-4/functional-success/all-paid" in keys(synced)
    assert synced.coverage.document_only == 0
    # In a plan not on the template, a Success Criteria section is the author's own work.
    other = parse(text.replace("# Phase 4: Billing", "# Billing plan"))
    assert "phase-plan/functional-success/all-paid" in keys(other)


def test_every_box_that_does_not_sync_says_why() -> None:
    doc = parse(
        "# Phase 2: Auth\n## Implementation Plan\n#### Week 1: W\n"
        "- [ ] [Task 3]\n  - [ ] under a placeholder\n- [ ]\n  wrapped\n"
        "### Functional Requirements\n- [ ] **Login**: form\n  - [ ] nested check\n"
        "> - [ ] quoted\n"
    )
    reasons = {u.line: u.reason for u in doc.coverage.unsynced}
    assert reasons == {
        4: "an unfilled template placeholder",
        5: "an unfilled template placeholder",
        6: "no text on the box's line",
        10: "nested under a requirement (its issue has no checklist)",
        11: "in a block quote of a phase-template document",
    }
    assert doc.coverage.summary() == "6 boxes: 1 items, 0 sub-tasks, 5 document-only"


def test_an_error_on_one_line_does_not_block_the_document() -> None:
    doc = parse(
        "# Phase 2: Auth\n### Functional Requirements\n- [ ] **Login**: form\n"
        "  - Priority: Urgent\n- [ ] **Logout**: button\n"
        "### Key Milestones\n- **someday**: Launch\n"
    )
    assert [d.code for d in doc.diagnostics if d.severity is Severity.ERROR] == [
        "bad-priority",
        "bad-date",
    ]
    assert doc.has_errors and not doc.blocked
    assert keys(doc) == ["phase-2/functional/login", "phase-2/functional/logout"]


def test_two_roadmaps_with_the_same_phase_number_keep_their_items_apart() -> None:
    a = b"# A\n## Phase 1: Start\n- [ ] write tests\n"
    b = b"# B\n## Phase 1: Begin\n- [ ] write tests\n"
    first, second = parse_documents([("docs/a.md", a), ("docs/b.md", b)])
    assert keys(first) == ["phase-1/tasks/write-tests"]
    assert keys(second) == ["phase-1~docs-b/tasks/write-tests"]
    assert [(d.code, d.severity) for d in second.diagnostics] == [
        ("phase-elsewhere", Severity.WARNING)
    ]
    assert not second.blocked
    # Two phase-template documents of one number stay an error, as in 0.1.
    t1 = b"# Phase 1: A\n"
    t2 = b"# Phase 1: B\n"
    _, dup = parse_documents([("a.md", t1), ("b.md", t2)])
    assert dup.blocked and dup.diagnostics[0].code == "duplicate-phase"


def test_a_plan_group_without_a_title_is_named_by_its_file() -> None:
    doc = parse("Some intro.\n\n- [ ] first\n", path="docs/TODO.md")
    (group,) = doc.phases
    assert (group.number, group.title, group.numbered) == ("todo", "TODO", False)


def test_a_title_too_long_for_the_forge_is_cut_and_the_body_keeps_it() -> None:
    long = "word " * 80
    doc = parse(f"# Plan\n- [ ] {long}\n")
    (item,) = doc.items
    assert isinstance(item, Task)
    assert item.issue_title == long.strip()  # the document's title, whole
    phase: Phase = doc.phases[0]
    rendered = render_item(DEFAULT_RENDER, phase, item)
    assert len(rendered.title) <= 255 and rendered.title.endswith("…")
    assert long.strip() in rendered.block


def test_a_plain_task_names_its_heading_in_the_issue_body() -> None:
    doc = parse("# Plan\n## Phase 1: A\n### Task 1.1: Build *it*\n- [ ] compile\n")
    (item,) = doc.items
    rendered = render_item(DEFAULT_RENDER, doc.phases[0], item)
    assert "**Section:** Task 1.1: Build it" in rendered.block
    assert rendered.labels == ("phase:1", "type:task")
    assert rendered.milestone == "Phase 1: A"


def test_strip_done_marker_keeps_words_of_the_sentence() -> None:
    assert strip_done_marker("Documentation complete ✅") == "Documentation complete"
    assert strip_done_marker("Ship it (done)") == "Ship it"
    assert strip_done_marker("a (Phase 3.0 Complete)") == "a (Phase 3.0 Complete)"
    assert strip_done_marker("✅") == "✅"
