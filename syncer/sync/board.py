"""A project board (`project = "<URL of a GitHub project>"`): every managed issue an item of
a GitHub Projects (v2) board, with fields filled from the document.

This module decides what the board needs (pure: documents and lock in, a `BoardPlan` out);
`board_run` carries it out through `syncer.forges.github_board`.

The fields, by name (matched without regard to case), and what fills them:

============  ===========================================  ==================================
Field         Value                                        Made when the board lacks it
============  ===========================================  ==================================
Status        `Todo` for an open box, `Done` for a ticked  single select `Todo`, `Done`
              one (the names: `project_status`)
Phase         the phase's title (`Phase 2: Auth`)          text
Type          the item's kind (`Functional`, `Task`, ...)  single select of the four kinds
Priority      the requirement's priority, else the phase's single select of the documents'
Week          `Week N` of a task under `#### Week N`       never: GitHub's API cannot make
                                                           an iteration field; reported
Estimate      the number an estimate starts with (`3 d`)   number
Due           the due date of the item's milestone         date
============  ===========================================  ==================================

A field of another type than the table's is written as its type allows (a `Phase` single
select gets the option named like the phase, a `Week` number field the week's number); an
option or iteration the board lacks is reported, never guessed or made (making an option
would replace the field's option list, and with it what people chose).

Decisions, and why:

* The lock keeps, per item (`ForgeState.board`), the board's item id and a short digest of
  each field value written. The plan compares the document's values with those digests: the
  idle sync makes no board request at all, and a second push sends nothing.
* A value that could not be written (a missing field or option) is kept as `pending` and
  tried again on the daily complete run only: reporting it costs one read of the board a
  day, not one per run.
* A person's change of a field on the board is left alone: phasesync writes a field again
  only when the document's value changes. The board is where people work (a card moved to
  `In Progress` is not the document's business); reading every item back would cost a
  request per 100 items on each complete run.
* An item a person takes off the board is found gone by the next write to it (GitHub
  answers NOT_FOUND): its record is forgotten, and the run after adds the issue again.
* Items phasesync no longer manages stay on the board: their record is dropped.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from syncer.model import Document, Item, Kind, Phase, Task
from syncer.sync.lock import ForgeState, LockEntry

STATUS, PHASE, TYPE, PRIORITY, WEEK, ESTIMATE, DUE = (
    "Status", "Phase", "Type", "Priority", "Week", "Estimate", "Due",
)  # fmt: skip
TODO, DONE = "Todo", "Done"
KIND_NAMES = {
    Kind.FUNCTIONAL: "Functional",
    Kind.NON_FUNCTIONAL: "Non-functional",
    Kind.TECHNICAL: "Technical",
    Kind.TASK: "Task",
}
# What a missing field is made as (`createProjectV2Field`'s data types); Week: never.
MADE_AS = {
    STATUS: "SINGLE_SELECT",
    PHASE: "TEXT",
    TYPE: "SINGLE_SELECT",
    PRIORITY: "SINGLE_SELECT",
    ESTIMATE: "NUMBER",
    DUE: "DATE",
}
OPTION_LIMIT = 50  # GitHub's single select options
_NUMBER = re.compile(r"\s*(\d+(?:\.\d+)?)(?:\s*[^\d\s.][^\d]*)?\s*$")


def estimate_number(text: str | None) -> float | None:
    """The number an estimate states (`3`, `2.5 days`, `5 pts`); None for `3-5 days`."""
    match = _NUMBER.fullmatch(text or "")
    return float(match.group(1)) if match else None


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class BoardConfig:
    """The `project` settings: the board's URL, and the Status options of an open and of a
    ticked box (`project_status`)."""

    url: str
    todo: str = TODO
    done: str = DONE


def board_id(url: str) -> str:
    """A record's `board`: which board its item is on (a new `project` starts afresh)."""
    return _digest(url.rstrip("/").lower())


@dataclass(frozen=True, slots=True)
class Wanted:
    """One issue's values, as the document says them (a field with no value: absent)."""

    key: str
    issue: int
    values: Mapping[str, str | float]  # field name -> text, number or ISO date

    def digests(self) -> dict[str, str]:
        return {name: _digest(v) for name, v in self.values.items()}


