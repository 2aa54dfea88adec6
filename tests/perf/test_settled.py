"""The settled digest: a sync with nothing to do skips parsing and planning, and only then.

Every test runs on GitHub and GitLab (the contract `Harness`) on a forge clock moved 15
minutes between runs. A run took the shortcut when `RunResult.settled` is set (it then has
no parsed documents); each test that changes one input checks that the next run does not,
and does what that change needs.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from syncer.forges.base import LabelSpec, MilestoneSpec
from syncer.sync.engine import RunResult
from syncer.sync.lock import dumps
from syncer.sync.lock_store import LockStore
from syncer.sync.render import DEFAULT_RENDER, LabelFamily
from tests.contract.conftest import Harness
from tests.perf.conftest import scheduled, settle, state

P2 = "phase-2-authentication.md"
SIGN_IN = "phase-2/functional/password-sign-in"


def settled(h: Harness) -> None:
    """The state of a scheduled job: pushed, listed once more, and one idle sync recorded."""
    settle(h)
    first = scheduled(h, "sync")
    assert first.plan.empty and not first.settled
    assert state(h).settled is not None


def took_shortcut(result: RunResult) -> bool:
    return result.settled and result.docs == () and result.plan.empty


def edit(h: Harness, old: bytes, new: bytes) -> None:
    path = h.doc(P2)
    data = path.read_bytes()
    assert data.count(old) == 1, old
    path.write_bytes(data.replace(old, new))


def test_an_idle_sync_takes_the_shortcut_with_three_reads_and_no_write(harness: Harness) -> None:
    settled(harness)
    lock = harness.root / "phasesync.lock"
    before = lock.read_bytes()
    docs = {p: p.read_bytes() for p in harness.root.glob("docs/phases/*.md")}
    for direction in ("sync", "sync", "push", "pull"):
        result = scheduled(harness, direction)
        assert took_shortcut(result), direction
        assert result.outcome is not None and result.outcome.error is None
        assert (harness.reads(), harness.writes()) == (3, 0)
    assert lock.read_bytes() == before
    assert {p: p.read_bytes() for p in docs} == docs


def test_the_run_after_a_push_records_the_digest_in_the_lock_it_writes(harness: Harness) -> None:
    """No extra lock write: the run that lists a push's own writes again saves the lock
    anyway (its listing start moves on), and records the digest in the same write."""
    settle(harness)  # first push, then a push that lists those writes again
    edit(harness, b"- [ ] **Password sign-in**", b"- [x] **Password sign-in**")
    scheduled(harness, "sync")  # closes the issue: a write
    again = scheduled(harness, "sync")  # lists that close once more, plans nothing
    assert again.plan.empty and not again.settled and len(again.snapshot.issues) == 1
    assert state(harness).settled is not None
    assert took_shortcut(scheduled(harness, "sync"))


def test_a_ticked_box_is_not_skipped(harness: Harness) -> None:
    settled(harness)
    edit(harness, b"- [ ] **Password sign-in**", b"- [x] **Password sign-in**")
    result = scheduled(harness, "sync")
    assert not result.settled and harness.writes() == 1
    assert harness.issue(harness.number_of(SIGN_IN)).closed


def test_one_changed_byte_anywhere_in_a_document_is_not_skipped(harness: Harness) -> None:
    settled(harness)
    path = harness.doc(P2)
    path.write_bytes(path.read_bytes() + b"\n")
    result = scheduled(harness, "sync")
    assert not result.settled and result.docs and result.plan.empty
    # ...and that new document is recorded as settled in turn.
    assert took_shortcut(scheduled(harness, "sync"))


def test_a_new_document_is_not_skipped(harness: Harness) -> None:
    settled(harness)
    harness.doc("phase-9-extra.md").write_bytes(
        b"# Phase 9: Extra\n\n## Implementation Plan\n\n#### Week 1: Start\n"
        b"- [ ] Write the extra thing\n"
    )
    result = scheduled(harness, "sync")
    assert not result.settled and not result.broken
    assert "phase-9/week-1/write-the-extra-thing" in harness.lock_items()


def test_a_close_on_the_forge_is_not_skipped(harness: Harness) -> None:
    settled(harness)
    harness.close(harness.number_of(SIGN_IN))
    result = scheduled(harness, "sync")
    assert not result.settled
    assert b"- [x] **Password sign-in**" in harness.doc(P2).read_bytes()


def test_a_label_deleted_or_added_on_the_forge_is_not_skipped(harness: Harness) -> None:
    settled(harness)
    harness.forge.create_label(LabelSpec("triage", "ededed"))  # someone's own label
    result = scheduled(harness, "sync")
    assert not result.settled and result.plan.empty
    assert took_shortcut(scheduled(harness, "sync"))


def test_a_milestone_edited_on_the_forge_is_not_skipped_and_is_put_back(harness: Harness) -> None:
    settled(harness)
    title = "Phase 2: User Authentication"
    due = harness.milestones()[title]
    assert due is not None
    ids = {m.title: m.id for m in harness.forge.snapshot(None).milestones}
    harness.forge.update_milestone(ids[title], MilestoneSpec(title, "", date(2030, 1, 1)))
    result = scheduled(harness, "sync")
    assert not result.settled and harness.writes() == 1
    assert harness.milestones()[title] == due


def test_a_hand_edit_of_the_lock_is_not_skipped(harness: Harness) -> None:
    settled(harness)
    store = LockStore(harness.root / "phasesync.lock")
    lock = store.load()
    st = lock.state(harness.forge.identity)
    items = dict(st.items)
    items[SIGN_IN] = replace(items[SIGN_IN], hash="0" * 16)  # as if the issue had changed
    (harness.root / "phasesync.lock").write_text(
        dumps(lock.with_state(harness.forge.identity, replace(st, items=items)))
    )
    result = scheduled(harness, "sync")
    assert not result.settled and harness.writes() == 1  # the content is sent again


def test_a_changed_setting_is_not_skipped(harness: Harness) -> None:
    settled(harness)
    render = replace(DEFAULT_RENDER, week_label=LabelFamily("week:{week}", "000000"))
    harness.config = replace(harness.config, render=render)
    result = scheduled(harness, "sync")
    assert not result.settled and result.docs


def test_explicit_paths_full_listing_and_a_journal_are_never_skipped(harness: Harness) -> None:
    settled(harness)
    assert not scheduled(harness, "sync", paths=("docs/phases/" + P2,)).settled
    assert not scheduled(harness, "sync", full=True).settled
    journal = harness.root / "phasesync.lock.journal"
    journal.write_text("")
    assert not scheduled(harness, "sync").settled
    assert not journal.exists()  # folded in (it was empty) by the run that did not skip
    assert took_shortcut(scheduled(harness, "sync"))


def test_a_dead_runs_journal_is_folded_in_rather_than_skipped(harness: Harness) -> None:
    settled(harness)
    journal = harness.root / "phasesync.lock.journal"
    journal.write_text("not json, torn by a crash\n")
    result = scheduled(harness, "sync")
    assert not result.settled and not journal.exists()


def test_documents_with_errors_are_never_recorded(harness: Harness) -> None:
    settle(harness)
    harness.doc("phase-9-broken.md").write_bytes(
        b"# Phase 9: Broken\n\n## Phase Overview\n**Phase Number**: 8\n"
    )
    for _ in range(2):
        result = scheduled(harness, "sync")
        assert not result.settled and result.broken
    assert state(harness).settled is None


def test_push_and_pull_do_not_record(harness: Harness) -> None:
    settle(harness)
    for direction in ("push", "pull", "push"):
        assert not scheduled(harness, direction).settled
    assert state(harness).settled is None


def test_a_dry_run_takes_the_shortcut_and_reports_no_outcome(harness: Harness) -> None:
    settled(harness)
    result = scheduled(harness, "sync", dry_run=True)
    assert took_shortcut(result) and result.outcome is None
    assert (harness.reads(), harness.writes()) == (3, 0)
