"""The behaviours users rely on, written once and run against GitHub and GitLab."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from syncer.markdown.parse import parse_document
from tests.contract.conftest import Harness

P2 = "phase-2-authentication.md"
P3 = "phase-3-workspaces.md"
SIGN_IN = "phase-2/functional/password-sign-in"
TICKED = {
    "phase-2/functional/account-registration",
    "phase-2/non-functional/reliability",
    "phase-2/week-1/create-users-and-identities-migrations",
    "phase-2/week-1/registration-endpoint-with-e-mail-confirmation",
    "phase-3/functional/create-workspace",
    "phase-3/week-1/workspace-and-membership-tables",
}


def snapshot_files(h: Harness) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((h.root / "docs" / "phases").glob("*.md"))}


def changed_bytes(a: bytes, b: bytes) -> list[int]:
    assert len(a) == len(b)
    return [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]


# --- first push ----------------------------------------------------------------------------


def test_first_push_creates_issues_milestones_and_labels(harness: Harness) -> None:
    result = harness.run("push")
    assert result.outcome is not None and result.outcome.error is None
    issues = harness.issues()
    assert len(issues) == 36  # 23 + 9 + 4; none for placeholders, code or quotes
    assert len(harness.lock_items()) == 36
    assert len({i.number for i in issues}) == 36
    milestones = harness.milestones()
    assert len(milestones) == 6
    assert milestones["Phase 2: User Authentication"] == date(2026, 3, 20)
    assert milestones["Phase 2: Registration live"] == date(2026, 3, 6)
    assert milestones["Phase 4: Billing"] is None
    labels = harness.labels()
    assert {"phase:2", "phase:3", "phase:4", "type:functional", "type:task", "week:1"} <= set(
        labels
    )
    assert all(len(c) == 6 or (c.startswith("#") and len(c) == 7) for c in labels.values())
    items = harness.lock_items()
    closed = {k for k, e in items.items() if harness.issue(e.issue).closed}
    assert closed == TICKED
    by_key = {k: harness.issue(e.issue) for k, e in items.items()}
    sign_in = by_key[SIGN_IN]
    assert sign_in.milestone == "Phase 2: User Authentication"
    assert {"phase:2", "type:functional", "priority:high"} <= sign_in.labels
    assert f"<!-- phasesync:key={SIGN_IN} -->" in sign_in.body
    # every created issue's link is appended to its document line
    for name in (P2, P3, "phase-4-billing.md"):
        doc = parse_document(name, harness.doc(name).read_bytes())
        assert doc.phase is not None and not doc.has_errors
        for item in doc.phase.items:
            assert item.link is not None and item.link.number == items[str(item.key)].issue


def test_second_push_sends_no_write_and_idle_sync_is_cheap(harness: Harness) -> None:
    harness.run("push")
    before = snapshot_files(harness)
    harness.emulator.reset_log()
    harness.run("push")
    assert harness.writes() == 0
    harness.run("sync")  # moves the incremental listing past the first push's own writes
    harness.emulator.reset_log()
    result = harness.run("sync")
    assert result.plan.empty
    assert harness.reads() + harness.writes() <= 5
    assert harness.writes() == 0
    assert snapshot_files(harness) == before


# --- pull ----------------------------------------------------------------------------------


@pytest.mark.parametrize("doc_name,key", [(P2, SIGN_IN), (P3, "phase-3/functional/invite-members")])
def test_pull_ticks_exactly_the_closed_box_and_unticks_on_reopen(
    harness: Harness, doc_name: str, key: str
) -> None:
    harness.run("push")
    pushed = snapshot_files(harness)
    n = harness.number_of(key)
    harness.close(n)
    harness.run("pull")
    after = snapshot_files(harness)
    for name, data in pushed.items():
        if name != doc_name:
            assert after[name] == data
    diff = changed_bytes(pushed[doc_name], after[doc_name])
    assert len(diff) == 1 and after[doc_name][diff[0] : diff[0] + 1] == b"x"
    harness.reopen(n)
    harness.run("pull")
    assert snapshot_files(harness) == pushed


def test_pull_check_and_dry_run_touch_nothing(harness: Harness) -> None:
    harness.run("push")
    pushed = snapshot_files(harness)
    harness.close(harness.number_of(SIGN_IN))
    harness.emulator.reset_log()
    result = harness.run("pull", dry_run=True)
    assert [e.what for e in result.plan.documents] == ["tick"]
    assert snapshot_files(harness) == pushed
    assert harness.writes() == 0


# --- push of ticks, unticks, renames, removals ----------------------------------------------


def _edit(h: Harness, name: str, old: bytes, new: bytes) -> None:
    path = h.doc(name)
    data = path.read_bytes()
    assert data.count(old) == 1, old
    path.write_bytes(data.replace(old, new))


def test_tick_pushes_a_close_and_untick_a_reopen(harness: Harness) -> None:
    harness.run("push")
    n = harness.number_of(SIGN_IN)
    _edit(harness, P2, b"- [ ] **Password sign-in**", b"- [x] **Password sign-in**")
    harness.emulator.reset_log()
    harness.run("push")
    assert harness.issue(n).closed
    assert harness.writes() == 1
    _edit(harness, P2, b"- [x] **Password sign-in**", b"- [ ] **Password sign-in**")
    harness.run("push")
    assert not harness.issue(n).closed


def test_rename_of_a_linked_requirement_retitles_the_same_issue(harness: Harness) -> None:
    harness.run("push")
    n = harness.number_of(SIGN_IN)
    count = len(harness.issues())
    _edit(harness, P2, b"**Password sign-in**", b"**Password login**")
    harness.run("push")
    assert len(harness.issues()) == count
    assert harness.issue(n).title == "Password login"
    assert harness.number_of("phase-2/functional/password-login") == n
    assert SIGN_IN not in harness.lock_items()


def test_removed_item_is_closed_as_not_planned_with_a_comment(harness: Harness) -> None:
    harness.run("push")
    n = harness.number_of("phase-2/week-3/external-security-review")
    path = harness.doc(P2)
    lines = path.read_bytes().split(b"\n")
    lines = [ln for ln in lines if b"External security review" not in ln]
    path.write_bytes(b"\n".join(lines))
    harness.run("push")
    issue = harness.issue(n)
    assert issue.closed and issue.comments == 1
    assert "phase-2/week-3/external-security-review" not in harness.lock_items()
    harness.emulator.reset_log()
    harness.run("push")
    assert harness.writes() == 0


REVIEW = "phase-2/week-3/external-security-review"


def _remove_review(h: Harness) -> int:
    n = h.number_of(REVIEW)
    path = h.doc(P2)
    lines = [ln for ln in path.read_bytes().split(b"\n") if b"External security review" not in ln]
    path.write_bytes(b"\n".join(lines))
    return n


def _state_change(h: Harness) -> str:
    return "PATCH" if h.kind == "github" else "PUT"


def test_a_removal_whose_close_failed_does_not_comment_twice(harness: Harness) -> None:
    harness.run("push")
    n = _remove_review(harness)
    harness.emulator.fail_next(10, method=_state_change(harness), status=500)
    failed = harness.run("push")
    assert failed.outcome is not None and failed.outcome.error is not None
    assert harness.issue(n).comments == 1 and not harness.issue(n).closed
    harness.emulator.clear_faults()
    harness.emulator.reset_log()
    harness.run("push")
    issue = harness.issue(n)
    assert issue.closed and issue.comments == 1
    # The rerun read the issue's comments once (it had one) and found the marker.
    comment_reads = [
        r.path
        for r in harness.emulator.requests
        if r.method == "GET" and r.path.endswith(("/comments", "/notes"))
    ]
    assert len(comment_reads) == 1 and harness.writes() == 1


def test_a_removal_comment_whose_answer_was_lost_is_not_posted_again(harness: Harness) -> None:
    harness.run("push")
    n = _remove_review(harness)
    harness.emulator.apply_then_fail(method="POST", path_regex=r"/(comments|notes)$", drop=True)
    harness.run("push")
    harness.run("push")
    issue = harness.issue(n)
    assert issue.closed and issue.comments == 1


def test_a_removal_with_comments_by_people_still_gets_its_own(harness: Harness) -> None:
    harness.run("push")
    n = harness.number_of(REVIEW)
    harness.forge.comment(n, "Booked for March with the usual firm.")
    _remove_review(harness)
    harness.run("push")
    issue = harness.issue(n)
    assert issue.closed and issue.comments == 2


def test_a_title_conflict_is_reported_and_resolved_with_prefer(harness: Harness) -> None:
    harness.run("push")
    n = harness.number_of(SIGN_IN)
    _edit(harness, P2, b"**Password sign-in**", b"**Password login**")
    harness.set_title(n, "Sign in with password")
    result = harness.run("sync")
    assert [(c.document, c.forge) for c in result.plan.conflicts] == [
        ("Password login", "Sign in with password")
    ]
    assert harness.issue(n).title == "Sign in with password"
    harness.run("sync", prefer="forge")
    assert b"**Sign in with password**" in harness.doc(P2).read_bytes()
    assert harness.issue(n).title == "Sign in with password"
    assert harness.run("sync").plan.empty


def test_a_forge_title_edit_is_restored_when_documents_are_law(harness: Harness) -> None:
    harness.config = replace(harness.config, forge_edits="restore")
    harness.run("push")
    n = harness.number_of(SIGN_IN)
    harness.set_title(n, "Something else")
    result = harness.run("sync")
    assert harness.issue(n).title == "Password sign-in"
    (update,) = [a for a in result.plan.issues if a.key == SIGN_IN]
    assert "title restored (the forge had 'Something else')" in update.reasons


def test_dry_run_sends_no_write_and_changes_no_file(harness: Harness) -> None:
    before = snapshot_files(harness)
    result = harness.run("push", dry_run=True)
    assert len([a for a in result.plan.issues]) == 36
    assert harness.writes() == 0
    assert snapshot_files(harness) == before
    assert not (harness.root / "phasesync.lock").exists()


def test_lost_lock_is_rebuilt_from_markers_without_duplicates(harness: Harness) -> None:
    harness.run("push")
    (harness.root / "phasesync.lock").unlink()
    harness.emulator.reset_log()
    harness.run("sync")
    assert len(harness.issues()) == 36
    assert harness.writes() == 0
    assert len(harness.lock_items()) == 36
