"""Phase parents on the forge: make the parents the plan lacks (before the items are
planned), then carry out the rest of a `StructurePlan` (relations, content, open/closed
state, retirements), journaling every write (`syncer.sync.structure` has the design).

A parent's create is a content-creating write like any other: it is paced by
`write_interval`, counted against `max_writes` and against the forge's write ceiling
(`syncer.sync.ceiling`). Its time joins the lock's `recent_writes` before the items are
applied, so the applier (and the next scheduled run) see the budget the parents spent. A
parent that would not fit under the ceiling for longer than `longest_wait` is left for
the next run, as one past `max_writes` is: the applier then stops at its first write and
says so (`CeilingReached`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Literal, Protocol, TypeVar, cast

from syncer.errors import TransientError, ValidationFailed
from syncer.forges.base import Forge, IssueChange, IssueSpec, Relations
from syncer.sync.body import compose_body, key_of, split_body
from syncer.sync.ceiling import Ceiling
from syncer.sync.lock import ForgeState, LockEntry
from syncer.sync.lock_store import LockStore
from syncer.sync.relation_writes import relate, unrelate
from syncer.sync.structure import NodeWork, StructurePlan
from syncer.sync.structure_record import Record

T = TypeVar("T")


class RelationsForge(Forge, Relations, Protocol):
    """A forge adapter with relations (both of phasesync's adapters)."""


def relations_of(forge: Forge) -> RelationsForge | None:
    return cast(RelationsForge, forge) if hasattr(forge, "link_child") else None


# --- making parents (before the items are planned) -----------------------------------------


Write = Callable[[Callable[[], T]], T]


class Pacing(Protocol):
    """What `create_nodes` takes of `ApplyOptions`."""

    @property
    def write_interval(self) -> float: ...
    @property
    def max_writes(self) -> int | None: ...
    @property
    def lost_create_wait(self) -> float: ...
    @property
    def sleep(self) -> Callable[[float], None]: ...
    @property
    def clock(self) -> Callable[[], float]: ...
    @property
    def ceiling(self) -> Ceiling: ...
    @property
    def wall(self) -> Callable[[], float]: ...


class Waits(Protocol):
    """What `create_nodes` takes of the run's `Reporter`: the one line a wait prints."""

    def wait(self, what: str, seconds: float) -> None: ...


def create_nodes(
    forge: Forge,
    store: LockStore,
    plan: StructurePlan,
    options: Pacing,
    reporter: Waits | None = None,
    *,
    listed: datetime,
) -> int:
    """Create the parents the plan lacks, paced like every write, within `max_writes` and
    under the forge's write ceiling (the applier gets what is left), each journaled at
    once; returns how many were made. The lock is saved after them, with their write
    times in `recent_writes`. A create whose answer was lost is looked for by its key
    marker after `lost_create_wait`, as an item's is."""
    identity = forge.identity
    ceiling = options.ceiling
    recent = sorted(store.load().state(identity).recent_writes)
    made = 0
    try:
        made = _create(forge, store, plan, options, listed, recent, reporter)
    finally:
        lock = store.load()  # the journaled parents folded in
        state = lock.state(identity)
        if ceiling.limits:
            state = replace(state, recent_writes=ceiling.keep(recent, options.wall()))
        store.save(lock.with_state(identity, state))
    return made


def _create(
    forge: Forge,
    store: LockStore,
    plan: StructurePlan,
    options: Pacing,
    listed: datetime,
    recent: list[float],
    reporter: Waits | None,
) -> int:
    made = 0
    last: float | None = None
    identity = forge.identity
    ceiling = options.ceiling
    for work in plan.creates:
        if options.max_writes is not None and made >= options.max_writes:
            break  # the applier, left no budget, stops at its first write and says so
        if last is not None and options.write_interval > 0:
            wait = last + options.write_interval - options.clock()
            if wait > 0:
                options.sleep(wait)
        if ceiling.limits:
            wait = ceiling.wait(recent, options.wall())
            if wait > ceiling.longest_wait:
                break  # no room for long: the applier stops at its first write and says so
            if wait > 0:
                if reporter is not None:
                    reporter.wait(
                        f"room under the forge's write limit ({ceiling.describe()})", wait
                    )
                options.sleep(wait)
        node = work.node
        spec = IssueSpec(node.title, node.block, (), None)
        try:
            issue = forge.create_issue(spec)
        except TransientError as exc:
            if reporter is not None:
                reporter.wait(
                    f"a create that got no answer ({exc.message}) to land; then it is "
                    "looked for by its key marker",
                    options.lost_create_wait,
                )
            options.sleep(options.lost_create_wait)
            found = [
                i
                for i in forge.list_issues(listed - timedelta(minutes=5))
                if key_of(i.body) == node.key
            ]
            if not found:
                raise
            issue = min(found, key=lambda i: i.number)
        finally:
            last = options.clock()
            if ceiling.limits:
                recent.append(options.wall())
        # Journaled open and with no relations: what the forge has now.
        rec = Record(issue.number, node.hash, False, (), 0 if issue.children is not None else None)
        store.record_structure(identity, node.key, rec.to_json())
        made += 1
    return made


# --- everything else (after the items' writes) ---------------------------------------------


@dataclass(slots=True)
class StructureOutcome:
    created: int = 0
    updated: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)
    related: int = 0
    unrelated: int = 0
    restored: int = 0  # relations a person removed, made again
    notes: list[str] = field(default_factory=list)


