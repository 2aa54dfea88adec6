"""End to end: `phasesync init` in a fresh git repository and `phasesync doctor` against the
emulators on loopback, each as the installed command in a subprocess."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from syncer.init import WORKFLOW_FILES
from syncer.settings_load import load_settings
from tests.contract.conftest import REPO
from tests.e2e.conftest import Cli, Loopback
from tests.unit.test_workflows import (
    _actionlint_available,
    _check_jsonschema,
    _need,
    run_actionlint,
)

pytestmark = pytest.mark.e2e

# forge -> (origin URL, the repository it names, where init writes the CI definition)
ORIGINS = {
    "github": ("git@github.com:acme/roadmap.git", "acme/roadmap", WORKFLOW_FILES["github"]),
    "gitlab": ("https://gitlab.com/acme/platform/roadmap.git", "acme/platform/roadmap",
               WORKFLOW_FILES["gitlab"]),
}  # fmt: skip
SCHEMAS = {"github": "vendor.github-workflows", "gitlab": "vendor.gitlab-ci"}


def clean_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PHASESYNC_", "GITHUB_", "GITLAB_", "GH_", "CI_"))
    }
    env.update(NO_COLOR="1", COLUMNS="200")
    return env


def git_repo(path: Path, origin: str) -> Path:
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    subprocess.run(["git", "-C", str(path), "remote", "add", "origin", origin], check=True)
    return path


def phasesync(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # No stdin at all, as in CI: init must not wait for answers.
    return subprocess.run(
        [sys.executable, "-m", "syncer", *args],
        cwd=root,
        env=clean_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- init --------------------------------------------------------------------------------------


@pytest.mark.parametrize("forge", ["github", "gitlab"])
def test_init_writes_valid_files_for_the_origin(tmp_path: Path, forge: str) -> None:
    origin, repo, workflow = ORIGINS[forge]
    root = git_repo(tmp_path / "project", origin)
    done = phasesync(root, "init")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:3] == [
        "wrote phasesync.toml",
        "wrote docs/phases/phase-1.md",
        f"wrote {workflow}",
    ]

    # The configuration loads, and says what origin said.
    config = tomllib.loads((root / "phasesync.toml").read_text("utf-8"))
    assert (config["forge"], config["repo"]) == (forge, repo)
    settings = load_settings(cwd=root, env={})
    assert (settings.forge, settings.repo, settings.base_url) == (forge, repo, None)
    other = {"github": ".gitlab-ci.yml", "gitlab": ".github"}[forge]
    assert not (root / other).exists()

    # The document validates: its placeholders are warnings, not errors.
    checked = phasesync(root, "validate")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "[placeholder]" in checked.stdout
    assert ": error:" not in checked.stdout
    assert "1 document(s), 0 item(s), 0 error(s)" in checked.stderr.splitlines()
    assert "docs/phases/phase-1.md: 88 boxes: 0 items, 0 sub-tasks, 88 document-only" in (
        checked.stderr.splitlines()
    )

    # The workflow passes the same linters as the ones this repository ships.
    path = root / workflow
    if forge == "github":
        _need("actionlint", _actionlint_available(), "REQUIRE_ACTIONLINT")
        linted = run_actionlint(path)
        assert linted.returncode == 0, linted.stdout + linted.stderr
    tool = _check_jsonschema()
    _need("check-jsonschema", tool is not None, "REQUIRE_CHECK_JSONSCHEMA")
    assert tool is not None
    schema = subprocess.run(
        [tool, "--builtin-schema", SCHEMAS[forge], str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert schema.returncode == 0, schema.stdout + schema.stderr


COMMIT = "0123456789abcdef0123456789abcdef01234567"


def installed_as(where: Path, direct_url: dict[str, object] | None) -> dict[str, str]:
    """An environment whose `phasesync` distribution is a dist-info in `where` (ahead of the
    editable install on sys.path), installed from `direct_url` (None: from an index)."""
    from syncer import __version__

    info = where / f"phasesync-{__version__}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: phasesync\nVersion: {__version__}\n"
        "Project-URL: Repository, https://github.com/acme/phasesync\n",
        encoding="utf-8",
    )
    (info / "INSTALLER").write_text("pip\n", encoding="utf-8")
    if direct_url is not None:
        (info / "direct_url.json").write_text(json.dumps(direct_url), encoding="utf-8")
    return {**clean_env(), "PYTHONPATH": str(where)}


@pytest.mark.parametrize(
    ("direct_url", "uses"),
    [
        (
            {
                "url": "https://github.com/acme/phasesync",
                "vcs_info": {"vcs": "git", "commit_id": COMMIT},
            },
            f"acme/phasesync@{COMMIT}",
        ),
        (None, "acme/phasesync@v0"),
    ],
    ids=["git", "index"],
)
def test_init_writes_the_action_workflow_when_it_can_name_the_action(
    tmp_path: Path, direct_url: dict[str, object] | None, uses: str
) -> None:
    root = git_repo(tmp_path / "project", ORIGINS["github"][0])
    env = installed_as(tmp_path / "site", direct_url)
    done = subprocess.run(
        [sys.executable, "-m", "syncer", "init", "--yes"],
        cwd=root, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"{WORKFLOW_FILES['github']} uses phasesync's action {uses}: " in done.stdout
    assert "warning" not in done.stderr
    path = root / WORKFLOW_FILES["github"]
    (job,) = yaml.safe_load(path.read_text("utf-8"))["jobs"].values()
    assert job["steps"][-1] == {"uses": uses, "with": {"mode": "sync"}}
    _need("actionlint", _actionlint_available(), "REQUIRE_ACTIONLINT")
    linted = run_actionlint(path)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    tool = _check_jsonschema()
    _need("check-jsonschema", tool is not None, "REQUIRE_CHECK_JSONSCHEMA")
    assert tool is not None
    schema = subprocess.run(
        [tool, "--builtin-schema", SCHEMAS["github"], str(path)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert schema.returncode == 0, schema.stdout + schema.stderr


def test_init_from_a_local_path_writes_the_steps_and_says_why(tmp_path: Path) -> None:
    root = git_repo(tmp_path / "project", ORIGINS["github"][0])
    env = installed_as(tmp_path / "site", {"url": "file:///home/me/phasesync", "dir_info": {}})
    done = subprocess.run(
        [sys.executable, "-m", "syncer", "init", "--yes", "--json"],
        cwd=root, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["action"] is None and "local path" in data["action_reason"]
    text = (root / WORKFLOW_FILES["github"]).read_text("utf-8")
    assert "rather than phasesync's action:\n# phasesync runs from a local path" in text
    assert "phasesync sync" in text
    human = subprocess.run(
        [sys.executable, "-m", "syncer", "init", "--yes", "--force"],
        cwd=root, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "runs phasesync in steps of its own, not as phasesync's action: " in human.stdout


def test_init_never_overwrites_without_force(tmp_path: Path) -> None:
    root = git_repo(tmp_path / "project", ORIGINS["github"][0])
    assert phasesync(root, "init", "-q").returncode == 0
    document = root / "docs/phases/phase-1.md"
    document.write_text("# Phase 1: Mine\n", "utf-8")
    again = phasesync(root, "init")
    assert again.returncode == 2
    assert again.stderr.startswith("error: phasesync.toml, docs/phases/phase-1.md, ")
    assert "--force" in again.stderr
    assert document.read_text("utf-8") == "# Phase 1: Mine\n"
    forced = phasesync(root, "init", "--force", "--json")
    assert forced.returncode == 0, forced.stderr
    assert json.loads(forced.stdout)["written"][1] == "docs/phases/phase-1.md"
    assert document.read_text("utf-8").startswith("# Phase 1: [Phase Name]")


def test_init_without_origin_takes_flags(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    root.mkdir()
    done = phasesync(
        root,
        "init",
        "--forge",
        "gitlab",
        "--repo",
        "acme/ops",
        "--base-url",
        "https://gitlab.example.org",
        "--paths",
        "plans/*.md",
    )
    assert done.returncode == 0, done.stderr
    assert (root / "plans/phase-1.md").is_file()
    settings = load_settings(cwd=root, env={})
    assert (settings.forge, settings.repo, settings.base_url, settings.paths) == (
        "gitlab",
        "acme/ops",
        "https://gitlab.example.org",
        ("plans/*.md",),
    )
    bad = phasesync(root, "init", "--forge", "gitea")
    assert bad.returncode == 2
    assert "github or gitlab" in bad.stderr


def test_init_asks_on_a_terminal(tmp_path: Path) -> None:
    """The questions and their defaults, answered through a pseudo-terminal."""
    root = git_repo(tmp_path / "project", ORIGINS["gitlab"][0])
    controller, terminal = pty.openpty()
    try:
        # A wrong forge (asked again), Enter (the detected forge), Enter (the detected
        # project), a base URL, a glob.
        os.write(controller, b"gitea\n\n\nhttps://gitlab.example.org\nplans/*.md\n")
        done = subprocess.run(
            [sys.executable, "-m", "syncer", "init"],
            cwd=root,
            env=clean_env(),
            stdin=terminal,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        os.close(terminal)
        os.close(controller)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("Forge (github, gitlab) [gitlab]:") == 2
    assert "answer github or gitlab" in done.stderr
    assert "Repository (GROUP/PROJECT) [acme/platform/roadmap]:" in done.stdout
    assert "Phase documents (glob) [docs/phases/**/*.md]:" in done.stdout
    settings = load_settings(cwd=root, env={})
    assert (settings.forge, settings.repo, settings.base_url, settings.paths) == (
        "gitlab",
        "acme/platform/roadmap",
        "https://gitlab.example.org",
        ("plans/*.md",),
    )
    assert (root / "plans/phase-1.md").is_file()
    assert (root / ".gitlab-ci.yml").is_file()


# --- doctor ------------------------------------------------------------------------------------


def test_doctor_all_green(loopback: Loopback) -> None:
    done = loopback.cli("doctor")
    shown = done.stdout.splitlines()
    assert [line.split(":")[0] for line in shown] == [
        "✓ configuration",
        "✓ documents",
        "✓ lock",
        "✓ token",
        "✓ repository",
        "✓ permissions",
        "✓ rate limit" if loopback.kind == "github" else "– rate limit",
    ]
    quiet = loopback.cli("doctor", "-q")
    assert quiet.stdout == ""
    report = json.loads(loopback.cli("doctor", "--json").stdout)
    assert report["ok"] is True


@pytest.mark.parametrize(
    ("change", "failing", "fix"),
    [
        ({"PHASESYNC_TOKEN": "wrong-token"}, "✗ token: ", "PHASESYNC_TOKEN"),
        ({"PHASESYNC_REPO": "acme/missing"}, "✗ repository: acme/missing not found", "`repo`"),
    ],
)
def test_doctor_failures(
    loopback: Loopback, change: dict[str, str], failing: str, fix: str
) -> None:
    cli = Cli(loopback.cli.root, {**loopback.cli.env, **change})
    done = cli("doctor", check=1)
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("✗")]
    assert line.startswith(failing)
    assert " — fix: " in line and fix in line.split(" — fix: ")[1]
    assert cli("doctor", "-q", check=1).stdout.strip() == line
    assert "wrong-token" not in done.stdout + done.stderr


def test_doctor_read_only_token(loopback: Loopback) -> None:
    loopback.emulator.tokens["read-only-token"] = "read"  # type: ignore[attr-defined]
    cli = Cli(loopback.cli.root, {**loopback.cli.env, "PHASESYNC_TOKEN": "read-only-token"})
    done = cli("doctor", "--json", check=1)
    checks = {c["name"]: c for c in json.loads(done.stdout)["checks"]}
    assert checks["token"]["status"] == "ok"
    assert checks["permissions"]["status"] == "fail"
    assert "cannot create issues, labels or milestones" in checks["permissions"]["detail"]
    assert REPO in checks["repository"]["detail"]
