"""`subtasks = "issues"`: a task's nested boxes are issues of their own, related to their
task's issue, on both forges.

GitHub: each sub-task's issue is a sub-issue of its task's (and with `phase_parents` the
task stays its phase parent's). GitLab: `relates_to` links and a `Part of #N` line.
The bundled example `phase-3-workspaces.md` has a task (`Invitation tokens`) with two
sub-tasks, one ticked.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from syncer.model import ParseOptions
from syncer.sync.lock_store import LockStore
from syncer.sync.subtask_plan import PREFIX
from tests.contract.conftest import Harness
from tests.contract.test_structure import _arm, children, parents_on, structure, unrelate

TASK = "phase-3/week-1/invitation-tokens"
SUBS = (f"{TASK}.token-expiry-job", f"{TASK}.token-format-decided")
DOC = "phase-3-workspaces.md"


def issues_on(h: Harness, on: bool = True) -> Harness:
    h.config = replace(h.config, parse=ParseOptions(subtask_issues=on))
    return h


def record(h: Harness) -> dict[str, object]:
    return dict(structure(h)[PREFIX + TASK])


def _relation_posts(h: Harness) -> int:
    path = re.compile(r"/sub_issues$" if h.kind == "github" else r"/links$")
    return sum(1 for r in h.emulator.requests if r.method == "POST" and path.search(r.path))


def test_first_push_gives_each_subtask_an_issue_related_to_its_task(harness: Harness) -> None:
    h = issues_on(harness)
    before = h.doc(DOC).read_bytes()
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None
    items = h.lock_items()
    task = items[TASK].issue
    subs = [items[k].issue for k in SUBS]
    assert children(h, task) == set(subs)
    assert record(h)["children"] == sorted(subs) and record(h)["issue"] == task
    # The task's body no longer carries the checklist; each sub-task is an item of its own.
    assert "Sub-tasks" not in h.issue(task).body and "token expiry job" not in h.issue(task).body
    expiry, decided = (h.issue(n) for n in subs)
    assert expiry.title == "token expiry job" and not expiry.closed
    assert decided.closed  # ticked in the document
    assert expiry.labels == h.issue(task).labels  # phase, type and week: its task's
    assert expiry.milestone == h.issue(task).milestone
    for n in subs:
        part_of = f"Part of #{task}" in h.issue(n).body
        assert part_of == (h.kind == "gitlab")
    # The document changes only by the links appended to the lines.
    after = h.doc(DOC).read_bytes()
    text = after.decode()
    for key, n in zip(SUBS, subs, strict=True):
        assert re.search(rf"- \[[ x]\] token .*\(\[#{n}\]\(", text), key
    stripped = re.sub(rb" \(\[#\d+\]\([^)]*\)\)", b"", after)
    assert stripped == before
    # The second push sends nothing, relations included.
    writes = h.writes()
    h.run("push")
    assert h.writes() == writes


def test_writes_of_a_first_push_are_the_items_and_one_per_relation(harness: Harness) -> None:
    h = issues_on(harness)
    planned = h.run("push", dry_run=True)
    assert planned.subtasks is not None and planned.subtasks.writes == len(SUBS)
    assert any("relate 2 sub-tasks" in line for line in planned.subtasks.lines())
    before = h.writes()
    h.run("push")
    assert h.writes() - before == planned.plan.forge_writes + len(SUBS)


def test_idle_sync_costs_three_requests(harness: Harness) -> None:
    h = issues_on(harness)
    h.run("push")
    assert h.idle_sync() == (3, 0)


def test_a_ticked_subtask_left_in_the_document_keeps_the_sync_idle(harness: Harness) -> None:
    h = issues_on(harness)
    h.config = replace(h.config, done_items="skip")  # ticked when first met: no issue
    h.run("push")
    assert SUBS[1] not in h.lock_items()
    assert children(h, h.number_of(TASK)) == {h.number_of(SUBS[0])}
    assert h.idle_sync() == (3, 0)
    result = h.run("sync")
    assert result.subtasks is None or result.subtasks.empty


def test_ticks_sync_both_ways(harness: Harness) -> None:
    h = issues_on(harness)
    h.run("push")
    expiry = h.number_of(SUBS[0])
    h.close(expiry)  # closed on the forge: its box is ticked
    h.run("sync")
    assert re.search(r"- \[x\] token expiry job", h.doc(DOC).read_text())
    decided = h.number_of(SUBS[1])
    path = h.doc(DOC)
    path.write_text(
        path.read_text().replace("- [x] token format decided", "- [ ] token format decided")
    )
    h.run("sync")  # unticked in the document: its issue reopens
    assert not h.issue(decided).closed
    writes = h.writes()
    h.run("sync")
    assert h.writes() == writes


def test_a_removed_relation_is_restored(harness: Harness) -> None:
    h = issues_on(harness)
    h.run("push")
    h.run("sync")
    task, child = h.number_of(TASK), h.number_of(SUBS[0])
    unrelate(h, task, child)
    assert child not in children(h, task)
    writes = h.writes()
    h.run("sync", full=True)  # what the daily complete listing does
    assert child in children(h, task)
    assert h.writes() - writes == 1
    writes = h.writes()
    h.run("sync", full=True)
    assert h.writes() == writes


@pytest.mark.parametrize("fault", ["502-after-apply", "dropped-after-apply"])
def test_a_relation_whose_answer_was_lost_is_looked_up_not_doubled(
    harness: Harness, fault: str
) -> None:
    h = issues_on(harness)
    _arm(h, fault, r"/sub_issues$" if h.kind == "github" else r"/links$")
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None, result.outcome.error
    assert _relation_posts(h) == len(SUBS) + 1  # the first one twice, refused, looked up
    assert children(h, h.number_of(TASK)) == {h.number_of(k) for k in SUBS}
    h.emulator.reset_log()
    h.run("push")
    assert h.writes() == 0


@pytest.mark.parametrize("fault", ["502-after-apply", "dropped-after-apply"])
def test_a_subtask_whose_create_lost_its_answer_is_found_not_doubled(
    harness: Harness, fault: str
) -> None:
    h = issues_on(harness)
    where = {
        "method": "POST",
        "path_regex": r"/issues$",
        "where": lambda r: b"token expiry job" in r.body,
    }
    h.emulator.apply_then_fail(drop=fault == "dropped-after-apply", **where)  # type: ignore[attr-defined]
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None, result.outcome.error
    assert all(f.remaining == 0 for f in h.emulator._faults)  # it struck
    titles = [i.title for i in h.issues()]
    assert titles.count("token expiry job") == 1
    assert children(h, h.number_of(TASK)) == {h.number_of(k) for k in SUBS}
    h.emulator.reset_log()
    h.run("push")
    assert h.writes() == 0


def test_a_run_that_dies_among_the_relations_converges_with_no_duplicate(
    harness: Harness,
) -> None:
    h = issues_on(harness)
    planned = h.run("push", dry_run=True).plan.forge_writes
    h.config = replace(h.config, apply=replace(h.config.apply, max_writes=planned + 1))
    stopped = h.run("push")
    assert stopped.outcome is not None and stopped.outcome.error is not None
    count = len(h.issues())
    h.config = replace(h.config, apply=replace(h.config.apply, max_writes=None))
    h.run("push")
    assert len(h.issues()) == count  # nothing created twice
    assert h.writes() == planned + len(SUBS)  # as one clean run
    assert children(h, h.number_of(TASK)) == {h.number_of(k) for k in SUBS}
    # The lock forgets the relations (a run that died after its POSTs and before it
    # journaled them): they are read, not made again.
    path = h.root / "phasesync.lock"
    data = json.loads(path.read_text())
    del data["forges"][h.forge.identity]["structure"][PREFIX + TASK]
    path.write_text(json.dumps(data))
    writes = h.writes()
    h.run("push")
    assert h.writes() == writes
    assert record(h)["children"] == sorted(h.number_of(k) for k in SUBS)


def test_with_phase_parents_the_task_stays_under_its_phase(harness: Harness) -> None:
    h = parents_on(issues_on(harness))
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None
    parent = structure(h)["phase-3/parent"]["issue"]
    task = h.number_of(TASK)
    subs = {h.number_of(k) for k in SUBS}
    if h.kind == "github":
        assert task in children(h, parent) and not subs & children(h, parent)
        assert children(h, task) == subs
    else:
        assert task in children(h, parent) and subs <= children(h, task)
        for n in subs:
            body = h.issue(n).body
            assert f"Part of #{task}" in body and f"Part of #{parent}" not in body
    # The progress counts the phase's own items, not its sub-tasks.
    own = [k for k in h.lock_items() if k.startswith("phase-3/") and "." not in k]
    assert f"of {len(own)} done" in h.issue(parent).body
    writes = h.writes()
    h.run("push")
    assert h.writes() == writes
    assert h.idle_sync() == (3, 0)  # both settings on


def test_checklist_to_issues_and_back(harness: Harness) -> None:
    h = harness
    h.run("push")
    task = h.number_of(TASK)
    assert "token expiry job" in h.issue(task).body  # the checklist
    count = len(h.issues())
    issues_on(h)
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None
    subs = {h.number_of(k) for k in SUBS}
    assert len(h.issues()) == count + len(SUBS)
    assert children(h, task) >= subs
    assert "token expiry job" not in h.issue(task).body
    writes = h.writes()
    h.run("push")
    assert h.writes() == writes
    states = {n: h.issue(n).closed for n in subs}
    assert sorted(states.values()) == [False, True]  # `token format decided` is ticked
    # Back to the checklist: the sub-tasks' issues and relations are left as they are
    # (nothing closed), the task's body has its checklist again, the lock forgets them.
    issues_on(h, False)
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None
    assert result.plan.notes and any("checklist line again" in n.message for n in result.plan.notes)
    assert {n: h.issue(n).closed for n in subs} == states  # none closed, none reopened
    assert all(k not in h.lock_items() for k in SUBS)
    assert PREFIX + TASK not in structure(h)
    assert children(h, task) >= subs
    assert "token expiry job" in h.issue(task).body
    assert h.writes() - writes == 1  # the task's body
    writes = h.writes()
    h.run("push")
    assert h.writes() == writes
    # And on again: each sub-task finds its issue by the link left on its line.
    issues_on(h)
    h.run("push")
    assert {h.number_of(k) for k in SUBS} == subs
    assert len(h.issues()) == count + len(SUBS)


def test_lock_keeps_the_relations_it_made(harness: Harness) -> None:
    h = issues_on(harness)
    h.run("push")
    state = LockStore(h.root / "phasesync.lock").load().state(h.forge.identity)
    raw = state.structure[PREFIX + TASK]
    assert raw["seen"] == (2 if h.kind == "github" else None)


def test_a_task_of_more_than_100_subtasks(harness: Harness) -> None:
    h = issues_on(harness)
    steps = "\n".join(f"  - [ ] step {i}" for i in range(102))
    h.doc("phase-9-big.md").write_text(f"# Phase 9: Big\n\n## Tasks\n\n- [ ] Big task\n{steps}\n")
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None
    task = h.number_of("phase-9/tasks/big-task")
    subs = [h.number_of(f"phase-9/tasks/big-task.step-{i}") for i in range(102)]
    if h.kind == "github":  # the first 100 in document order; the rest named in a note
        assert children(h, task) == set(subs[:100])
        assert result.subtasks is not None
        assert any("102 sub-tasks" in n for n in result.subtasks.notes)
    else:
        assert children(h, task) == set(subs)
    writes = h.writes()
    h.run("push")
    assert h.writes() == writes


def test_a_renamed_task_keeps_its_subtasks_and_a_moved_subtask_changes_task(
    harness: Harness,
) -> None:
    h = issues_on(harness)
    h.run("push")
    task, expiry, decided = h.number_of(TASK), h.number_of(SUBS[0]), h.number_of(SUBS[1])
    count = len(h.issues())
    path = h.doc(DOC)
    text = path.read_text()
    # The task retitled: its issue and its sub-tasks' are kept (by the links on the lines).
    path.write_text(text.replace("3. [ ] Invitation tokens", "3. [ ] Invitation links"))
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None
    renamed = "phase-3/week-1/invitation-links"
    assert h.number_of(renamed) == task and len(h.issues()) == count
    assert h.number_of(f"{renamed}.token-expiry-job") == expiry
    assert children(h, task) >= {expiry, decided}
    assert structure(h)[PREFIX + renamed]["children"] == sorted([expiry, decided])
    assert PREFIX + TASK not in structure(h)  # the old key's record is forgotten
    writes = h.writes()
    h.run("push")
    assert h.writes() == writes
    # A sub-task moved under another task leaves its old task and joins the new one.
    text = path.read_text()
    line = next(x for x in text.splitlines(keepends=True) if "token expiry job" in x)
    text = text.replace(line, "")
    target = next(x for x in text.splitlines(keepends=True) if x.startswith("2. [ ] Write tests"))
    path.write_text(text.replace(target, target + line))
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None
    other = h.number_of("phase-3/week-1/write-tests")
    assert h.number_of("phase-3/week-1/write-tests.token-expiry-job") == expiry
    assert expiry in children(h, other) and expiry not in children(h, task)
    assert decided in children(h, task) and len(h.issues()) == count
    if h.kind == "gitlab":
        assert f"Part of #{other}" in h.issue(expiry).body
    writes = h.writes()
    h.run("push")
    assert h.writes() == writes


def test_a_subtask_deleted_from_the_document_is_closed_and_unrelated(harness: Harness) -> None:
    h = issues_on(harness)
    h.run("push")
    task, expiry = h.number_of(TASK), h.number_of(SUBS[0])
    path = h.doc(DOC)
    text = path.read_text()
    line = next(x for x in text.splitlines(keepends=True) if "token expiry job" in x)
    path.write_text(text.replace(line, ""))
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None
    assert h.issue(expiry).closed and h.state_reason(expiry) in (None, "not_planned")
    assert expiry not in children(h, task)
    assert record(h)["children"] == [h.number_of(SUBS[1])]
    writes = h.writes()
    h.run("push")
    assert h.writes() == writes
