"""Dependencies as links (`dependencies = "links"`): what the plan states becomes native
"blocked by" relations on the forge.

This module plans the relations (pure: documents, lock and listing in, a `DependencyPlan`
out). The rest: `dependencies_text` (what counts as a stated dependency, and the warnings
for names that resolve to no item or several), `dependencies_record` (the lock's record of
a blocked issue) and `dependencies_run` (the writes, journaled one by one).

The mapping, per forge:

* GitHub: native issue dependencies (`POST .../issues/{n}/dependencies/blocked_by` with the
  blocking issue's global id; `DELETE .../blocked_by/{id}`). Listings carry
  `issue_dependencies_summary.total_blocked_by`, the count the lock compares.
* GitLab Premium: an `is_blocked_by` issue link from the blocked issue. GitLab Free has no
  blocking links (403): a `relates_to` link. On every GitLab tier the item's body also says
  `Blocked by #N` (`RenderConfig.blocked_by`), as `Part of #N` names a phase parent: the
  words are what a `relates_to` link cannot say, and one body for both tiers means the
  first push need not know the tier before it writes the items, and a tier change costs no
  body rewrites. A phase parent's blocked-by is its link alone (its body is the phase's).

Decisions, and why:

* The minimum of writes: one per relation. Relations are written after the items (their
  numbers are known then) through the applier's paced, budgeted `write`, so they count
  against `max_writes` and the forge's write ceiling like every other write.
* The lock keeps each blocked issue (`ForgeState.dependencies`): the relations phasesync
  made and, on GitHub, the blocker count the forge shows. The idle sync reads nothing more
  than its three lists; a second push has nothing to write. Every relation write is
  journaled at once; a relation made twice is harmless (GitHub 422, then its blockers are
  read to see it there; GitLab 409 "already assigned").
* Only relations phasesync made are ever removed: words taken out of the document remove
  theirs; a person's own extra relations are never touched (nor recorded).
* A person's removal of a relation phasesync made is restored when a listing shows it: on
  GitHub when the blocked issue's `total_blocked_by` differs from the count recorded (then
  one GET of its blockers); its `updated_at` does not move for sure, so the guarantee is the
  daily complete listing, which shows every issue. GitLab's payload has no count: the
  complete listing reads the links of each blocked issue (one GET each, once a day).
* A document with errors, or outside the run's PATHs, keeps its records as they are.
  Records of items no document states any more are cleared (their relations removed) only
  by a run that sees every document.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from syncer.forges.base import RemoteIssue, Snapshot
from syncer.model import Diagnostic, Document
from syncer.sync.dependencies_record import Blocked, blocked_records
from syncer.sync.dependencies_text import Edge, parent_key, stated
from syncer.sync.lock import ForgeState, LockEntry
from syncer.sync.structure_record import records as parent_records


def describe_dependencies(kind: str, capabilities: Mapping[str, str]) -> str:
    """Which mapping of "blocked by" is in force, and why: one line for `plan` and `doctor`."""
    if kind == "github":
        return 'dependencies: GitHub issue dependencies (native "blocked by")'
    tier = capabilities.get("tier")
    if tier == "premium":
        how = "`is_blocked_by` issue links (Premium detected: blocking links are offered)"
    elif tier == "free":
        how = "`relates_to` issue links (Free tier: blocking links need Premium)"
    else:
        how = (
            "`is_blocked_by` links on Premium, `relates_to` otherwise (the tier is probed once, "
            "at the first push, and kept in the lock)"
        )
    return f"dependencies: GitLab {how}, and a `Blocked by #N` line in each blocked item"


def known_numbers(
    state: ForgeState, entries: Mapping[str, LockEntry | None] | None = None
) -> dict[str, int]:
    """Each item's and phase parent's issue number as the lock (and a plan) knows it."""
    out = {k: e.issue for k, e in state.items.items() if e.issue}
    for k, e in (entries or {}).items():
        if e is not None and e.issue:
            out[k] = e.issue
    out.update({k: r.issue for k, r in parent_records(state).items()})
    return out


def issue_base(issue_url: str) -> str:
    """`https://github.com/o/r/issues/` from the URL of issue 1."""
    return issue_url.rsplit("/", 1)[0] + "/"


def blocked_lines(
    docs: Sequence[Document], state: ForgeState, *, parents: bool, base: str
) -> dict[str, tuple[int, ...]]:
    """GitLab: each blocked item's blocking issue numbers, for its `Blocked by #N` line
    (only blockers whose issue exists; a new one is named by the next pass of the run)."""
    numbers = known_numbers(state)
    out: dict[str, list[int]] = {}
    for edge in stated(docs, parents=parents, issue_base=base, numbers=numbers).edges:
        n = numbers.get(edge.blocking)
        if n is not None and "/parent" not in edge.blocked:
            out.setdefault(edge.blocked, []).append(n)
    return {k: tuple(sorted(set(v))) for k, v in sorted(out.items())}


@dataclass(slots=True)
class DependencyOutcome:
    """What a run did to the relations."""

    related: int = 0
    unrelated: int = 0
    restored: int = 0  # relations a person removed, made again
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class BlockedWork:
    """One blocked issue: the relations its item's words want, and what the lock has."""

    key: str
    issue: int | None  # None: its issue is made by this run
    record: Blocked | None
    edges: tuple[Edge, ...]  # what the documents state, in order
    verify: bool = False  # read its blockers first (a listing showed a change)
    links: int = 0  # relations to make, as far as the plan can tell
    unlinks: int = 0


