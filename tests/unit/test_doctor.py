"""`phasesync doctor` against the GitHub and GitLab emulators (real PyGithub / python-gitlab
through `responses`): all green, then each way a setup goes wrong, with the right ✗ and fix."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import responses

from syncer.demo import copy_examples
from syncer.doctor import Check, as_json, lines, run_doctor
from syncer.forges.emulator.core import EmulatorBase, mount
from syncer.forges.emulator.github import GitHubEmulator
from syncer.forges.emulator.gitlab import GitLabEmulator

REPO = "acme/plans"
WRITE, READ = "tok-write-7f3a9c", "tok-read-51be02"
API = {"github": "https://api.github.com", "gitlab": "https://gitlab.example.com"}
NAMES = ["configuration", "documents", "lock", "token", "repository", "permissions", "rate limit"]


@dataclass
class Setup:
    kind: str
    emulator: EmulatorBase
    root: Path

    def doctor(self, token: str | None = WRITE, *, repo: str = REPO, **env: str) -> list[Check]:
        overrides = {"forge": self.kind, "repo": repo, "base_url": API[self.kind]}
        environ = {**env, **({"PHASESYNC_TOKEN": token} if token else {})}
        checks = run_doctor(self.root, overrides=overrides, env=environ)
        assert [c.name for c in checks] == NAMES
        return checks


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


@pytest.fixture(params=["github", "gitlab"])
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Setup]:
    kind: str = request.param
    tokens = {WRITE: "write", READ: "read"}
    emulator: EmulatorBase = (
        GitHubEmulator(REPO, tokens=tokens)
        if kind == "github"
        else GitLabEmulator(REPO, tokens=tokens)  # type: ignore[arg-type]
    )
    copy_examples(tmp_path)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount(emulator, rsps, API[kind])
        yield Setup(kind, emulator, tmp_path)


def test_all_green(setup: Setup) -> None:
    checks = by_name(setup.doctor())
    expected_rate = "ok" if setup.kind == "github" else "skip"  # GitLab: no RateLimit headers
    assert {n: c.status for n, c in checks.items()} == {
        **dict.fromkeys(NAMES, "ok"),
        "rate limit": expected_rate,
    }
    assert "3 document(s), 36 item(s)" in checks["documents"].detail
    assert checks["token"].detail.startswith("valid: phasesync-bot")
    assert "may create issues, labels and milestones" in checks["permissions"].detail
    if setup.kind == "github":
        assert "requests left" in checks["rate limit"].detail
    else:
        assert "scopes api" in checks["permissions"].detail
        assert checks["rate limit"].detail.startswith("n/a")
    assert as_json(list(checks.values()))["ok"] is True
    # Doctor only reads: nothing was written on the forge.
    assert setup.emulator.writes() == 0


def test_bad_token(setup: Setup) -> None:
    checks = by_name(setup.doctor("not-a-token"))
    token = checks["token"]
    assert token.status == "fail"
    assert "refused the token (HTTP 401)" in token.detail
    assert token.fix is not None and "PHASESYNC_TOKEN" in token.fix
    for later in ("repository", "permissions", "rate limit"):
        assert checks[later].status == "skip"
    assert as_json(list(checks.values()))["ok"] is False


def test_read_only_token(setup: Setup) -> None:
    checks = by_name(setup.doctor(READ))
    assert checks["token"].status == "ok"
    assert checks["repository"].status == "ok"
    permissions = checks["permissions"]
    assert permissions.status == "fail"
    assert "cannot create issues, labels or milestones" in permissions.detail
    assert permissions.fix is not None
    if setup.kind == "github":
        assert permissions.detail.startswith("role read")
        assert "Issues: read and write" in permissions.fix
    else:
        assert "scopes read_api" in permissions.detail
        assert "`api` scope" in permissions.fix


def test_missing_repository(setup: Setup) -> None:
    checks = by_name(setup.doctor(repo="acme/gone"))
    repository = checks["repository"]
    assert repository.status == "fail"
    assert repository.detail.startswith("acme/gone not found on ")
    assert repository.fix is not None and "`repo`" in repository.fix
    assert checks["permissions"].status == "skip"
    assert checks["token"].status == "ok"


def test_no_token(setup: Setup) -> None:
    checks = by_name(setup.doctor(None))
    token = checks["token"]
    assert (token.status, token.detail) == ("fail", "no token found")
    assert token.fix is not None and "PHASESYNC_TOKEN" in token.fix
    assert all(checks[n].status == "skip" for n in ("repository", "permissions", "rate limit"))
    assert setup.emulator.reads() == 0


def test_gitlab_job_token_gets_its_own_advice(tmp_path: Path) -> None:
    # The CI job token authenticates but may not create issues: doctor says what to use.
    emulator = GitLabEmulator(REPO, tokens={READ: "read"})
    copy_examples(tmp_path)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount(emulator, rsps, API["gitlab"])
        overrides = {"forge": "gitlab", "repo": REPO, "base_url": API["gitlab"]}
        env = {"GITLAB_TOKEN": READ, "CI_JOB_TOKEN": READ}
        checks = by_name(run_doctor(tmp_path, overrides=overrides, env=env))
    assert checks["permissions"].status == "fail"
    assert checks["permissions"].fix is not None
    assert "CI_JOB_TOKEN" in checks["permissions"].fix


def test_rate_limit_nearly_spent(tmp_path: Path) -> None:
    emulator = GitHubEmulator(REPO, tokens={WRITE: "write"}, rate_limit=40)
    copy_examples(tmp_path)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount(emulator, rsps, API["github"])
        checks = by_name(
            run_doctor(
                tmp_path,
                overrides={"forge": "github", "repo": REPO, "base_url": API["github"]},
                env={"PHASESYNC_TOKEN": WRITE},
            )
        )
    rate = checks["rate limit"]
    assert rate.status == "fail"
    assert rate.detail.startswith("38 of 40 requests left; resets ")
    assert rate.fix is not None and "--max-writes" in rate.fix


def test_bad_configuration_skips_the_rest(setup: Setup) -> None:
    (setup.root / "phasesync.toml").write_text('forge = "github"\npathz = ["x"]\n', "utf-8")
    checks = by_name(run_doctor(setup.root, env={}))
    config = checks["configuration"]
    assert config.status == "fail"
    assert config.detail.startswith("phasesync.toml: pathz: unknown key")
    assert all(c.status == "skip" for n, c in checks.items() if n != "configuration")


def test_plain_http_base_url_off_loopback_is_not_green(setup: Setup) -> None:
    overrides = {"forge": setup.kind, "repo": REPO, "base_url": "http://forge.example.com"}
    checks = by_name(run_doctor(setup.root, overrides=overrides, env={"PHASESYNC_TOKEN": WRITE}))
    config = checks["configuration"]
    assert config.status == "fail"
    assert config.detail.startswith("command line: base_url: must be https://"), config.detail
    assert all(c.status == "skip" for n, c in checks.items() if n != "configuration")
    assert not setup.emulator.requests  # not a byte was sent, token or not


def test_document_errors_and_no_documents(setup: Setup) -> None:
    doc = setup.root / "docs" / "phases" / "phase-3-workspaces.md"
    text = doc.read_text("utf-8")
    # A priority that is not High, Medium or Low is an error.
    doc.write_text(text.replace("Priority: High", "Priority: Urgent", 1), "utf-8")
    documents = by_name(setup.doctor())["documents"]
    assert documents.status == "fail"
    assert "1 error(s); first: docs/phases/phase-3-workspaces.md:" in documents.detail
    assert documents.fix is not None and "phasesync validate" in documents.fix

    for path in (setup.root / "docs" / "phases").iterdir():
        path.unlink()
    documents = by_name(setup.doctor())["documents"]
    assert documents.status == "fail"
    assert documents.detail == "no document matches `paths` (docs/phases/**/*.md)"


def test_corrupted_lock(setup: Setup) -> None:
    (setup.root / "phasesync.lock").write_text("{not json", "utf-8")
    lock = by_name(setup.doctor())["lock"]
    assert lock.status == "fail"
    assert lock.fix is not None and "move the lock aside" in lock.fix


def test_lines_and_json_never_show_the_token(setup: Setup) -> None:
    for token in (WRITE, READ, "ghp_wrongTOKEN123"):
        checks = setup.doctor(token)
        text = "\n".join(lines(checks)) + json.dumps(as_json(checks))
        assert token not in text


def test_lines_mark_each_check_and_give_the_fix(setup: Setup) -> None:
    checks = setup.doctor(READ)
    shown = lines(checks)
    assert len(shown) == len(NAMES)
    assert shown[0].startswith("✓ configuration: ")
    failed = next(line for line in shown if line.startswith("✗ "))
    assert failed.startswith("✗ permissions: ") and " — fix: " in failed
    assert lines(checks, failures_only=True) == [failed]
