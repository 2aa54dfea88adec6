"""The project board's plan (`syncer.sync.board`): what is written, from the lock's record
of what was, with no request; and the journal that resumes a run that died."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from syncer.demo import copy_examples
from syncer.markdown.parse import load_documents
from syncer.model import Document
from syncer.sync.board import (
    STATUS,
    WEEK,
    BoardConfig,
    Record,
    board_id,
    estimate_number,
    plan_board,
)
from syncer.sync.lock import ForgeState, LockEntry
from syncer.sync.lock_store import LockStore

URL = "https://github.com/orgs/acme/projects/5"
CFG = BoardConfig(URL)


@pytest.fixture
def docs(tmp_path: Path) -> list[Document]:
    copy_examples(tmp_path)
    return load_documents(sorted((tmp_path / "docs" / "phases").glob("*.md")), root=tmp_path)


def lock_of(docs: list[Document]) -> ForgeState:
    items = {
        str(item.key): LockEntry(n, d.path, item.title, "h", item.checked)
        for n, (d, item) in enumerate(((d, i) for d in docs for i in d.items), start=1)
    }
    return ForgeState(items=items)


@pytest.mark.parametrize(
    ("text", "number"),
    [("3", 3.0), ("2.5 days", 2.5), ("5 pts", 5.0), ("3-5 days", None), ("", None), (None, None)],
)
def test_estimate_number(text: str | None, number: float | None) -> None:
    assert estimate_number(text) == number


def test_plan_from_nothing_adds_every_issue_with_its_values(docs: list[Document]) -> None:
    state = lock_of(docs)
    plan = plan_board(CFG, docs, {}, state, whole=True, complete=False)
    assert plan.adds == len(state.items) == len(plan.work)
    assert all(STATUS in w.changed for w in plan.work)
    assert any(WEEK in w.changed for w in plan.work)
    assert "High" in plan.priorities


def recorded(
    plan_state: ForgeState, docs: list[Document], *, pending: tuple[str, ...] = ()
) -> ForgeState:
    """The lock after a run that wrote every value of the plan (`pending` left unwritten)."""
    plan = plan_board(CFG, docs, {}, plan_state, whole=True, complete=False)
    board = {}
    for w in plan.work:
        fields = {k: v for k, v in w.wanted.digests().items() if k not in pending}
        rec = Record(w.wanted.issue, f"PVTI_{w.wanted.issue}", board_id(URL), fields, pending)
        board[w.wanted.key] = rec.to_json()
    return replace(plan_state, board=board)


def test_nothing_changed_is_an_empty_plan(docs: list[Document]) -> None:
    state = recorded(lock_of(docs), docs)
    assert plan_board(CFG, docs, {}, state, whole=True, complete=True).empty


def test_a_tick_changes_only_the_status(docs: list[Document]) -> None:
    state = recorded(lock_of(docs), docs)
    key, entry = next((k, e) for k, e in state.items.items() if not e.checked)
    plan = plan_board(
        CFG, docs, {key: replace(entry, checked=True)}, state, whole=True, complete=False
    )
    (work,) = plan.work
    assert work.wanted.key == key and work.changed == (STATUS,) and not work.adds
    assert work.wanted.values[STATUS] == "Done"


def test_pending_values_wait_for_the_complete_run(docs: list[Document]) -> None:
    state = recorded(lock_of(docs), docs, pending=(WEEK,))
    assert plan_board(CFG, docs, {}, state, whole=True, complete=False).empty
    daily = plan_board(CFG, docs, {}, state, whole=True, complete=True)
    assert daily.work and all(w.changed == (WEEK,) for w in daily.work)


def test_another_board_starts_afresh_and_gone_items_are_dropped(docs: list[Document]) -> None:
    state = recorded(lock_of(docs), docs)
    other = plan_board(
        BoardConfig(URL.replace("/5", "/6")), docs, {}, state, whole=True, complete=False
    )
    assert other.adds == len(state.items)
    fewer = [replace(docs[0], phases=()), *docs[1:]]
    assert plan_board(CFG, fewer, {}, state, whole=True, complete=False).dropped
    kept = plan_board(CFG, fewer, {}, state, whole=False, complete=False)
    assert not kept.dropped and len(kept.kept) == len(state.items)


def test_a_journaled_item_is_in_the_lock_after_a_crash(tmp_path: Path) -> None:
    store = LockStore(tmp_path / "phasesync.lock")
    rec = Record(7, "PVTI_7", board_id(URL), {"Status": "abc"})
    line = {"forge": "github:x/y", "board": "phase-2/week-1/a", "item": rec.to_json()}
    store.journal.write_text(json.dumps(line) + "\n", encoding="utf-8")
    state = store.load().state("github:x/y")
    assert Record.from_json(state.board["phase-2/week-1/a"]) == rec
    store.save(store.load())  # and written into the lock file, which reads back the same
    assert LockStore(tmp_path / "phasesync.lock").load().state("github:x/y").board == state.board
