"""README's Quickstart, run as written.

The first block sets up a clone and runs the demo and the tests: the demo is run here
(`python -m syncer demo` in a subprocess); the install and test lines are not run from
inside the test suite, but they must be exactly what `.ci/run` does. The second block, on
"your own repository", is run command by command in a fresh git repository whose `origin`
is on GitHub, against the GitHub emulator on loopback.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from syncer.forges.emulator.core import serve
from syncer.forges.emulator.github import GitHubEmulator

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
CI_RUN = ROOT / ".ci" / "run"


def quickstart_blocks() -> list[list[str]]:
    """The commands of each fenced `sh` block of the Quickstart section, comments removed."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Quickstart\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```sh\n(.*?)^```$", section, re.MULTILINE | re.DOTALL)
    return [
        [re.sub(r"\s+#\s.*$", "", line).strip() for line in block.splitlines() if line.strip()]
        for block in blocks
    ]


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
    )


def clean_env(**more: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PHASESYNC_", "GITHUB_", "GITLAB_", "GH_", "CI_"))
    }
    env.update(NO_COLOR="1", COLUMNS="200", **more)
    return env


def as_module(command: str) -> list[str]:
    """`phasesync ARGS` as this interpreter's `python -m syncer ARGS`."""
    args = shlex.split(command)
    assert args[0] == "phasesync", command
    return [sys.executable, "-m", "syncer", *args[1:]]


def test_quickstart_has_two_blocks() -> None:
    blocks = quickstart_blocks()
    assert len(blocks) == 2
    assert blocks[0] == [
        "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]'",
        "phasesync demo",
        "python -m pytest -q -n 2",
    ]


def test_clone_block_matches_ci_and_the_demo_runs(tmp_path: Path) -> None:
    setup, demo, tests = quickstart_blocks()[0]
    ci = CI_RUN.read_text(encoding="utf-8").splitlines()
    # The same virtualenv, the same editable install with the test extra, the same tests.
    venv, activate, install = (part.strip() for part in setup.split("&&"))
    assert venv in ci
    assert activate.replace(". ", "source ", 1) in ci
    pip = next(line for line in ci if " pip install " in line)
    assert install.split("pip install", 1)[1].strip() in pip
    assert tests in ci

    done = run(as_module(demo), tmp_path, clean_env())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "+ - [x] **Password sign-in**" in done.stdout
    assert "- - [ ] **Password sign-in**" in done.stdout


def test_own_repository_block_runs_as_written(tmp_path: Path) -> None:
    commands = quickstart_blocks()[1]
    assert commands[0] == "pip install phasesync"  # this very checkout is installed already
    root = tmp_path / "roadmap"
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(
        ["git", "-C", str(root), "remote", "add", "origin", "git@github.com:acme/roadmap.git"],
        check=True,
    )
    emulator = GitHubEmulator("acme/roadmap", tokens={"quickstart-token": "write"})
    with serve(emulator) as server:
        # Only where the emulator is and how fast to write: everything else comes from what
        # the commands themselves write and detect.
        env = clean_env(PHASESYNC_BASE_URL=server.url, PHASESYNC_WRITE_INTERVAL="0")
        ran = []
        for command in commands[1:]:
            if command.startswith("export "):
                name, _, _ = command.removeprefix("export ").partition("=")
                env[name] = "quickstart-token"
                continue
            done = run(as_module(command), root, env)
            assert done.returncode == 0, (command, done.stdout, done.stderr)
            ran.append(command.split()[1])
    assert ran == ["init", "validate", "doctor", "plan", "push", "pull", "sync"]
    assert (root / "phasesync.toml").is_file()
    assert (root / "docs/phases/phase-1.md").is_file()
    assert (root / ".github/workflows/phasesync.yml").is_file()
    # The template's placeholders are never synced: no issue was made from them.
    assert emulator.issues() == []
