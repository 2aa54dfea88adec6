"""One waiting line per wait, through the command line: the emulators answer with real rate
limits (GitHub's primary and secondary limits, GitLab's 429) over loopback, and the CLI's
stderr is counted. Each wait is announced once, by the reporter, in one shape: how long,
until when, and what for; the clients' own retries are off, so no second layer repeats it,
and nothing is printed while a wait lasts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from syncer.forges.emulator.github import SECONDARY_LIMIT_MESSAGE, GitHubEmulator
from syncer.forges.emulator.gitlab import GitLabEmulator
from tests.e2e.conftest import Loopback, open_loopback
from tests.reliability.conftest import nth_write

pytestmark = pytest.mark.e2e

WAITING = re.compile(
    r"^waiting (?P<seconds>\d+(\.\d)?) s \(until \d\d:\d\d:\d\d UTC\): (?P<what>\S.*)$"
)


def waiting_lines(stderr: str) -> list[re.Match[str]]:
    """The waiting lines, each checked for its shape; every other line that speaks of a
    wait or a retry is a second announcement and fails the test."""
    found = []
    for line in stderr.splitlines():
        match = WAITING.match(line)
        if match is not None:
            found.append(match)
        else:
            assert not re.search(r"\bwait|\bretry|retrying|sleep", line, re.I), line
    return found


def test_two_refusals_of_one_request_are_two_waits_each_said_once(loopback: Loopback) -> None:
    emu = loopback.emulator
    if isinstance(emu, GitHubEmulator):
        headers = {**emu.rate_headers(), "retry-after": "1"}
        body = {"message": SECONDARY_LIMIT_MESSAGE}
        emu.fail_next(2, where=nth_write(6, times=2), status=403, headers=headers, body=body)
        what = "GitHub secondary rate limit"
    else:
        assert isinstance(emu, GitLabEmulator)
        gitlab = emu
        emu.fail_next(where=nth_write(5, lambda _: gitlab.throttle(2, retry_after=1)))
        what = "GitLab rate limit (429)"
    proc = loopback.cli("push")
    waits = waiting_lines(proc.stderr)
    assert [(w["seconds"], w["what"]) for w in waits] == [("1.0", what)] * 2, proc.stderr
    assert len(loopback.harness.issues()) == 36  # and the push went on to the end


def test_the_github_primary_limit_is_one_wait_until_its_reset(tmp_path: Path) -> None:
    # GitLab has no primary budget with a reset: its limit is the 429 above.
    with open_loopback("github", tmp_path) as lb:
        github = lb.emulator
        assert isinstance(github, GitHubEmulator)
        github.fail_next(where=nth_write(5, lambda _: github.exhaust_rate_limit(1)))
        proc = lb.cli("push")
        (wait,) = waiting_lines(proc.stderr)
        assert wait["what"] == "GitHub primary rate limit (5000 of 5000 requests used)"
        assert 1.0 <= float(wait["seconds"]) <= 3.0  # the reset on the server's clock, + 1 s
        assert len(lb.harness.issues()) == 36


def test_a_push_with_no_limit_met_says_no_wait(loopback: Loopback) -> None:
    proc = loopback.cli("push")
    assert waiting_lines(proc.stderr) == []
