"""Who steers the plan, on GitHub and GitLab (issue 11, points 1, 3, 5 and 8).

On a public repository anyone can open an issue and write a key marker in it: the keys are
in the committed documents. Only issues phasesync created, and issues of people with write
access, may bind an item; two items never share one issue; two issues of one item end as
one; and without a lock nothing is changed on a guess.
"""

from __future__ import annotations

import pytest

from syncer.errors import TransientError
from syncer.sync.actions import CreateIssue, UpdateIssue
from syncer.sync.body import BEGIN, END
from syncer.sync.identity import duplicate_marker
from tests.contract.conftest import Harness

P2 = "phase-2-authentication.md"
P3 = "phase-3-workspaces.md"
SIGN_IN = "phase-2/functional/password-sign-in"
REGISTRATION = "phase-2/functional/account-registration"  # ticked in the document


def forged_body(key: str) -> str:
    """What a stranger who read the repository writes to claim an item."""
    trailer = f"<!-- phasesync:key={key} -->\n<!-- phasesync:file=docs/phases/{P2} -->"
    return f"{BEGIN}\nmine now\n{trailer}\n{END}\n"


# --- 1. nobody else can claim an item ------------------------------------------------------


def test_a_strangers_marker_before_the_first_push_claims_nothing(harness: Harness) -> None:
    h = harness
    forged = h.open_issue("Totally legit", forged_body(SIGN_IN), author="mallory")
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None
    # The item got an issue of its own; the stranger's is as they left it.
    assert h.number_of(SIGN_IN) != forged
    assert h.issue(forged).title == "Totally legit"
    assert h.issue(forged).body == forged_body(SIGN_IN)
    notes = [n.message for n in result.plan.notes if n.key == SIGN_IN]
    assert any(f"#{forged}" in m and "mallory" in m and "ignored" in m for m in notes), notes
    text = h.doc(P2).read_text()
    assert f"/issues/{forged})" not in text  # the document never links the stranger's issue
    # When the stranger closes it, no box is ticked.
    h.close(forged)
    before = h.doc(P2).read_bytes()
    h.run("sync")
    assert h.doc(P2).read_bytes() == before


def test_a_strangers_marker_for_a_new_item_claims_nothing(harness: Harness) -> None:
    h = harness
    h.run("push")
    path = h.doc(P2)
    key = "phase-2/functional/passkeys"
    forged = h.open_issue("Passkeys", forged_body(key), author="mallory")
    text = path.read_text().replace(
        "### Non-Functional Requirements",
        "- [ ] **Passkeys**: Sign in with a passkey.\n\n### Non-Functional Requirements",
        1,
    )
    path.write_text(text)
    result = h.run("sync")
    assert result.outcome is not None and result.outcome.error is None
    assert [a.key for a in result.plan.issues if isinstance(a, CreateIssue)] == [key]
    assert h.number_of(key) != forged
    assert h.issue(forged).title == "Passkeys" and h.issue(forged).body == forged_body(key)


def test_a_lost_lock_never_hands_an_item_to_a_stranger(harness: Harness) -> None:
    h = harness
    h.run("push")
    mine = h.number_of(SIGN_IN)
    forged = h.open_issue("Password sign-in", forged_body(SIGN_IN), author="mallory")
    (h.root / "phasesync.lock").unlink()
    result = h.run("sync")
    assert result.outcome is not None and result.outcome.error is None
    assert h.number_of(SIGN_IN) == mine  # rebuilt from phasesync's own issue
    assert not [a for a in result.plan.issues if isinstance(a, CreateIssue)]
    assert forged not in {a.number for a in result.plan.issues if isinstance(a, UpdateIssue)}


def test_a_marker_of_someone_with_write_access_binds_the_item(harness: Harness) -> None:
    h = harness
    h.give_write_access("alice")
    theirs = h.open_issue("Password sign-in", forged_body(SIGN_IN), author="alice")
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None
    assert h.number_of(SIGN_IN) == theirs
    assert SIGN_IN not in {a.key for a in result.plan.issues if isinstance(a, CreateIssue)}


