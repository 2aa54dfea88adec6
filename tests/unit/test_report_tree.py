"""The plan as a tree (`status --tree`, `validate --tree`): layout, progress, renderings."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from syncer.markdown.parse import parse_document
from syncer.model import Document, ParseOptions
from syncer.report_tree import (
    TreeNode,
    parent_issues,
    plan_tree,
    print_tree,
    tree_json,
    tree_markdown,
)
from syncer.sync.render import DEFAULT_RENDER

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "syncer" / "data" / "examples"
RENDER = DEFAULT_RENDER


def example(name: str) -> Document:
    path = EXAMPLES / name
    return parse_document(path.name, path.read_bytes())


def big_phase(n: int) -> Document:
    lines = ["# Phase 7: Big", "", "## Requirements", "", "### Functional Requirements"]
    lines += [f"- [{'x' if i % 3 == 0 else ' '}] **Req {i}**: text." for i in range(n)]
    lines += ["", "## Implementation Plan", "", "#### Week 1: Build", "- [ ] One task", ""]
    return parse_document("docs/phase-7.md", "\n".join(lines).encode())


def rendered(nodes: list[TreeNode]) -> str:
    buf = io.StringIO()
    print_tree(Console(file=buf, width=200, color_system=None), nodes)
    return buf.getvalue()


def test_a_phase_is_its_sections_items_and_sub_tasks_with_progress_per_parent() -> None:
    (phase,) = plan_tree([example("phase-3-workspaces.md")], RENDER)
    assert phase.label.startswith("Phase 3: Team Workspaces")
    assert (phase.done, phase.total, phase.checked) == (2, 9, None)
    sections = {s.label: s for s in phase.children}
    assert list(sections) == [
        "Functional Requirements",
        "Non-Functional Requirements",
        "Week 1: Model",
        "Week 2: UI",
    ]
    assert (sections["Week 1: Model"].done, sections["Week 1: Model"].total) == (1, 3)
    task = sections["Week 1: Model"].children[2]
    assert task.label == "Invitation tokens"
    # A task's progress is its sub-tasks'; each sub-task is a leaf with its own line.
    assert (task.done, task.total, task.checked) == (1, 2, False)
    assert [(s.label, s.checked, s.where) for s in task.children] == [
        ("token expiry job", False, "phase-3-workspaces.md:45"),
        ("token format decided", True, "phase-3-workspaces.md:46"),
    ]
    assert sum(s.total for s in phase.children) == phase.total


def test_past_100_items_the_section_parents_of_the_forge_are_the_tree_with_their_issues() -> None:
    doc = big_phase(230)
    issues = parent_issues(
        {
            "phase-7/parent": {"issue": 900, "hash": "h", "closed": False},
            "phase-7/parent.functional~2": {"issue": 902, "hash": "h", "closed": False},
            "broken": {"issue": True},  # a hand-edited record is not a number
        }
    )
    (phase,) = plan_tree([doc], RENDER, issues)
    assert phase.issue == 900
    assert [(c.label, c.total, c.issue) for c in phase.children] == [
        ("Functional Requirements (1)", 100, None),
        ("Functional Requirements (2)", 100, 902),
        ("Functional Requirements (3)", 30, None),
        ("Week 1: Build", 1, None),
    ]
    assert phase.done == sum(c.done for c in phase.children) == 77
    assert all(len(c.children) <= 100 for c in phase.children)


def test_item_issue_numbers_come_from_the_document_links() -> None:
    text = (
        "# Phase 1: A\n\n## Implementation Plan\n\n#### Week 1: W\n"
        "- [ ] Linked ([#42](https://github.com/o/r/issues/42))\n- [x] Not linked\n"
    )
    (phase,) = plan_tree([parse_document("p.md", text.encode())], RENDER)
    (week,) = phase.children
    assert [(i.label, i.issue, i.checked) for i in week.children] == [
        ("Linked", 42, False),
        ("Not linked", None, True),
    ]
    out = rendered([phase])
    assert "[ ] Linked  #42  p.md:6" in out
    assert "Phase 1: A  1/2" in out and "50%" in out


def test_text_from_documents_is_shown_as_data_in_every_rendering() -> None:
    text = (
        "# Phase 1: A\n\n## Implementation Plan\n\n#### Week 1: W\n"
        "- [ ] [bold]x[/bold] a|b <b>c</b> #1 \x1b[31m\n"
    )
    nodes = plan_tree([parse_document("p.md", text.encode())], RENDER)
    out = rendered(nodes)
    assert "[bold]x[/bold]" in out  # rich markup shown, not applied
    assert "\x1b" not in out and "\\x1b" in out
    md = tree_markdown(nodes)
    assert "\\[bold\\]x" in md and "a\\|b" in md and "\\<b\\>" in md and "\\#1" in md
    assert "\x1b" not in md
    assert "[ ]" not in md  # a box in a job summary is a character, never a task-list item


def test_json_nests_children_and_marks_boxes() -> None:
    (phase,) = tree_json(plan_tree([example("phase-4-billing.md")], RENDER))
    assert phase["label"] == "Phase 4: Billing" and "checked" not in phase
    assert phase["done"] == 0 and phase["total"] == 4 and phase["issue"] is None
    first = phase["children"][0]["children"][0]
    assert first == {
        "label": "Stripe checkout",
        "where": "phase-4-billing.md:6",
        "done": 0,
        "total": 1,
        "issue": None,
        "checked": False,
    }


def test_no_items_no_tree() -> None:
    doc = parse_document("empty.md", b"# Notes\n\nNothing to do.\n")
    assert plan_tree([doc], RENDER) == []
    assert "no items" in rendered([])
    assert tree_markdown([]) == "_No items._\n"


def test_sub_tasks_as_issues_sit_under_their_task_with_their_own_issues() -> None:
    text = (
        "# Phase 1: A\n\n## Implementation Plan\n\n#### Week 1: W\n"
        "- [ ] Task ([#5](https://github.com/o/r/issues/5))\n"
        "  - [x] First ([#6](https://github.com/o/r/issues/6))\n"
        "  - [ ] Second\n"
    )
    doc = parse_document("p.md", text.encode(), options=ParseOptions(subtask_issues=True))
    (phase,) = plan_tree([doc], RENDER)
    (week,) = phase.children
    (task,) = week.children  # the sub-tasks are not the week's: they are the task's
    assert (task.label, task.issue, task.done, task.total) == ("Task", 5, 1, 2)
    assert [(c.label, c.issue, c.checked, c.where) for c in task.children] == [
        ("First", 6, True, "p.md:7"),
        ("Second", None, False, "p.md:8"),
    ]
    assert (phase.done, phase.total) == (0, 1)  # the phase counts its tasks


def test_blocked_by_relations_from_the_lock_show_on_their_issues() -> None:
    text = (
        "# Phase 1: A\n\n## Implementation Plan\n\n#### Week 1: W\n"
        "- [ ] First ([#5](https://github.com/o/r/issues/5))\n"
        "- [ ] Second ([#6](https://github.com/o/r/issues/6))\n"
    )
    doc = parse_document("p.md", text.encode())
    nodes = plan_tree([doc], RENDER, {"phase-1/parent": 9}, {6: (5, 7), 9: (3,)})
    (phase,) = nodes
    assert phase.blocked_by == (3,)
    first, second = phase.children[0].children
    assert (first.blocked_by, second.blocked_by) == ((), (5, 7))
    assert "[ ] Second  #6 blocked by #5, #7  p.md:7" in rendered(nodes)
    assert "☐ Second #6 blocked by #5, #7" in tree_markdown(nodes)
    assert tree_json(nodes)[0]["children"][0]["children"][1]["blocked_by"] == [5, 7]
