"""`subtasks = "issues"` from the command line: `validate` counts sub-tasks as items,
`plan` says what the relations need, push makes them and links the lines, a second push
writes nothing, and a tick on either side reaches the other."""

from __future__ import annotations

import json
import re

import pytest

from syncer.sync.subtask_plan import describe_subtasks
from tests.e2e.conftest import Loopback

pytestmark = pytest.mark.e2e

DOC = "docs/phases/phase-3-workspaces.md"


def test_subtasks_as_issues_from_the_command_line(loopback: Loopback) -> None:
    cli, h = loopback.cli, loopback.harness
    before = cli("validate").stderr
    assert f"{DOC}: 14 boxes: 9 items, 2 sub-tasks, 3 document-only" in before
    cli.env["PHASESYNC_SUBTASKS"] = "issues"
    after = cli("validate").stderr
    assert f"{DOC}: 14 boxes: 11 items, 0 sub-tasks, 3 document-only" in after
    text = cli("plan").stdout
    assert describe_subtasks(loopback.kind) in text
    assert "Invitation tokens [phase-3/week-1/invitation-tokens]: relate 2 sub-tasks" in text
    data = json.loads(cli("plan", "--json").stdout)
    assert data["subtasks"]["writes"] == 2
    cli("push")
    doc = (cli.root / DOC).read_text()
    expiry = re.search(r"- \[ \] token expiry job \(\[#(\d+)\]", doc)
    assert expiry is not None
    number = int(expiry.group(1))
    assert h.issue(number).title == "token expiry job"
    h.emulator.reset_log()
    cli("push")
    assert h.writes() == 0
    assert cli("plan", "--detailed-exitcode").returncode == 0
    # Closed on the forge: the box is ticked by the next sync.
    h.close(number)
    cli("sync")
    assert re.search(r"- \[x\] token expiry job \(\[#", (cli.root / DOC).read_text())
    doctor = cli("doctor", check=None)
    assert describe_subtasks(loopback.kind) in doctor.stdout + doctor.stderr
