"""`LockStore`: `phasesync.lock` on disk, its journal and the run lock (filelock).

Creations are recorded the moment they happen in an append-only journal beside the lock
(`phasesync.lock.journal`, one JSON line per event, fsynced); a run that dies before it
rewrites the lock replays the journal on its next start, so an issue created just before
a crash is never created twice.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from syncer.errors import BusyError, DocumentError, LockFileError
from syncer.files import atomic_write_text
from syncer.sync.lock import Lock, LockEntry, dumps, loads, parse_entry


def replay_board(lock: Lock, raw: str) -> Lock:
    """A journaled board item (`syncer.sync.board_run.journal`) folded into the lock."""
    from syncer.sync.board_run import replay

    return replay(lock, raw)


def _replay_structure(lock: Lock, raw: str) -> Lock:
    """A journaled parent issue's record (`LockStore.record_structure`) folded into the
    lock; any other line is left to the item replay."""
    try:
        event = json.loads(raw)
        if not isinstance(event, dict) or not ({"structure", "dependency"} & set(event)):
            return lock
        table = "structure" if "structure" in event else "dependency"
        identity, key, node = str(event["forge"]), str(event[table]), event["node"]
    except (ValueError, KeyError, TypeError, OverflowError, RecursionError):
        return lock
    if not isinstance(node, dict):
        return lock
    state = lock.state(identity)
    if table == "dependency":  # `dependencies = "links"`: a blocked issue's record
        return lock.with_state(
            identity, replace(state, dependencies={**state.dependencies, key: node})
        )
    return lock.with_state(identity, replace(state, structure={**state.structure, key: node}))


def unwritable(path: str, exc: OSError) -> DocumentError:
    """The error for a file beside the lock that cannot be written: one line, naming it."""
    reason = exc.strerror or type(exc).__name__
    return DocumentError(
        path,
        f"cannot write: {reason}. phasesync writes phasesync.lock, its journal and its "
        "run lock beside the documents: run it in a writable checkout",
    )


class LockStore:
    """The lock file, its journal and the file lock that keeps two runs apart."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.journal = path.with_name(path.name + ".journal")
        self._mutex = FileLock(str(path.with_name(path.name + ".lock")))
        # The text last read or written and the lock it holds: a run reads the lock twice
        # (to plan, and to write it after its creations), 10,000 items cost 0.1 s a read.
        self._last: tuple[str, Lock] | None = None

    @contextmanager
    def exclusive(self, timeout: float = 10.0) -> Iterator[None]:
        """Hold the run lock; a second concurrent run waits `timeout` s, then `BusyError`.
        A run lock that cannot be made (a read-only checkout) is a `DocumentError` naming
        it: nothing has been read or sent yet."""
        try:
            self._mutex.acquire(timeout=timeout)
        except Timeout:
            raise BusyError(str(self.path)) from None
        except OSError as exc:
            raise unwritable(self._mutex.lock_file, exc) from None
        try:
            yield
        finally:
            self._mutex.release()

    def load(self) -> Lock:
        """The lock as last written, with any journaled creations of a dead run replayed."""
        if self.path.exists():
            try:
                text = self.path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise LockFileError(str(self.path), f"cannot read the lock ({exc})") from None
            if self._last is not None and self._last[0] == text:
                lock = self._last[1]  # the same text: the same values (they are frozen)
            else:
                lock = loads(text, str(self.path))
                self._last = (text, lock)
        else:
            lock = Lock()
        return self._replay(lock)

    def _replay(self, lock: Lock) -> Lock:
        if not self.journal.exists():
            return lock
        try:
            # Lines are ASCII JSON; anything else is damage, skipped line by line below.
            text = self.journal.read_bytes().decode("utf-8", "replace")
        except OSError as exc:
            raise LockFileError(str(self.journal), f"cannot read the journal ({exc})") from None
        for raw in text.splitlines():
            lock = _replay_structure(lock, raw)
            lock = replay_board(lock, raw)
            try:
                event = json.loads(raw)
                identity, key = str(event["forge"]), str(event["key"])
                entry = parse_entry(key, event["entry"])
                creator = str(event.get("creator") or "")
            except (ValueError, KeyError, TypeError, OverflowError, RecursionError, AttributeError):
                continue  # a line torn by the crash itself: the issue is found by its marker
            state = lock.state(identity)
            if creator and creator not in state.creators:
                state = replace(state, creators=tuple(sorted({*state.creators, creator})))
                lock = lock.with_state(identity, state)
            known = state.items.get(key)
            if known is not None and known.issue == entry.issue:
                # The lock already has this creation: it was saved after the journal line and
                # the run died before it could drop the journal. The lock is newer (it may
                # know the issue closed since); the journal's open state would roll it back.
                continue
            lock = lock.with_state(identity, replace(state, items={**state.items, key: entry}))
        return lock

    def record(self, identity: str, key: str, entry: LockEntry, creator: str = "") -> None:
        """Append one creation (and who the forge says made it) to the journal and make it
        durable before the next request."""
        event = {"forge": identity, "key": key, "entry": entry.to_json()}
        if creator:
            event["creator"] = creator
        # Not journaled (`unwritable`), the issue still exists: the run stops before its
        # next request, and the next run finds the issue by its key marker.
        self._append(json.dumps(event))

    def record_structure(self, identity: str, key: str, node: Mapping[str, Any]) -> None:
        """Journal one parent issue's record (`syncer.sync.structure`) after a write to it
        or its relations: a run that dies is resumed from there."""
        self._append(json.dumps({"forge": identity, "structure": key, "node": dict(node)}))

    def record_dependency(self, identity: str, key: str, node: Mapping[str, Any]) -> None:
        """Journal one blocked issue's record (`syncer.sync.dependencies`) after a write to
        its relations."""
        self._append(json.dumps({"forge": identity, "dependency": key, "node": dict(node)}))

    def record_board(self, identity: str, key: str, item: Mapping[str, Any]) -> None:
        """Journal one board item's record (`syncer.sync.board_run`; {}: forgotten)."""
        self._append(json.dumps({"forge": identity, "board": key, "item": dict(item)}))

    def _append(self, line: str) -> None:
        """One journal line, durable before the next request; `unwritable` when it can't be."""
        try:
            with open(self.journal, "a", encoding="utf-8") as f:
                f.write(line + "\n")
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            raise unwritable(str(self.journal), exc) from None

    def save(self, lock: Lock) -> None:
        """Rewrite the lock atomically (unless it already holds exactly this), then drop the
        journal it now contains."""
        text = dumps(lock)
        try:
            unchanged = self.path.read_text(encoding="utf-8") == text
        except (OSError, UnicodeDecodeError):
            unchanged = False
        if not unchanged:
            atomic_write_text(self.path, text)
        self._last = (text, lock)
        self.journal.unlink(missing_ok=True)
