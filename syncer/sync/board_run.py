"""The project board on the forge: carry out a `BoardPlan` (`syncer.sync.board` has the
design) after the run's issue writes, journaling each item's record as soon as the board
has it, so that a run that dies is resumed with no duplicate item.

Requests for a plan with work: 1 read of the board (fields and options), 1 per field made,
1 per 100 issues to add (their global ids), 1 per 50 additions and 1 per 50 values.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from syncer.errors import ConfigError, PhasesyncError, WriteBudgetExhausted
from syncer.forges.base import Forge
from syncer.forges.github_board import (
    BATCH,
    BoardInfo,
    FieldInfo,
    GitHubBoard,
    ValueWrite,
    parse_project_url,
)
from syncer.sync.apply_types import ApplyOptions, Outcome
from syncer.sync.board import (
    KIND_NAMES,
    MADE_AS,
    OPTION_LIMIT,
    PRIORITY,
    STATUS,
    TYPE,
    WEEK,
    BoardConfig,
    BoardPlan,
    Record,
    Work,
    board_id,
    plan_board,
)
from syncer.sync.lock import ForgeState, Lock

if TYPE_CHECKING:
    from syncer.model import Document
    from syncer.sync.actions import Plan
    from syncer.sync.lock_store import LockStore

__all__ = [
    "BoardConfig",
    "BoardOutcome",
    "BoardPlan",
    "BoardRun",
    "board_json",
    "board_plan",
    "board_preview",
    "board_step",
    "journal",
    "open_board",
    "replay",
]

JOURNAL_KEY = "board"
_log = logging.getLogger(__name__)  # `-v`: the board's decisions


@dataclass(slots=True)
class BoardOutcome:
    requests: int = 0
    writes: int = 0  # requests that carried mutations
    added: int = 0
    values: int = 0
    fields_made: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what could not be written, and why

    def text(self) -> str:
        made = f", made the field(s) {', '.join(self.fields_made)}" if self.fields_made else ""
        return (
            f"Project board: added {self.added} issue(s), wrote {self.values} field value(s)"
            f"{made} in {self.requests} request(s)."
        )


def open_board(forge: Forge, url: str) -> GitHubBoard:
    """The board of `project`, through the GitHub adapter; a `ConfigError` on any other."""
    from syncer.forges.github import GitHubForge

    if not isinstance(forge, GitHubForge):
        raise ConfigError(
            "`project` names a GitHub project board; GitLab has no Projects: leave it empty",
            key="project",
        )
    return GitHubBoard(forge, parse_project_url(url, forge.web_url))


def replay(lock: Lock, raw: str) -> Lock:
    """A journaled board record (`journal`) folded into the lock; other lines: unchanged."""
    try:
        event = json.loads(raw)
        if not isinstance(event, dict) or JOURNAL_KEY not in event:
            return lock
        identity, key, rec = str(event["forge"]), str(event[JOURNAL_KEY]), event["item"]
    except (ValueError, KeyError, TypeError, OverflowError, RecursionError):
        return lock
    if not isinstance(rec, dict):
        return lock
    state = lock.state(identity)
    board = {k: v for k, v in state.board.items() if k != key}
    if rec:
        board[key] = rec
    return lock.with_state(identity, replace(state, board=board))


def journal(store: LockStore, identity: str, key: str, rec: Record | None) -> None:
    """One item's record, durable before the next request; None: forgotten."""
    store.record_board(identity, key, rec.to_json() if rec is not None else {})


def _option(f: FieldInfo, name: str) -> str | None:
    choices = f.iterations if f.data_type == "ITERATION" else f.options
    return next((c.id for c in choices if c.name.casefold() == name.casefold()), None)


def _write(f: FieldInfo, value: str | float) -> tuple[str, str | float] | str:
    """(`ProjectV2FieldValue` key, value) for `f`, or why it cannot be written."""
    kind = f.data_type
    if kind in ("SINGLE_SELECT", "ITERATION"):
        found = _option(f, str(value))
        what = "option" if kind == "SINGLE_SELECT" else "iteration"
        if found is None:
            return f"the field `{f.name}` has no {what} `{value}`"
        return ("singleSelectOptionId" if kind == "SINGLE_SELECT" else "iterationId", found)
    if kind == "TEXT":
        return ("text", f"{value:g}" if isinstance(value, float) else value)
    if kind == "NUMBER":
        if isinstance(value, float):
            return ("number", value)
        digits = str(value).rsplit(" ", 1)[-1]  # `Week 3` -> 3
        return ("number", float(digits)) if digits.isdigit() else f"`{value}` is not a number"
    if kind == "DATE":
        try:
            return ("date", date.fromisoformat(str(value)).isoformat())
        except ValueError:
            return f"`{value}` is not a date"
    return f"the field `{f.name}` is a {kind} field, which phasesync does not write"


