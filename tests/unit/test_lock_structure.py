"""The lock's `structure` and `capabilities` (`phase_parents`): written one parent per line,
read back as written, journaled parents replayed after a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncer.errors import LockFileError
from syncer.sync.lock import ForgeState, Lock, dumps, loads
from syncer.sync.lock_store import LockStore
from syncer.sync.structure_record import Record, records

ID = "github:github.com/acme/plans"


def test_structure_and_capabilities_round_trip_one_parent_per_line() -> None:
    rec = Record(7, "abc", False, (3, 1, 2), 3)
    state = ForgeState(
        structure={
            "phase-2/parent": rec.to_json(),
            "phase-3/parent": Record(9, "d", True).to_json(),
        },
        capabilities={"relations": "sub_issues"},
    )
    text = dumps(Lock({ID: state}))
    assert '"phase-2/parent": {"children": [1, 2, 3], "closed": false' in text
    assert len([line for line in text.splitlines() if '/parent": {' in line]) == 2
    back = loads(text).state(ID)
    assert back.capabilities == {"relations": "sub_issues"}
    assert records(back)["phase-2/parent"] == Record(7, "abc", False, (1, 2, 3), 3)
    assert dumps(loads(text)) == text


def test_a_lock_without_them_reads_as_before_and_a_bad_one_is_refused() -> None:
    plain = dumps(Lock({ID: ForgeState()}))
    assert '"structure"' not in plain and loads(plain).state(ID).structure == {}
    with pytest.raises(LockFileError):
        loads(plain.replace('"items": {', '"structure": [1],\n"items": {'))


def test_a_hand_broken_record_is_dropped_not_trusted() -> None:
    state = ForgeState(structure={"phase-2/parent": {"issue": "7", "hash": "x", "closed": False}})
    assert records(state) == {}


def test_journaled_parents_are_replayed(tmp_path: Path) -> None:
    store = LockStore(tmp_path / "phasesync.lock")
    store.save(Lock({ID: ForgeState()}))
    store.record_structure(ID, "phase-2/parent", Record(7, "abc", False).to_json())
    store.record_structure(ID, "phase-2/parent", Record(7, "abc", False, (3,), 1).to_json())
    state = store.load().state(ID)
    assert records(state)["phase-2/parent"] == Record(7, "abc", False, (3,), 1)
    assert state.items == {}  # a parent is never an item (it would be closed as removed)
