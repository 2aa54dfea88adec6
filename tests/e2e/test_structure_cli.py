"""`phase_parents` from the command line: `plan` and `doctor` say which mapping is in
force and why; push makes the parents; a second push writes nothing."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import Loopback

pytestmark = pytest.mark.e2e


def test_plan_and_doctor_name_the_mapping_and_push_makes_it(loopback: Loopback) -> None:
    cli, h = loopback.cli, loopback.harness
    cli.env["PHASESYNC_PHASE_PARENTS"] = "true"
    text = cli("plan").stdout
    if loopback.kind == "github":
        assert "phase parents: GitHub sub-issues" in text
    else:
        assert "GitLab `relates_to` issue links" in text and "tier not probed yet" in text
    assert "Phase 2: User Authentication [phase-2/parent]: create, relate" in text
    data = json.loads(cli("plan", "--json").stdout)
    assert data["structure"]["mapping"] == (
        "sub_issues" if loopback.kind == "github" else "relates_to"
    )
    assert data["structure"]["writes"] >= 3 + 36
    cli("push")
    h.emulator.reset_log()
    cli("push")
    assert h.writes() == 0
    assert cli("plan", "--detailed-exitcode").returncode == 0
    doctor = cli("doctor", check=None).stdout + cli("doctor", check=None).stderr
    if loopback.kind == "gitlab":
        assert "no Premium features detected" in doctor
    else:
        assert "GitHub sub-issues" in doctor


def test_status_shows_the_tree_with_the_parents_the_push_made(loopback: Loopback) -> None:
    cli, h = loopback.cli, loopback.harness
    cli.env["PHASESYNC_PHASE_PARENTS"] = "true"
    before = cli("status").stdout
    assert "Phase 2: User Authentication  4/23" in before  # the tree, by default
    assert "#" not in before.split("Phase 2: User Authentication  4/23")[1].split("\n")[0]
    cli("push")
    data = json.loads(cli("status", "--json").stdout)
    parents = {p["label"]: p["issue"] for p in data["tree"]}
    made = {i.title: i.number for i in h.issues() if i.title.startswith("Phase ")}
    assert parents["Phase 2: User Authentication"] == made["Phase 2: User Authentication"]
    after = cli("status").stdout
    n = made["Phase 2: User Authentication"]
    assert f"Phase 2: User Authentication  4/23 ██░░░░░░░░ 17%  #{n}" in after
    # Without phase parents the tree is asked for, and the lock's parents still show.
    del cli.env["PHASESYNC_PHASE_PARENTS"]
    assert "Phase 2: User Authentication  4/23" not in cli("status").stdout
    assert f"17%  #{n}" in cli("status", "--tree").stdout
    tree = json.loads(cli("validate", "--tree", "--json").stdout)["tree"]
    assert tree[0]["label"] == "Phase 2: User Authentication"
