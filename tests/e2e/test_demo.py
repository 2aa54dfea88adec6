"""`phasesync demo` is the first thing a newcomer runs: it must work, on both forges."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest
from rich.console import Console

from syncer.demo import run_demo


@pytest.mark.parametrize("forge", ["github", "gitlab"])
def test_demo_runs_the_whole_cycle(forge: str) -> None:
    out = io.StringIO()
    result = run_demo(Console(file=out, width=200), forge=forge)
    text = out.getvalue()
    assert result.created == 36
    before, after = result.pull_changed
    assert "- [ ] **Password sign-in**" in before
    assert after == before.replace("- [ ]", "- [x]", 1)
    assert result.idle_requests <= 5
    assert "push again: nothing to send" in text and "0 write request(s)" in text
    # The last step turns `phase_parents` on and shows the hierarchy it made.
    assert "phase parents: " in text and "3 phase parent(s) created" in text
    assert "Phase 2: User Authentication (" in text and "  └ #" in text
    # Then `subtasks = "issues"`: the nested boxes become sub-issues of their task.
    assert "Invitation tokens\n  └ #" in text and "token expiry job" in text
    # Then `dependencies = "links"`: phase 3's parent is blocked by phase 2's.
    assert "dependencies: " in text and "1 dependency relation(s) made" in text
    assert re.search(r"#\d+ blocked by #\d+", text)
    # Last, the whole structure as `status --tree` draws it: parents, sub-tasks, links.
    tree = text.split("phasesync status --tree")[1]
    assert re.search(r"Phase 3: Team Workspaces .* 2/9 .* #\d+ blocked by #\d+", tree)
    assert re.search(r"│   └── \[ \] Invitation tokens  1/2  #\d+", tree)
    assert re.search(r"│       ├── \[ \] token expiry job  #\d+", tree)


def test_demo_command_in_a_subprocess() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "syncer", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "COLUMNS": "160"},
    )
    assert proc.returncode == 0, proc.stderr
    assert "+ - [x] **Password sign-in**" in proc.stdout
    assert "Traceback" not in proc.stderr