def test_adopt_takes_only_issues_of_people_with_write_access(harness: Harness) -> None:
    h = harness
    h.give_write_access("alice")
    label = ("phase:2",)
    strangers = h.open_issue("Password sign-in", "I want this", "mallory", label)
    alices = h.open_issue("GitHub OAuth sign-in", "tracking it", "alice", label)
    result = h.run("push", adopt=True)
    assert result.outcome is not None and result.outcome.error is None
    assert h.number_of(SIGN_IN) != strangers
    assert h.number_of("phase-2/functional/github-oauth-sign-in") == alices
    adopted = [n.message for n in result.plan.notes if n.message.startswith("adopting")]
    assert adopted == [f"adopting #{alices} (same title, opened by alice)"]


def test_the_steady_state_asks_the_forge_nothing_about_people(harness: Harness) -> None:
    # Trust costs no request when the lock explains every marker (the idle sync stays 3).
    h = harness
    h.run("push")
    h.run("sync")
    h.emulator.reset_log()
    h.run("sync")
    paths = [r.path for r in h.emulator.requests]
    assert not [p for p in paths if p.endswith(("/user", "/members/all"))], paths


# --- 3. one issue, one item ----------------------------------------------------------------


def _copy_linked_line(h: Harness) -> tuple[int, str]:
    """A linked item line copied (with its link) into the next phase's document."""
    h.run("push")
    number = h.number_of(SIGN_IN)
    line = next(ln for ln in h.doc(P2).read_text().splitlines() if f"/issues/{number})" in ln)
    copied = line.replace("Password sign-in", "Password sign-in for workspaces")
    text = h.doc(P3).read_text()
    text = text.replace(
        "### Non-Functional Requirements", f"{copied}\n\n### Non-Functional Requirements", 1
    )
    h.doc(P3).write_text(text)
    return number, copied


def test_a_copied_link_is_a_conflict_and_the_issue_is_left_alone(harness: Harness) -> None:
    h = harness
    number, _ = _copy_linked_line(h)
    title = h.issue(number).title
    for _ in range(2):
        h.emulator.reset_log()
        result = h.run("sync")
        assert result.outcome is not None
        copies = [c for c in result.plan.conflicts if c.file.endswith(P3)]
        assert len(copies) == 1, result.plan.conflicts
        assert f"#{number}" in copies[0].message and P2 in copies[0].message
        assert "remove the copied link" in copies[0].message
        assert h.issue(number).title == title
        assert h.writes() == 0  # no flip of the title, no notification


def test_two_items_claiming_one_issue_by_any_path_never_flip_it(harness: Harness) -> None:
    # The last guard: the lock says one key has the issue, a second line links it too.
    h = harness
    number, _ = _copy_linked_line(h)
    result = h.run("sync")
    assert result.outcome is not None
    written = [a for a in result.plan.issues if isinstance(a, UpdateIssue) and a.number == number]
    assert written == []


# --- 5. a slow forge never makes a duplicate -----------------------------------------------


def _create_points(h: Harness) -> list[int]:
    return [
        i + 1
        for i, r in enumerate(h.emulator.requests)
        if r.method == "POST" and r.path.endswith("/issues")
    ]


def _is_issue_create(request: object) -> bool:
    return getattr(request, "method", "") == "POST" and str(getattr(request, "path", "")).endswith(
        "/issues"
    )


@pytest.mark.parametrize("late", [3.0, 120.0], ids=["within-the-wait", "after-the-run"])
def test_a_create_applied_after_the_client_gave_up_is_never_made_twice(
    harness: Harness, late: float
) -> None:
    h = harness
    h.emulator.apply_later(after=late, where=_is_issue_create)
    runs = 0
    while True:
        runs += 1
        result = h.run("push")
        assert result.outcome is not None
        if result.outcome.error is None:
            break
        assert isinstance(result.outcome.error, TransientError)
        assert "next run" in result.outcome.error.message
        assert runs < 3
        h.emulator.advance(late)  # the scheduled job comes back later
    assert runs == (1 if late < 10 else 2)
    h.emulator.settle()
    issues = h.issues()
    assert len(issues) == 36 and len({i.body for i in issues}) == 36  # no duplicate


