"""Bad input: one clear message, the documented exit code, no traceback, nothing touched.

Each case runs `phasesync push` in a subprocess against the loopback emulator and checks
that the forge received no write request and that no file in the work tree changed (not
even a new lock file). `BAD_INPUTS` is the list the README's troubleshooting section
quotes; run `pytest tests/reliability/test_bad_input.py -s` to print each message.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.conftest import Loopback

pytestmark = pytest.mark.e2e

BROKEN = Path(__file__).parents[1] / "data" / "invalid" / "phase-5-broken.md"
P4 = "docs/phases/phase-4-billing.md"


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() if p.is_file() else b"<dir>"
        for p in sorted(root.rglob("*"))
        if not p.name.endswith(".lock.lock")  # the run lock's own file, empty
    }


def _config(text: str) -> Callable[[Loopback], list[str]]:
    def setup(lb: Loopback) -> list[str]:
        (lb.cli.root / "phasesync.toml").write_text(text)
        return []

    return setup


def _broken(lb: Loopback) -> list[str]:
    shutil.copy(BROKEN, lb.cli.root / "docs" / "phases" / BROKEN.name)
    return [f"docs/phases/{BROKEN.name}"]


def _no_token(lb: Loopback) -> list[str]:
    del lb.cli.env["PHASESYNC_TOKEN"]
    return []


def _token(value: str, level: str | None = None) -> Callable[[Loopback], list[str]]:
    def setup(lb: Loopback) -> list[str]:
        if level is not None:
            tokens = lb.emulator.tokens  # type: ignore[attr-defined]
            tokens[value] = level
        lb.cli.env["PHASESYNC_TOKEN"] = value
        return []

    return setup


def _missing_repo(lb: Loopback) -> list[str]:
    lb.cli.env["PHASESYNC_REPO"] = "acme/no-such-repo"
    return []


def _lock(content: bytes) -> Callable[[Loopback], list[str]]:
    def setup(lb: Loopback) -> list[str]:
        (lb.cli.root / "phasesync.lock").write_bytes(content)
        return []

    return setup


@dataclass(frozen=True)
class Bad:
    name: str
    setup: Callable[[Loopback], list[str]]
    code: int
    says: tuple[str, ...]  # fragments the message must contain
    forge_neutral: bool = True
    lines: int = 2  # at most this many lines on stderr
    # A missing permission shows at the first write, which the forge refuses: one request
    # is sent, nothing changes.
    refused_write: bool = False


BAD_INPUTS = [
    Bad("broken document", _broken, 1, ("phase-5-broken.md:", "Dashboards")),
    Bad("unknown config key", _config('pathz = ["docs/**/*.md"]\n'), 2, ("pathz", "unknown key")),
    Bad(
        "mistyped config value",
        _config('max_writes = "ten"\n'),
        2,
        ("phasesync.toml", "max_writes"),
    ),
    Bad("config not TOML", _config("paths = [\n"), 2, ("phasesync.toml", "not valid TOML")),
    Bad("missing token", _no_token, 2, ("no token", "PHASESYNC_TOKEN")),
    Bad("bad token (401)", _token("wrong-token-value"), 1, ("401",), False),
    Bad(
        "token without permission (403)",
        _token("read-only-token", "read"),
        1,
        ("403",),
        forge_neutral=False,
        refused_write=True,
    ),
    Bad("missing repository (404)", _missing_repo, 1, ("404", "acme/no-such-repo"), False),
    Bad(
        "label name over 50 characters",
        _config(
            "[labels.phase]\n"
            'name = "phase-of-the-very-long-project-plan-that-we-all-love-{number}"\n'
        ),
        1,
        ("phase-2-authentication.md:", "characters; the forge allows 50", "nothing was written"),
        lines=4,  # one per phase: phase:2, phase:3 and phase:4 are each too long
    ),
    # An issue body over 65,536 characters no longer stops the run: its item is reported and
    # every other item proceeds (tests/e2e/test_field_safety_cli.py).
    Bad("corrupted lock", _lock(b'{"version": 1, "forges": {'), 1, ("phasesync.lock", "rebuilds")),
    Bad("unreadable lock", _lock(b"\xff\xfe\x00\x01"), 1, ("phasesync.lock", "rebuilds")),
    Bad(
        "lock of an unknown version",
        _lock(b'{"version": 7, "forges": {}}'),
        1,
        ("unknown lock version", "rebuilds"),
    ),
]


def _cases() -> list[object]:
    return [
        pytest.param(bad, kind, id=f"{bad.name}-{kind}")
        for bad in BAD_INPUTS
        for kind in (("github",) if bad.forge_neutral else ("github", "gitlab"))
    ]


@pytest.mark.parametrize("bad,kind", _cases())
def test_bad_input_gives_one_clear_message_and_touches_nothing(
    lb: Loopback, bad: Bad, kind: str
) -> None:
    paths = bad.setup(lb)
    before = tree(lb.cli.root)
    proc = lb.cli("push", *paths, check=None)
    stderr = proc.stderr
    print(f"\n[{bad.name}] exit {proc.returncode}\n{stderr.strip()}")
    assert proc.returncode == bad.code, (proc.stdout, stderr)
    assert "Traceback" not in stderr + proc.stdout
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(errors) <= 1, stderr
    if not bad.name.startswith("broken"):  # a broken document lists each of its errors
        assert len(stderr.strip().splitlines()) <= bad.lines, stderr
    for fragment in bad.says:
        assert fragment in stderr, (fragment, stderr)
    h = lb.harness
    assert lb.emulator.writes() == (1 if bad.refused_write else 0)
    assert (h.issues(), h.labels(), h.milestones()) == ([], {}, {})
    assert tree(lb.cli.root) == before
