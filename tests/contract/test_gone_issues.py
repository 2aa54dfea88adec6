"""An issue that left the repository: deleted (GitHub 410, GitLab 404), transferred
(GitHub 301 to its new place) or moved (GitLab: closed with `moved_to_id`). phasesync treats
each as gone: no crash, no write to the issue where it lives now, the item gets a new issue
in the same run, the run says so, and the document's link follows."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from syncer.markdown.parse import parse_document
from tests.contract.conftest import Harness

P2 = "phase-2-authentication.md"
SIGN_IN = "phase-2/functional/password-sign-in"
OLD_TEXT = b"receive a session cookie."


def _delete(h: Harness, n: int) -> None:
    h.emulator.delete_issue(n)  # type: ignore[attr-defined]


def _transfer(h: Harness, n: int) -> None:
    if h.kind == "github":
        h.emulator.transfer_issue(n, "acme/elsewhere")  # type: ignore[attr-defined]
    else:
        h.emulator.move_issue(n, "acme/elsewhere")  # type: ignore[attr-defined]


GONE: dict[str, Callable[[Harness, int], None]] = {"deleted": _delete, "transferred": _transfer}


def _edit_sign_in(h: Harness) -> None:
    path = h.doc(P2)
    data = path.read_bytes()
    assert data.count(OLD_TEXT) == 1
    path.write_bytes(data.replace(OLD_TEXT, b"receive a session cookie (edited)."))


def _link_of(h: Harness, key: str) -> int | None:
    doc = parse_document(P2, h.doc(P2).read_bytes())
    assert doc.phase is not None
    item = next(i for i in doc.phase.items if str(i.key) == key)
    return item.link.number if item.link else None


def _elsewhere_untouched(h: Harness, how: str, before: str | None) -> None:
    """The issue where it lives now was not written to."""
    if how == "transferred" and h.kind == "github":
        moved = h.emulator.issues(repo="acme/elsewhere")  # type: ignore[attr-defined]
        assert [i["title"] for i in moved] == ["Password sign-in"]
        assert moved[0]["body"] == before
        assert not [r for r in h.emulator.requests if r.path.startswith("/repositories/")]


@pytest.mark.parametrize("how", list(GONE))
@pytest.mark.parametrize("edited", [True, False], ids=["edited", "unchanged"])
def test_a_gone_issue_is_created_anew_and_the_run_says_so(
    harness: Harness, how: str, edited: bool
) -> None:
    h = harness
    h.run("push")
    h.run("sync")  # settle: the next listing is incremental
    old = h.number_of(SIGN_IN)
    body_before = h.issue(old).body
    GONE[how](h, old)
    if edited:
        _edit_sign_in(h)  # an update of the gone issue is planned from the lock
    result = h.run("push", full=not edited)
    assert result.outcome is not None and result.outcome.error is None, result.outcome
    notes = [n.message for n in result.plan.notes if n.key == SIGN_IN]
    assert notes == [f"#{old} no longer exists; creating a new issue"], result.plan.notes
    new = h.number_of(SIGN_IN)
    assert new != old and new in result.outcome.created
    assert _link_of(h, SIGN_IN) == new  # the document's link follows the new issue
    signs = [i.number for i in h.issues() if i.title == "Password sign-in"]
    # A moved GitLab issue stays listed, closed; a transferred or deleted one is not there.
    assert signs == ([old, new] if how == "transferred" and h.kind == "gitlab" else [new])
    _elsewhere_untouched(h, how, body_before)
    # Settled: nothing more to do, and no second new issue, on either kind of listing.
    h.emulator.reset_log()
    h.run("push")
    h.run("push", full=True)
    assert h.writes() == 0
    assert h.number_of(SIGN_IN) == new


@pytest.mark.parametrize("how", list(GONE))
def test_an_update_of_a_gone_issue_does_not_stop_the_run(harness: Harness, how: str) -> None:
    """The lock says #N, the incremental listing does not show it, the document changed: the
    update is sent and answered 301 (transferred), 404 or 410 (deleted); the same run plans
    again on a complete listing and creates the item anew. (GitLab lists a moved issue,
    closed with `moved_to_id`: that listing alone says it is gone.)"""
    h = harness
    h.run("push")
    h.run("sync")
    old = h.number_of(SIGN_IN)
    GONE[how](h, old)
    _edit_sign_in(h)
    h.emulator.reset_log()
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None
    assert h.number_of(SIGN_IN) != old
    listed_gone = h.kind == "gitlab" and how == "transferred"
    assert result.snapshot.complete != listed_gone
    writes = [(r.method, r.path) for r in h.emulator.requests if r.is_write]
    to_old = [w for w in writes if w[1].rstrip("/").endswith(f"/issues/{old}")]
    assert len(to_old) == (0 if listed_gone else 1), writes  # tried once, never followed
