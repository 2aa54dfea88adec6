"""The lock's fast paths (issue 15) write and read exactly what the general ones do.

`dumps` formats each item by hand instead of `json.dumps(..., sort_keys=True)` per item,
and `parse_entry` accepts a well-typed item in one pass: both must be byte for byte and
value for value what the slow ways give, whatever the strings hold."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncer.sync.lock import Lock, LockEntry, _entry_json, dumps, loads, parse_entry

texts = st.text(max_size=40)  # every code point: quotes, controls, surrogates, emoji
entries = st.builds(
    LockEntry,
    issue=st.integers(min_value=0, max_value=10**12),
    file=texts,
    title=texts,
    hash=texts,
    checked=st.booleans(),
    milestone=st.none() | texts,
    extra=st.booleans(),
    desc=st.none() | texts,
)


@given(entries)
def test_an_item_is_written_as_json_dumps_writes_it(entry: LockEntry) -> None:
    assert _entry_json(entry) == json.dumps(entry.to_json(), sort_keys=True, ensure_ascii=False)


@given(st.dictionaries(texts, entries, max_size=5))
def test_a_lock_round_trips(items: dict[str, LockEntry]) -> None:
    from syncer.sync.lock import ForgeState

    lock = Lock({"github:github.com/o/r": ForgeState(items=items)})
    text = dumps(lock)
    assert json.loads(text)["forges"]["github:github.com/o/r"]["items"] == {
        k: e.to_json() for k, e in items.items()
    }
    assert loads(text) == lock


@given(entries)
def test_a_well_typed_item_reads_back_as_itself(entry: LockEntry) -> None:
    assert parse_entry("k", json.loads(json.dumps(entry.to_json()))) == entry


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"issue": True, "file": "f", "title": "t", "hash": "h", "checked": False}, "issue"),
        ({"issue": -1, "file": "f", "title": "t", "hash": "h", "checked": False}, "issue"),
        ({"issue": 1, "file": 2, "title": "t", "hash": "h", "checked": False}, "file"),
        ({"issue": 1, "file": "f", "title": "t", "hash": "h", "checked": 1}, "checked"),
        (
            {"issue": 1, "file": "f", "title": "t", "hash": "h", "checked": False, "extra": 0},
            "extra",
        ),
        (
            {"issue": 1, "file": "f", "title": "t", "hash": "h", "checked": False, "desc": 3},
            "desc",
        ),
        (
            {"issue": 1, "file": "f", "title": "t", "hash": "h", "checked": False, "milestone": 3},
            "milestone",
        ),
    ],
)
def test_an_ill_typed_item_is_still_refused_with_its_reason(raw: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_entry("k", raw)


def test_an_item_of_an_older_lock_reads_with_its_defaults() -> None:
    raw = {"issue": 3, "file": "f", "title": "t", "hash": "h", "checked": True}
    assert parse_entry("k", raw) == LockEntry(3, "f", "t", "h", True, None, True, None)


@given(entries)
def test_an_item_repr_is_the_dataclass_one(entry: LockEntry) -> None:
    """The digests hash `repr(entry)`: the hand-written one keeps every recorded digest."""
    fields = ", ".join(f"{f.name}={getattr(entry, f.name)!r}" for f in dataclasses.fields(entry))
    assert repr(entry) == f"LockEntry({fields})"
