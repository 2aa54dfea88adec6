"""The command line under faults: a real `kill -9` mid-push, the waits it reports, a wait
past `--max-wait`, and a push spread over runs by `--max-writes`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from syncer.forges.emulator.github import GitHubEmulator
from syncer.forges.emulator.gitlab import GitLabEmulator
from tests.e2e.conftest import Loopback
from tests.reliability.conftest import (
    DOCS,
    Expected,
    assert_clean,
    check_converged,
    nth_write,
    record,
)

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("kind,at", [("github", 40), ("gitlab", 15), ("github", 58)])
def test_kill_9_mid_push_then_push_again_ends_as_one_clean_push(
    lb: Loopback, references: dict[tuple[str, str], Expected], kind: str, at: int
) -> None:
    lb.emulator.latency = 0.03  # slow enough to aim the kill at a write count
    proc = subprocess.Popen(
        [sys.executable, "-m", "syncer", "push"],
        cwd=lb.cli.root,
        env=lb.cli.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while lb.emulator.writes() < at and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(10) == -signal.SIGKILL
    killed_at = lb.emulator.writes()
    assert at <= killed_at < 60, killed_at  # it died mid-push
    lb.emulator.latency = 0
    lb.cli("push")
    verdict = check_converged(lb.harness, references[kind, "first"])
    record("kill -9 (subprocess)", f"first/{killed_at:02d}", kind, 2, verdict)
    assert_clean(verdict)


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_the_cli_says_what_it_waits_for(lb: Loopback, kind: str) -> None:
    emu = lb.emulator
    if isinstance(emu, GitHubEmulator):
        headers = {**emu.rate_headers(), "retry-after": "1"}
        emu.fail_next(where=nth_write(5), status=403, headers=headers, body={"message": "x"})
        expected = "GitHub secondary rate limit"
    else:
        assert isinstance(emu, GitLabEmulator)
        emu.fail_next(where=nth_write(5, lambda _: emu.throttle(1, retry_after=1)))
        expected = "GitLab"
    proc = lb.cli("push")
    waits = [line for line in proc.stderr.splitlines() if line.startswith("waiting")]
    assert len(waits) == 1, proc.stderr
    assert expected in waits[0] and "until" in waits[0] and "UTC" in waits[0]
    assert len(lb.harness.issues()) == 36


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_a_wait_past_max_wait_stops_with_exit_1_and_the_next_run_carries_on(
    lb: Loopback, references: dict[tuple[str, str], Expected], kind: str
) -> None:
    emu = lb.emulator
    if isinstance(emu, GitHubEmulator):
        limited = emu
        emu.fail_next(where=nth_write(25, lambda _: limited.exhaust_rate_limit(3600)))
    else:
        assert isinstance(emu, GitLabEmulator)
        throttle = emu.throttle
        emu.fail_next(where=nth_write(25, lambda _: throttle(1, retry_after=3600)))
    proc = lb.cli("push", "--max-wait", "5", check=1)
    assert "Traceback" not in proc.stderr
    [error] = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert "max_wait" in error and "run again later" in error
    created = len(lb.harness.issues())
    assert 0 < created < 36
    assert len(lb.harness.lock_items()) == created  # recorded...
    links = sum(lb.harness.doc(n).read_bytes().count(b"([#") for n in DOCS)
    assert links == created  # ...and linked
    emu.advance(3601)
    lb.cli("push")
    verdict = check_converged(lb.harness, references[kind, "first"])
    record("rate limit past --max-wait (CLI)", "25th write", kind, 2, verdict)
    assert_clean(verdict)


@pytest.mark.parametrize("kind", ["gitlab"])
def test_max_writes_spreads_a_push_over_runs_and_the_plan_says_what_is_left(
    lb: Loopback, references: dict[tuple[str, str], Expected], kind: str
) -> None:
    cli = lb.cli
    proc = cli("push", "--max-writes", "25")
    assert "stopped after 25 writes (--max-writes); the next run carries on" in proc.stderr
    assert "error" not in proc.stderr.lower()
    assert json.loads(cli("plan", "--direction", "push", "--json").stdout)["plan"]["writes"] == 35
    assert "35 forge write(s)" in cli("plan", "--direction", "push").stdout
    cli("push", "--max-writes", "25")
    assert json.loads(cli("plan", "--direction", "push", "--json").stdout)["plan"]["writes"] == 10
    cli("push")
    verdict = check_converged(lb.harness, references[kind, "first"])
    record("write budget (CLI)", "--max-writes 25", kind, 3, verdict)
    assert_clean(verdict)
