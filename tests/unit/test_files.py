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


def test_read_document_bytes_refuses_what_is_not_a_plain_file_of_the_tree(
    tmp_path: Path,
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    outside = tmp_path / "outside.md"
    outside.write_bytes(b"# x")
    (root / "out.md").symlink_to(outside)
    (root / "in.md").write_bytes(b"# in")
    (root / "link.md").symlink_to(root / "in.md")
    (root / "folder.md").mkdir()
    cases = {"out.md": "outside the repository", "folder.md": "not a regular file"}
    if hasattr(os, "mkfifo"):
        os.mkfifo(root / "pipe.md")
        cases["pipe.md"] = "not a regular file"
    for name, message in cases.items():
        with pytest.raises(DocumentError) as err:
            read_document_bytes(root / name, root)
        assert message in err.value.message, name
    assert read_document_bytes(root / "link.md", root) == b"# in"
    assert read_document_bytes(root / "out.md") == b"# x"  # no root: no tree to stay in


def test_read_document_bytes_caps_the_size(tmp_path: Path) -> None:
    from syncer.files import MAX_DOCUMENT_BYTES

    path = tmp_path / "big.md"
    path.write_bytes(b"x" * MAX_DOCUMENT_BYTES)
    assert len(read_document_bytes(path, tmp_path)) == MAX_DOCUMENT_BYTES
    path.write_bytes(b"x" * (MAX_DOCUMENT_BYTES + 1))
    with pytest.raises(DocumentError, match="larger than 5 MB"):
        read_document_bytes(path, tmp_path)


def test_write_atomic_never_writes_a_read_only_file(tmp_path: Path) -> None:
    path = tmp_path / "d.md"
    path.write_bytes(b"old")
    os.chmod(path, 0o444)
    with pytest.raises(DocumentError, match="read-only; not written"):
        write_atomic(path, b"new", expected=b"old")
    assert path.read_bytes() == b"old" and listing(tmp_path) == ["d.md"]


def test_write_atomic_writes_through_a_link_and_keeps_it(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_bytes(b"old")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    write_atomic(link, b"new", expected=b"old")
    assert link.is_symlink() and real.read_bytes() == b"new"