@dataclass(frozen=True, slots=True)
class DependencyPlan:
    kind: str
    description: str
    works: tuple[BlockedWork, ...] = ()
    # Records kept as they are: documents this run does not look at, or with errors.
    kept: Mapping[str, Blocked] = field(default_factory=dict)
    warnings: tuple[Diagnostic, ...] = ()
    # GitLab: blocked items whose `Blocked by #N` line names an issue this run makes: the
    # run plans once more, after its writes, to write those lines (`needs_second_pass`).
    line_writes: int = 0
    numbers: Mapping[str, int] = field(default_factory=dict)  # as the plan knew them

    @property
    def lines_pending(self) -> bool:
        return self.line_writes > 0

    @property
    def writes(self) -> int:
        return sum(w.links + w.unlinks for w in self.works) + self.line_writes

    @property
    def empty(self) -> bool:
        """Nothing to write, read or record."""
        return self.writes == 0 and not any(w.verify or w.record is None for w in self.works)

    def _name(self, key: str) -> str:
        n = self.numbers.get(key)
        return f"#{n}" if n is not None else f"new issue [{key}]"

    def lines(self) -> list[str]:
        """What the plan does to the relations, for `plan`."""
        out = [self.description]
        for w in self.works:
            made = set(w.record.blocked_by) if w.record is not None else set()
            for e in w.edges:
                n = self.numbers.get(e.blocking)
                if n is None or n not in made:
                    out.append(
                        f"  {self._name(w.key)} blocked by {self._name(e.blocking)} "
                        f"({e.file}:{e.line})"
                    )
            if w.unlinks:
                name = self._name(w.key)
                out.append(f"  {name}: remove {w.unlinks} relation(s) no longer stated")
            if w.verify:
                out.append(f"  {self._name(w.key)}: check its blockers (the forge's count changed)")
        if self.line_writes:
            out.append(
                f"  then {self.line_writes} blocked item(s) get their `Blocked by #N` line, "
                "once the issues it names exist (one write each)"
            )
        for d in self.warnings:
            out.append(f"  warning: {d.file}:{d.line}: {d.message}")
        return out


def plan_dependencies(
    kind: str,
    docs: Sequence[Document],
    entries: Mapping[str, LockEntry | None],
    snapshot: Snapshot,
    state: ForgeState,
    *,
    parents: bool,
    base: str,
    whole: bool,
) -> DependencyPlan:
    """What the relations need. `entries`: the plan's lock after the run; `parents`:
    `phase_parents` is on (phases' `**Dependencies**` count); `base`: this repository's issue
    URL without the number; `whole`: the run sees every document and none has errors."""
    numbers = known_numbers(state, entries)
    said = stated(docs, parents=parents, issue_base=base, numbers=numbers)
    known = blocked_records(state)
    frozen: set[str] = set()
    seen_keys: set[str] = set()
    for doc in docs:
        keys = {str(i.key) for i in doc.items}
        keys |= {k for p in doc.phases if (k := parent_key(p)) is not None}
        (frozen if doc.has_errors or doc.blocked else seen_keys).update(keys)
    creating = {k for k, e in entries.items() if e is not None and not e.issue}

    def will_exist(key: str) -> bool:
        """Whether `key` has an issue after this run: one the lock knows, one the plan
        creates, or a phase parent (made before the items). An item that never gets one
        (`done_items = "skip"`) takes part in no relation: it is no write left to do."""
        return key in numbers or key in creating or "/parent" in key

    wanted: dict[str, list[Edge]] = {}
    for edge in said.edges:
        if edge.blocked not in frozen and will_exist(edge.blocked) and will_exist(edge.blocking):
            wanted.setdefault(edge.blocked, []).append(edge)
    by_number = {i.number: i for i in snapshot.issues}
    works: list[BlockedWork] = []
    kept: dict[str, Blocked] = {}
    pending = 0
    for key, edges in wanted.items():
        issue = numbers.get(key)
        rec = known.get(key)
        if rec is not None and issue is not None and rec.issue != issue:
            rec = None  # a record of an issue the item no longer has
        blockers = [numbers.get(e.blocking) for e in edges]
        if kind == "gitlab" and "/parent" not in key:
            pending += any(e.blocking in creating for e in edges)  # named once it exists
        made = set(rec.blocked_by) if rec is not None else set()
        found: RemoteIssue | None = by_number.get(rec.issue) if rec is not None else None
        verify = False
        if rec is not None and found is not None:
            count = found.blocked_by
            verify = count != rec.seen if count is not None else snapshot.complete
        links = sum(1 for n in dict.fromkeys(blockers) if n is None or n not in made)
        unlinks = len(made - {n for n in blockers if n is not None})
        works.append(BlockedWork(key, issue, rec, tuple(edges), verify, links, unlinks))
    for key, rec in known.items():
        if key in wanted:
            continue
        if key in frozen or (key not in seen_keys and not whole):
            kept[key] = rec
            continue
        # No longer stated: its relations go (only those phasesync made).
        works.append(BlockedWork(key, rec.issue, rec, (), False, 0, len(set(rec.blocked_by))))
    return DependencyPlan(
        kind,
        describe_dependencies(kind, state.capabilities),
        tuple(works),
        kept,
        said.warnings,
        pending,
        numbers,
    )
