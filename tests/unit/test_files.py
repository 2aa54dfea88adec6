"""Atomic writes: refuse a file changed on disk, keep the mode, leave no temporary file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from syncer.errors import DocumentError
from syncer.files import atomic_write_text, read_document_bytes, write_atomic


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_read_document_bytes_exact_and_missing(tmp_path: Path) -> None:
    path = tmp_path / "d.md"
    path.write_bytes(b"\xef\xbb\xbf# x\r\n\r")
    assert read_document_bytes(path) == b"\xef\xbb\xbf# x\r\n\r"
    with pytest.raises(DocumentError) as err:
        read_document_bytes(tmp_path / "missing.md")
    assert err.value.path.endswith("missing.md")


def test_write_atomic_replaces_and_keeps_mode(tmp_path: Path) -> None:
    path = tmp_path / "d.md"
    path.write_bytes(b"old")
    os.chmod(path, 0o640)
    write_atomic(path, b"new\r\n", expected=b"old")
    assert path.read_bytes() == b"new\r\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert listing(tmp_path) == ["d.md"]


def test_write_atomic_refuses_a_file_changed_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "d.md"
    path.write_bytes(b"edited by someone")
    with pytest.raises(DocumentError) as err:
        write_atomic(path, b"new", expected=b"what we read")
    assert "changed on disk since it was read; run again" in str(err.value)
    assert path.read_bytes() == b"edited by someone"
    assert listing(tmp_path) == ["d.md"]


def test_write_atomic_refuses_a_removed_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentError):
        write_atomic(tmp_path / "gone.md", b"new", expected=b"old")
    assert listing(tmp_path) == []


def test_failed_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "d.md"
    path.write_bytes(b"old")

    def broken_replace(src: str, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(DocumentError) as err:
        write_atomic(path, b"new", expected=b"old")
    assert "No space left" in str(err.value)
    assert path.read_bytes() == b"old"
    assert listing(tmp_path) == ["d.md"]


def test_interrupted_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "d.md"
    path.write_bytes(b"old")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, b"new", expected=b"old")
    assert path.read_bytes() == b"old"
    assert listing(tmp_path) == ["d.md"]


def test_atomic_write_text_creates_and_replaces(tmp_path: Path) -> None:
    path = tmp_path / "phasesync.lock"
    atomic_write_text(path, '{"a": 1}\n')
    assert path.read_text() == '{"a": 1}\n'
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    os.chmod(path, 0o600)
    atomic_write_text(path, "ü\n")
    assert path.read_bytes() == "ü\n".encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert listing(tmp_path) == ["phasesync.lock"]
