"""`project` from the command line: `doctor` checks the board and lists what it lacks,
`plan` shows the board's writes, push fills it, a second push writes nothing; on GitLab the
setting is a configuration error."""

from __future__ import annotations

import json

import pytest

from syncer.forges.emulator.github import GitHubEmulator
from tests.e2e.conftest import Loopback

pytestmark = pytest.mark.e2e


def test_doctor_plan_and_push_fill_the_board(loopback: Loopback) -> None:
    cli, h = loopback.cli, loopback.harness
    url = f"{loopback.server.url}/orgs/acme/projects/5"
    cli.env["PHASESYNC_PROJECT"] = url
    if loopback.kind == "gitlab":
        proc = cli("plan", check=None)
        assert proc.returncode != 0
        assert "GitLab has none to fill" in proc.stdout + proc.stderr
        assert h.writes() == 0
        return
    emu = loopback.emulator
    assert isinstance(emu, GitHubEmulator)
    # No such board yet: doctor says so, and how to fix it.
    doctor = cli("doctor", check=None)
    assert doctor.returncode != 0
    assert "project board" in doctor.stdout and "not found" in doctor.stdout
    project = emu.boards.add_project("acme", 5, title="Roadmap")
    doctor = cli("doctor", check=None).stdout
    assert "lacks Phase, Type, Priority, Estimate, Due: the next push makes them" in doctor
    assert "has no `Week` field" in doctor
    text = cli("plan").stdout
    assert f"project board {url}: add 36 issue(s)" in text
    assert "fields the push makes: Due, Estimate, Phase, Priority, Type" in text
    assert "no `Week` field" in text
    data = json.loads(cli("plan", "--json").stdout)
    assert data["board"]["adds"] == 36
    push = cli("push")
    assert "Project board: added 36 issue(s)" in push.stdout
    assert "no `Week` field" in push.stderr  # reported, not guessed
    assert len(project.items) == 36
    h.emulator.reset_log()
    cli("push")
    assert h.writes() == 0
    assert "project board" in cli("plan").stdout and "up to date" in cli("plan").stdout
    # A token without the `project` scope: doctor explains the scope.
    emu.boards.project_tokens = set()
    doctor = cli("doctor", check=None).stdout
    assert "`project` scope" in doctor
