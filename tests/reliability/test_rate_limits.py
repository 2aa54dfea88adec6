"""Rate limits, retries, the write budget and pacing, in process with an injected sleep.

The forge's `sleep` moves the emulator's clock on instead of sleeping, so a wait of an hour
costs nothing and the emulator's limits reset exactly as the real forge's would.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from syncer.errors import RateLimited, WriteBudgetExhausted
from syncer.forges.emulator.core import Request
from syncer.forges.emulator.github import SECONDARY_LIMIT_MESSAGE, GitHubEmulator
from syncer.forges.emulator.gitlab import GitLabEmulator
from syncer.sync.apply_types import ApplyOptions
from tests.contract.conftest import Harness
from tests.reliability.conftest import (
    Expected,
    Verdict,
    assert_clean,
    check_converged,
    nth_write,
    record,
)
from tests.reliability.scenarios import fresh_harness

FORGES = ("github", "gitlab")


@dataclass
class Waits:
    """What the forge said it waited for, and how long it slept."""

    said: list[tuple[str, float]] = field(default_factory=list)
    slept: list[float] = field(default_factory=list)


@contextmanager
def rig(kind: str, root: Path, max_wait: float = 900.0) -> Iterator[tuple[Harness, Waits]]:
    waits = Waits()
    holder: list[Harness] = []

    def sleep(seconds: float) -> None:
        waits.slept.append(seconds)
        holder[0].emulator.advance(seconds)

    def on_wait(what: str, seconds: float) -> None:
        waits.said.append((what, seconds))

    with fresh_harness(kind, root, sleep=sleep, on_wait=on_wait, max_wait=max_wait) as h:
        holder.append(h)
        yield h, waits


def github(h: Harness) -> GitHubEmulator:
    assert isinstance(h.emulator, GitHubEmulator)
    return h.emulator


def gitlab(h: Harness) -> GitLabEmulator:
    assert isinstance(h.emulator, GitLabEmulator)
    return h.emulator


@pytest.fixture
def clean(references: dict[tuple[str, str], Expected]) -> dict[str, Expected]:
    return {kind: references[kind, "first"] for kind in FORGES}


def _push_clean(h: Harness, clean: dict[str, Expected]) -> Verdict:
    outcome = h.run("push").outcome
    assert outcome is not None and outcome.error is None, outcome
    verdict = check_converged(h, clean[h.kind])
    assert_clean(verdict)
    return verdict


# --- waits the server asks for ----------------------------------------------------------------


@pytest.mark.parametrize("status", [403, 429])
def test_github_primary_limit_waits_until_the_reset(
    tmp_path: Path, clean: dict[str, Expected], status: int
) -> None:
    with rig("github", tmp_path) as (h, waits):
        emu = github(h)
        emu.fail_next(where=nth_write(20, lambda _: emu.exhaust_rate_limit(300, status=status)))
        _push_clean(h, clean)
    [(what, seconds)] = waits.said
    assert 299 <= seconds <= 302  # x-ratelimit-reset against the server's Date, plus 1 s
    assert waits.slept == [seconds]
    assert "primary rate limit" in what  # the reporter adds how long and until when


@pytest.mark.parametrize("retry_after,expected", [("30", [30.0]), (None, [60.0, 120.0])])
def test_github_secondary_limit_waits_retry_after_else_a_minute_doubling(
    tmp_path: Path, clean: dict[str, Expected], retry_after: str | None, expected: list[float]
) -> None:
    with rig("github", tmp_path) as (h, waits):
        emu = github(h)
        headers = emu.rate_headers()
        if retry_after is not None:
            headers["retry-after"] = retry_after
        body = {"message": SECONDARY_LIMIT_MESSAGE}
        emu.fail_next(
            len(expected),
            where=nth_write(20, times=len(expected)),
            status=403,
            headers=headers,
            body=body,
        )
        _push_clean(h, clean)
    assert waits.slept == expected
    assert all("secondary rate limit" in what for what, _ in waits.said)


def test_github_429_without_headers_waits_a_minute(
    tmp_path: Path, clean: dict[str, Expected]
) -> None:
    """PyGithub itself does not retry a bare 429; phasesync does."""
    with rig("github", tmp_path) as (h, waits):
        h.emulator.fail_next(where=nth_write(20), status=429, body={"message": "Too Many"})
        _push_clean(h, clean)
    assert waits.slept == [60.0]


def test_gitlab_429_waits_retry_after(tmp_path: Path, clean: dict[str, Expected]) -> None:
    with rig("gitlab", tmp_path) as (h, waits):
        emu = gitlab(h)
        emu.fail_next(where=nth_write(20, lambda _: emu.throttle(2, retry_after=7)))
        _push_clean(h, clean)
    assert waits.slept == [7.0, 7.0]
    assert waits.said == [("GitLab rate limit (429)", 7.0)] * 2


@pytest.mark.parametrize("kind", FORGES)
@pytest.mark.parametrize("method", ["GET", "PATCH|PUT"])
def test_5xx_is_retried_with_growing_jittered_backoff(
    tmp_path: Path, clean: dict[str, Expected], kind: str, method: str
) -> None:
    with rig(kind, tmp_path) as (h, waits):
        if method == "GET":
            h.emulator.fail_next(3, method="GET", status=503)
        else:
            # The first close of the push (a PATCH or a PUT), and its two retries.
            h.emulator.fail_next(3, status=502, where=nth_write(20, times=3))
        _push_clean(h, clean)
    assert len(waits.slept) == 3
    for attempt, seconds in enumerate(waits.slept):
        assert 2**attempt / 2 <= seconds <= 2**attempt  # equal jitter on 1, 2, 4 s
    assert all(("503" in what or "502" in what) for what, _ in waits.said)


# --- a wait longer than --max-wait stops the run cleanly ----------------------------------------


@pytest.mark.parametrize("kind", FORGES)
def test_a_wait_past_max_wait_stops_cleanly_and_the_next_run_carries_on(
    tmp_path: Path, clean: dict[str, Expected], kind: str
) -> None:
    with rig(kind, tmp_path, max_wait=60) as (h, waits):
        emu = h.emulator
        if isinstance(emu, GitHubEmulator):
            limit = emu
            emu.fail_next(where=nth_write(30, lambda _: limit.exhaust_rate_limit(3600)))
        else:
            throttle = gitlab(h).throttle
            emu.fail_next(where=nth_write(30, lambda _: throttle(1, retry_after=3600)))
        result = h.run("push")
        assert result.outcome is not None
        assert isinstance(result.outcome.error, RateLimited)
        assert "max_wait" in result.outcome.error.describe()
        assert waits.slept == []  # it did not sit the hour out
        # Everything done so far is recorded: the lock and the links.
        created = result.outcome.created
        assert created and len(h.lock_items()) == len(created)
        docs = b"".join(h.doc(n).read_bytes() for n in (
            "phase-2-authentication.md", "phase-3-workspaces.md", "phase-4-billing.md"
        ))  # fmt: skip
        assert docs.count(b"([#") == len(created)
        emu.advance(3601)
        verdict = _push_clean(h, clean)
    record("rate limit past max_wait", "30th write", kind, 2, verdict)


# --- the write budget and pacing -------------------------------------------------------------


@pytest.mark.parametrize("kind", FORGES)
@pytest.mark.parametrize("budget", [7, 19, 25, 59])
def test_max_writes_stops_cleanly_and_repeated_runs_finish_the_push(
    tmp_path: Path, clean: dict[str, Expected], kind: str, budget: int
) -> None:
    with fresh_harness(kind, tmp_path) as h:
        _budgeted_push(h, clean, budget)


def _budgeted_push(h: Harness, clean: dict[str, Expected], budget: int) -> None:
    h.config = replace(h.config, apply=replace(h.config.apply, max_writes=budget))
    total = clean[h.kind]
    runs, remaining = 0, None
    while True:
        runs += 1
        planned = h.run("push", dry_run=True).plan.forge_writes
        if remaining is not None:
            assert planned == remaining  # the plan says how many writes are left
        result = h.run("push")
        assert result.outcome is not None
        assert result.outcome.writes <= budget
        if result.outcome.error is None:
            break
        assert isinstance(result.outcome.error, WriteBudgetExhausted)
        assert result.outcome.error.exit_code == 0
        assert "next run carries on" in result.outcome.error.describe()
        remaining = planned - budget
        assert runs < 20
    assert runs == math.ceil(60 / budget)
    verdict = check_converged(h, total)
    record("write budget", f"--max-writes {budget}", h.kind, runs, verdict)
    assert_clean(verdict)


@pytest.mark.parametrize("request_time", [0.0, 0.25, 1.5])
def test_writes_are_paced_write_interval_apart(harness: Harness, request_time: float) -> None:
    """Between the end of one write and the start of the next, at least `write_interval`
    passes (GitHub: "wait at least one second between each request")."""
    now = [1000.0]
    slept: list[float] = []
    spans: list[tuple[float, float]] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    def timed(request: Request) -> bool:
        if request.is_write:
            spans.append((now[0], now[0] + request_time))
            now[0] += request_time
        return False

    harness.emulator.fail_next(10_000, where=timed)
    options = ApplyOptions(write_interval=1.0, sleep=sleep, clock=lambda: now[0])
    harness.config = replace(harness.config, apply=options)
    result = harness.run("push")
    assert result.outcome is not None and result.outcome.writes == 60 == len(spans)
    assert slept == pytest.approx([1.0] * 59)
    gaps = [start - end for (_, end), (start, _) in itertools.pairwise(spans)]
    assert min(gaps) == pytest.approx(1.0)
    assert now[0] - 1000.0 == pytest.approx(59 * 1.0 + 60 * request_time)
