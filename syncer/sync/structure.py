"""Phase parents (`phase_parents = true`): the plan's structure, native on the forge.

Each phase gets a parent issue, titled like its milestone, whose managed block holds the
phase's objective and progress (`7 of 23 done`) and its own key marker (`phase-2/parent`).
The phase's items are its children:

* GitHub: sub-issues (`POST .../issues/{parent}/sub_issues`, by the child's global id). A
  parent takes at most 100 sub-issues, so a phase of more than 100 items gets a parent per
  section (`phase-2/parent.functional`, chunks of 100 `...~2`), which are the sub-issues
  of the phase's parent: two levels of the 8 GitHub allows.
* GitLab: `relates_to` issue links (`POST /projects/:id/issues/:iid/links`), offered on
  every tier (`blocks` is Premium's and stands for dependencies, not for this), and a
  `Part of #N` line in each item's body (`RenderConfig.part_of`). The same layout as on
  GitHub, for one code path and one lock shape.

Decisions, and why:

* Parents are made before the items are planned (`create_nodes`, run by the engine), so that
  an item's first body already names its parent: the minimum of writes is one per parent
  and one per relation, never a second write of an item.
* A parent's open/closed state is the items': closed (completed) when every item is done,
  reopened when one is not. A person's close or reopen of the parent is put back; the items
  decide.
* The lock keeps each parent (`ForgeState.structure`: issue, hash of what was written,
  closed state, the children phasesync related, and on GitHub the sub-issue count the
  forge shows), so the idle sync reads nothing more than its three lists. Every write to a
  parent or its relations is journaled at once.
* A relation made twice is harmless: GitHub refuses the second (422) and the adapter reads
  the parent's sub-issues to see it there; GitLab answers 409, read as "already there".
* A person's removal of a relation is restored when a listing shows it: on GitHub the
  parent's `sub_issues_summary.total` in any listing that shows the parent differs from the
  count recorded, and the parent's sub-issues are then read (one GET) and the missing ones
  added again. Taking a sub-issue off does not move either issue's `updated_at` for sure,
  so the guarantee is the daily complete listing, which shows every parent. GitLab's
  payload has no count: the complete listing reads each parent's links (one GET per
  parent, once a day).
* A phase whose document has errors, or that is outside the run's PATHs, is left as it is.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Literal, Protocol, TypeVar, cast
from urllib.parse import quote

from syncer.errors import NotFound, TransientError, ValidationFailed
from syncer.forges.base import (
    Forge,
    IssueChange,
    IssueSpec,
    Relations,
    RemoteIssue,
    Snapshot,
)
from syncer.model import Document, Item, Kind, Phase, Task
from syncer.sync.body import BEGIN, END, compose_body, key_of, split_body
from syncer.sync.lock import ForgeState, LockEntry, LockStore
from syncer.sync.render import RenderConfig, content_hash, milestone_title
from syncer.sync.text_safety import escape_mentions, neutralise

T = TypeVar("T")
MAX_CHILDREN = 100  # GitHub: sub-issues per parent
PROGRESS = re.compile(r"\*\*Progress:\*\* (\d+ of \d+ done)")
PARENT = "parent"
Mode = Literal["sub_issues", "relates_to"]
_SECTIONS = {
    Kind.FUNCTIONAL: "Functional Requirements",
    Kind.NON_FUNCTIONAL: "Non-Functional Requirements",
    Kind.TECHNICAL: "Technical Requirements",
}


class RelationsForge(Forge, Relations, Protocol):
    """A forge adapter with relations (both of phasesync's adapters)."""


def relations_of(forge: Forge) -> RelationsForge | None:
    return cast(RelationsForge, forge) if hasattr(forge, "link_child") else None


def mode_of(kind: str) -> Mode:
    return "sub_issues" if kind == "github" else "relates_to"


def describe_mode(kind: str, capabilities: Mapping[str, str]) -> str:
    """Which mapping is in force, and why: one line for `plan` and `doctor`."""
    if mode_of(kind) == "sub_issues":
        return (
            "phase parents: GitHub sub-issues (native hierarchy; 100 per parent, so phases of "
            "more than 100 items get a parent per section)"
        )
    tier = capabilities.get("tier")
    why = {
        "premium": "Premium detected: `blocks` links are offered too, and kept for dependencies",
        "free": "no Premium features detected: `relates_to` is what every tier offers",
    }.get(tier or "", "tier not probed yet (probed once, at the first push, and kept in the lock)")
    return (
        "phase parents: GitLab `relates_to` issue links and a `Part of #N` line in each "
        f"item (GitLab has no sub-issues on issues; {why})"
    )


# --- the layout: which parent each item sits under ----------------------------------------


@dataclass(frozen=True, slots=True)
class Node:
    """A parent issue as the documents want it."""

    key: str  # `phase-2/parent`, `phase-2/parent.functional`, `phase-2/parent.week-3~2`
    phase: str  # the items' key phase (`2`, `1~docs-roadmap`)
    title: str
    block: str
    file: str
    closed: bool
    children: tuple[str, ...]  # item keys, or (a phase's parent past 100) section parents'

    @property
    def hash(self) -> str:
        return content_hash(self.title, self.block, (), None)


@dataclass(frozen=True, slots=True)
class _Group:
    key: str
    phase: Phase
    file: str
    title: str
    items: tuple[Item, ...]
    sections: tuple[_Group, ...] = ()


def _section_name(item: Item) -> str:
    if isinstance(item, Task):
        if item.week is not None:
            return f"Week {item.week}: {item.week_focus}".rstrip(": ")
        return item.section or item.key.section
    return _SECTIONS.get(item.kind, item.key.section)


def _layout(docs: Sequence[Document], render: RenderConfig) -> list[_Group]:
    """Each phase's parent, with section parents when it has more than 100 items."""
    phases: dict[str, tuple[Phase, str, list[Item]]] = {}
    for doc in docs:
        for phase in doc.phases:
            for item in phase.items:
                slot = phases.setdefault(item.key.phase, (phase, doc.path, []))
                slot[2].append(item)
    groups: list[_Group] = []
    for name, (phase, file, items) in phases.items():
        key = f"phase-{name}/{PARENT}"
        title = milestone_title(render, phase)
        sections: list[_Group] = []
        if len(items) > MAX_CHILDREN:
            by_section: dict[str, list[Item]] = {}
            for item in items:
                by_section.setdefault(item.key.section, []).append(item)
            for slug, members in by_section.items():
                chunks = [
                    members[i : i + MAX_CHILDREN] for i in range(0, len(members), MAX_CHILDREN)
                ]
                for n, chunk in enumerate(chunks, 1):
                    suffix = f"~{n}" if n > 1 else ""
                    label = _section_name(chunk[0]) + (f" ({n})" if len(chunks) > 1 else "")
                    sections.append(
                        _Group(
                            f"{key}.{slug}{suffix}", phase, file, f"{title} · {label}", tuple(chunk)
                        )
                    )
        groups.append(_Group(key, phase, file, title, tuple(items), tuple(sections)))
    return groups


def _block(group: _Group, done: int, mode: Mode, objective: bool) -> str:
    parts: list[str] = []
    if objective and group.phase.primary_objective:
        parts.append(f"**Objective:** {group.phase.primary_objective}")
    parts.append(f"**Progress:** {done} of {len(group.items)} done")
    what = "sub-issues" if mode == "sub_issues" else "linked issues"
    children = "section parents" if group.sections else "items"
    parts.append(
        f"_The phase's {children} are this issue's {what}. Managed by phasesync: edit the "
        "document, not this text._"
    )
    text = escape_mentions(neutralise("\n\n".join(parts)))
    return "\n".join(
        (
            BEGIN,
            text,
            f"<!-- phasesync:key={group.key} -->",
            f"<!-- phasesync:file={quote(group.file)} -->",
            END,
        )
    )


def wanted_nodes(
    docs: Sequence[Document],
    render: RenderConfig,
    mode: Mode,
    done: Callable[[Item], bool],
) -> list[Node]:
    """Every parent the documents want, section parents before their phase's."""
    nodes: list[Node] = []
    for group in _layout(docs, render):
        for section in group.sections:
            n = sum(1 for i in section.items if done(i))
            nodes.append(
                Node(
                    section.key,
                    group.key.removeprefix("phase-").removesuffix(f"/{PARENT}"),
                    section.title,
                    _block(section, n, mode, objective=False),
                    section.file,
                    n == len(section.items),
                    tuple(str(i.key) for i in section.items),
                )
            )
        n = sum(1 for i in group.items if done(i))
        children = (
            tuple(s.key for s in group.sections)
            if group.sections
            else tuple(str(i.key) for i in group.items)
        )
        nodes.append(
            Node(
                group.key,
                group.key.removeprefix("phase-").removesuffix(f"/{PARENT}"),
                group.title,
                _block(group, n, mode, objective=True),
                group.file,
                bool(group.items) and n == len(group.items),
                children,
            )
        )
    return nodes


# --- the lock's record of a parent ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Record:
    issue: int
    hash: str
    closed: bool
    children: tuple[int, ...] = ()  # the issues phasesync related to it, by number
    seen: int | None = None  # GitHub: the sub-issue count the forge shows after our writes

    def to_json(self) -> dict[str, Any]:
        return {
            "issue": self.issue,
            "hash": self.hash,
            "closed": self.closed,
            "children": sorted(set(self.children)),
            "seen": self.seen,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Record | None:
        """None for a record that is not one (hand-edited): the parent is then found again
        by its key marker."""
        issue, digest, closed = raw.get("issue"), raw.get("hash"), raw.get("closed")
        children, seen = raw.get("children", []), raw.get("seen")
        if isinstance(issue, bool) or not isinstance(issue, int) or issue <= 0:
            return None
        if not isinstance(digest, str) or not isinstance(closed, bool):
            return None
        if not isinstance(children, list) or not all(
            isinstance(c, int) and not isinstance(c, bool) for c in children
        ):
            return None
        if seen is not None and (isinstance(seen, bool) or not isinstance(seen, int)):
            return None
        return cls(issue, digest, closed, tuple(children), seen)


def records(state: ForgeState) -> dict[str, Record]:
    out: dict[str, Record] = {}
    for key, raw in state.structure.items():
        rec = Record.from_json(raw)
        if rec is not None:
            out[key] = rec
    return out


def part_of(
    docs: Sequence[Document],
    render: RenderConfig,
    state: ForgeState,
    kind: str,
    snapshot: Snapshot | None = None,
    vouched: frozenset[str] = frozenset(),
) -> dict[str, int]:
    """GitLab: each item's parent issue number, for its `Part of #N` line (GitHub shows the
    parent itself: none). Only parents that exist (the lock's, or found by their key marker
    in the listing): a new one is made before the plan."""
    if mode_of(kind) != "relates_to":
        return {}
    known = {k: r.issue for k, r in records(state).items()}
    if snapshot is not None:
        for key, issue in _by_marker(snapshot, state, vouched).items():
            known.setdefault(key, issue.number)
    nodes = wanted_nodes(docs, render, "relates_to", lambda i: i.checked)
    parents = {n.key for n in nodes}
    out: dict[str, int] = {}
    for node in nodes:
        number = known.get(node.key)
        if number is None:
            continue
        for child in node.children:
            if child not in parents:  # an item, not a section parent
                out.setdefault(child, number)
    return dict(sorted(out.items()))


def _by_marker(
    snapshot: Snapshot, state: ForgeState, vouched: frozenset[str]
) -> dict[str, RemoteIssue]:
    """Listed parents by their key marker, in issues of trusted authors only, oldest first."""
    trusted = set(state.creators) | vouched
    out: dict[str, RemoteIssue] = {}
    for issue in sorted(snapshot.issues, key=lambda i: i.number):
        key = key_of(issue.body)
        if key and f"/{PARENT}" in key and (issue.author_trusted or issue.author in trusted):
            out.setdefault(key, issue)
    return out


# --- the plan -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NodeWork:
    node: Node
    record: Record | None  # None: the parent is to be made (or was found by its marker)
    found: RemoteIssue | None = None  # the issue, when this listing shows it
    content: bool = False  # title and block to send
    state: Literal["open", "closed"] | None = None
    verify: bool = False  # read its relations first (a listing showed a change)
    links: int = 0  # relations to make, as far as the plan can tell
    unlinks: int = 0


@dataclass(frozen=True, slots=True)
class Retire:
    """A parent the documents no longer want (a phase gone, a split undone)."""

    key: str
    record: Record


@dataclass(frozen=True, slots=True)
class StructurePlan:
    mode: Mode
    description: str
    nodes: tuple[NodeWork, ...] = ()
    retire: tuple[Retire, ...] = ()
    # Records kept as they are: parents of phases this run does not look at.
    kept: Mapping[str, Record] = field(default_factory=dict)
    # Item key -> its parent issue number as this plan has it (GitLab's `Part of #N`).
    part_of: Mapping[str, int] = field(default_factory=dict)
    needs_full_listing: bool = False

    @property
    def creates(self) -> tuple[NodeWork, ...]:
        return tuple(w for w in self.nodes if w.record is None and w.found is None)

    @property
    def writes(self) -> int:
        """Write requests the plan needs, as far as it can tell (reads of relations and
        children made this run are counted when they happen)."""
        n = len(self.creates) + sum(1 for r in self.retire if not r.record.closed)
        for w in self.nodes:
            n += w.links + w.unlinks + (1 if w.content or w.state else 0)
        return n

    @property
    def empty(self) -> bool:
        """Nothing to write, read or record."""
        return (
            self.writes == 0
            and not self.retire
            and not any(w.verify or w.record is None for w in self.nodes)
        )

    def lines(self) -> list[str]:
        """What the plan does to the structure, for `plan`."""
        out = [self.description]
        for w in self.nodes:
            what: list[str] = []
            if w.record is None and w.found is None:
                what.append("create")
            elif w.record is None and w.found is not None:
                what.append(f"found #{w.found.number} by its key marker")
            if w.content:
                what.append("update objective/progress")
            if w.state:
                what.append("close" if w.state == "closed" else "reopen")
            if w.links:
                what.append(f"relate {w.links} issue{'s' if w.links != 1 else ''}")
            if w.unlinks:
                what.append(f"unrelate {w.unlinks}")
            if w.verify:
                what.append("check its relations")
            if what:
                out.append(f"  {w.node.title} [{w.node.key}]: {', '.join(what)}")
        for r in self.retire:
            out.append(f"  #{r.record.issue} [{r.key}]: no longer wanted, closed as not planned")
        return out


def plan_structure(
    kind: str,
    docs: Sequence[Document],
    entries: Mapping[str, LockEntry | None],
    snapshot: Snapshot,
    state: ForgeState,
    render: RenderConfig,
    *,
    whole: bool,
    vouched: frozenset[str] = frozenset(),
) -> StructurePlan:
    """What the parents need. `entries` is the plan's lock after the run (the agreed done
    state of each item and its issue number); `whole`: the run sees every document and
    none has errors, so parents no longer wanted may be retired; `vouched`: authors the
    forge says may steer the plan (a parent's key marker counts only in their issues, the
    lock's creators' or those the listing says have write access)."""
    mode = mode_of(kind)
    known = records(state)
    frozen = {
        item.key.phase for d in docs if d.has_errors or d.blocked for item in d.items
    }  # a phase with a broken document: its parents are left as they are

    def done(item: Item) -> bool:
        entry = entries.get(str(item.key)) or state.items.get(str(item.key))
        return entry.checked if entry is not None else item.checked

    def number(key: str) -> int | None:
        entry = entries.get(key) or state.items.get(key)
        if entry is not None and entry.issue:
            return entry.issue
        rec = known.get(key)
        return rec.issue if rec is not None else None

    by_number = {i.number: i for i in snapshot.issues}
    by_marker = _by_marker(snapshot, state, vouched)

    works: list[NodeWork] = []
    kept: dict[str, Record] = {}
    wanted: set[str] = set()
    needs_full = False
    for node in wanted_nodes(docs, render, mode, done):
        wanted.add(node.key)
        rec = known.get(node.key)
        if node.phase in frozen:
            if rec is not None:
                kept[node.key] = rec
            continue
        found: RemoteIssue | None = None
        if rec is not None:
            found = by_number.get(rec.issue)
        else:
            found = by_marker.get(node.key)
            if found is None and not snapshot.complete:
                needs_full = True  # not in the lock: only a complete listing may say it is new
        if rec is None and found is None:
            works.append(NodeWork(node, None, links=len(node.children)))
            continue
        base_closed = rec.closed if rec is not None else False
        closed = found.state == "closed" if found is not None else base_closed
        if found is not None:
            block = split_body(found.body).block or ""
            content = content_hash(found.title, block, (), None) != node.hash
        else:
            content = rec is not None and rec.hash != node.hash
        state_change: Literal["open", "closed"] | None = None
        if closed != node.closed:
            state_change = "closed" if node.closed else "open"
        related = set(rec.children) if rec is not None else set()
        verify = rec is None  # found by its marker: what it relates is not known
        if rec is not None and found is not None:
            # GitLab's payload has no count: its links are read on the daily complete listing.
            count = found.children
            verify = count != rec.seen if count is not None else snapshot.complete
        numbers = [number(c) for c in node.children]
        links = sum(1 for n in numbers if n is None or n not in related)
        unlinks = len(related - {n for n in numbers if n is not None})
        works.append(NodeWork(node, rec, found, content, state_change, verify, links, unlinks))
    retire: list[Retire] = []
    for key, rec in known.items():
        if key in wanted or key in kept:
            continue
        if whole and not frozen:
            retire.append(Retire(key, rec))
        else:
            kept[key] = rec
    return StructurePlan(
        mode,
        describe_mode(kind, state.capabilities),
        tuple(works),
        tuple(retire),
        kept,
        part_of(docs, render, state, kind, snapshot, vouched),
        needs_full,
    )


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


def create_nodes(
    forge: Forge, store: LockStore, plan: StructurePlan, options: Pacing, *, listed: datetime
) -> int:
    """Create the parents the plan lacks, paced like every write and within `max_writes`
    (the applier gets what is left), each journaled at once; returns how many were made.
    A create whose answer was lost is looked for by its key marker after
    `lost_create_wait`, as an item's is."""
    made = 0
    last: float | None = None
    identity = forge.identity
    for work in plan.creates:
        if options.max_writes is not None and made >= options.max_writes:
            break  # the applier, left no budget, stops at its first write and says so
        if last is not None and options.write_interval > 0:
            wait = last + options.write_interval - options.clock()
            if wait > 0:
                options.sleep(wait)
        node = work.node
        spec = IssueSpec(node.title, node.block, (), None)
        try:
            issue = forge.create_issue(spec)
        except TransientError:
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
        rec = self.records[key]
        for child in sorted(set(rec.children) - set(wanted)):
            with contextlib.suppress(NotFound):  # gone already: what was wanted
                write(partial(self.forge.unlink_child, rec.issue, child))
            rec = replace(
                rec,
                children=tuple(c for c in rec.children if c != child),
                seen=_moved(rec.seen, -1),
            )
            self._save(key, rec)
            self.outcome.unrelated += 1

    def _relate(self, key: str, wanted: Sequence[int], write: Write[Any]) -> None:
        rec = self.records[key]
        for child in wanted:
            if child in rec.children:
                continue
            try:
                made = bool(write(partial(self.forge.link_child, rec.issue, child)))
                # Made now, or found made by an earlier attempt whose answer was lost:
                # either way the forge counts one more child than the listing showed.
                rec = replace(rec, seen=_moved(rec.seen, 1))
                self.outcome.related += 1 if made else 0
            except ValidationFailed as exc:
                # Refused (GitHub: it has another parent, of people's): theirs stays, and
                # it is not asked again.
                self.note(f"#{child} not related to #{rec.issue}: {exc.message}")
            rec = replace(rec, children=(*rec.children, child))
            self._save(key, rec)

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


def _moved(seen: int | None, by: int) -> int | None:
    return None if seen is None else max(0, seen + by)


def item_numbers(
    entries: Mapping[str, LockEntry | None], state: ForgeState, made: Mapping[str, int]
) -> dict[str, int]:
    """Every item key's issue number: this run's creations, the plan's and the lock's."""
    out = {k: e.issue for k, e in state.items.items() if e.issue}
    out.update({k: e.issue for k, e in entries.items() if e is not None and e.issue})
    out.update(made)
    return out
