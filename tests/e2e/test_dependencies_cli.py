"""`dependencies = "links"` from the command line: `validate` warns of titles that name no
item or several; `plan` lists each relation with where the document states it and says the
mapping in force; `doctor` says it too; push makes the relations; a second push writes
nothing."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import Loopback

pytestmark = pytest.mark.e2e

DOC = "phase-2-authentication.md"


def _say(loopback: Loopback, after: str, words: str) -> int:
    path = loopback.harness.doc(DOC)
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if after in line)
    lines.insert(at + 1, f"  - {words}")
    path.write_text("\n".join(lines), encoding="utf-8")
    return at + 1


def test_validate_plan_doctor_and_push_with_dependencies(loopback: Loopback) -> None:
    cli, h = loopback.cli, loopback.harness
    cli.env["PHASESYNC_DEPENDENCIES"] = "links"
    _say(loopback, "**Password reset**", "Depends on: Session storage in Redis")
    _say(loopback, "**Performance**", "Depends on: Nothing by this name")
    checked = cli("validate", check=None)
    assert "no other item is titled 'Nothing by this name'" in checked.stdout + checked.stderr
    assert "[dependency-unknown]" in checked.stdout
    cli("push")
    n = {k: e.issue for k, e in h.lock_items().items()}
    line = _say(loopback, "**GitHub OAuth sign-in**", "Depends on: Password sign-in")
    text = cli("plan").stdout
    oauth, sign_in = (
        n["phase-2/functional/github-oauth-sign-in"],
        n["phase-2/functional/password-sign-in"],
    )
    assert f"#{oauth} blocked by #{sign_in} (docs/phases/{DOC}:{line})" in text
    if loopback.kind == "github":
        assert "dependencies: GitHub issue dependencies" in text
    else:
        assert "dependencies: GitLab `relates_to` issue links (Free tier" in text
    data = json.loads(cli("plan", "--json").stdout)
    assert data["dependencies"]["writes"] == 1
    assert (
        data["dependencies"]["warnings"]
        and "dependency-unknown" in data["dependencies"]["warnings"][0]
    )
    cli("push")
    h.emulator.reset_log()
    cli("push")
    assert h.writes() == 0
    assert cli("plan", "--detailed-exitcode").returncode == 0
    doctor = cli("doctor", check=None)
    said = doctor.stdout + doctor.stderr
    if loopback.kind == "gitlab":
        assert "`relates_to` issue links (Free tier" in said
    else:
        assert "GitHub issue dependencies" in said