def test_two_open_issues_of_one_key_end_as_one(harness: Harness) -> None:
    # As two checkouts pushing the same new item at once leave it.
    h = harness
    h.run("push")
    kept = h.number_of(SIGN_IN)
    twin = h.open_issue(h.issue(kept).title, h.issue(kept).body)  # by the token's user
    result = h.run("sync")
    assert result.outcome is not None and result.outcome.error is None
    assert h.number_of(SIGN_IN) == kept
    assert h.issue(twin).closed and not h.issue(kept).closed
    if h.kind == "github":
        assert h.state_reason(twin) == "duplicate"
    comments = h.comment_texts(twin)
    assert len(comments) == 1 and f"#{kept}" in comments[0]
    assert duplicate_marker(SIGN_IN) in comments[0]
    assert any(f"#{twin} duplicates #{kept}" in n.message for n in result.plan.notes)
    h.emulator.reset_log()
    h.run("sync")
    assert h.writes() == 0 and len(h.comment_texts(twin)) == 1


# --- 8. a lost lock: no guess in either direction ------------------------------------------


def test_with_the_lock_lost_a_reopened_issue_is_not_closed_again(harness: Harness) -> None:
    h = harness
    h.run("push")
    number = h.number_of(REGISTRATION)
    assert h.issue(number).closed
    (h.root / "phasesync.lock").unlink()
    h.emulator.advance(60)
    h.reopen(number)
    before = h.doc(P2).read_bytes()
    result = h.run("sync")
    assert not h.issue(number).closed  # the person's reopen stands
    assert h.doc(P2).read_bytes() == before  # and the box is not unticked on a guess either
    conflicts = [c for c in result.plan.conflicts if c.key == REGISTRATION]
    assert len(conflicts) == 1 and "no record" in conflicts[0].message
    # A person decides; then it syncs as usual.
    result = h.run("sync", prefer="forge")
    assert not result.plan.conflicts
    assert b"- [ ] **Account registration**" in h.doc(P2).read_bytes()


def test_with_the_lock_lost_a_closed_issue_does_not_tick_its_box(harness: Harness) -> None:
    h = harness
    h.run("push")
    number = h.number_of(SIGN_IN)
    (h.root / "phasesync.lock").unlink()
    h.emulator.advance(60)
    h.close(number)
    before = h.doc(P2).read_bytes()
    result = h.run("sync")
    assert h.doc(P2).read_bytes() == before
    assert h.issue(number).closed
    assert [c.key for c in result.plan.conflicts] == [SIGN_IN]


def test_no_issue_is_closed_for_a_document_with_an_error(harness: Harness) -> None:
    # An item left out for an error on its line looks removed; nothing of that document is
    # closed until the error is fixed, while its other items sync as usual.
    h = harness
    h.run("push")
    gone = "phase-2/functional/github-oauth-sign-in"
    number = h.number_of(gone)
    path = h.doc(P2)
    good = path.read_text()
    lines = good.splitlines(keepends=True)
    start = next(i for i, ln in enumerate(lines) if "**GitHub OAuth sign-in**" in ln)
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("  "))
    removed = "".join(lines[:start] + lines[end:])
    broken = removed.replace("  - Priority: High", "  - Priority: Whenever", 1)
    path.write_text(broken)
    result = h.run("sync")
    assert result.outcome is not None
    assert not h.issue(number).closed
    assert gone in h.lock_items()
    path.write_text(removed)  # the error fixed: now the removal is decided
    h.run("sync")
    assert h.issue(number).closed
