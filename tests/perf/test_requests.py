"""Request counts: exactly the writes a change needs, and no read that grows with the plan.

Counted by the emulators (GitHub and GitLab through the real clients), so a lazy PyGithub
object completing itself, a per-issue GET or a repository GET shows up as a request.
"""

from __future__ import annotations

import shutil

from benchmarks.docset import write_docset
from syncer.sync.actions import CreateIssue
from tests.contract.conftest import Harness
from tests.perf.conftest import (
    logged,
    repository_reads,
    scheduled,
    settle,
    single_issue_reads,
    start_clock,
)

P2 = "phase-2-authentication.md"
SIGN_IN = "phase-2/functional/password-sign-in"
SIGN_IN_LINE = b"- [ ] **Password sign-in**: Users sign in with e-mail and password"


def edit(h: Harness, old: bytes, new: bytes) -> None:
    path = h.doc(P2)
    data = path.read_bytes()
    assert data.count(old) == 1, old
    path.write_bytes(data.replace(old, new))


def set_body(h: Harness, number: int, body: str) -> None:
    """Someone edits the issue's description on the forge."""
    if h.kind == "github":
        h.emulator.set_body(number, body)  # type: ignore[attr-defined]
    else:
        h.emulator.project().issues[number].description = body  # type: ignore[attr-defined]
        h.emulator.project().issues[number].updated_at = h.emulator.now()


def writes_to(h: Harness, number: int) -> list[str]:
    return [r.method for r in logged(h) if r.is_write and r.path.endswith(f"/issues/{number}")]


def test_first_push_writes_issues_closes_labels_milestones_and_nothing_else(
    harness: Harness,
) -> None:
    start_clock(harness)
    result = harness.run("push")
    creates = [a for a in result.plan.issues if isinstance(a, CreateIssue)]
    closes = sum(1 for a in creates if a.close)
    assert closes == 6 and len(creates) == 36
    labels, milestones = len(harness.labels()), len(harness.milestones())
    assert harness.writes() == len(creates) + closes + labels + milestones
    assert harness.reads() == 3  # labels, milestones, issues: one page each
    # A ticked item is one create and one close, the fewest GitHub allows.
    n = harness.number_of("phase-2/functional/account-registration")
    assert [r.method for r in logged(harness) if r.path.endswith(f"/issues/{n}")] == [
        "PATCH" if harness.kind == "github" else "PUT"
    ]
    assert harness.issue(n).closed
    assert scheduled(harness, "push").plan.empty and harness.writes() == 0


def test_a_tick_sends_one_update(harness: Harness) -> None:
    settle(harness)
    n = harness.number_of(SIGN_IN)
    edit(harness, b"- [ ] **Password sign-in**", b"- [x] **Password sign-in**")
    scheduled(harness, "sync")
    assert writes_to(harness, n) == ["PATCH" if harness.kind == "github" else "PUT"]
    assert harness.writes() == 1 and harness.reads() == 3
    assert harness.issue(n).closed


def test_a_close_on_the_forge_sends_nothing_and_edits_one_document(harness: Harness) -> None:
    settle(harness)
    harness.close(harness.number_of(SIGN_IN))
    result = scheduled(harness, "sync")
    assert harness.writes() == 0 and harness.reads() == 3
    assert result.outcome is not None and result.outcome.files == ["docs/phases/" + P2]
    assert [e.what for e in result.plan.documents] == ["tick"]


def test_a_description_edit_sends_one_update_and_reads_nothing_more(harness: Harness) -> None:
    settle(harness)
    n = harness.number_of(SIGN_IN)
    edit(harness, b"receive a session cookie.", b"receive a secure session cookie.")
    scheduled(harness, "sync")
    assert harness.writes() == 1 and writes_to(harness, n)
    # The issue was not in the listing, and the lock says it holds nothing of people's (no
    # text below the managed block, no hand label): no read before the write.
    assert single_issue_reads(harness) == [] and harness.reads() == 3
    assert "secure session cookie" in harness.issue(n).body


