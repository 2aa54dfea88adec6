"""Renames are one write per renamed thing, and nothing is left behind (issue 16, points 3
and 4). Both forges."""

from __future__ import annotations

from dataclasses import replace

from syncer.forges.base import IssueChange, MilestoneSpec
from syncer.sync.render import LabelFamily
from tests.contract.conftest import Harness
from tests.contract.test_sync_contract import P2, _edit


def _settled(h: Harness) -> None:
    h.run("push")
    h.run("sync")


def _render(h: Harness, **changes: object) -> None:
    h.config = replace(h.config, render=replace(h.config.render, **changes))


def test_a_new_label_format_renames_each_label_in_place(harness: Harness) -> None:
    _settled(harness)
    before = harness.issues()
    in_use = {x for i in before for x in i.labels if x.startswith("priority:")}
    _render(harness, priority_label=LabelFamily("P-{priority}", "d93f0b"))
    harness.emulator.reset_log()
    result = harness.run("sync")
    assert harness.writes() == len(in_use) == len(result.plan.renames) == 2
    assert not result.plan.issues and not result.plan.labels
    labels = harness.labels()
    assert not any(n.startswith("priority:") for n in labels)
    assert {"P-high", "P-medium"} <= set(labels)
    for old, new in zip(before, harness.issues(), strict=True):
        assert new.labels == {x.replace("priority:", "P-") for x in old.labels}
    harness.emulator.reset_log()
    assert harness.run("sync").plan.empty and harness.writes() == 0


def test_a_new_label_colour_recolours_each_label(harness: Harness) -> None:
    _settled(harness)
    _render(harness, week_label=LabelFamily("week:{week}", "123456"))
    weeks = [n for n in harness.labels() if n.startswith("week:")]
    harness.emulator.reset_log()
    harness.run("sync")
    assert harness.writes() == len(weeks) > 0
    assert {harness.labels()[w].lstrip("#").lower() for w in weeks} == {"123456"}
    harness.emulator.reset_log()
    assert harness.run("sync").plan.empty and harness.writes() == 0


def test_a_new_milestone_title_renames_each_milestone_in_place(harness: Harness) -> None:
    _settled(harness)
    count = len(harness.milestones())
    _render(harness, milestone_title="P{number} - {name}")
    harness.emulator.reset_log()
    result = harness.run("sync")
    assert harness.writes() == count == len(result.plan.milestones) == 6
    assert not result.plan.issues
    titles = set(harness.milestones())
    assert len(titles) == count and "P2 - User Authentication" in titles
    sign_in = harness.issue(harness.number_of("phase-2/functional/password-sign-in"))
    assert sign_in.milestone == "P2 - User Authentication"
    harness.emulator.reset_log()
    assert harness.run("sync").plan.empty and harness.writes() == 0


def test_a_renamed_phase_renames_its_milestone_and_moves_no_issue(harness: Harness) -> None:
    _settled(harness)
    _edit(harness, P2, b"# Phase 2: User Authentication", b"# Phase 2: Accounts")
    harness.emulator.reset_log()
    result = harness.run("sync")
    assert harness.writes() == 1 and not result.plan.issues
    assert "Phase 2: Accounts" in harness.milestones()
    assert "Phase 2: User Authentication" not in harness.milestones()


def test_a_milestone_renamed_or_closed_on_the_forge_is_restored_once(harness: Harness) -> None:
    _settled(harness)
    ms = harness.forge.snapshot().milestones_by_title()["Phase 2: User Authentication"]
    spec = MilestoneSpec("Auth (renamed)", ms.description, ms.due, state="closed")
    harness.forge.update_milestone(ms.id, spec)
    harness.emulator.reset_log()
    result = harness.run("sync")
    assert harness.writes() == 1
    (action,) = result.plan.milestones
    assert action.reasons == (
        "title: Auth (renamed) → Phase 2: User Authentication (renamed on the forge)",
        "state: closed → open (closed on the forge)",
    )
    assert len(harness.milestones()) == 6 and "Phase 2: User Authentication" in harness.milestones()
    harness.emulator.reset_log()
    assert harness.run("sync").plan.empty and harness.writes() == 0


def test_a_label_no_longer_used_is_deleted_unless_people_use_it(harness: Harness) -> None:
    _settled(harness)
    # Every medium requirement becomes high: `priority:medium` is used by nothing of ours.
    path = harness.doc(P2)
    path.write_bytes(path.read_bytes().replace(b"Priority: Medium", b"Priority: High"))
    for doc in harness.root.glob("docs/phases/*.md"):
        doc.write_bytes(doc.read_bytes().replace(b"Priority: Medium", b"Priority: High"))
    result = harness.run("sync", full=True)
    assert [d.name for d in result.plan.deletes] == ["priority:medium"]
    assert "priority:medium" not in harness.labels()
    assert not any("priority:medium" in i.labels for i in harness.issues())


def test_a_label_a_person_put_on_their_issue_is_left_to_them(harness: Harness) -> None:
    _settled(harness)
    mine = harness.open_issue("Unrelated", "a person's issue", labels=("priority:medium",))
    for doc in harness.root.glob("docs/phases/*.md"):
        doc.write_bytes(doc.read_bytes().replace(b"Priority: Medium", b"Priority: High"))
    result = harness.run("sync", full=True)
    assert not result.plan.deletes
    assert "priority:medium" in harness.labels()
    assert harness.issue(mine).labels == {"priority:medium"}
    assert not any("priority:medium" in i.labels for i in harness.issues() if i.number != mine)
    harness.emulator.reset_log()
    assert harness.run("sync", full=True).plan.empty and harness.writes() == 0


def test_old_labels_of_a_changed_format_leave_hand_labelled_issues(harness: Harness) -> None:
    _settled(harness)
    n = harness.number_of("phase-2/functional/password-sign-in")
    labels = tuple(sorted({*harness.issue(n).labels, "needs-design"}))
    harness.forge.update_issue(n, IssueChange(labels=labels))
    harness.run("sync")
    _render(harness, priority_label=LabelFamily("P-{priority}", "d93f0b"))
    harness.run("sync", full=True)
    issue = harness.issue(n)
    assert "needs-design" in issue.labels and "P-high" in issue.labels
    assert not any(x.startswith("priority:") for x in issue.labels)
