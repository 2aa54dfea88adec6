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
