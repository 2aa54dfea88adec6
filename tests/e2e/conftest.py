"""End to end: the installed `phasesync` command in a subprocess, the emulator on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from syncer.demo import copy_examples
from syncer.forges.emulator.core import EmulatorBase, EmulatorServer, serve
from tests.contract.conftest import REPO, TOKEN, Harness, make_emulator

pytestmark = pytest.mark.e2e


@dataclass
class Cli:
    """Runs `python -m syncer` in `root` against a loopback emulator."""

    root: Path
    env: dict[str, str]

    def __call__(self, *args: str, check: int | None = 0) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [sys.executable, "-m", "syncer", *args],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check is not None:
            assert proc.returncode == check, (proc.returncode, proc.stdout, proc.stderr)
        return proc


@dataclass
class Loopback:
    kind: str
    emulator: EmulatorBase
    server: EmulatorServer
    cli: Cli
    harness: Harness


@contextmanager
def open_loopback(kind: str, root: Path) -> Iterator[Loopback]:
    """The example documents in `root`, a fresh emulator of `kind` on loopback, and a CLI
    whose environment names it (and nothing of the developer's own forge variables)."""
    from syncer.forges import open_forge

    emulator = make_emulator(kind)
    copy_examples(root)
    with serve(emulator) as server:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PHASESYNC_", "GITHUB_", "GITLAB_", "GH_", "CI_"))
        }
        env.update(
            PHASESYNC_FORGE=kind,
            PHASESYNC_REPO=REPO,
            PHASESYNC_BASE_URL=server.url,
            PHASESYNC_TOKEN=TOKEN,
            PHASESYNC_WRITE_INTERVAL="0",
            NO_COLOR="1",
            COLUMNS="200",
        )
        forge = open_forge(kind, REPO, TOKEN, server.url)
        harness = Harness(kind, emulator, forge, root)
        yield Loopback(kind, emulator, server, Cli(root, env), harness)


@pytest.fixture(params=["github", "gitlab"])
def loopback(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Loopback]:
    with open_loopback(request.param, tmp_path) as lb:
        yield lb