class BoardRun:
    """Carries out one `BoardPlan` on one board."""

    def __init__(
        self,
        board: GitHubBoard,
        store: LockStore,
        identity: str,
        plan: BoardPlan,
        options: ApplyOptions | None = None,
        spent: int = 0,
    ) -> None:
        self.board = board
        self.options = options or ApplyOptions(write_interval=0)
        self.spent = spent  # writes the run made before the board's
        self._last: float | None = None
        board.before_write = self._pace
        self.store = store
        self.identity = identity
        self.plan = plan
        self.records: dict[str, Record] = dict(plan.kept)
        for w in plan.work:
            if w.record is not None:
                self.records[w.wanted.key] = w.record
        self.outcome = BoardOutcome()
        self._notes: dict[str, int] = {}
        self._project = ""  # the board's id, once read
        # Something the next run must try again (an error, an issue or a value refused).
        self.unfinished = False

    def _pace(self) -> None:
        """Before each request of mutations: the run's `max_writes` (a clean stop, the next
        run carries on) and `write_interval`, as for the issues' writes."""
        opts = self.options
        if opts.max_writes is not None and self.spent + self.board.writes >= opts.max_writes:
            raise WriteBudgetExhausted(self.spent + self.board.writes)
        if self._last is not None and opts.write_interval > 0:
            wait = self._last + opts.write_interval - opts.clock()
            if wait > 0:
                opts.sleep(wait)
        self._last = opts.clock()

    def _save(self, key: str, rec: Record) -> None:
        self.records[key] = rec
        journal(self.store, self.identity, key, rec)

    def _note(self, text: str) -> None:
        self._notes[text] = self._notes.get(text, 0) + 1

    def run(self) -> BoardOutcome:
        try:
            if self.plan.work:
                self._run()
        except BaseException:
            self.unfinished = True
            raise
        finally:
            self.outcome.requests = self.board.requests
            self.outcome.writes = self.board.writes
            self.outcome.notes = [
                f"{text} ({n} item{'s' if n != 1 else ''})" for text, n in self._notes.items()
            ]
        return self.outcome

    def _run(self) -> None:
        info = self.board.read()
        self._project = info.id
        info = self._fields(info, self.plan.work)
        ids: dict[int, str] = {}  # issue number -> board item id
        for w in self.plan.work:
            if w.record is not None:
                ids[w.wanted.issue] = w.record.item
        self._add([w for w in self.plan.work if w.record is None], ids)
        writes: list[tuple[Work, str, ValueWrite | None, str | None]] = []
        for w in self.plan.work:
            item = ids.get(w.wanted.issue)
            if item is None:
                continue  # not added (refused): reported, tried again next run
            for name in w.changed:
                f = info.field(name)
                if f is None:
                    writes.append((w, name, None, None))
                    continue
                how = _write(f, w.wanted.values[name])
                if isinstance(how, str):
                    writes.append((w, name, None, how))
                else:
                    writes.append((w, name, ValueWrite(item, f.id, how[0], how[1]), None))
        for start in range(0, len(writes), BATCH):
            self._values(writes[start : start + BATCH], ids)

    def _fields(self, info: BoardInfo, work: Sequence[Work]) -> BoardInfo:
        """Make the fields the board lacks, when GitHub's API can; report the others."""
        needed = sorted({name for w in work for name in w.changed})
        made: list[FieldInfo] = []
        for name in needed:
            if info.field(name) is not None:
                continue
            data_type = MADE_AS.get(name)
            if data_type is None:
                self._note(
                    f"the board has no `{name}` field: GitHub's API cannot make an iteration "
                    f"field; add one named `{name}` (iterations titled `Week 1`, `Week 2`, ...) "
                    "in the board's settings"
                    if name == WEEK
                    else f"the board has no `{name}` field"
                )
                continue
            options: Sequence[str] = ()
            if name == STATUS:
                options = (self.plan.config.todo, self.plan.config.done)
            elif name == TYPE:
                options = tuple(KIND_NAMES.values())
            elif name == PRIORITY:
                options = self.plan.priorities[:OPTION_LIMIT]
            made.append(self.board.create_field(info.id, name, data_type, options))
            self.outcome.fields_made.append(name)
        return replace(info, fields=(*info.fields, *made)) if made else info

    def _add(self, work: Sequence[Work], ids: dict[int, str]) -> None:
        if not work:
            return
        contents = self.board.content_ids([w.wanted.issue for w in work])
        for w in work:
            if w.wanted.issue not in contents:
                self.unfinished = True
                self._note("an issue GitHub's GraphQL API does not find was not added")
        board = board_id(self.plan.url)
        todo = dict(contents)
        by_issue = {w.wanted.issue: w for w in work}
        made, refused = self.board.add_items(self._project, todo)
        for number, item in sorted(made.items()):
            w = by_issue[number]
            ids[number] = item
            self._save(w.wanted.key, Record(number, item, board))
            self.outcome.added += 1
        for message in refused:
            self.unfinished = True
            self._note(f"not added to the board: {message}")

    def _values(
        self,
        batch: Sequence[tuple[Work, str, ValueWrite | None, str | None]],
        ids: Mapping[int, str],
    ) -> None:
        sendable = [(w, name, vw) for w, name, vw, _ in batch if vw is not None]
        results = self.board.set_values(self._project, [vw for _, _, vw in sendable])
        done: dict[tuple[str, str], str | None] = {
            (w.wanted.key, name): r for (w, name, _), r in zip(sendable, results, strict=True)
        }
        touched: dict[str, Work] = {}
        for w, name, vw, why in batch:
            touched[w.wanted.key] = w
            if vw is None:
                self._note(why or f"the board has no `{name}` field")
            elif done.get((w.wanted.key, name)) is not None:
                self.unfinished = True
                self._note(f"`{name}` not set: {done[(w.wanted.key, name)]}")
        for key, w in touched.items():
            rec = self.records.get(key) or w.record
            if rec is None:
                continue
            fields = dict(rec.fields)
            pending = set(rec.pending)
            digests = w.wanted.digests()
            for ww, name, vw, _ in batch:
                if ww.wanted.key != key:
                    continue
                if vw is not None and done.get((key, name)) is None:
                    fields[name] = digests[name]
                    pending.discard(name)
                    self.outcome.values += 1
                else:
                    fields.pop(name, None)
                    pending.add(name)
            if rec.item in self.board.gone_items:
                # Taken off the board by a person: forgotten, so that the next run adds it
                # again (GitHub gives it a new item) with all its values.
                self.records.pop(key, None)
                journal(self.store, self.identity, key, None)
                continue
            self._save(key, replace(rec, fields=fields, pending=tuple(sorted(pending))))

    def table(self) -> dict[str, dict[str, Any]]:
        """The lock's `board` table after this run."""
        return {k: r.to_json() for k, r in sorted(self.records.items())}


