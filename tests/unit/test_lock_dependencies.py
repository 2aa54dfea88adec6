"""The lock's `dependencies` (`dependencies = "links"`): one blocked issue per line, read
back as written, a hand-edited record ignored, journaled records replayed after a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncer.errors import LockFileError
from syncer.sync.dependencies_record import Blocked, blocked_records
from syncer.sync.lock import ForgeState, Lock, LockEntry, dumps, loads
from syncer.sync.lock_store import LockStore

ID = "gitlab:gitlab.com/acme/plans"


def test_dependencies_round_trip_one_blocked_issue_per_line() -> None:
    state = ForgeState(
        dependencies={
            "phase-2/week-1/a": Blocked(4, "relates_to", (3, 1)).to_json(),
            "phase-3/parent": Blocked(9, "is_blocked_by", (8,), None).to_json(),
            "phase-2/week-1/b": {"issue": True, "via": "blocked_by"},  # hand-edited: not one
        }
    )
    text = dumps(Lock({ID: state}))
    assert '"phase-2/week-1/a": {"blocked_by": [1, 3], "issue": 4' in text
    assert dumps(loads(text)) == text
    back = blocked_records(loads(text).state(ID))
    assert back == {
        "phase-2/week-1/a": Blocked(4, "relates_to", (1, 3)),
        "phase-3/parent": Blocked(9, "is_blocked_by", (8,)),
    }
    plain = dumps(Lock({ID: ForgeState()}))
    assert '"dependencies"' not in plain
    with pytest.raises(LockFileError):
        loads(plain.replace('"items": {', '"dependencies": [1],\n"items": {'))


def test_journaled_records_are_replayed_after_a_crash(tmp_path: Path) -> None:
    store = LockStore(tmp_path / "phasesync.lock")
    entry = LockEntry(4, "docs/a.md", "a", "h", False)
    store.save(Lock({ID: ForgeState(items={"phase-2/week-1/a": entry})}))
    store.record_dependency(ID, "phase-2/week-1/a", Blocked(4, "relates_to", (2,)).to_json())
    store.record_dependency(ID, "phase-2/week-1/c", Blocked(6, "relates_to", (2,)).to_json())
    store.record_dependency(ID, "phase-2/week-1/c", {"cleared": True})
    # The run died here: the next one reads the lock and its journal.
    state = LockStore(tmp_path / "phasesync.lock").load().state(ID)
    assert blocked_records(state) == {"phase-2/week-1/a": Blocked(4, "relates_to", (2,))}
    assert state.items["phase-2/week-1/a"].issue == 4
