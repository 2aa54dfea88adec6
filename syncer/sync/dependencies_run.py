"""Dependencies on the forge: carry out a `DependencyPlan` through the applier's paced,
budgeted `write`, journaling every relation as it is made or removed
(`syncer.sync.dependencies` has the design).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import fields, replace
from functools import partial
from typing import Any, Protocol, TypeVar, cast

from syncer.errors import NotFound, ValidationFailed
from syncer.forges.base import Capabilities, Forge
from syncer.sync.apply_types import Outcome
from syncer.sync.dependencies import DependencyOutcome, DependencyPlan
from syncer.sync.dependencies_record import Blocked
from syncer.sync.lock_store import LockStore

T = TypeVar("T")
Write = Callable[[Callable[[], T]], T]


class Blocking(Protocol):
    """ "Blocked by" relations in the forge's own terms (`syncer.forges.github_dependencies`,
    `gitlab_dependencies`). `via` is how: GitHub's `blocked_by`, GitLab's `is_blocked_by`
    or `relates_to` link. Each call is one request unless it says otherwise."""

    def probe_relations(self, sample: int) -> Capabilities: ...

    def add_blocked_by(self, blocked: int, blocking: int, via: str) -> bool:
        """Make `blocked` blocked by `blocking`; False when the forge already had it (a
        retry after a lost answer): a second make is looked up, never an error."""
        ...

    def remove_blocked_by(self, blocked: int, blocking: int, via: str) -> None: ...

    def blockers(self, blocked: int, via: str) -> tuple[int, ...]:
        """The issues blocking `blocked` (related to it, for `relates_to`), every page."""
        ...


class BlockingForge(Forge, Blocking, Protocol):
    """A forge adapter with dependencies (both of phasesync's adapters)."""


def blocking_of(forge: Forge) -> BlockingForge | None:
    return cast(BlockingForge, forge) if hasattr(forge, "add_blocked_by") else None


def via_of(kind: str, capabilities: Mapping[str, str]) -> str:
    if kind == "github":
        return "blocked_by"
    return "is_blocked_by" if capabilities.get("tier") == "premium" else "relates_to"


class DependencyRun:
    """Carries out a `DependencyPlan`; `table()` is the lock's `dependencies` afterwards."""

    def __init__(
        self,
        plan: DependencyPlan,
        forge: BlockingForge,
        store: LockStore,
        capabilities: Mapping[str, str],
        note: Callable[[str], None],
    ) -> None:
        self.plan = plan
        self.forge = forge
        self.store = store
        self.identity = forge.identity
        self.capabilities: dict[str, str] = dict(capabilities)
        self.records: dict[str, Blocked] = dict(plan.kept)
        for w in plan.works:
            if w.record is not None:
                self.records[w.key] = w.record
        self.note = note
        self.outcome = DependencyOutcome()

    def _save(self, key: str, rec: Blocked | None) -> None:
        if rec is None:
            self.records.pop(key, None)
            self.store.record_dependency(self.identity, key, {"cleared": True})
            return
        self.records[key] = rec
        self.store.record_dependency(self.identity, key, rec.to_json())

    def run(
        self, write: Write[Any], numbers: Mapping[str, int], capabilities: Mapping[str, str]
    ) -> None:
        """`numbers`: every item's and parent's issue number, this run's creations included;
        `capabilities`: what the forge offers as this run found it (phase parents probe too)."""
        kind = self.forge.kind
        self.capabilities.update(capabilities)
        sample = next((n for w in self.plan.works if (n := numbers.get(w.key))), None)
        if kind == "gitlab" and "tier" not in self.capabilities and sample is not None:
            self.capabilities.update(self.forge.probe_relations(sample))
        via = via_of(kind, self.capabilities)
        for w in self.plan.works:
            issue = numbers.get(w.key) or (w.record.issue if w.record is not None else None)
            if issue is None:
                continue  # not made (a budget, a failure): the next run makes its relations
            rec = self.records.get(w.key)
            if rec is None or rec.issue != issue:
                rec = Blocked(issue, via, (), 0 if kind == "github" else None)
            wanted = [n for e in w.edges if (n := numbers.get(e.blocking)) and n != issue]
            wanted = list(dict.fromkeys(wanted))
            if w.verify:
                actual = set(self.forge.blockers(issue, rec.via))
                self.outcome.restored += len(set(wanted) & (set(rec.blocked_by) - actual))
                ours = {b for b in rec.blocked_by if b in actual} | (set(wanted) & actual)
                seen = len(actual) if kind == "github" else None
                rec = replace(rec, blocked_by=tuple(sorted(ours)), seen=seen)
                self._save(w.key, rec)
            for gone in sorted(set(rec.blocked_by) - set(wanted)):
                with contextlib.suppress(NotFound):  # gone already: what was wanted
                    write(partial(self.forge.remove_blocked_by, issue, gone, rec.via))
                rec = replace(
                    rec,
                    blocked_by=tuple(b for b in rec.blocked_by if b != gone),
                    seen=_moved(rec.seen, -1),
                )
                self._save(w.key, rec)
                self.outcome.unrelated += 1
            if not w.edges:
                self._save(w.key, None)  # no longer stated: nothing left to record
                continue
            if rec.via != via and not rec.blocked_by:
                rec = replace(rec, via=via)  # nothing made the old way: the tier's way now
            for blocking in wanted:
                if blocking in rec.blocked_by:
                    continue
                try:
                    made = bool(write(partial(self.forge.add_blocked_by, issue, blocking, rec.via)))
                    rec = replace(rec, seen=_moved(rec.seen, 1))
                    self.outcome.related += 1 if made else 0
                except NotFound as exc:
                    # An issue gone, or a forge without the endpoint: said, asked next run.
                    self._said(f"#{issue} not marked blocked by #{blocking}: {exc.message}")
                    continue
                except ValidationFailed as exc:
                    # Refused (a cycle, GitHub's 50 blockers): said, and not asked again.
                    self._said(f"#{issue} not marked blocked by #{blocking}: {exc.message}")
                rec = replace(rec, blocked_by=(*rec.blocked_by, blocking))
                self._save(w.key, rec)
            if w.key not in self.records:
                self._save(w.key, rec)  # every relation there already: recorded as ours

    def _said(self, message: str) -> None:
        self.outcome.notes.append(message)
        self.note(message)

    def table(self) -> dict[str, dict[str, Any]]:
        return {k: r.to_json() for k, r in sorted(self.records.items())}


def _moved(seen: int | None, by: int) -> int | None:
    return None if seen is None else max(0, seen + by)


def merge_outcomes(first: Outcome | None, second: Outcome | None) -> Outcome | None:
    """The outcome of a run planned twice (GitLab's `Blocked by #N` lines, written by a
    second pass): lists joined, counts added, the second pass's error."""
    if first is None or second is None:
        return second or first
    return cast(Outcome, _merged(first, second))


def _merged(a: Any, b: Any) -> Any:
    if isinstance(a, list):
        return [*a, *b]
    if isinstance(a, int) and not isinstance(a, bool):
        return a + b
    if a is not None and b is not None and hasattr(a, "__dataclass_fields__"):
        parts = {f.name: _merged(getattr(a, f.name), getattr(b, f.name)) for f in fields(a)}
        return type(a)(**parts)
    return b if b is not None else a
