"""Reports and everyday polish, end to end: `plan --format markdown`, `--detailed-exitcode`
(0 nothing to do, 2 pending, 1 error), `status --format markdown`, `--help` examples,
colours, `-q` and `--json`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import Cli, Loopback

pytestmark = pytest.mark.e2e

COMMANDS = (
    *("validate", "status", "plan", "push", "pull", "sync"),
    *("init", "doctor", "demo", "version"),
)
ANSI = re.compile(r"\x1b\[")
# An SGR sequence that sets a colour (NO_COLOR allows bold and dim, not colour).
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|9[0-7])(?:;[0-9;]*)?m")


def test_plan_detailed_exitcode_and_markdown(loopback: Loopback) -> None:
    cli = loopback.cli
    pending = cli("plan", "--format", "markdown", "--detailed-exitcode", check=2)
    text = pending.stdout
    assert text.startswith("### phasesync sync plan\n")
    assert "| action | item | place | detail |\n| --- | --- | --- | --- |\n" in text
    (row,) = [line for line in text.splitlines() if "| Password sign-in |" in line]
    assert row.startswith(
        "| create issue | Password sign-in | docs/phases/phase-2-authentication.md:32 | labels: "
    )
    assert "priority:high" in row and "; milestone: Phase 2: " in row
    assert loopback.harness.writes() == 0

    cli("push", "-q")
    done = cli("plan", "--format", "markdown", "--detailed-exitcode", check=0)
    assert "Nothing to do: documents and forge agree." in done.stdout
    assert "| action |" not in done.stdout

    # An error is 1, never 2, even with changes pending.
    loopback.harness.close(loopback.harness.number_of("phase-2/functional/password-sign-in"))
    cli("plan", "--detailed-exitcode", check=2)
    broken = Cli(cli.root, {**cli.env, "PHASESYNC_TOKEN": "revoked"})
    failed = broken("plan", "--detailed-exitcode", check=1)
    assert failed.stderr.startswith("error: ")
    assert "revoked" not in failed.stdout + failed.stderr


def test_plan_detailed_exitcode_is_1_on_configuration_errors(loopback: Loopback) -> None:
    broken = Cli(loopback.cli.root, {**loopback.cli.env, "PHASESYNC_WRITE_INTERVAL": "soon"})
    done = broken("plan", "--detailed-exitcode", check=None)
    assert done.returncode == 2  # bad configuration is exit 2, as everywhere
    assert "PHASESYNC_WRITE_INTERVAL" in done.stderr


def test_status_markdown(loopback: Loopback) -> None:
    text = loopback.cli("status", "--format", "markdown").stdout
    assert text.startswith("**3 phase(s), 6/36 items done** (as of ")
    assert "### Phase 2: User Authentication" in text
    assert re.search(r"\| requirements \| 2/14 \| `█+░+ 14%` \|", text)
    assert "- 2026-03-06 Registration live" in text
    assert not ANSI.search(text)


def test_every_command_help_has_an_example(tmp_path: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    for command in COMMANDS:
        done = subprocess.run(
            [sys.executable, "-m", "syncer", command, "--help"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert re.search(rf"Example: .*phasesync {command}\b", done.stdout), done.stdout


def test_no_colour_when_not_a_terminal(loopback: Loopback) -> None:
    # The fixture sets NO_COLOR; without it, a pipe still gets no escape codes.
    env = {k: v for k, v in loopback.cli.env.items() if k != "NO_COLOR"}
    plain = Cli(loopback.cli.root, env)
    for args in (("status",), ("plan",), ("doctor",), ("validate",)):
        done = plain(*args)
        assert not ANSI.search(done.stdout + done.stderr), args
    forced = Cli(loopback.cli.root, {**env, "FORCE_COLOR": "1"})
    assert COLOUR.search(forced("doctor").stdout)  # the check above can fail
    no_color = Cli(loopback.cli.root, {**env, "FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert not COLOUR.search(no_color("doctor").stdout)


def test_quiet_prints_only_errors(loopback: Loopback) -> None:
    cli = loopback.cli
    commands = (("validate",), ("push",), ("pull",), ("sync",), ("plan",), ("doctor",))
    for args in (*commands, ("status",)):
        done = cli(*args, "-q")
        assert done.stdout == "" and done.stderr == "", args
    broken = Cli(cli.root, {**cli.env, "PHASESYNC_TOKEN": "revoked"})
    done = broken("sync", "-q", check=1)
    assert done.stdout == ""
    assert done.stderr.startswith("error: ")


def test_json_on_every_reporting_command(loopback: Loopback) -> None:
    for command in ("validate", "status", "plan", "push", "pull", "sync", "doctor"):
        data = json.loads(loopback.cli(command, "--json").stdout)
        assert isinstance(data, dict) and data, command
