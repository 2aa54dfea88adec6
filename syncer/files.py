"""Reading documents and writing them back atomically.

Documents are plain files of the repository: only regular files inside the working tree are
read (a link is followed only when its target is inside it too), never a FIFO or a device,
and never more than `MAX_DOCUMENT_BYTES`. A read-only document is never written.

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


MAX_DOCUMENT_BYTES = 5 * 1024 * 1024


def read_document_bytes(path: Path, root: Path | None = None) -> bytes:
    """The file's exact bytes. Raises `DocumentError` when it cannot be read, is not a
    regular file, lies outside `root` (through a link), or is larger than
    `MAX_DOCUMENT_BYTES`."""
    path = Path(path)
    shown = str(path)
    try:
        real = path.resolve()
        if root is not None and not real.is_relative_to(Path(root).resolve()):
            raise DocumentError(
                shown, "is outside the repository (or a link to there); not read (not synced)"
            )
        info = os.stat(real)
        if not stat.S_ISREG(info.st_mode):
            raise DocumentError(
                shown, "is not a regular file (a FIFO, device or folder); not read (not synced)"
            )
        # O_NONBLOCK: should the file have become a FIFO since, opening it does not wait.
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise DocumentError(shown, "is not a regular file; not read (not synced)")
            data = fh.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as exc:
        raise DocumentError(shown, f"cannot read: {exc.strerror or exc}") from exc
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError(
            shown,
            f"is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB, more than a phase "
            "document can be; not read (not synced)",
        )
    return data


def read_only(path: Path) -> bool:
    """Whether the file's mode says it is not to be written: no write bit at all, or (when
    not running as root, who may write anything) no write permission for this user."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return False
    if mode & 0o222 == 0:
        return True
    return hasattr(os, "geteuid") and os.geteuid() != 0 and not os.access(path, os.W_OK)


def write_atomic(path: Path, data: bytes, *, expected: bytes) -> None:
    """Replace `path` with `data`, provided it still holds `expected`.

    Raises `DocumentError` (and writes nothing) when the file changed since it was read.
    A read-only file (no write bit) is never written: `DocumentError` "read-only; not
    written". The file keeps its permission bits. The check and the rename are not one atomic step:
    a save landing in between those microseconds is the one case this cannot see.
    """
    shown = str(path)
    path = Path(path).resolve()  # a link inside the tree is written through, not replaced
    if read_only(path):
        raise DocumentError(shown, "read-only; not written")
    try:
        current = path.read_bytes()
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError as exc:
        raise DocumentError(shown, "was removed since it was read; run again") from exc
    except OSError as exc:
        raise DocumentError(shown, f"cannot read: {exc.strerror or exc}") from exc
    if current != expected:
        raise DocumentError(shown, "changed on disk since it was read; run again")
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