def board_json(plan: BoardPlan, outcome: Outcome | None) -> dict[str, Any]:
    """The board's part of `--json`: the plan, and what was done."""
    out: dict[str, Any] = {"url": plan.url, "adds": plan.adds, "values": plan.values}
    done = outcome.board if outcome is not None else None
    if done is not None:
        out["done"] = {
            "requests": done.requests,
            "added": done.added,
            "values": done.values,
            "fields_made": done.fields_made,
            "notes": done.notes,
        }
    return out


def board_preview(forge: Forge, plan: BoardPlan) -> list[str]:
    """For `plan`: the fields the board's writes need that it lacks, those the push makes
    and those it cannot (one read of the board; none when there is nothing to write)."""
    if plan.empty:
        return []
    try:
        info = open_board(forge, plan.url).read()
    except PhasesyncError as exc:
        return [f"  the board cannot be read: {exc.describe()}"]
    needed = sorted({name for w in plan.work for name in w.changed})
    absent = [name for name in needed if info.field(name) is None]
    out: list[str] = []
    made = [name for name in absent if name in MADE_AS]
    if made:
        out.append(f"  fields the push makes: {', '.join(made)}")
    for name in absent:
        if name not in MADE_AS:
            out.append(
                f"  no `{name}` field: GitHub's API cannot make an iteration field; its "
                "values are reported, not written, until the board has one"
            )
    return out


# --- the engine's step ------------------------------------------------------------------


def board_plan(
    config: BoardConfig | None,
    forge: Forge,
    docs: Sequence[Document],
    plan: Plan,
    state: ForgeState,
    whole: bool,
    complete: bool,
) -> BoardPlan | None:
    """With `project`: what the board needs (no request); None without, and on a pull,
    which leaves the board alone. A board that is not GitHub's is a `ConfigError` here,
    before any write."""
    if config is None:
        return None
    open_board(forge, config.url)  # no request: checks the forge and the URL
    if plan.direction == "pull":
        return None
    return plan_board(config, docs, plan.entries, state, whole=whole, complete=complete, new=True)


def board_step(
    forge: Forge,
    store: LockStore,
    config: BoardConfig,
    docs: Sequence[Document],
    outcome: Outcome,
    whole: bool,
    complete: bool,
    options: ApplyOptions | None = None,
) -> None:
    """After the run's issue writes: plan the board again on the lock they left (the issues
    made this run have their numbers), carry it out, and write the lock. Nothing to do:
    no request. A failure is the run's error, as a write's is."""
    identity = forge.identity
    state = store.load().state(identity)
    plan = plan_board(config, docs, {}, state, whole=whole, complete=complete)
    _log.debug(
        "project board: %d issue(s) to add, %d value(s) of %d item(s) to write, %d record(s) "
        "dropped",
        plan.adds,
        plan.values,
        len(plan.work),
        len(plan.dropped),
    )
    if plan.empty:
        return
    try:
        board = open_board(forge, config.url)
        run = BoardRun(board, store, identity, plan, options, outcome.writes)
    except PhasesyncError as exc:
        outcome.error = exc
        return
    try:
        outcome.board = run.run()
    except PhasesyncError as exc:
        outcome.board = run.outcome
        outcome.error = exc
    finally:
        outcome.writes += run.board.writes
        lock = store.load()
        state = lock.state(identity)
        state = replace(state, board=run.table())
        if run.unfinished:
            # The next run must see every document again to finish the board: none is
            # reused unparsed (`syncer.sync.reuse`), whatever this run recorded.
            state = replace(state, documents={})
        store.save(lock.with_state(identity, state))
