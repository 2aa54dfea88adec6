"""Reading documents and writing them back atomically.

A document is only ever replaced whole, by renaming a fully written and synced temporary
file over it, so a crash leaves either the old or the new bytes, never a mixture. The new
bytes are only written when the file still holds exactly the bytes phasesync read: an
editor save during the run wins over phasesync.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from syncer.errors import DocumentError

# Mode for files that do not exist yet (the lock file on a first run); mkstemp's own 0600
# would make the lock unreadable for the rest of a team sharing a checkout.
_NEW_FILE_MODE = 0o644


def read_document_bytes(path: Path) -> bytes:
    """The file's exact bytes. Raises `DocumentError` when it cannot be read."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise DocumentError(str(path), f"cannot read: {exc.strerror or exc}") from exc


def write_atomic(path: Path, data: bytes, *, expected: bytes) -> None:
    """Replace `path` with `data`, provided it still holds `expected`.

    Raises `DocumentError` (and writes nothing) when the file changed since it was read.
    The file keeps its permission bits. The check and the rename are not one atomic step:
    a save landing in between those microseconds is the one case this cannot see.
    """
    path = Path(path)
    try:
        current = path.read_bytes()
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError as exc:
        raise DocumentError(str(path), "was removed since it was read; run again") from exc
    except OSError as exc:
        raise DocumentError(str(path), f"cannot read: {exc.strerror or exc}") from exc
    if current != expected:
        raise DocumentError(str(path), "changed on disk since it was read; run again")
    _replace(path, data, mode)


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` as UTF-8 to `path` through a temporary file and a rename.

    Line endings are written as given. An existing file keeps its permission bits.
    """
    path = Path(path)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = _NEW_FILE_MODE
    _replace(path, text.encode("utf-8"), mode)


def _replace(path: Path, data: bytes, mode: int) -> None:
    """Write a temporary file beside `path`, fsync it, rename it over `path`.

    The temporary file is removed on any failure, so nothing is left behind.
    """
    folder = path.parent
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise DocumentError(str(path), f"cannot write: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise DocumentError(str(path), f"cannot write: {exc.strerror or exc}") from exc
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable; not every platform can open a folder, hence best effort."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
