"""The action's commit step (`.github/commit-back.sh`), run against local git repositories:
commit and push, replay on top of a concurrent push, explain a protected branch, or open a
pull request instead. The "forge" is a bare repository whose pre-receive hook refuses the
way GitHub does; `gh` is a stand-in script on PATH that records its arguments."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".github" / "commit-back.sh"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture
def repos(tmp_path: Path) -> tuple[Path, Path]:
    """(origin, a checkout of it with one document changed as a sync would change it)."""
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    seed = tmp_path / "seed"
    subprocess.run(["git", "clone", "-q", str(origin), str(seed)], check=True)
    (seed / "docs").mkdir()
    (seed / "docs/phase-1.md").write_text("- [ ] one\n", encoding="utf-8")
    (seed / "notes.txt").write_text("people's file\n", encoding="utf-8")
    git(seed, "add", ".")
    git(seed, "commit", "-qm", "seed")
    git(seed, "push", "-q", "origin", "HEAD:main")
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", str(origin), str(work)], check=True)
    (work / "docs/phase-1.md").write_text("- [x] one\n", encoding="utf-8")
    (work / "phasesync.lock").write_text("{}\n", encoding="utf-8")
    (work / "untracked.tmp").write_text("not ours\n", encoding="utf-8")
    return origin, work


def commit_back(work: Path, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT)],
        cwd=work,
        env={**os.environ, "BRANCH": "main", "GITHUB_RUN_ID": "77", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def protect(origin: Path) -> None:
    hook = origin / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\nwhile read old new ref; do\n"
        '  if [ "$ref" = refs/heads/main ]; then\n'
        '    echo "error: GH006: Protected branch update failed for refs/heads/main." >&2\n'
        "    exit 1\n  fi\ndone\n",
        encoding="utf-8",
    )
    hook.chmod(0o755)


def test_commits_the_documents_and_lock_as_the_bot(
    repos: tuple[Path, Path], tmp_path: Path
) -> None:
    origin, work = repos
    done = commit_back(work, tmp_path)
    assert done.returncode == 0, done.stderr
    log = git(origin, "log", "-1", "--format=%an|%s", "main")
    assert log == "github-actions[bot]|phasesync: update phase documents and lock from issues\n"
    files = git(origin, "show", "--name-only", "--format=", "main").split()
    assert sorted(files) == ["docs/phase-1.md", "phasesync.lock"]  # never untracked files
    again = commit_back(work, tmp_path)
    assert again.returncode == 0 and "unchanged" in again.stdout


def test_replays_on_top_of_a_concurrent_push(repos: tuple[Path, Path], tmp_path: Path) -> None:
    origin, work = repos
    other = tmp_path / "other"
    subprocess.run(["git", "clone", "-q", str(origin), str(other)], check=True)
    (other / "notes.txt").write_text("edited meanwhile\n", encoding="utf-8")
    git(other, "commit", "-qam", "meanwhile")
    git(other, "push", "-q", "origin", "HEAD:main")
    done = commit_back(work, tmp_path)
    assert done.returncode == 0, done.stderr
    subjects = git(origin, "log", "--format=%s", "main").splitlines()
    assert subjects[:2] == ["phasesync: update phase documents and lock from issues", "meanwhile"]


def test_protected_branch_is_explained(repos: tuple[Path, Path], tmp_path: Path) -> None:
    origin, work = repos
    protect(origin)
    done = commit_back(work, tmp_path)
    assert done.returncode == 1
    assert "::error title=phasesync::main is protected" in done.stdout
    assert "on-protected-branch: pull-request" in done.stdout
    assert "GH006" in done.stderr  # git's own output is shown too


def test_protected_branch_opens_a_pull_request(repos: tuple[Path, Path], tmp_path: Path) -> None:
    origin, work = repos
    protect(origin)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "gh-args"
    fake_gh = bin_dir / "gh"
    fake_gh.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{record}"\n', encoding="utf-8")
    fake_gh.chmod(0o755)
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    done = commit_back(work, tmp_path, ON_PROTECTED="pull-request", PATH=path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert git(origin, "log", "-1", "--format=%s", "phasesync/update-77").startswith("phasesync:")
    args = record.read_text(encoding="utf-8").splitlines()
    assert args[:6] == ["pr", "create", "--base", "main", "--head", "phasesync/update-77"]


def test_action_runs_the_script_after_phasesync_even_when_it_failed() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    steps = action["runs"]["steps"]
    names = [s.get("name") for s in steps]
    commit = steps[names.index("Commit updated documents and lock")]
    assert names.index("phasesync ${{ inputs.mode }}") < names.index(commit["name"])
    assert "!cancelled()" in commit["if"] and "inputs.commit == 'true'" in commit["if"]
    assert "inputs.mode != 'plan'" in commit["if"]
    assert commit["run"] == '"$GITHUB_ACTION_PATH/.github/commit-back.sh"'
    assert commit["env"]["ON_PROTECTED"] == "${{ inputs.on-protected-branch }}"
    assert action["inputs"]["commit"]["default"] == "true"
    assert os.access(SCRIPT, os.X_OK)
