"""Content edited on the forge: titles and descriptions follow the three-way rule, labels
and milestones the document's structure (issue 16, point 2). Both forges."""

from __future__ import annotations

from syncer.forges.base import IssueChange
from tests.contract.conftest import Harness
from tests.contract.test_sync_contract import P2, SIGN_IN, _edit, snapshot_files

DESCRIPTION = b"Users sign in with e-mail and password and receive a session cookie."


def _settled(h: Harness) -> None:
    h.run("push")
    h.run("sync")


def _only_span_changed(before: bytes, after: bytes, old: bytes, new: bytes) -> None:
    at = before.index(old)
    assert after == before[:at] + new + before[at + len(old) :]


def test_a_forge_title_edit_is_written_into_the_document(harness: Harness) -> None:
    _settled(harness)
    n = harness.number_of(SIGN_IN)
    before = snapshot_files(harness)
    harness.set_title(n, "Sign in with a password")
    harness.emulator.reset_log()
    result = harness.run("sync")
    assert harness.writes() == 1  # only the key marker in the body follows the new title
    assert "phasesync:key=phase-2/functional/sign-in-with-a-password" in harness.issue(n).body
    (update,) = [d for d in result.plan.documents if d.what == "retitle"]
    assert update.title == "Sign in with a password"
    after = snapshot_files(harness)
    _only_span_changed(before[P2], after[P2], b"Password sign-in", b"Sign in with a password")
    items = harness.lock_items()
    assert items["phase-2/functional/sign-in-with-a-password"].issue == n  # keeps its issue
    assert SIGN_IN not in items
    harness.emulator.reset_log()
    assert harness.run("sync").plan.empty
    assert harness.writes() == 0


def test_the_plan_shows_the_old_and_new_title(harness: Harness) -> None:
    _settled(harness)
    n = harness.number_of(SIGN_IN)
    harness.set_title(n, "Sign in with a password")
    plan = harness.run("sync", dry_run=True).plan
    reasons = [r for a in plan.issues for r in getattr(a, "reasons", ())]
    docs = [(d.what, d.title) for d in plan.documents]
    assert docs == [("retitle", "Sign in with a password")]
    assert reasons == [
        "title taken from the forge: 'Password sign-in' -> 'Sign in with a password'"
    ]
    assert b"Password sign-in" in harness.doc(P2).read_bytes()  # a dry run writes nothing


def test_a_forge_description_edit_is_written_into_the_document(harness: Harness) -> None:
    _settled(harness)
    n = harness.number_of(SIGN_IN)
    issue = harness.issue(n)
    new = "Users sign in with e-mail and a password."
    harness.forge.update_issue(n, IssueChange(body=issue.body.replace(DESCRIPTION.decode(), new)))
    before = snapshot_files(harness)
    harness.emulator.reset_log()
    result = harness.run("sync")
    assert harness.writes() == 0
    assert [(d.what, d.title) for d in result.plan.documents] == [("describe", new)]
    _only_span_changed(before[P2], snapshot_files(harness)[P2], DESCRIPTION, new.encode())
    harness.emulator.reset_log()
    assert harness.run("sync").plan.empty


def test_a_description_changed_on_both_sides_is_a_conflict(harness: Harness) -> None:
    _settled(harness)
    n = harness.number_of(SIGN_IN)
    body = harness.issue(n).body
    harness.forge.update_issue(n, IssueChange(body=body.replace("session cookie", "token")))
    _edit(harness, P2, b"receive a session cookie.", b"receive a signed cookie.")
    result = harness.run("sync")
    (conflict,) = result.plan.conflicts
    assert conflict.message == "description changed in the document and on the forge"
    assert "signed cookie" in conflict.document and "token" in conflict.forge
    assert "token" in harness.issue(n).body  # left alone


def test_a_title_edit_seen_by_push_is_kept_and_pulled_in_later(harness: Harness) -> None:
    _settled(harness)
    n = harness.number_of(SIGN_IN)
    harness.set_title(n, "Sign in with a password")
    _edit(harness, P2, b"- [ ] **Password sign-in**", b"- [x] **Password sign-in**")
    harness.run("push")  # closes the issue; does not undo the forge's title
    assert harness.issue(n).title == "Sign in with a password" and harness.issue(n).closed
    harness.run("pull")
    assert b"- [x] **Sign in with a password**" in harness.doc(P2).read_bytes()


def test_a_persons_label_and_milestone_change_is_restored_and_named(harness: Harness) -> None:
    _settled(harness)
    n = harness.number_of(SIGN_IN)
    other = harness.forge.snapshot().milestones_by_title()["Phase 4: Billing"]
    labels = tuple(sorted({*harness.issue(n).labels} - {"priority:high"} | {"priority:low"}))
    harness.forge.update_issue(n, IssueChange(labels=labels, milestone_id=other.id))
    harness.emulator.reset_log()
    result = harness.run("sync")
    assert harness.writes() == 1
    (update,) = [a for a in result.plan.issues if a.key == SIGN_IN]
    assert update.reasons == (
        "labels restored (the forge had 'phase:2, priority:low, type:functional', the "
        "document says 'phase:2, priority:high, type:functional')",
        "milestone restored (the forge had 'Phase 4: Billing')",
    )
    issue = harness.issue(n)
    assert "priority:high" in issue.labels and "priority:low" not in issue.labels
    assert issue.milestone == "Phase 2: User Authentication"


def test_a_forge_title_that_cannot_be_written_into_a_read_only_document_makes_no_duplicate(
    harness: Harness,
) -> None:
    h = harness
    _settled(h)
    n = h.number_of(SIGN_IN)
    path = h.doc(P2)
    before = path.read_bytes()
    path.chmod(0o444)
    try:
        h.set_title(n, "Sign in with a password")
        first = h.run("sync")
        assert first.outcome is not None and first.outcome.error is not None  # read-only
        assert path.read_bytes() == before
        assert SIGN_IN in h.lock_items()  # the old key keeps its base and its issue
        count = len(h.issues())
        for _ in range(2):
            again = h.run("sync")
            assert again.outcome is not None
            assert not [a for a in again.plan.issues if a.__class__.__name__ == "CreateIssue"]
        assert len(h.issues()) == count  # never a second issue for the item
    finally:
        path.chmod(0o644)
    h.run("sync")  # writable again: the forge's title goes into the line
    assert b"Sign in with a password" in path.read_bytes()
    assert len(h.issues()) == count