@dataclass(frozen=True, slots=True)
class Record:
    """The lock's record of one item on the board."""

    issue: int
    item: str
    board: str
    fields: Mapping[str, str] = field(default_factory=dict)  # field name -> digest written
    pending: tuple[str, ...] = ()  # fields not written (missing on the board): retried daily

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "issue": self.issue,
            "item": self.item,
            "board": self.board,
            "fields": dict(sorted(self.fields.items())),
        }
        if self.pending:
            out["pending"] = sorted(self.pending)
        return out

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Record | None:
        try:
            fields = raw.get("fields") or {}
            return cls(
                int(raw["issue"]),
                str(raw["item"]),
                str(raw["board"]),
                {str(k): str(v) for k, v in fields.items()},
                tuple(str(p) for p in raw.get("pending") or ()),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None  # a damaged record: the item is added again (GitHub answers the same)


def records(state: ForgeState) -> dict[str, Record]:
    out: dict[str, Record] = {}
    for key, raw in getattr(state, "board", {}).items():
        rec = Record.from_json(raw)
        if rec is not None:
            out[key] = rec
    return out


def _values(
    phase: Phase, item: Item, done: bool, due: date | None, status: tuple[str, str]
) -> dict[str, str | float]:
    out: dict[str, str | float] = {
        STATUS: status[1] if done else status[0],
        PHASE: phase.title,
        TYPE: KIND_NAMES[item.kind],
    }
    priority = getattr(item, "priority", None) or phase.priority
    if priority:
        out[PRIORITY] = priority.strip()
    if isinstance(item, Task) and item.week is not None:
        out[WEEK] = f"Week {item.week}"
    number = estimate_number(getattr(item, "estimate", None))
    if number is not None:
        out[ESTIMATE] = number
    if due is not None:
        out[DUE] = due.isoformat()
    return out


@dataclass(frozen=True, slots=True)
class Work:
    wanted: Wanted
    record: Record | None  # None, or on another board: the issue is to be added
    changed: tuple[str, ...]  # fields whose value is to be written

    @property
    def adds(self) -> bool:
        return self.record is None


@dataclass(frozen=True, slots=True)
class BoardPlan:
    config: BoardConfig
    work: tuple[Work, ...] = ()
    kept: Mapping[str, Record] = field(default_factory=dict)  # records left as they are
    dropped: tuple[str, ...] = ()  # keys no longer managed
    # Every priority the documents state: the options of a `Priority` field made anew.
    priorities: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        return self.config.url

    @property
    def adds(self) -> int:
        return sum(1 for w in self.work if w.adds)

    @property
    def values(self) -> int:
        return sum(len(w.changed) for w in self.work)

    @property
    def empty(self) -> bool:
        return not self.work and not self.dropped

    def lines(self) -> list[str]:
        """What the plan does to the board, for `plan`."""
        head = f"project board {self.url}:"
        if self.empty:
            return [f"{head} up to date"]
        out = [
            f"{head} add {self.adds} issue(s), write {self.values} field value(s) of "
            f"{len(self.work)} item(s) (requests: the board's fields 1, issue ids "
            f"{-(-self.adds // 100)}, additions and values in batches of 50)"
        ]
        for w in self.work[:20]:
            what = "add, " if w.adds else ""
            issue = f"#{w.wanted.issue}" if w.wanted.issue else "new issue"
            out.append(f"  {issue} [{w.wanted.key}]: {what}{', '.join(w.changed)}")
        if len(self.work) > 20:
            out.append(f"  ... and {len(self.work) - 20} more")
        return out


def wanted_values(
    docs: Sequence[Document],
    entries: Mapping[str, LockEntry | None],
    state: ForgeState,
    new: bool = False,
    status: tuple[str, str] = (TODO, DONE),
) -> list[Wanted]:
    """Each managed item with an issue, and its values (`entries`: the plan's lock after
    the run, which has the agreed done state; the lock's for the rest). `new`: also the
    items with no issue yet, as issue 0 (the plan before the run's creations)."""
    out: list[Wanted] = []
    for doc in docs:
        if doc.has_errors or doc.blocked:
            continue
        for phase in doc.phases:
            for item in phase.items:
                key = str(item.key)
                entry = entries.get(key) if key in entries else state.items.get(key)
                if entry is None or not entry.issue:
                    if new and (key not in entries or entries[key] is not None):
                        out.append(
                            Wanted(key, 0, _values(phase, item, item.checked, phase.due, status))
                        )
                    continue
                values = _values(phase, item, entry.checked, phase.due, status)
                out.append(Wanted(key, entry.issue, values))
    return out


def plan_board(
    config: BoardConfig,
    docs: Sequence[Document],
    entries: Mapping[str, LockEntry | None],
    state: ForgeState,
    *,
    whole: bool,
    complete: bool,
    new: bool = False,
) -> BoardPlan:
    """What the board needs. `whole`: the run saw every document and none has errors (a
    record no item wants is dropped); `complete`: the daily complete run, which tries the
    pending values again."""
    board = board_id(config.url)
    known = records(state)
    wanted = wanted_values(docs, entries, state, new, (config.todo, config.done))
    work: list[Work] = []
    kept: dict[str, Record] = {}
    seen: set[str] = set()
    for w in wanted:
        seen.add(w.key)
        rec = known.get(w.key)
        if rec is not None and (rec.board != board or rec.issue != w.issue):
            rec = None  # another board, or the issue was made again: added afresh
        digests = w.digests()
        if rec is None:
            work.append(Work(w, None, tuple(sorted(digests))))
            continue
        changed = [
            name
            for name, d in digests.items()
            if rec.fields.get(name) != d and (name not in rec.pending or complete)
        ]
        if changed:
            work.append(Work(w, rec, tuple(sorted(changed))))
        else:
            kept[w.key] = rec
    dropped: list[str] = []
    for key, rec in known.items():
        if key in seen:
            continue
        if whole:
            dropped.append(key)
        else:
            kept[key] = rec
    priorities = sorted(
        {str(w.values[PRIORITY]) for w in wanted if PRIORITY in w.values}, key=str.casefold
    )
    return BoardPlan(config, tuple(work), kept, tuple(sorted(dropped)), tuple(priorities))
