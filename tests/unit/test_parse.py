"""The parser: the example documents' must-pass facts, then one test per parser case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from syncer.markdown.parse import find_boxes, load_documents, parse_document
from syncer.markdown.source import markdown_parser
from syncer.model import Document, ItemKey, Kind, Phase, Severity

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "syncer" / "data" / "examples"
INVALID = ROOT / "tests" / "data" / "invalid"


def example(name: str) -> Document:
    path = EXAMPLES / name
    return parse_document(name, path.read_bytes())


def phase_of(text: str | bytes, path: str = "doc.md") -> Phase:
    doc = parse(text, path)
    assert doc.phase is not None, doc.diagnostics
    return doc.phase


def parse(text: str | bytes, path: str = "doc.md") -> Document:
    data = text.encode() if isinstance(text, str) else text
    return parse_document(path, data)


def codes(doc: Document) -> list[tuple[int, str]]:
    return [(d.line, d.code) for d in doc.diagnostics]


# --- phase-2-authentication.md ---------------------------------------------------------------


@pytest.fixture(scope="module")
def auth() -> Document:
    return example("phase-2-authentication.md")


def test_auth_phase_metadata(auth: Document) -> None:
    phase = auth.phase
    assert phase is not None
    assert (phase.number, phase.name, phase.line) == ("2", "User Authentication", 1)
    assert phase.duration == "3 weeks"
    assert phase.priority == "High"
    assert phase.dependencies == "Phase 1 (Project Foundation)"
    assert phase.primary_objective is not None
    assert phase.primary_objective.startswith("Let people create an account")
    assert phase.due == date(2026, 3, 20)
    assert not auth.has_errors
    assert auth.diagnostics == ()


def test_auth_requirements(auth: Document) -> None:
    phase = auth.phase
    assert phase is not None
    kinds = [r.kind for r in phase.requirements]
    assert len(kinds) == 14
    assert kinds.count(Kind.FUNCTIONAL) == 4
    assert kinds.count(Kind.NON_FUNCTIONAL) == 5
    assert kinds.count(Kind.TECHNICAL) == 5
    ticked = [r.title for r in phase.requirements if r.checked]
    assert ticked == ["Account registration", "Reliability"]
    first = phase.requirements[0]
    assert str(first.key) == "phase-2/functional/account-registration"
    assert first.description.startswith("Users register with e-mail and password;")
    assert first.acceptance_criteria == (
        "A confirmation mail arrives within 60 s; unconfirmed accounts cannot sign in"
    )
    assert (first.priority, first.estimate) == ("High", "3 days")
    assert first.link is None
    oauth = phase.requirements[2]
    assert oauth.title == "GitHub OAuth sign-in"
    assert oauth.priority == "Medium"


def test_auth_tasks(auth: Document) -> None:
    phase = auth.phase
    assert phase is not None
    assert len(phase.tasks) == 9
    assert [t.week for t in phase.tasks] == [1, 1, 1, 2, 2, 2, 3, 3, 3]
    assert [t.checked for t in phase.tasks[:3]] == [True, True, False]
    assert not any(t.checked for t in phase.tasks[3:])
    first = phase.tasks[0]
    assert first.text == "Create `users` and `identities` migrations"
    assert first.week_focus == "Accounts"
    assert str(first.key) == "phase-2/week-1/create-users-and-identities-migrations"
    assert phase.tasks[6].week_focus == "Federation and hardening"


def test_auth_milestones(auth: Document) -> None:
    phase = auth.phase
    assert phase is not None
    assert [(m.date, m.name) for m in phase.milestones] == [
        (date(2026, 3, 6), "Registration live"),
        (date(2026, 3, 13), "Sign-in live"),
        (date(2026, 3, 20), "Phase Completion"),
    ]
    assert phase.milestones[0].description == "New users can create and confirm accounts"
    assert phase.milestones[0].line == 80


def test_auth_code_and_quote_boxes_are_not_items(auth: Document) -> None:
    phase = auth.phase
    assert phase is not None
    texts = [c.text for c in phase.checklist] + [i.title for i in phase.items]
    assert not any("this is code" in t or "inside a quote" in t for t in texts)
    boxes = {b.line: b for b in find_boxes(auth.data)}
    lines = auth.data.split(b"\n")
    code_line = next(i for i, s in enumerate(lines, 1) if b"this is code" in s)
    quote_line = next(i for i, s in enumerate(lines, 1) if b"inside a quote" in s)
    # GitHub renders a quoted box; in a phase-template document it stays a citation.
    assert code_line not in boxes and boxes[quote_line].quoted
    # Everything else with a box in the document is somewhere in the model.
    assert [c.section for c in phase.checklist] == ["Test Types"] * 3 + ["Functional Success"] * 2
    assert len(boxes) == 14 + 9 + 5 + 1
    assert auth.coverage.summary() == "29 boxes: 23 items, 0 sub-tasks, 6 document-only"
    assert [(u.line, u.reason) for u in auth.coverage.unsynced][-1] == (
        quote_line,
        "in a block quote of a phase-template document",
    )


def test_auth_positions_point_at_the_bytes(auth: Document) -> None:
    phase = auth.phase
    assert phase is not None
    data = auth.data
    for item in phase.items:
        pos = item.pos
        assert data[pos.box - 1 : pos.box + 2] in (b"[ ]", b"[x]", b"[X]")
        assert data[pos.title_start : pos.title_end].decode() == item.title
        assert data[pos.line_end : pos.line_end + 1] == b"\n"
        assert data[pos.line_end - 1 : pos.line_end] != b" "
    req = phase.requirements[0]
    assert data[req.pos.title_start - 2 : req.pos.title_end + 3] == b"**Account registration**:"


# --- phase-3-workspaces.md (BOM, CRLF) -------------------------------------------------------


@pytest.fixture(scope="module")
def workspaces() -> Document:
    return example("phase-3-workspaces.md")


def test_workspaces_name_keeps_its_scripts(workspaces: Document) -> None:
    phase = workspaces.phase
    assert phase is not None
    assert phase.name == "Team Workspaces — Ελληνικά & 日本語"
    assert phase.due == date(2026, 4, 10)
    assert len(phase.milestones) == 2


def test_workspaces_requirements(workspaces: Document) -> None:
    phase = workspaces.phase
    assert phase is not None
    assert [(r.kind, r.title, r.checked) for r in phase.requirements] == [
        (Kind.FUNCTIONAL, "Create workspace", True),
        (Kind.FUNCTIONAL, "Invite members", False),
        (Kind.FUNCTIONAL, "Roles", False),
        (Kind.NON_FUNCTIONAL, "Performance", False),
    ]
    assert phase.requirements[0].acceptance_criteria is not None
    assert phase.requirements[0].priority == "High"
    assert phase.requirements[2].priority is None


def test_workspaces_tasks_and_subtasks(workspaces: Document) -> None:
    phase = workspaces.phase
    assert phase is not None
    assert [t.text for t in phase.tasks] == [
        "Workspace and membership tables",
        "Write tests",
        "Invitation tokens",
        "Workspace switcher",
        "Write tests",
    ]
    write_tests = [t.key for t in phase.tasks if t.text == "Write tests"]
    assert write_tests == [
        ItemKey("3", "week-1", "write-tests"),
        ItemKey("3", "week-2", "write-tests"),
    ]
    tokens = phase.tasks[2]
    assert [(s.text, s.checked) for s in tokens.subtasks] == [
        ("token expiry job", False),
        ("token format decided", True),
    ]
    assert phase.tasks[0].checked


def test_workspaces_placeholders_reported_and_absent(workspaces: Document) -> None:
    phase = workspaces.phase
    assert phase is not None
    warnings = [d for d in workspaces.diagnostics if d.code == "placeholder"]
    assert all(d.severity is Severity.WARNING for d in warnings)
    messages = " ".join(d.message for d in warnings)
    for hole in ("[Requirement 4]", "[Security requirements]", "[Task 3]"):
        assert hole in messages
    assert len(warnings) == 3
    titles = [i.title for i in phase.items]
    assert not any("[" in t for t in titles)
    assert "Security" not in titles
    assert not workspaces.has_errors


def test_workspaces_offsets_count_the_bom(workspaces: Document) -> None:
    phase = workspaces.phase
    assert phase is not None
    data = workspaces.data
    assert data.startswith(b"\xef\xbb\xbf")
    for item in phase.items:
        assert data[item.pos.box - 1 : item.pos.box + 2] in (b"[ ]", b"[x]", b"[X]")
        assert data[item.pos.line_end : item.pos.line_end + 2] == b"\r\n"
        assert data[item.pos.title_start : item.pos.title_end].decode() == item.title
    assert data[phase.requirements[0].pos.box] == ord("X")


# --- phase-4-billing.md and phase-5-broken.md ------------------------------------------------


def test_billing_minimal() -> None:
    doc = example("phase-4-billing.md")
    phase = doc.phase
    assert phase is not None
    assert len(phase.requirements) == 2
    assert len(phase.tasks) == 2
    assert phase.milestones == ()
    assert phase.due is None
    assert phase.duration is None and phase.primary_objective is None
    assert not doc.has_errors


def test_broken_has_exactly_the_four_errors_and_a_duplicate_warning() -> None:
    path = INVALID / "phase-5-broken.md"
    doc = parse_document("phase-5-broken.md", path.read_bytes())
    errors = [(d.line, d.code) for d in doc.diagnostics if d.severity is Severity.ERROR]
    assert errors == [
        (4, "phase-number-mismatch"),
        (13, "bad-priority"),
        (22, "bad-date"),
        (23, "bad-date"),
    ]
    assert codes(doc)[1] == (11, "duplicate-item")
    assert doc.diagnostics[1].severity is Severity.WARNING
    assert doc.has_errors and doc.blocked  # the overview contradicts the title
    messages = {d.line: d.message for d in doc.diagnostics}
    assert "6" in messages[4] and "5" in messages[4]
    assert "Urgent" in messages[13]
    assert "2026-13-45" in messages[22]
    assert "next Friday" in messages[23]
    assert all(d.file == "phase-5-broken.md" for d in doc.diagnostics)


# --- parser cases ----------------------------------------------------------------------------

HEAD = "# Phase 7: Cases\n\n"


def test_every_marker_and_box_form() -> None:
    phase = phase_of(
        HEAD + "### Functional Requirements\n"
        "- [ ] **Dash**: d\n* [x] **Star**: s\n+ [X] **Plus**: p\n1. [ ] **One**: o\n"
        "2) [x] **Paren**: p\n"
    )
    assert [(r.title, r.checked) for r in phase.requirements] == [
        ("Dash", False),
        ("Star", True),
        ("Plus", True),
        ("One", False),
        ("Paren", True),
    ]


def test_not_boxes() -> None:
    doc = parse(
        HEAD + "## Notes\n- [P] legend\n- [❌] failed\n1. [✅] done\n- [] empty\n"
        "- [ ]no space\n- [xx] two\n- plain\n"
    )
    assert find_boxes(doc.data) == []
    assert doc.phase is not None and doc.phase.checklist == ()


def test_code_fences_indented_code_quotes_tables_html_front_matter() -> None:
    text = (
        "---\ntitle: x\nitems:\n- [ ] yaml\n---\n"
        + HEAD
        + "## Notes\n```\n- [ ] fenced\n```\n\n~~~md\n- [x] tilde\n~~~\n\n"
        "    - [ ] indented code\n\n"
        "> - [ ] quoted\n> > - [x] nested quote\n\n"
        "| a | b |\n|---|---|\n| - [ ] cell | [x] |\n\n"
        "<div>\n- [ ] html\n</div>\n\n"
        "- [ ] the only real one\n"
    )
    boxes = find_boxes(text.encode())
    assert [b.quoted for b in boxes] == [True, True, False]
    line = text.split("\n")[boxes[-1].line - 1]
    assert line == "- [ ] the only real one"
    phase = phase_of(text)
    assert [t.text for t in phase.tasks] == ["the only real one"]
    # The same quoted boxes in a plan that is not on the template are tasks.
    plan = phase_of(text.replace(HEAD, "# Notes\n\n"))
    assert [t.text for t in plan.tasks] == ["quoted", "nested quote", "the only real one"]


def test_requirement_fields_and_bad_priority_case_insensitive() -> None:
    doc = parse(
        HEAD + "### Technical Requirements\n"
        "- [ ] **Cache**: Redis\n  - Acceptance Criteria: hits > 90%\n"
        "    over a day\n  - Priority: low\n  - Estimate: 2 days\n"
        "- [ ] **Queue**: Kafka\n  - **Priority**: whenever\n"
    )
    phase = doc.phase
    assert phase is not None
    cache, queue = phase.requirements
    assert cache.acceptance_criteria == "hits > 90% over a day"
    assert (cache.priority, cache.estimate) == ("Low", "2 days")
    assert queue.priority is None
    assert codes(doc) == [(10, "bad-priority")]


def test_nesting_with_two_four_spaces_and_tabs() -> None:
    phase = phase_of(
        HEAD + "## Implementation Plan\n#### Week 1: Nest\n"
        "- [ ] two\n  - [x] two-a\n"
        "- [ ] four\n    - [ ] four-a\n        - [x] four-a-deep\n"
        "- [ ] tab\n\t- [x] tab-a\n"
    )
    assert [t.text for t in phase.tasks] == ["two", "four", "tab"]
    assert [[s.text for s in t.subtasks] for t in phase.tasks] == [
        ["two-a"],
        ["four-a", "four-a-deep"],
        ["tab-a"],
    ]
    assert phase.tasks[2].subtasks[0].checked


def test_weeks_only_under_week_headings_in_implementation_plan() -> None:
    doc = parse(
        HEAD + "## Implementation Plan\n### Phase Breakdown\n- [ ] loose\n"
        "#### Week 2 - Hyphen focus\n- [ ] in week two\n"
        "#### Week two: Spelt out\n- [ ] spelt\n"
        "## Elsewhere\n#### Week 3: Not a plan\n- [ ] not a week task\n"
    )
    phase = doc.phase
    assert phase is not None
    # Every box is a task; only those under `Week N` in the plan have a week.
    assert [(t.week, t.week_focus, t.text, str(t.key)) for t in phase.tasks] == [
        (None, "", "loose", "phase-7/phase-breakdown/loose"),
        (2, "Hyphen focus", "in week two", "phase-7/week-2/in-week-two"),
        (None, "", "spelt", "phase-7/week-two-spelt-out/spelt"),
        (None, "", "not a week task", "phase-7/week-3-not-a-plan/not-a-week-task"),
    ]
    assert phase.checklist == ()
    assert codes(doc) == [(8, "bad-week")]
    assert "Week two: Spelt out" in doc.diagnostics[0].message


def test_nested_items_under_plain_bullets_in_a_week_are_tasks() -> None:
    phase = phase_of(HEAD + "## Implementation Plan\n#### Week 1: W\n- Backend\n  - [ ] api\n")
    assert [t.text for t in phase.tasks] == ["api"]


def test_issue_links_are_parsed_and_excluded() -> None:
    text = (
        HEAD + "### Functional Requirements\n"
        "- [ ] **Login**: Sign in. ([#42](https://github.com/o/r/issues/42))  \n"
        "## Implementation Plan\n#### Week 1: W\n"
        "- [x] Do it ([#7](https://gitlab.example.com/g/p/-/issues/7))\n"
        "- [ ] Not ours ([#8](https://github.com/o/r/issues/9))\n"
    )
    doc = parse(text)
    phase = doc.phase
    assert phase is not None
    req = phase.requirements[0]
    assert req.link is not None and (req.link.number, req.link.url) == (
        42,
        "https://github.com/o/r/issues/42",
    )
    assert req.description == "Sign in."
    data = doc.data
    assert data[req.pos.line_end - 2 : req.pos.line_end] == b"))"
    assert data[req.pos.line_end : req.pos.line_end + 3] == b"  \n"
    task, other = phase.tasks
    assert task.text == "Do it" and task.link is not None and task.link.number == 7
    assert data[task.pos.title_start : task.pos.title_end] == b"Do it"
    # Not this item's link: part of its text, which as a title is text (`(#8)`).
    assert other.link is None and other.text == "Not ours (#8)"
    assert data[other.pos.title_start : other.pos.title_end].startswith(b"Not ours ([#8](")


def test_placeholder_rules() -> None:
    doc = parse(
        HEAD + "### Non-Functional Requirements\n"
        "- [ ] **Docs**: see [the guide](https://example.com)\n"
        "- [ ] **Security**: [Security requirements]\n"
        "- [ ] **[Requirement 1]**: ...\n"
        "## Implementation Plan\n#### Week 1: W\n- [ ] [Task 3]\n- [ ] [link](https://x.y)\n"
        "### Key Milestones\n- **[Date]**: [Milestone 1] - [Description]\n"
    )
    phase = doc.phase
    assert phase is not None
    assert [r.title for r in phase.requirements] == ["Docs"]
    assert [t.text for t in phase.tasks] == ["link"]  # a link is text, not a placeholder
    assert phase.milestones == ()
    assert [c for _, c in codes(doc)] == ["placeholder"] * 4
    assert not doc.has_errors


def test_a_repeated_title_gets_a_key_by_its_place_and_a_warning() -> None:
    doc = parse(
        HEAD + "## Implementation Plan\n#### Week 1: W\n- [x] Write tests\n- [ ] Write  *tests*\n"
        "- [ ] Write tests\n"
    )
    phase = doc.phase
    assert phase is not None
    assert [(str(t.key), t.checked) for t in phase.tasks] == [
        ("phase-7/week-1/write-tests", True),
        ("phase-7/week-1/write-tests~2", False),
        ("phase-7/week-1/write-tests~3", False),
    ]
    assert codes(doc) == [(6, "duplicate-item"), (7, "duplicate-item")]
    assert all(d.severity is Severity.WARNING for d in doc.diagnostics)
    assert not doc.has_errors


def test_phase_number_kept_as_text() -> None:
    phase = phase_of("# Phase 2.5: Hardening\n### Functional Requirements\n- [ ] **A**: a\n")
    assert phase.number == "2.5"
    assert str(phase.requirements[0].key) == "phase-2.5/functional/a"


def test_any_markdown_file_is_a_plan_grouped_by_its_title() -> None:
    doc = parse("# Roadmap\n\n- [x] done\n- [ ] open\n", "docs/road-map.md")
    phase = doc.phase
    assert phase is not None and not phase.numbered
    assert (phase.number, phase.name, phase.title) == ("road-map", "Roadmap", "Roadmap")
    assert [(str(t.key), t.checked) for t in phase.tasks] == [
        ("phase-road-map/tasks/done", True),
        ("phase-road-map/tasks/open", False),
    ]
    assert codes(doc) == []
    assert parse("just text").phases == ()
    assert codes(parse("just text")) == []


def test_a_title_that_cannot_name_a_phase_says_why() -> None:
    doc = parse("# Phase X: [Phase Name]\n- [ ] a\n")
    assert codes(doc) == [(1, "not-a-phase-title")]
    assert "`X` is not a phase number" in doc.diagnostics[0].message
    two = parse("# Phase two: Auth\n- [ ] a\n")
    assert "`two` is not a phase number" in two.diagnostics[0].message
    assert "with a phase number" not in two.diagnostics[0].message
    # A number without a colon names a phase: no message at all.
    eleven = parse("# Phase 11 Windows Test Procedure\n- [ ] a\n")
    assert codes(eleven) == []
    assert eleven.phase is not None
    assert (eleven.phase.number, eleven.phase.name) == ("11", "Windows Test Procedure")


def test_milestones_bad_format_and_completion() -> None:
    doc = parse(
        HEAD + "### Key Milestones\n- **2026-05-01**: Late - last\n"
        "- **2026-04-01**: Phase Completion\n- a milestone without a date\n"
    )
    phase = doc.phase
    assert phase is not None
    assert phase.due == date(2026, 4, 1)
    assert phase.milestones[1].description == ""
    assert codes(doc) == [(6, "bad-milestone")]


def test_overview_priority_is_validated() -> None:
    doc = parse(HEAD + "## Phase Overview\n**Phase Number**: 7\n**Priority**: Urgent\n")
    assert codes(doc) == [(5, "bad-priority")]


def test_crlf_mixed_endings_and_stray_cr_offsets() -> None:
    data = (
        b"# Phase 1: Eol\r\n## Implementation Plan\n#### Week 1: W\r"
        b"- [ ] crlf\r\n- [x] lf\n- [ ] stray\rtail\r\n- [ ] last"
    )
    doc = parse(data)
    phase = doc.phase
    assert phase is not None
    assert [(t.text, t.checked, t.pos.line) for t in phase.tasks] == [
        ("crlf", False, 4),
        ("lf", True, 5),
        ("stray", False, 6),
        ("last", False, 8),
    ]
    for task in phase.tasks:
        assert data[task.pos.box - 1 : task.pos.box + 2] in (b"[ ]", b"[x]")
        assert data[task.pos.title_start : task.pos.title_end] == task.text.encode()
    assert phase.tasks[-1].pos.line_end == len(data)


def test_invalid_utf8_and_nul_never_raise() -> None:
    data = b"# Phase 1: Bytes \xff\xfe\n## Implementation Plan\n#### Week 1: W\n- [ ] a\x00b \xc3\n"
    doc = parse(data)
    assert ("not-utf8") in [d.code for d in doc.diagnostics]
    assert doc.has_errors
    phase = doc.phase
    assert phase is not None and len(phase.tasks) == 1
    assert data[phase.tasks[0].pos.box] == ord(" ")


def test_requirement_item_without_bold_title_is_a_requirement_titled_by_its_text() -> None:
    doc = parse(HEAD + "### Functional Requirements\n- [ ] just *words*\n")
    phase = doc.phase
    assert phase is not None
    assert [(r.title, r.description, str(r.key)) for r in phase.requirements] == [
        ("just words", "", "phase-7/functional/just-words")
    ]
    assert phase.checklist == ()
    assert codes(doc) == []


def test_lean_tokenizer_keeps_block_structure() -> None:
    """The lean parser (render-only inline rules off, linear task-list rule) must produce
    the same block tokens, task classes included, as the plugins used as shipped."""
    texts = [p.read_bytes().decode().lstrip("\ufeff") for p in sorted(EXAMPLES.glob("*.md"))]
    texts += [
        p.read_bytes().decode().lstrip("\ufeff")
        for p in sorted((ROOT / "tests" / "data" / "corpus").glob("*.md"))
    ]

    def shape(render_inline: bool, text: str) -> list[tuple[object, ...]]:
        tokens = markdown_parser(render_inline=render_inline).parse(text)
        out: list[tuple[object, ...]] = []
        for i, t in enumerate(tokens):
            content = t.content
            # The plugin's own rule also cuts the box off a task's inline content; the
            # linear rule phasesync uses leaves the content as written.
            task = i >= 2 and tokens[i - 2].attrGet("class") == "task-list-item"
            if not render_inline and t.type == "inline" and task:
                content = content[3:]
            out.append((t.type, t.map, t.level, content, t.attrGet("class")))
        return out

    for text in texts:
        assert shape(False, text) == shape(True, text)


def test_load_documents_paths_relative_to_root_and_duplicate_phase(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    a = tmp_path / "docs" / "a.md"
    b = tmp_path / "docs" / "b.md"
    a.write_bytes(b"# Phase 1: A\n")
    b.write_bytes(b"# Phase 1: B\n")
    docs = load_documents([a, b], root=tmp_path)
    assert [d.path for d in docs] == ["docs/a.md", "docs/b.md"]
    assert codes(docs[0]) == []
    assert codes(docs[1]) == [(1, "duplicate-phase")]
    assert "docs/a.md" in docs[1].diagnostics[0].message
    assert load_documents([a])[0].path == a.as_posix()


def test_task_with_no_text_on_its_first_line_is_reported() -> None:
    doc = parse(HEAD + "## Implementation Plan\n#### Week 1: W\n- [ ]\n  wrapped text\n")
    phase = doc.phase
    assert phase is not None and phase.tasks == ()
    assert codes(doc) == [(5, "empty-item")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"- - [ ] nested on one line\n", [(5, 1)]),
        (b"1. - [x] ordered then bullet\n", [(6, 1)]),
        (b"-\n  [ ] paragraph on the next line\n", [(5, 2)]),
        (b"-\t[ ]\ttabs\n", [(3, 1)]),
        (b"- [ ] [ ] two brackets\n", [(3, 1)]),
        (b"- > - [ ] quote in an item\n", [(7, 1)]),
        (b"- [x]\n", []),
        (b"\xef\xbb\xbf- [ ] on the first line after a BOM\n", [(6, 1)]),
    ],
)
def test_box_offsets_on_unusual_lines(text: bytes, expected: list[tuple[int, int]]) -> None:
    assert [(b.offset, b.line) for b in find_boxes(text)] == expected


def test_one_long_list_parses_in_linear_time() -> None:
    """mdit_py_plugins' task-list rule is quadratic in a list's length (9x tokenize time at
    3,000 items); phasesync's replacement must stay close to tokenize time."""
    import time

    from markdown_it import MarkdownIt

    text = HEAD + "## Success Criteria\n" + "".join(f"- [ ] item {i}\n" for i in range(3000))
    plain = MarkdownIt("commonmark").enable("table")

    def best(fn: Callable[[], object]) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return min(times)

    tokenize = best(lambda: plain.parse(text))
    ours = best(lambda: parse_document("long.md", text.encode()))
    assert ours < 3 * tokenize
