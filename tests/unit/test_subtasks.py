"""`subtasks = "issues"`: nested boxes parsed as items keyed under their task, the
`Part of #N` filled at create as the renderer makes it, and the relations' plan."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from syncer.forges.base import RemoteIssue, Snapshot
from syncer.markdown.parse import parse_document
from syncer.model import Diagnostic, Document, ParseOptions, Severity, Task, subtask_parent
from syncer.sync.lock import ForgeState, LockEntry
from syncer.sync.render import DEFAULT_RENDER, render_item
from syncer.sync.subtask_plan import PREFIX, SubRecord, part_of, plan_subtasks, sub_records
from syncer.sync.subtask_run import fill_part_of

PLAN = """# Phase 3: Workspaces

## Implementation Plan

#### Week 1: Model
- [ ] Invitation tokens
  - [ ] token expiry job
  - [x] token format decided ([#12](https://github.com/acme/plans/issues/12))
    - [ ] deeper still
  - [ ] token expiry job
- [ ] Write tests
"""


def parse(text: str = PLAN, on: bool = True) -> Document:
    return parse_document("docs/p3.md", text.encode(), ParseOptions(subtask_issues=on))


def tasks(doc: Document) -> list[Task]:
    return [i for i in doc.items if isinstance(i, Task)]


def test_nested_boxes_are_items_keyed_under_their_task() -> None:
    doc = parse()
    keys = [str(t.key) for t in tasks(doc)]
    base = "phase-3/week-1/invitation-tokens"
    assert keys == [
        base,
        f"{base}.token-expiry-job",
        f"{base}.token-format-decided",
        f"{base}.deeper-still",  # deeper boxes: sub-tasks of the same task
        f"{base}.token-expiry-job~2",  # a repeated line is kept apart, as any item's
        "phase-3/week-1/write-tests",
    ]
    subs = [t for t in tasks(doc) if t.parent is not None]
    assert all(str(t.parent) == base for t in subs)
    assert all(t.week == 1 and t.week_focus == "Model" for t in subs)  # the task's labels
    decided = subs[1]
    assert decided.checked and decided.link is not None and decided.link.number == 12
    data = doc.data
    assert data[decided.pos.title_start : decided.pos.title_end] == b"token format decided"
    assert data[decided.pos.box : decided.pos.box + 1] == b"x"
    assert tasks(doc)[0].subtasks == ()  # no checklist in the task's issue
    assert doc.coverage.items == 6 and doc.coverage.subtasks == 0
    assert [str(k) for k in (subtask_parent(str(t.key)) for t in subs)] == [base] * 4


def test_checklist_mode_is_as_before() -> None:
    doc = parse(on=False)
    assert [str(t.key) for t in tasks(doc)] == [
        "phase-3/week-1/invitation-tokens",
        "phase-3/week-1/write-tests",
    ]
    assert len(tasks(doc)[0].subtasks) == 4
    assert doc.coverage.items == 2 and doc.coverage.subtasks == 4


@pytest.mark.parametrize(
    "key",
    ["phase-3/week-1/write-tests", "phase-3/parent.functional", "phase-3.5/tasks/a~2", "x"],
)
def test_only_a_subtask_key_has_a_parent(key: str) -> None:
    assert subtask_parent(key) is None
    assert subtask_parent("phase-3.5/tasks/a~2.b") == "phase-3.5/tasks/a~2"


@pytest.mark.parametrize(
    "text",
    [
        PLAN,
        "# Plan\n\n- [ ] Loose task\n  - [ ] its sub-task\n",  # no week, no section line
        "# Phase 1: X\n\n## Tasks\n\n- [ ] T\n  - [ ] " + "long " * 60 + "\n",  # **Title:**
    ],
)
def test_part_of_filled_at_create_is_what_the_renderer_makes(text: str) -> None:
    doc = parse(text)
    phase = doc.phases[0]
    for sub in (t for t in tasks(doc) if t.parent is not None):
        plain = render_item(DEFAULT_RENDER, phase, sub, lambda f, n: f"https://x/{f}#L{n}")
        cfg = replace(DEFAULT_RENDER, part_of={str(sub.key): 41})
        named = render_item(cfg, phase, sub, lambda f, n: f"https://x/{f}#L{n}")
        assert "Part of #41" in named.block
        assert fill_part_of(plain, 41) == named
        assert fill_part_of(plain, 41).hash == named.hash


def _creating(doc: Document) -> dict[str, LockEntry | None]:
    """The plan's entries for a first push: every item created (issue 0 until then)."""
    return {str(i.key): LockEntry(0, doc.path, i.title, "h", i.checked) for i in doc.items}


def _snapshot(complete: bool = False, *listed: RemoteIssue) -> Snapshot:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return Snapshot((), (), listed, now, None if complete else now)


def _issue(number: int, children: int | None) -> RemoteIssue:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return RemoteIssue(number, "t", "", "open", (), None, "u", now, children=children)


def test_part_of_names_the_task_by_the_lock_or_its_link() -> None:
    doc = parse()
    base = "phase-3/week-1/invitation-tokens"
    assert part_of([doc], ForgeState()) == {}
    state = ForgeState(items={base: LockEntry(7, "docs/p3.md", "t", "h", False)})
    found = part_of([doc], state)
    assert set(found) == {
        f"{base}.token-expiry-job",
        f"{base}.token-format-decided",
        f"{base}.deeper-still",
        f"{base}.token-expiry-job~2",
    }
    assert set(found.values()) == {7}
    linked = PLAN.replace("- [ ] Invitation tokens", "- [ ] Invitation tokens ([#9](u/issues/9))")
    linked = linked.replace("(u/issues/9)", "(https://github.com/acme/plans/issues/9)")
    assert set(part_of([parse(linked)], ForgeState()).values()) == {9}


def test_plan_relates_every_subtask_and_fills_gitlab_part_of_for_a_new_task() -> None:
    doc = parse()
    on = ParseOptions(subtask_issues=True)
    gh = plan_subtasks(on, "github", [doc], _creating(doc), _snapshot(), ForgeState())
    assert gh is not None and gh.writes == 4 and not gh.fill
    gl = plan_subtasks(on, "gitlab", [doc], _creating(doc), _snapshot(), ForgeState())
    assert gl is not None and len(gl.fill) == 4  # the task is new: filled at create
    assert plan_subtasks(ParseOptions(), "github", [doc], {}, _snapshot(), ForgeState()) is None
    # A sub-task the run does not create (ticked, `done_items = "skip"`): nothing to relate.
    skipped = {k: v for k, v in _creating(doc).items() if "token-format" not in k}
    gh = plan_subtasks(on, "github", [doc], skipped, _snapshot(), ForgeState())
    assert gh is not None and gh.writes == 3


def test_github_relates_100_subtasks_to_a_task_and_names_the_rest() -> None:
    lines = "\n".join(f"  - [ ] step {i}" for i in range(105))
    doc = parse(f"# Phase 1: X\n\n## Tasks\n\n- [ ] Big task\n{lines}\n")
    on = ParseOptions(subtask_issues=True)
    gh = plan_subtasks(on, "github", [doc], _creating(doc), _snapshot(), ForgeState())
    assert gh is not None and gh.writes == 100 and len(gh.works[0].children) == 100
    assert any("105 sub-tasks" in n and "last 5" in n for n in gh.notes)
    gl = plan_subtasks(on, "gitlab", [doc], _creating(doc), _snapshot(), ForgeState())
    assert gl is not None and gl.writes == 105 and not gl.notes


def test_recorded_relations_cost_nothing_until_a_listing_shows_a_change() -> None:
    doc = parse()
    on = ParseOptions(subtask_issues=True)
    base = "phase-3/week-1/invitation-tokens"
    subs = [str(t.key) for t in tasks(doc) if t.parent is not None]
    items = {base: 7, **{k: 20 + i for i, k in enumerate(subs)}}
    state = ForgeState(
        items={k: LockEntry(n, "docs/p3.md", "t", "h", False) for k, n in items.items()},
        structure={PREFIX + base: SubRecord(7, (20, 21, 22, 23), 4).to_json()},
    )
    assert sub_records(state) == {base: SubRecord(7, (20, 21, 22, 23), 4)}
    plan = plan_subtasks(on, "github", [doc], {}, _snapshot(), state)
    assert plan is not None and plan.empty
    # GitLab's listing has no count: its links are read on the complete listing only.
    plan = plan_subtasks(on, "gitlab", [doc], {}, _snapshot(False, _issue(7, None)), state)
    assert plan is not None and plan.empty
    plan = plan_subtasks(on, "gitlab", [doc], {}, _snapshot(True, _issue(7, None)), state)
    assert plan is not None and not plan.empty and plan.works[0].read
    # GitHub: a listing that shows the task with another sub-issue count (a person's edit).
    plan = plan_subtasks(on, "github", [doc], {}, _snapshot(False, _issue(7, 4)), state)
    assert plan is not None and plan.empty
    plan = plan_subtasks(on, "github", [doc], {}, _snapshot(False, _issue(7, 3)), state)
    assert plan is not None and plan.works[0].read
    # A sub-task gone from the document: its relation is undone.
    fewer = parse(PLAN.replace("    - [ ] deeper still\n", ""))
    plan = plan_subtasks(on, "github", [fewer], {}, _snapshot(), state)
    assert plan is not None and plan.writes == 1 and plan.works[0].unlinks == 1
    # Back to the checklist: the records are forgotten, nothing is written.
    plan = plan_subtasks(ParseOptions(), "github", [parse(on=False)], {}, _snapshot(), state)
    assert plan is not None and plan.writes == 0 and plan.forget == (base,)
    # A document with errors: its task's record is kept as it is.
    broken = replace(doc, diagnostics=(_error(),))
    plan = plan_subtasks(on, "github", [broken], {}, _snapshot(), state)
    assert plan is not None and plan.empty and dict(plan.kept) == sub_records(state)


def _error() -> Diagnostic:
    return Diagnostic("docs/p3.md", 1, 1, Severity.ERROR, "bad-date", "x")


def test_a_hand_broken_record_is_not_trusted() -> None:
    state = ForgeState(structure={PREFIX + "a/b/c": {"issue": "7"}, "phase-1/parent": {}})
    assert sub_records(state) == {}
