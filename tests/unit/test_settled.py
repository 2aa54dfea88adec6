"""The settled digest changes with every input a plan depends on, and with nothing else."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from syncer.errors import LockFileError
from syncer.forges.base import RemoteLabel, RemoteMilestone, Snapshot
from syncer.sync import settled as settled_module
from syncer.sync.lock import ForgeState, Lock, LockEntry, dumps, loads
from syncer.sync.render import DEFAULT_RENDER
from syncer.sync.settled import inputs_digest, settled_digest

ENTRY = LockEntry(7, "docs/phases/p.md", "Sign in", "0123456789abcdef", False, "Phase 2: Auth")
BASE: dict[str, Any] = {
    "documents": [("docs/phases/p.md", b"# Phase 2: Auth\n- [ ] a\n")],
    "items": {"phase-2/week-1/a": ENTRY},
    "render": DEFAULT_RENDER,
    "settings": (("docs/phases/**/*.md",), True, "close"),
    "identity": "github:github.com/o/r",
    "issue_base": "https://github.com/o/r/issues/1",
}
LABELS = (RemoteLabel("phase:2", "1d76db"), RemoteLabel("week:1", "0e8a16"))
MILESTONES = (RemoteMilestone(3, "Phase 2: Auth", "", date(2026, 3, 20)),)
NOW = datetime(2026, 11, 27, tzinfo=UTC)


def digest(**change: Any) -> str:
    return inputs_digest(**{**BASE, **change})


@pytest.mark.parametrize(
    "change",
    [
        {"documents": [("docs/phases/p.md", b"# Phase 2: Auth\n- [x] a\n")]},
        {"documents": [("docs/phases/q.md", b"# Phase 2: Auth\n- [ ] a\n")]},
        {"documents": [*BASE["documents"], ("docs/phases/q.md", b"")]},
        {"documents": []},
        {"items": {"phase-2/week-1/a": replace(ENTRY, checked=True)}},
        {"items": {"phase-2/week-1/a": replace(ENTRY, hash="f" * 16)}},
        {"items": {"phase-2/week-1/b": ENTRY}},
        {"items": {}},
        {"render": replace(DEFAULT_RENDER, escape_mentions=False)},
        {"render": replace(DEFAULT_RENDER, milestone_title="P{number}: {name}")},
        {"settings": (("docs/**/*.md",), True, "close")},
        {"settings": (("docs/phases/**/*.md",), False, "close")},
        {"settings": (("docs/phases/**/*.md",), True, "keep")},
        {"identity": "gitlab:gitlab.com/o/r"},
        {"issue_base": "https://github.example.com/o/r/issues/1"},
    ],
)
def test_every_input_changes_the_digest(change: dict[str, Any]) -> None:
    assert digest(**change) != digest()


def test_the_same_inputs_give_the_same_digest() -> None:
    assert digest() == digest()
    # The lock's items are a mapping: their order is not an input.
    two = {"b": ENTRY, "a": replace(ENTRY, issue=8)}
    assert digest(items=two) == digest(items=dict(reversed(two.items())))


def test_a_new_release_or_epoch_changes_the_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    before = digest()
    monkeypatch.setattr(settled_module, "EPOCH", settled_module.EPOCH + 1)
    assert digest() != before
    monkeypatch.setattr(settled_module, "EPOCH", settled_module.EPOCH - 1)
    monkeypatch.setattr(settled_module, "__version__", "99.0.0")
    assert digest() != before


def snapshot(labels: tuple[RemoteLabel, ...], milestones: tuple[RemoteMilestone, ...]) -> Snapshot:
    return Snapshot(labels, milestones, (), NOW, since=NOW)


def test_labels_and_milestones_count_but_not_their_order() -> None:
    inputs = digest()
    base = settled_digest(inputs, snapshot(LABELS, MILESTONES))
    assert settled_digest(inputs, snapshot(LABELS[::-1], MILESTONES)) == base
    for labels, milestones in [
        (LABELS[:1], MILESTONES),
        ((*LABELS, RemoteLabel("triage", "ededed")), MILESTONES),
        ((replace(LABELS[0], color="000000"), LABELS[1]), MILESTONES),
        (LABELS, ()),
        (LABELS, (replace(MILESTONES[0], due=date(2026, 3, 19)),)),
        (LABELS, (replace(MILESTONES[0], state="closed"),)),
        (LABELS, (replace(MILESTONES[0], description="changed"),)),
    ]:
        assert settled_digest(inputs, snapshot(labels, milestones)) != base
    assert settled_digest(digest(items={}), snapshot(LABELS, MILESTONES)) != base


def test_the_lock_keeps_the_digest_and_only_writes_it_when_there_is_one() -> None:
    state = ForgeState(items={"k": ENTRY}, listed_at=NOW, synced_at=NOW)
    without = dumps(Lock({"github:github.com/o/r": state}))
    assert "settled" not in without
    with_digest = dumps(Lock({"github:github.com/o/r": replace(state, settled="ab" * 32)}))
    assert loads(with_digest).state("github:github.com/o/r").settled == "ab" * 32
    assert loads(without).state("github:github.com/o/r").settled is None


def test_a_settled_value_that_is_not_a_string_is_a_clear_lock_error() -> None:
    text = dumps(Lock({"f": ForgeState(items={"k": ENTRY}, settled="x")}))
    with pytest.raises(LockFileError, match="settled"):
        loads(text.replace('"settled": "x"', '"settled": 12'))


def test_a_lock_entry_writes_every_field_and_reads_back_the_same() -> None:
    from dataclasses import fields

    assert set(ENTRY.to_json()) == {f.name for f in fields(LockEntry)}
    assert LockEntry.from_json(ENTRY.to_json()) == ENTRY


def test_a_lock_entry_without_extra_is_taken_as_having_peoples_text() -> None:
    old = {k: v for k, v in ENTRY.to_json().items() if k != "extra"}
    assert LockEntry.from_json(old).extra is True
    text = dumps(Lock({"f": ForgeState(items={"k": replace(ENTRY, extra=False)})}))
    assert '"extra": false' in text and loads(text).state("f").items["k"].extra is False
    with pytest.raises(LockFileError, match="extra must be true or false"):
        loads(text.replace('"extra": false', '"extra": "no"'))
