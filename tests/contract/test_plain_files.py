"""Documents are plain files of the repository: FIFOs, devices, links out of the working
tree and oversized files are reported and never read, and the other documents proceed; a
read-only document is never written; `--prefer forge` writes a title as text."""

from __future__ import annotations

import os
import signal
import stat
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from syncer.files import MAX_DOCUMENT_BYTES
from syncer.markdown.parse import parse_document
from syncer.sync.body import split_body
from syncer.sync.text_safety import forge_title as forge_title_of
from tests.contract.conftest import Harness

P2 = "phase-2-authentication.md"
SIGN_IN = "phase-2/functional/password-sign-in"


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail instead of hanging (a FIFO opened for reading waits for a writer)."""

    def stop(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _unreadable(result: object, name: str) -> str:
    docs = {d.path: d for d in result.docs}  # type: ignore[attr-defined]
    doc = docs[f"docs/phases/{name}"]
    (diag,) = doc.diagnostics
    assert diag.code == "unreadable" and doc.phase is None
    return str(diag.message)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_and_a_link_to_a_device_are_reported_and_the_rest_syncs(
    harness: Harness,
) -> None:
    folder = harness.root / "docs" / "phases"
    os.mkfifo(folder / "pipe.md")
    (folder / "zero.md").symlink_to("/dev/zero")
    with deadline(30):
        result = harness.run("push")
    assert "not a regular file" in _unreadable(result, "pipe.md")
    assert "outside the repository" in _unreadable(result, "zero.md")
    assert result.outcome is not None and result.outcome.error is None
    assert len(harness.issues()) == 36


def test_a_link_to_a_file_outside_the_repository_is_not_read_nor_published(
    harness: Harness, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "secret-phase.md"
    data = (harness.doc(P2)).read_bytes().replace(b"Phase 2", b"Phase 9")
    outside.write_bytes(data)
    (harness.doc("phase-9.md")).symlink_to(outside)
    result = harness.run("push")
    assert "outside the repository" in _unreadable(result, "phase-9.md")
    assert len(harness.issues()) == 36
    assert all(str(outside.parent) not in i.body for i in harness.issues())


def test_a_link_inside_the_repository_is_read_under_its_own_name(harness: Harness) -> None:
    folder = harness.root / "docs" / "phases"
    real = harness.root / "plans" / "phase-5.md"
    real.parent.mkdir()
    real.write_bytes(
        b"# Phase 5: Linked\n\n### Functional Requirements\n- [ ] **Linked item**: text\n"
    )
    (folder / "phase-5.md").symlink_to(real)
    harness.run("push")
    body = next(i.body for i in harness.issues() if i.title == "Linked item")
    assert split_body(body).file == "docs/phases/phase-5.md"
    # The link back is written through the link: it stays a link.
    assert (folder / "phase-5.md").is_symlink() and b"([#" in real.read_bytes()


def test_a_document_over_the_size_cap_is_reported_and_the_rest_syncs(harness: Harness) -> None:
    big = harness.doc("phase-8.md")
    big.write_bytes(b"# Phase 8: Big\n\n" + b"x" * MAX_DOCUMENT_BYTES)
    result = harness.run("push")
    assert "larger than 5 MB" in _unreadable(result, "phase-8.md")
    assert result.outcome is not None and result.outcome.error is None
    assert len(harness.issues()) == 36


def test_a_read_only_document_is_not_written_by_pull(harness: Harness) -> None:
    harness.run("push")
    harness.close(harness.number_of(SIGN_IN))
    path = harness.doc(P2)
    before = path.read_bytes()
    os.chmod(path, 0o444)  # checked by mode: root would be allowed to write it anyway
    try:
        result = harness.run("pull")
        assert result.outcome is not None and result.outcome.error is not None
        assert "read-only; not written" in result.outcome.error.describe()
        assert path.read_bytes() == before
        assert stat.S_IMODE(path.stat().st_mode) == 0o444
    finally:
        os.chmod(path, 0o644)
    harness.run("pull")
    assert path.read_bytes() != before  # writable again: the tick goes in


@pytest.mark.parametrize(
    "forge_title",
    [
        "**x** [y](z) <!-- a -->",
        "two\nlines",
        "`code` and \\ back _slash_ #tag |pipe| ~strike~ ![img](u) &amp; end*",
    ],
)
def test_prefer_forge_writes_the_forge_title_as_text(harness: Harness, forge_title: str) -> None:
    harness.run("push")
    n = harness.number_of(SIGN_IN)
    # A title conflict: changed in the document and on the forge.
    path = harness.doc(P2)
    path.write_bytes(path.read_bytes().replace(b"**Password sign-in**", b"**Sign in**", 1))
    harness.set_title(n, forge_title)
    result = harness.run("sync", prefer="forge")
    assert result.outcome is not None and result.outcome.error is None
    data = path.read_bytes()
    doc = parse_document(P2, data)
    assert doc.phase is not None and not doc.has_errors
    # One line, no comment, no markup: the item reads back as the forge's title.
    (item,) = [i for i in doc.phase.items if i.pos.line == 32]
    expected = forge_title.replace("\n", " ")
    assert harness.issue(n).title == expected
    assert b"<!--" not in data and b"**x**" not in data
    harness.emulator.advance(15 * 60)  # type: ignore[attr-defined]
    harness.emulator.reset_log()
    again = harness.run("sync")
    assert again.plan.empty and harness.writes() == 0
    assert forge_title_of(item.title) == expected  # the escaped text reads as the forge's
