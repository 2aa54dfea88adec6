"""A first push that rides GitHub's content-creation ceiling (issue 15, point 3).

The emulator enforces GitHub's limits (80 writes a minute, 500 an hour, on its own clock)
and answers a secondary rate limit past them; phasesync's waits and the emulator's time are
one virtual clock, so an hours-long push takes a second of test time.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from benchmarks.docset import write_docset
from syncer.errors import CeilingReached
from syncer.sync.ceiling import GITHUB_LIMITS, Ceiling, ceiling_of, describe_estimate
from syncer.sync.engine import RunResult
from syncer.sync.lock_store import LockStore
from tests.contract.conftest import Harness

HOUR = 3600.0


def ride(h: Harness) -> None:
    """The emulator in its realistic mode, and phasesync's clocks on the emulator's."""
    h.emulator.set_time(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    h.emulator.content_limits = GITHUB_LIMITS  # type: ignore[attr-defined]

    def now() -> float:
        return h.emulator.now().timestamp()

    apply = replace(
        h.config.apply,
        write_interval=0,
        ceiling=Ceiling(GITHUB_LIMITS),
        sleep=h.emulator.advance,
        wall=now,
        clock=now,
    )
    h.config = replace(h.config, apply=apply)


def hourly_until_done(h: Harness, start: float, limit: int = 10) -> tuple[list[RunResult], float]:
    """Scheduled pushes, one an hour (as the CI job), until one finishes; the end time."""
    results: list[RunResult] = []
    for run in range(limit):
        target = start + run * HOUR
        now = h.emulator.now().timestamp()
        if target > now:
            h.emulator.advance(target - now)
        result = h.run("push")
        results.append(result)
        assert result.outcome is not None
        if result.outcome.error is None:
            return results, h.emulator.now().timestamp()
        assert isinstance(result.outcome.error, CeilingReached), result.outcome.error
    raise AssertionError(f"not done after {limit} hourly runs")


@pytest.mark.parametrize("harness", ["github"], indirect=True)
def test_a_first_push_of_1000_items_rides_the_ceiling(harness: Harness) -> None:
    h = harness
    for old in (h.root / "docs" / "phases").glob("*.md"):
        old.unlink()
    write_docset(h.root, 1000)
    ride(h)
    start = h.emulator.now().timestamp()
    results, end = hourly_until_done(h, start)
    writes = sum(r.outcome.writes for r in results if r.outcome is not None)
    assert h.emulator.secondary_hits == 0  # type: ignore[attr-defined]
    # No duplicate across the runs it spans: one issue per item.
    issues = h.issues()
    assert len(issues) == 1000 and len({i.body for i in issues}) == 1000
    assert len(h.lock_items()) == 1000
    # As fast as the ceiling allows: the last write lands in the third hour, within 5% of
    # the minimum (two full hours of 500, then the rest at 80 a minute).
    assert 1000 < writes <= 1500 and len(results) == -(-writes // 500)
    minimum = (writes - 1) // 500 * HOUR + ((writes - 1) % 500) // 80 * 60
    assert minimum <= end - start <= minimum * 1.05
    # And a second push sends nothing.
    h.emulator.reset_log()
    h.run("push")
    assert h.writes() == 0


@pytest.mark.parametrize("harness", ["github"], indirect=True)
def test_the_runs_of_an_hour_share_one_budget_through_the_lock(harness: Harness) -> None:
    h = harness
    for old in (h.root / "docs" / "phases").glob("*.md"):
        old.unlink()
    write_docset(h.root, 600)
    ride(h)
    first = h.run("push")
    assert first.outcome is not None and isinstance(first.outcome.error, CeilingReached)
    assert first.outcome.writes == 500
    recorded = LockStore(h.root / "phasesync.lock").load().state(h.forge.identity)
    assert len(recorded.recent_writes) == 500
    # A run ten minutes later (a push from a laptop, say) has no room left: it stops at
    # once, sending nothing, and says when there is room again.
    h.emulator.advance(600)
    h.emulator.reset_log()
    second = h.run("push")
    assert second.outcome is not None and isinstance(second.outcome.error, CeilingReached)
    assert h.writes() == 0 and second.outcome.error.exit_code == 0
    assert "next run carries on" in second.outcome.error.describe()
    assert h.emulator.secondary_hits == 0  # type: ignore[attr-defined]


def test_the_ceiling_waits_for_the_write_that_frees_a_slot() -> None:
    ceiling = Ceiling(((3, 60.0), (5, 3600.0)))
    assert ceiling.wait([], 0.0) == 0.0
    assert ceiling.wait([0.0, 1.0], 2.0) == 0.0
    assert ceiling.wait([0.0, 1.0, 2.0], 2.0) == 58.0  # the minute is full until t=60
    assert ceiling.wait([0.0, 1.0, 2.0, 61.0, 62.0], 63.0) == 3537.0  # full until t=3600
    assert ceiling.keep([0.0, 10.0, 4000.0], 4001.0) == (4000.0,)
    assert ceiling.keep([0.0, 10.0, 4000.0], 3605.0) == (10.0, 4000.0)


def test_the_forge_decides_the_default_ceiling() -> None:
    assert ceiling_of("github", None, None).limits == GITHUB_LIMITS
    assert ceiling_of("gitlab", None, None).limits == ()
    assert ceiling_of("gitlab", None, 300).limits == ((300, 3600.0),)
    assert ceiling_of("github", 0, 0).limits == ()


def test_the_plan_says_how_long_the_ceiling_makes_a_push_take() -> None:
    text = describe_estimate(1100, Ceiling(GITHUB_LIMITS), 1.0)
    assert text == "1,100 writes: at most 500 an hour, about 2 h 1 min over 3 hourly runs"
    assert describe_estimate(40, Ceiling(GITHUB_LIMITS), 1.0) is None


def _one_phase(h: Harness, items: int) -> None:
    """`items` items in one phase (a parent per section), with `phase_parents` on."""
    for old in (h.root / "docs" / "phases").glob("*.md"):
        old.unlink()
    write_docset(h.root, items)
    h.config = replace(h.config, phase_parents=True)


@pytest.mark.parametrize("harness", ["github"], indirect=True)
def test_phase_parents_are_paced_by_the_ceiling_like_every_write(harness: Harness) -> None:
    """The parents are made first, before the items are planned: their creates count in
    the same rolling minute and hour as the applier's writes (else the applier, counting
    from zero, meets GitHub's secondary limit within the first minute)."""
    h = harness
    _one_phase(h, 250)
    ride(h)
    start = h.emulator.now().timestamp()
    results, end = hourly_until_done(h, start)
    writes = sum(r.outcome.writes for r in results if r.outcome is not None)
    parents = results[0].outcome.parents if results[0].outcome is not None else None
    assert parents is not None and parents.created > 2
    assert h.emulator.secondary_hits == 0  # type: ignore[attr-defined]
    assert writes > 500 and len(results) == -(-writes // 500)
    minimum = (writes - 1) // 500 * HOUR + ((writes - 1) % 500) // 80 * 60
    assert minimum <= end - start <= minimum * 1.05
    # One issue per item and per parent, across the runs.
    bodies = [i.body for i in h.issues()]
    assert len(bodies) == len(set(bodies)) == 250 + parents.created
    h.emulator.reset_log()
    h.run("push")
    assert h.writes() == 0


@pytest.mark.parametrize("harness", ["github"], indirect=True)
def test_parents_stop_at_the_ceiling_and_the_next_run_carries_on(harness: Harness) -> None:
    """An hour's budget nearly spent by earlier runs: the parents use what is left, their
    times join the lock's, and the run stops cleanly before the items; the next run with
    room makes the rest, with no duplicate and no secondary-limit answer."""
    h = harness
    _one_phase(h, 120)
    ride(h)
    now = h.emulator.now().timestamp()
    spent = [now - 1800 + i for i in range(495)]  # 495 writes half an hour ago
    h.emulator._writes_at = list(spent)  # type: ignore[attr-defined]
    store = LockStore(h.root / "phasesync.lock")
    lock = store.load()
    state = replace(lock.state(h.forge.identity), recent_writes=tuple(spent))
    store.save(lock.with_state(h.forge.identity, state))
    first = h.run("push")
    assert first.outcome is not None and isinstance(first.outcome.error, CeilingReached)
    assert first.outcome.writes == 5
    assert first.outcome.parents is not None and first.outcome.parents.created == 5
    assert h.emulator.secondary_hits == 0  # type: ignore[attr-defined]
    recorded = LockStore(h.root / "phasesync.lock").load().state(h.forge.identity)
    assert len(recorded.recent_writes) == 500 and len(recorded.structure) == 5
    results, _ = hourly_until_done(h, now + 1800)
    assert h.emulator.secondary_hits == 0  # type: ignore[attr-defined]
    bodies = [i.body for i in h.issues()]
    assert (
        len(bodies)
        == len(set(bodies))
        == 120
        + len(recorded.structure)
        + sum(
            r.outcome.parents.created
            for r in results
            if r.outcome is not None and r.outcome.parents is not None
        )
    )