class StructureRun:
    """Carries out a `StructurePlan` through the applier's paced, budgeted `write`."""

    def __init__(
        self,
        plan: StructurePlan,
        forge: RelationsForge,
        store: LockStore,
        state: ForgeState,
        note: Callable[[str], None],
    ) -> None:
        self.plan = plan
        self.forge = forge
        self.store = store
        self.identity = forge.identity
        self.capabilities: dict[str, str] = dict(state.capabilities)
        self.records: dict[str, Record] = dict(plan.kept)
        for w in plan.nodes:
            if w.record is not None:
                self.records[w.node.key] = w.record
        for r in plan.retire:
            self.records[r.key] = r.record
        self.note = note
        self.outcome = StructureOutcome()

    def _save(self, key: str, rec: Record) -> None:
        self.records[key] = rec
        self.store.record_structure(self.identity, key, rec.to_json())

    def run(self, write: Write[Any], numbers: Mapping[str, int]) -> None:
        """`numbers`: every item key's issue number (the lock's and this run's creations)."""
        works = list(self.plan.nodes)
        # Found by their marker (a lost lock, a create whose answer was lost): recorded.
        for w in works:
            if w.record is None and w.found is not None:
                closed = w.found.state == "closed"
                self._save(w.node.key, Record(w.found.number, "", closed, (), w.found.children))
        if not self.capabilities:
            sample = next((r.issue for r in self.records.values()), None)
            if sample is not None:
                self.capabilities = dict(self.forge.probe_relations(sample))
        wanted: dict[str, list[int]] = {}
        for w in works:
            rec = self.records.get(w.node.key)
            if rec is None:
                continue  # not made (a budget, a failure): the next run makes it
            kids = []
            for child in w.node.children:
                n = numbers.get(child) or (
                    self.records[child].issue if child in self.records else None
                )
                if n is not None:
                    kids.append(n)
            wanted[w.node.key] = kids
            if w.verify or w.record is None:
                actual = self.forge.children(rec.issue)
                kept = tuple(c for c in rec.children if c in actual)
                self.outcome.restored += len(set(kids) & (set(rec.children) - set(actual)))
                # Children that are already there (made before the lock knew) count as ours.
                kept = tuple(sorted({*kept, *(c for c in kids if c in actual)}))
                rec = replace(rec, children=kept)
                seen = len(actual) if self.plan.mode == "sub_issues" else None
                self._save(w.node.key, replace(rec, seen=seen))
        # Unrelate first: on GitHub an issue has one parent, so a child that moves (a phase
        # crossing 100 items) leaves its old parent before it joins the new one.
        for w in works:
            key = w.node.key
            if key in wanted:
                self._unrelate(key, wanted[key], write)
        for w in works:
            key = w.node.key
            if key in wanted:
                self._relate(key, wanted[key], write)
                self._content(w, self.records[key], write)
        for r in self.plan.retire:
            old = self.records[r.key]
            if not old.closed:
                change = IssueChange(state="closed", state_reason="not_planned")
                write(partial(self.forge.update_issue, old.issue, change))
                self.outcome.closed.append(old.issue)
            self.records.pop(r.key, None)
            self.store.record_structure(self.identity, r.key, {"retired": True})

    def _unrelate(self, key: str, wanted: Sequence[int], write: Write[Any]) -> None:
        _, n = unrelate(self.forge, self.records[key], wanted, write, partial(self._save, key))
        self.outcome.unrelated += n

    def _relate(self, key: str, wanted: Sequence[int], write: Write[Any]) -> None:
        def refused(child: int, exc: ValidationFailed) -> None:
            self.note(f"#{child} not related to #{self.records[key].issue}: {exc.message}")

        save = partial(self._save, key)
        _, n = relate(self.forge, self.records[key], wanted, write, save, refused)
        self.outcome.related += n

    def _content(self, w: NodeWork, rec: Record, write: Write[Any]) -> None:
        node = w.node
        found = w.found
        remote_closed = found.state == "closed" if found is not None else rec.closed
        send = w.content if found is not None else rec.hash != node.hash
        state: Literal["open", "closed"] | None = None
        if remote_closed != node.closed:
            state = "closed" if node.closed else "open"
        if not send and state is None:
            if (rec.hash, rec.closed) != (node.hash, node.closed):
                self._save(node.key, replace(rec, hash=node.hash, closed=node.closed))
            return
        body: str | None = None
        if send:
            current = found.body if found is not None else self.forge.get_issue(rec.issue).body
            parts = split_body(current)
            body = compose_body(parts.head, node.block, parts.tail if parts.block else "")
            if parts.block is None and current.strip():
                body = compose_body(current.rstrip() + "\n\n", node.block, "")
        change = IssueChange(
            title=node.title if send else None,
            body=body,
            state=state,
            state_reason="completed" if state == "closed" else None,
        )
        write(lambda: self.forge.update_issue(rec.issue, change))
        if send:
            self.outcome.updated.append(rec.issue)
        if state == "closed":
            self.outcome.closed.append(rec.issue)
        elif state == "open":
            self.outcome.reopened.append(rec.issue)
        self._save(node.key, replace(rec, hash=node.hash, closed=node.closed))

    def table(self) -> dict[str, dict[str, Any]]:
        """The lock's `structure` table after this run."""
        return {k: r.to_json() for k, r in sorted(self.records.items())}


def item_numbers(
    entries: Mapping[str, LockEntry | None], state: ForgeState, made: Mapping[str, int]
) -> dict[str, int]:
    """Every item key's issue number: this run's creations, the plan's and the lock's."""
    out = {k: e.issue for k, e in state.items.items() if e.issue}
    out.update({k: e.issue for k, e in entries.items() if e is not None and e.issue})
    out.update(made)
    return out