def test_an_issue_with_peoples_text_is_read_before_its_description_is_sent(
    harness: Harness,
) -> None:
    settle(harness)
    n = harness.number_of(SIGN_IN)
    body = harness.issue(n).body + "\n\nNotes from the design review: use argon2id."
    set_body(harness, n, body)
    scheduled(harness, "sync")  # lists the edited issue: the lock now knows of the text
    assert harness.lock_items()[SIGN_IN].extra
    edit(harness, b"receive a session cookie.", b"receive a secure session cookie.")
    scheduled(harness, "sync")
    assert single_issue_reads(harness) == [logged(harness)[3].path]
    assert harness.reads() == 4 and harness.writes() == 1
    issue = harness.issue(n)
    assert "secure session cookie" in issue.body and "use argon2id" in issue.body


def test_title_body_labels_milestone_and_state_go_in_one_request(harness: Harness) -> None:
    settle(harness)
    n = harness.number_of(SIGN_IN)
    edit(
        harness,
        SIGN_IN_LINE + b" and receive a session cookie.",
        b"- [x] **Password login**: Users sign in with e-mail and password and receive a "
        b"secure session cookie.",
    )
    # Medium: a label the forge has already, so that no label creation is needed.
    edit(
        harness,
        b"  - Priority: High\n  - Estimate: 2 days",
        b"  - Priority: Medium\n  - Estimate: 2 days",
    )
    scheduled(harness, "sync")
    assert harness.writes() == 1 and len(writes_to(harness, n)) == 1
    issue = harness.issue(n)
    assert issue.closed and issue.title == "Password login"
    assert "priority:medium" in issue.labels and "priority:high" not in issue.labels
    assert "secure session cookie" in issue.body


def test_bulk_content_edits_read_a_complete_listing_not_each_issue(harness: Harness) -> None:
    settle(harness)
    # A lock written before it recorded which issues hold people's text: every issue
    # may, so each content update would need its issue read first.
    lock = harness.root / "phasesync.lock"
    lock.write_text(lock.read_text().replace('"extra": false', '"extra": true'))
    # A renamed file changes the managed block of every phase-2 issue (23 of them). (A new
    # phase name no longer does: its milestone is renamed in place.)
    _rename_phase_2_file(harness)
    result = scheduled(harness, "sync")
    assert result.snapshot.complete and single_issue_reads(harness) == []
    updates = len(result.plan.issues)
    assert updates == 23
    # labels, milestones, the incremental page, the complete page; then one update per issue.
    assert harness.reads() == 4 and harness.writes() == updates


def test_bulk_content_edits_of_plain_issues_read_nothing_more(harness: Harness) -> None:
    settle(harness)
    _rename_phase_2_file(harness)
    result = scheduled(harness, "sync")
    assert not result.snapshot.complete and single_issue_reads(harness) == []
    assert harness.reads() == 3 and harness.writes() == len(result.plan.issues) == 23


def _rename_phase_2_file(h: Harness) -> None:
    folder = h.root / "docs" / "phases"
    (folder / "phase-2-authentication.md").rename(folder / "phase-2-auth.md")


def test_no_hidden_request_at_a_thousand_items(harness: Harness) -> None:
    shutil.rmtree(harness.root / "docs")
    write_docset(harness.root, 1000)
    start_clock(harness)
    harness.run("push")
    assert harness.reads() == 3 and single_issue_reads(harness) == []
    assert harness.writes() == 1000 + 200 + 19 + 6  # issues, closes, labels, milestones
    again = scheduled(harness, "push")
    assert harness.writes() == 0 and again.plan.empty
    assert harness.reads() == 2 + 10  # the first push's issues, listed once more
    for _ in range(2):
        idle = scheduled(harness, "sync")
        assert idle.plan.empty and idle.snapshot.issues == ()
        assert (harness.reads(), harness.writes()) == (3, 0)
    assert single_issue_reads(harness) == [] and repository_reads(harness) == []
