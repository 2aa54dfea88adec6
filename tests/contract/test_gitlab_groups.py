"""GitLab group milestones: a project inherits its groups' milestones, and a project
milestone may not take the title of one. phasesync lists them (`include_ancestors`), puts
its issues on them and leaves their dates to the group."""

from __future__ import annotations

from datetime import date

import pytest

from syncer.forges.emulator.gitlab import GitLabEmulator
from tests.contract.conftest import Harness

PHASE_2 = "Phase 2: User Authentication"
SIGN_IN = "phase-2/functional/password-sign-in"

pytestmark = pytest.mark.parametrize("harness", ["gitlab"], indirect=True)


def emulator(h: Harness) -> GitLabEmulator:
    assert isinstance(h.emulator, GitLabEmulator)
    return h.emulator


def issue_milestone_ids(h: Harness) -> dict[int, int | None]:
    return {i.iid: i.milestone_id for i in emulator(h).project().issues.values()}


def test_issues_go_on_the_groups_milestone_and_nothing_is_created(harness: Harness) -> None:
    group_id = emulator(harness).add_group_milestone("acme", PHASE_2, date(2026, 3, 20))
    result = harness.run("push")
    assert result.outcome is not None and result.outcome.error is None
    own = {m.title for m in emulator(harness).milestones()}
    assert PHASE_2 not in own and len(own) == 5  # the other phases' and key milestones
    n = harness.number_of(SIGN_IN)
    assert issue_milestone_ids(harness)[n] == group_id
    assert harness.issue(n).milestone == PHASE_2
    harness.emulator.reset_log()
    assert harness.run("push").plan.empty and harness.writes() == 0


def test_a_group_milestone_with_another_date_is_left_alone_with_a_note(harness: Harness) -> None:
    group_id = emulator(harness).add_group_milestone("acme", PHASE_2, date(2026, 4, 1))
    result = harness.run("push")
    assert result.outcome is not None and result.outcome.error is None
    assert [n.key for n in result.plan.notes] == [PHASE_2]
    assert "group milestone (due 2026-04-01)" in result.plan.notes[0].message
    assert all(m.spec.title != PHASE_2 for m in result.plan.milestones)
    assert issue_milestone_ids(harness)[harness.number_of(SIGN_IN)] == group_id
    # Still nothing to write on the next run, only the note again.
    harness.emulator.reset_log()
    again = harness.run("push")
    assert again.plan.empty and harness.writes() == 0 and len(again.plan.notes) == 1


def test_a_milestone_of_a_group_further_up_counts_too(harness: Harness) -> None:
    gl = GitLabEmulator("acme/platform/plans")
    gl.add_group_milestone("acme", "Q1")
    gl.add_group_milestone("acme/platform", "Q2")
    gl.add_group_milestone("other", "Q3")
    project = gl.project()
    assert [m.title for m in gl.store.group_milestones_of(project)] == ["Q1", "Q2"]
    assert gl.store.ancestors(project) == ["acme/platform", "acme"]
