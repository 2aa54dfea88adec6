"""A checkout phasesync cannot write to (read-only, or a folder where its run lock or
journal goes) ends in one line naming the file, from the command line, before a request
is sent; a journal that fails mid-run stops the run, and the next one converges.

Tests may run as root, which ignores permission bits: there the checkout is made read-only
by a read-only bind mount in a mount namespace of the command's own (`unshare -m`), which
binds root too; where that is impossible the test is skipped, and the folder clash below
tests the same error path on any machine.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.contract.conftest import Harness
from tests.e2e.conftest import Loopback
from tests.reliability.scenarios import fresh_harness

pytestmark = pytest.mark.e2e


def _read_only_command(root: Path) -> list[str]:
    """The prefix that runs a command with `root` read-only, for root or not."""
    if os.geteuid() != 0:
        return []
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("running as root, which ignores permissions, and unshare is missing")
    # `mount --bind -o ro` in a mount namespace of its own: read-only for root as well.
    prefix = [unshare, "-m", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"', str(root)]
    probe = subprocess.run(
        [*prefix, "sh", "-c", '! touch "$0/probe" 2>/dev/null', str(root)], capture_output=True
    )
    if probe.returncode != 0:
        pytest.skip(f"running as root, and no read-only bind mount here: {probe.stderr!r}")
    return prefix


def _run(lb: Loopback, prefix: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "syncer", *args],
        cwd=lb.cli.root,
        env=lb.cli.env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("kind", ["github"])
@pytest.mark.parametrize("command", ["push", "pull", "sync"])
def test_a_read_only_checkout_is_one_line_naming_the_file(
    lb: Loopback, kind: str, command: str
) -> None:
    root = lb.cli.root
    prefix = _read_only_command(root)
    modes = {p: stat.S_IMODE(p.stat().st_mode) for p in [root, *root.rglob("*")]}
    if not prefix:
        for p in modes:
            p.chmod(modes[p] & ~0o222)
    try:
        proc = _run(lb, prefix, command)
    finally:
        for p, mode in modes.items():
            p.chmod(mode)
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert "phasesync.lock.lock: cannot write: " in lines[0]
    assert "Read-only file system" in lines[0] or "Permission denied" in lines[0]
    assert "writable checkout" in lines[0] and "Traceback" not in proc.stderr
    assert not lb.emulator.requests  # refused before a request, let alone a write
    assert not (root / "phasesync.lock").exists()


@pytest.mark.parametrize("kind", ["gitlab"])
@pytest.mark.parametrize("name", ["phasesync.lock.lock", "phasesync.lock.journal"])
def test_a_folder_where_the_run_lock_or_journal_goes(lb: Loopback, kind: str, name: str) -> None:
    """The same refusal on any machine, root or not: the path is taken by a folder."""
    (lb.cli.root / name).mkdir()
    proc = lb.cli("push", check=1)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert f"{name}: cannot " in lines[0] and "Is a directory" in lines[0], lines[0]
    assert "Traceback" not in proc.stderr
    assert not [r for r in lb.emulator.requests if r.is_write]


@pytest.fixture
def h(kind: str, tmp_path: Path) -> Iterator[Harness]:
    with fresh_harness(kind, tmp_path) as harness:
        yield harness


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_a_journal_that_cannot_be_written_stops_the_run_and_the_next_converges(
    h: Harness, kind: str
) -> None:
    """The first creation is made on the forge, then its journal line cannot be written
    (here: the journal is a link to a folder that does not exist, which stands for a disk
    that filled up or went read-only mid-run): the run stops there with an error naming
    the journal, and the next push finishes without a second issue for it."""
    journal = h.root / "phasesync.lock.journal"
    journal.symlink_to(h.root / "no-such-folder" / "journal")
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is not None
    message = result.outcome.error.describe()
    assert "phasesync.lock.journal: cannot write: No such file or directory" in message
    assert len(h.issues()) == 1  # stopped right after the first creation
    journal.unlink(missing_ok=True)
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None
    assert len(h.issues()) == 36  # the first one was found again, not made twice
