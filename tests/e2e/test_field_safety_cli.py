"""Field safety at the command line: no escape byte from a document reaches the terminal,
`validate` warns of titles the forge would refuse, and an item whose body the forge would
refuse is reported while every other item is pushed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Loopback, open_loopback

pytestmark = pytest.mark.e2e

P2 = Path("docs/phases/phase-2-authentication.md")


@pytest.fixture
def lb(tmp_path: Path) -> Iterator[Loopback]:
    with open_loopback("github", tmp_path) as loopback:
        yield loopback


def _edit(lb: Loopback, old: bytes, new: bytes) -> None:
    path = lb.cli.root / P2
    data = path.read_bytes()
    assert data.count(old) == 1, old
    path.write_bytes(data.replace(old, new))


def test_no_control_character_from_a_document_reaches_the_output(lb: Loopback) -> None:
    _edit(
        lb, b"# Phase 2: User Authentication", b"# Phase 2: User \x1b[31mAuth\xe2\x80\xaeentication"
    )
    _edit(lb, b"**Password sign-in**", b"**Pass\x1b]0;pwned\x07word sign-in**")
    outputs = []
    for args in (
        ("status",),
        ("status", "--format", "markdown"),
        ("plan",),
        ("plan", "--format", "markdown"),
        ("validate",),
        ("validate", "--format", "github"),
    ):
        proc = lb.cli(*args, check=None)
        assert proc.returncode in (0, 2), (args, proc.stderr)
        outputs.append(proc.stdout + proc.stderr)
    text = "\n".join(outputs)
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "User \\x1b[31mAuth\\u202eentication" in outputs[0]  # shown, as escapes


def test_validate_warns_of_a_title_the_forge_would_shorten(lb: Loopback) -> None:
    long = " ".join(["Password"] * 40)
    _edit(lb, b"**Password sign-in**", f"**{long}**".encode())
    proc = lb.cli("validate", check=0)
    (line,) = [x for x in proc.stdout.splitlines() if "[long-title]" in x]
    assert line.startswith(f"{P2.as_posix()}:32:1: warning: the title is 359 characters")
    assert "allows 256" in line


def test_an_item_whose_body_the_forge_would_refuse_is_reported_and_the_rest_pushed(
    lb: Loopback,
) -> None:
    line = b"Users sign in with e-mail and password and receive a session cookie."
    _edit(lb, line, line + b" " + b"word " * 14_000)
    proc = lb.cli("push", check=1)
    assert f"{P2.as_posix()}:32: the issue body would be" in proc.stderr
    assert "this item was not synced" in proc.stderr
    titles = [i.title for i in lb.harness.issues()]
    assert len(titles) == 35 and "Password sign-in" not in titles, proc.stderr
