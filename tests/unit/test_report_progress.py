"""Progress without a terminal (CI logs): a plain line every N steps or S seconds, with the
count, the rate and the time left; with a terminal, the bar (and no such lines)."""

from __future__ import annotations

import io

from rich.console import Console

from syncer.report_sync import RichReporter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def reporter(terminal: bool, clock: Clock, quiet: bool = False) -> tuple[RichReporter, io.StringIO]:
    out = io.StringIO()
    console = Console(file=out, force_terminal=terminal, width=120, color_system=None)
    return RichReporter(console, quiet, every_steps=50, every_seconds=30, clock=clock), out


def test_plain_lines_every_fifty_steps_with_rate_and_eta() -> None:
    clock = Clock()
    rep, out = reporter(False, clock)
    rep.start(1000)
    for _ in range(120):
        clock.now += 0.2
        rep.step("create issue")
    rep.stop()
    assert out.getvalue().splitlines() == [
        "progress: 50/1000 (5%), 5.0/s, about 3m10s left",
        "progress: 100/1000 (10%), 5.0/s, about 3m00s left",
        "progress: 120/1000 (12%), 5.0/s, about 2m56s left",  # the last, at stop
    ]


def test_one_write_a_second_prints_every_thirty_seconds() -> None:
    clock = Clock()
    rep, out = reporter(False, clock)
    rep.start(4000)
    for _ in range(90):
        clock.now += 1.0  # one write a second, as GitHub asks
        rep.step("create issue")
    rep.stop()
    assert out.getvalue().splitlines() == [
        "progress: 30/4000 (0%), 1.0/s, about 1h06m left",
        "progress: 60/4000 (1%), 1.0/s, about 1h05m left",
        "progress: 90/4000 (2%), 1.0/s, about 1h05m left",
    ]


def test_a_slow_run_prints_every_thirty_seconds() -> None:
    clock = Clock()
    rep, out = reporter(False, clock)
    rep.start(10)
    for _ in range(3):
        clock.now += 20.0
        rep.step("update issue")
    rep.stop()
    assert out.getvalue().splitlines() == [
        "progress: 2/10 (20%), 0.1/s, about 2m40s left",
        "progress: 3/10 (30%), 0.1/s, about 2m20s left",
    ]


def test_quiet_and_terminal_print_no_plain_lines() -> None:
    clock = Clock()
    for rep, out in (reporter(False, clock, quiet=True), reporter(True, clock)):
        rep.start(200)
        for _ in range(200):
            clock.now += 1.0
            rep.step("x")
        rep.stop()
        assert "progress:" not in out.getvalue()


def test_a_wait_is_one_line_and_a_pause_under_a_second_is_none() -> None:
    rep, out = reporter(False, Clock())
    rep.wait("room under the forge's write limit (80 per minute)", 0.02)
    rep.wait("room under the forge's write limit (80 per minute)", 0.99)
    assert out.getvalue() == ""  # pacing, not a wait anyone needs to hear about
    rep.wait("GitHub secondary rate limit", 30)
    (line,) = out.getvalue().splitlines()
    assert line.startswith("waiting 30 s (until ") and line.endswith(
        "UTC): GitHub secondary rate limit"
    )
