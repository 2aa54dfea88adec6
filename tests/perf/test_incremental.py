"""Incremental listing: what a run lists, what it trusts the lock for, and when it must not.

Every test runs on GitHub and GitLab (the contract `Harness`), on a forge clock frozen and
moved 15 minutes between runs, and asserts what the emulator saw: request counts and the
`since` / `updated_after` a listing carried, never times.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from syncer.forges.base import Forge, Snapshot
from syncer.sync.engine import OVERLAP, RunRequest, run
from syncer.sync.lock_store import LockStore
from tests.contract.conftest import Harness
from tests.perf.conftest import listing_start, scheduled, settle, start_clock, state

P2 = "phase-2-authentication.md"
SIGN_IN = "phase-2/functional/password-sign-in"
RESET = "phase-2/functional/password-reset"


def edit(h: Harness, name: str, old: bytes, new: bytes) -> None:
    path = h.doc(name)
    data = path.read_bytes()
    assert data.count(old) == 1, old
    path.write_bytes(data.replace(old, new))


def ticked(h: Harness, title: bytes) -> bool:
    return b"- [x] **" + title + b"**" in h.doc(P2).read_bytes()


def _iso_seconds(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


# --- what is listed ----------------------------------------------------------------------


def test_first_run_lists_completely_and_records_the_listing_start(harness: Harness) -> None:
    start_clock(harness)
    began = harness.emulator.now()
    result = harness.run("push")
    assert result.snapshot.complete and listing_start(harness) is None
    lock = state(harness)
    # The forge's clock when the listing began, not the end of the run (its writes).
    assert lock.synced_at == began and lock.listed_at == began


def test_next_runs_list_from_synced_at_minus_the_overlap(harness: Harness) -> None:
    settle(harness)
    synced = state(harness).synced_at
    assert synced is not None
    result = scheduled(harness, "sync")
    assert not result.snapshot.complete
    sent = listing_start(harness)
    assert sent is not None and sent.startswith(_iso_seconds(synced - OVERLAP))


def test_after_a_push_the_touched_issues_are_listed_once_then_nothing(harness: Harness) -> None:
    start_clock(harness)
    harness.run("push")
    # The first push's 36 creates were stamped after its listing began: listed once more.
    again = scheduled(harness, "push")
    assert len(again.snapshot.issues) == 36 and harness.writes() == 0
    idle = scheduled(harness, "sync")
    assert idle.snapshot.issues == () and idle.plan.empty
    assert (harness.reads(), harness.writes()) == (3, 0)  # labels, milestones, issues


def test_own_write_is_listed_once_more_and_sends_nothing(harness: Harness) -> None:
    settle(harness)
    edit(harness, P2, b"- [ ] **Password sign-in**", b"- [x] **Password sign-in**")
    scheduled(harness, "sync")
    assert harness.writes() == 1
    after = scheduled(harness, "sync")
    assert [i.number for i in after.snapshot.issues] == [harness.number_of(SIGN_IN)]
    assert harness.writes() == 0 and after.plan.empty
    last = scheduled(harness, "sync")
    assert last.snapshot.issues == () and harness.reads() == 3


def test_full_flag_lists_completely(harness: Harness) -> None:
    settle(harness)
    result = scheduled(harness, "sync", full=True)
    assert result.snapshot.complete and len(result.snapshot.issues) == 36
    assert listing_start(harness) is None and harness.writes() == 0


def test_an_old_complete_listing_is_done_again(harness: Harness) -> None:
    harness.config = replace(harness.config, full_listing_after=timedelta(hours=1))
    # The last complete listing happened two hours ago by the forge's clock.
    harness.emulator.set_time(datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2))
    harness.run("push")
    harness.emulator.reset_log()
    harness.emulator.set_time(datetime.now(UTC).replace(microsecond=0))
    result = harness.run("sync")
    assert result.snapshot.complete and listing_start(harness) is None
    assert state(harness).listed_at == harness.emulator.now()


# --- inconsistencies ---------------------------------------------------------------------


def test_an_issue_absent_from_lock_and_listing_forces_a_complete_listing(
    harness: Harness,
) -> None:
    settle(harness)
    # The lock forgot one item (a bad merge), but its document line still links the issue.
    store = LockStore(harness.root / "phasesync.lock")
    lock = store.load()
    kept = state(harness)
    n = kept.items[SIGN_IN].issue
    items = {k: v for k, v in kept.items.items() if k != SIGN_IN}
    store.save(lock.with_state(harness.forge.identity, replace(kept, items=items)))
    result = scheduled(harness, "sync")
    assert result.snapshot.complete and len(result.snapshot.issues) == 36
    assert harness.writes() == 0 and len(harness.issues()) == 36
    assert harness.number_of(SIGN_IN) == n


def test_an_issue_gone_from_the_forge_is_recreated_in_the_same_run(harness: Harness) -> None:
    settle(harness)
    n = harness.number_of(SIGN_IN)
    if harness.kind == "github":
        del harness.emulator.repo().issues[n]  # type: ignore[attr-defined]
    else:
        del harness.emulator.project().issues[n]  # type: ignore[attr-defined]
    # The incremental listing cannot show a deletion; the write to it answers 404.
    edit(harness, P2, b"- [ ] **Password sign-in**", b"- [x] **Password sign-in**")
    result = scheduled(harness, "sync")
    assert result.outcome is not None and result.outcome.error is None
    assert result.snapshot.complete
    created = harness.number_of(SIGN_IN)
    assert created != n and harness.issue(created).closed
    assert any("no longer exists" in note.message for note in result.plan.notes)


# --- changes that must survive the listing window ----------------------------------------


class _CloseAfterListing:
    """The real adapter; someone closes an issue on the forge right after our listing."""

    def __init__(self, forge: Forge, close: Any) -> None:
        self._forge = forge
        self._close = close

    def __getattr__(self, name: str) -> Any:
        return getattr(self._forge, name)

    def snapshot(self, since: datetime | None = None) -> Snapshot:
        snap = self._forge.snapshot(since)
        self._close()
        return snap


def test_a_close_between_our_listing_and_our_writes_is_not_lost(harness: Harness) -> None:
    settle(harness)
    n = harness.number_of(RESET)
    edit(harness, P2, b"- [ ] **Password sign-in**", b"- [x] **Password sign-in**")
    harness.emulator.advance(15 * 60)

    began = harness.emulator.now()

    def close() -> None:
        harness.emulator.advance(1)
        harness.close(n)
        # The run goes on writing for ten minutes, far past the overlap: a `synced_at`
        # taken at the end of the run would start the next listing after the close.
        harness.emulator.advance(600)

    forge = _CloseAfterListing(harness.forge, close)
    result = run(forge, harness.root, harness.config, RunRequest("sync"))  # type: ignore[arg-type]
    assert result.outcome is not None and result.outcome.error is None
    assert state(harness).synced_at == began
    assert not ticked(harness, b"Password reset")  # not seen by this run
    after = scheduled(harness, "sync")
    assert n in {i.number for i in after.snapshot.issues}
    assert ticked(harness, b"Password reset") and harness.writes() == 0


def test_a_conflict_is_reported_again_by_the_next_incremental_run(harness: Harness) -> None:
    settle(harness)
    n = harness.number_of(SIGN_IN)
    edit(harness, P2, b"**Password sign-in**", b"**Password login**")
    harness.set_title(n, "Sign in with password")
    first = scheduled(harness, "sync")
    assert len(first.plan.conflicts) == 1
    # The forge's change is older than this run's listing: only the lock can bring it back.
    second = scheduled(harness, "sync")
    assert [(c.document, c.forge) for c in second.plan.conflicts] == [
        ("Password login", "Sign in with password")
    ]
    assert harness.issue(n).title == "Sign in with password" and harness.writes() == 0


def test_a_close_seen_by_a_push_is_still_pulled_later(harness: Harness) -> None:
    settle(harness)
    n = harness.number_of(SIGN_IN)
    harness.close(n)
    scheduled(harness, "push")  # sees the close; a push never ticks a box
    scheduled(harness, "push")  # a later incremental run, after the close's window
    assert not ticked(harness, b"Password sign-in")
    scheduled(harness, "pull")
    assert ticked(harness, b"Password sign-in")
    # Once the document agrees, the window moves on again.
    idle = scheduled(harness, "sync")
    assert idle.snapshot.issues == () and harness.reads() == 3


def test_a_change_outside_the_run_paths_is_seen_by_a_later_run(harness: Harness) -> None:
    settle(harness)
    n = harness.number_of("phase-3/functional/invite-members")
    harness.close(n)
    scheduled(harness, "sync", paths=("docs/phases/" + P2,))
    scheduled(harness, "sync", paths=("docs/phases/" + P2,))
    scheduled(harness, "sync")
    assert b"* [x] **Invite members**" in harness.doc("phase-3-workspaces.md").read_bytes()


def test_an_idle_run_leaves_the_lock_byte_for_byte(harness: Harness) -> None:
    settle(harness)
    # The first sync to find nothing to do records its inputs as settled; that one run
    # writes the lock (see the settled-digest tests).
    scheduled(harness, "sync")
    lock = harness.root / "phasesync.lock"
    before = lock.read_bytes()
    for _ in range(2):
        idle = scheduled(harness, "sync")
        assert idle.plan.empty and idle.outcome is not None and idle.outcome.error is None
    # Nothing for a scheduled job to commit...
    assert lock.read_bytes() == before
    # ...and a change made after those runs is still listed from the old starting point.
    n = harness.number_of(SIGN_IN)
    harness.close(n)
    after = scheduled(harness, "sync")
    assert [i.number for i in after.snapshot.issues] == [n]
    assert ticked(harness, b"Password sign-in") and harness.reads() == 3
