"""The lock and its creation journal across crashes: what survives, what is replayed, and
that a replay never rolls newer knowledge back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from syncer.forges.emulator.core import Reply, Request
from syncer.sync.lock import LockEntry
from syncer.sync.lock_store import LockStore
from tests.contract.conftest import Harness
from tests.reliability.conftest import (
    Death,
    Expected,
    Killed,
    arm_kill,
    assert_clean,
    check_converged,
    kill_on_replace,
    nth_write,
)
from tests.reliability.scenarios import P2, fresh_harness, reference

REGISTRATION = "phase-2/functional/account-registration"  # ticked in the example


@pytest.fixture(params=["github", "gitlab"])
def h(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    with fresh_harness(request.param, tmp_path) as harness:
        yield harness


@pytest.fixture
def clean(h: Harness) -> Expected:
    return reference(h.kind, "first")


def _store(h: Harness) -> LockStore:
    return LockStore(h.root / "phasesync.lock")


def test_a_journal_left_after_the_lock_was_saved_does_not_roll_it_back(
    h: Harness, death: Death, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Die right after the lock is renamed into place, before the journal is dropped: the
    # journal still says "created open" for issues the lock knows are closed.
    kill_on_replace(monkeypatch, death, 4, after=True)
    with pytest.raises(Killed):
        h.run("push")
    death.dead = False
    monkeypatch.undo()
    assert _store(h).journal.exists()
    n = h.number_of(REGISTRATION)
    assert h.issue(n).closed and h.lock_items()[REGISTRATION].checked
    # The user unticks the box: a change in the document since the last sync.
    path = h.doc(P2)
    data = path.read_bytes()
    path.write_bytes(
        data.replace(b"- [x] **Account registration**", b"- [ ] **Account registration**")
    )
    result = h.run("sync")
    assert result.outcome is not None and result.outcome.error is None
    assert not result.plan.conflicts
    assert not h.issue(n).closed, "the untick was lost: the journal rolled the lock back"
    assert b"- [ ] **Account registration**" in h.doc(P2).read_bytes()


def test_an_interrupted_run_does_not_move_the_listing_start(h: Harness) -> None:
    def interrupt(_: object) -> None:
        raise KeyboardInterrupt

    h.emulator.fail_next(where=nth_write(30, interrupt))
    with pytest.raises(KeyboardInterrupt):
        h.run("push")
    state = _store(h).load().state(h.forge.identity)
    assert state.items  # what was done is recorded...
    assert state.synced_at is None and state.listed_at is None  # ...but the run is not done


@pytest.mark.parametrize(
    "damage",
    [b'{"forge": "github:github.com/acme/pl', b"\xff\xfe\x00garbage\n", b"[1, 2]\n", b"null\n"],
    ids=["torn-line", "binary", "not-an-object", "null"],
)
def test_a_damaged_journal_line_is_skipped_and_the_issue_found_by_its_marker(
    h: Harness, death: Death, clean: Expected, damage: bytes
) -> None:
    arm_kill(h.emulator, 40, after_apply=True, death=death)
    with pytest.raises(Killed):
        h.run("push")
    death.dead = False
    journal = _store(h).journal
    lines = journal.read_bytes().splitlines(keepends=True)
    assert len(lines) > 5
    # The last journaled creation is torn as a crash during its write would leave it.
    journal.write_bytes(b"".join(lines[:-1]) + damage)
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None
    assert_clean(check_converged(h, clean))


def test_a_first_run_refused_at_its_first_write_leaves_no_lock(h: Harness) -> None:
    h.emulator.fail_next(status=403, body={"message": "Forbidden"}, method="POST")
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is not None
    assert not (h.root / "phasesync.lock").exists()
    assert not _store(h).journal.exists()


def test_an_idle_run_does_not_rewrite_the_lock(h: Harness) -> None:
    """Unless the server's clock moved on (then the listing start moves, and is saved)."""
    h.emulator.set_time(h.emulator.now())
    h.run("push")
    h.run("sync")
    lock = h.root / "phasesync.lock"
    before = lock.stat().st_mtime_ns, lock.stat().st_ino
    h.run("push")
    assert (lock.stat().st_mtime_ns, lock.stat().st_ino) == before


def test_a_journaled_creation_is_in_the_next_load(h: Harness) -> None:
    """`record` then `load`, no `save` in between (the run died): the entry is there."""
    store = _store(h)
    entry = LockEntry(issue=7, file="docs/phases/x.md", title="T", hash="h", checked=False)
    store.record(h.forge.identity, "phase-9/week-1/t", entry)
    assert not store.path.exists()
    assert store.load().state(h.forge.identity).items == {"phase-9/week-1/t": entry}


def _hide_from_listings(h: Harness, number: int) -> None:
    """The issue is not in the forge's listings yet: GitHub and GitLab list from replicas
    and search indexes that lag a write by a moment. Fetched by number, it is there."""
    route = h.emulator.route
    field = "number" if h.kind == "github" else "iid"

    def lagging(request: Request) -> Reply:
        reply = route(request)
        if request.method == "GET" and request.path.endswith("/issues"):
            shown = [i for i in reply.body if i[field] != number]
            reply = Reply(reply.status, shown, reply.headers)
        return reply

    h.emulator.route = lagging  # type: ignore[method-assign]


def test_the_journal_not_the_listing_is_what_knows_a_creation_after_a_crash(
    h: Harness, death: Death
) -> None:
    """A push dies right after its first creation (journaled, the lock not yet rewritten);
    the next listing does not show that issue yet. Only the journal's replay tells the next
    run that the item has its issue: without it, the item would be created a second time.
    (This test fails when `LockStore._replay` is turned off.)"""
    h.run("push")
    h.run("sync")  # settled: the next run lists incrementally, trusting the lock
    path = h.doc(P2)
    data = path.read_bytes()
    end = data.index(b"\n", data.index(b"- [ ] Rate limiting on registration")) + 1
    added = b"- [ ] Audit log of sign-ins\n- [ ] Lockout after failed sign-ins\n"
    path.write_bytes(data[:end] + added + data[end:])
    arm_kill(h.emulator, 2, after_apply=False, death=death)  # dies at the second creation
    with pytest.raises(Killed):
        h.run("push")
    death.dead = False
    assert _store(h).journal.exists()
    first = next(i.number for i in h.issues() if i.title == "Audit log of sign-ins")
    _hide_from_listings(h, first)
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None
    titles = [i.title for i in h.issues()]
    assert titles.count("Audit log of sign-ins") == 1, "created twice: the journal was not replayed"
    assert titles.count("Lockout after failed sign-ins") == 1
    assert h.number_of("phase-2/week-1/audit-log-of-sign-ins") == first
