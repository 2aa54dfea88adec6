"""Boolean flags take no value, and `--help` shows none: no `<bool>` beside them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

COMMANDS = ("validate", "status", "plan", "push", "pull", "sync", "init", "doctor", "demo")
# Typer's own options, which phasesync does not define.
TYPERS_OWN = ("--help", "--install-completion", "--show-completion")


def help_text(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "syncer", *args, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
        check=True,
    )
    return done.stdout


@pytest.mark.parametrize("command", [(), *((c,) for c in COMMANDS)])
def test_flags_show_no_bool_placeholder(command: tuple[str, ...]) -> None:
    text = help_text(*command)
    flagged = [line for line in text.splitlines() if "<bool>" in line]
    assert all(any(own in line for own in TYPERS_OWN) for line in flagged), flagged
    if command == ("push",):
        (dry_run,) = (line for line in text.splitlines() if line.startswith("│ --dry-run"))
        assert "Print the plan" in dry_run
