"""The planner's cases end to end: `phasesync` in a subprocess, real HTTP on loopback."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import Loopback

pytestmark = pytest.mark.e2e

P2 = "phase-2-authentication.md"
SIGN_IN = "phase-2/functional/password-sign-in"


def _replace(lb: Loopback, old: bytes, new: bytes) -> None:
    path = lb.harness.doc(P2)
    data = path.read_bytes()
    assert data.count(old) == 1
    path.write_bytes(data.replace(old, new))


def test_validate_plan_push_pull_sync_cycle(loopback: Loopback) -> None:
    cli, h = loopback.cli, loopback.harness
    assert "0 error(s)" in cli("validate").stderr
    plan = json.loads(cli("plan", "--json").stdout)
    assert plan["plan"]["writes"] > 36
    assert cli("plan", "--detailed-exitcode", check=2).returncode == 2

    cli("push", "--dry-run")
    assert h.writes() == 0 and not (h.root / "phasesync.lock").exists()

    cli("push")
    assert len(h.issues()) == 36
    h.emulator.reset_log()
    out = cli("push").stdout
    assert h.writes() == 0, out
    assert cli("plan", "--detailed-exitcode").returncode == 0

    n = h.number_of(SIGN_IN)
    h.close(n)  # closed on the forge -> ticked by pull
    assert cli("pull", "--check", check=1).returncode == 1
    cli("pull")
    assert b"- [x] **Password sign-in**" in h.doc(P2).read_bytes()
    cli("pull", "--check")

    h.reopen(n)  # reopened on the forge -> unticked by sync
    cli("sync")
    assert b"- [ ] **Password sign-in**" in h.doc(P2).read_bytes()

    _replace(loopback, b"- [ ] **Password sign-in**", b"- [x] **Password sign-in**")
    cli("sync")  # ticked in the document -> closed on the forge
    assert h.issue(n).closed
    _replace(loopback, b"- [x] **Password sign-in**", b"- [ ] **Password sign-in**")
    cli("sync")  # unticked in the document -> reopened
    assert not h.issue(n).closed


def test_title_conflict_exits_1_and_prefer_resolves(loopback: Loopback) -> None:
    cli, h = loopback.cli, loopback.harness
    cli("push")
    n = h.number_of(SIGN_IN)
    _replace(loopback, b"**Password sign-in**", b"**Password login**")
    h.set_title(n, "Sign in with password")
    proc = cli("sync", check=1)
    assert "conflict" in proc.stderr and "Password login" in proc.stderr
    assert "Sign in with password" in proc.stderr
    cli("sync", "--prefer", "document")
    assert h.issue(n).title == "Password login"


def test_removed_item_closes_and_edit_updates(loopback: Loopback) -> None:
    cli, h = loopback.cli, loopback.harness
    cli("push")
    gone = h.number_of("phase-2/week-3/external-security-review")
    edited = h.number_of("phase-2/functional/password-reset")
    path = h.doc(P2)
    data = path.read_bytes()
    data = b"\n".join(ln for ln in data.split(b"\n") if b"External security review" not in ln)
    path.write_bytes(data.replace(b"valid for 30 minutes", b"valid for 15 minutes"))
    cli("sync")
    assert h.issue(gone).closed
    assert "15 minutes" in h.issue(edited).body


def test_bad_token_is_one_clear_line_and_exit_1(loopback: Loopback) -> None:
    cli = loopback.cli
    cli.env["PHASESYNC_TOKEN"] = "wrong-token-value"
    proc = cli("push", check=1)
    assert "Traceback" not in proc.stderr
    assert "wrong-token-value" not in proc.stderr + proc.stdout
    assert "401" in proc.stderr


def test_unknown_config_key_exits_2(loopback: Loopback) -> None:
    cli = loopback.cli
    (cli.root / "phasesync.toml").write_text('pathz = ["docs/**/*.md"]\n')
    proc = cli("validate", check=2)
    assert "pathz" in proc.stderr and "Traceback" not in proc.stderr


def test_both_sides_changed_alike_and_forge_edits_restored(loopback: Loopback) -> None:
    cli, h = loopback.cli, loopback.harness
    cli("push")
    n = h.number_of(SIGN_IN)
    other = h.number_of("phase-2/functional/password-reset")
    # ticked in the document and closed on the forge: recorded, nothing sent
    _replace(loopback, b"- [ ] **Password sign-in**", b"- [x] **Password sign-in**")
    h.close(n)
    # retitled on the forge only: written into the document (the key marker follows)
    h.set_title(other, "Forgot password")
    h.emulator.reset_log()
    out = cli("sync", "-v").stdout
    assert h.writes() == 1, out
    assert h.issue(other).title == "Forgot password"
    assert b"**Forgot password**" in h.doc(P2).read_bytes()
    assert h.issue(n).closed
    assert "title taken from the forge" in out


def test_removed_but_reopened_on_the_forge_is_a_conflict(loopback: Loopback) -> None:
    cli, h = loopback.cli, loopback.harness
    cli("push")
    n = h.number_of("phase-2/week-1/create-users-and-identities-migrations")
    h.reopen(n)
    path = h.doc(P2)
    path.write_bytes(
        b"\n".join(
            ln for ln in path.read_bytes().split(b"\n") if b"identities` migrations" not in ln
        )
    )
    proc = cli("push", check=1)
    assert "removed from the document but changed on the forge" in proc.stderr
    assert not h.issue(n).closed


def test_prefer_forge_writes_the_title_into_the_document(loopback: Loopback) -> None:
    cli, h = loopback.cli, loopback.harness
    cli("push")
    n = h.number_of(SIGN_IN)
    _replace(loopback, b"**Password sign-in**", b"**Password login**")
    h.set_title(n, "Sign in with password")
    cli("sync", "--prefer", "forge")
    assert b"**Sign in with password**" in h.doc(P2).read_bytes()
    h.emulator.reset_log()
    cli("sync")
    assert h.writes() == 0


def test_lost_lock_finds_issues_by_marker(loopback: Loopback) -> None:
    cli, h = loopback.cli, loopback.harness
    cli("push")
    (h.root / "phasesync.lock").unlink()
    h.emulator.reset_log()
    cli("sync")
    assert h.writes() == 0 and len(h.issues()) == 36
    assert (h.root / "phasesync.lock").exists()


def test_a_settled_sync_says_so_in_json_and_verbose_output(loopback: Loopback) -> None:
    """The scheduled job's steady state: push, the sync that records the inputs as settled,
    then syncs that neither parse nor plan (the forge's clock moves 15 min between runs)."""
    cli, h = loopback.cli, loopback.harness
    h.emulator.set_time(h.emulator.now())
    cli("push")
    h.emulator.advance(15 * 60)
    # Lists the push's own writes once more, plans nothing, records the inputs as settled.
    first = json.loads(cli("sync", "--json").stdout)
    assert first["settled"] is False and first["plan"]["actions"] == []
    lock = (h.root / "phasesync.lock").read_bytes()
    h.emulator.advance(15 * 60)
    h.emulator.reset_log()
    again = json.loads(cli("sync", "--json").stdout)
    assert again["settled"] is True and again["outcome"]["writes"] == 0
    assert (h.reads(), h.writes()) == (3, 0)
    h.emulator.advance(15 * 60)
    verbose = cli("sync", "-v")
    assert "nothing was parsed or planned" in verbose.stderr
    assert "Nothing to do" in verbose.stdout
    assert (h.root / "phasesync.lock").read_bytes() == lock


def test_v_shows_decisions_and_vv_the_http_exchanges(loopback: Loopback) -> None:
    cli = loopback.cli
    cli("push")
    decisions = cli("sync", "-v").stderr
    assert "DEBUG syncer.sync.engine: listing" in decisions
    assert "DEBUG syncer.sync.engine: plan:" in decisions or "settled" in decisions
    assert "http.client" not in decisions and "urllib3" not in decisions
    wire = cli("sync", "-vv").stderr
    assert "DEBUG http.client: send:" in wire


def test_in_github_actions_the_plan_is_a_group_of_the_log(loopback: Loopback) -> None:
    cli = loopback.cli
    cli.env["GITHUB_ACTIONS"] = "true"
    out = cli("plan").stdout
    lines = out.splitlines()
    assert lines[0] == "::group::phasesync sync plan" and "::endgroup::" in lines
    del cli.env["GITHUB_ACTIONS"]
    assert "::group::" not in cli("plan").stdout


def test_a_token_written_in_phasesync_toml_is_a_warning(loopback: Loopback) -> None:
    cli = loopback.cli
    token = cli.env.pop("PHASESYNC_TOKEN")
    config = cli.root / "phasesync.toml"
    config.write_text(
        config.read_text() + f'token = "{token}"\n' if config.exists() else f'token = "{token}"\n'
    )
    proc = cli("validate")
    assert "warning: phasesync.toml holds the token" in proc.stderr
    assert token not in proc.stdout + proc.stderr
    cli.env["PHASESYNC_TOKEN"] = token
    config.write_text(config.read_text().replace(f'token = "{token}"\n', ""))
    assert "holds the token" not in cli("validate").stderr
