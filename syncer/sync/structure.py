"""Phase parents (`phase_parents = true`): the plan's structure, native on the forge.

This module plans what the parents need (pure: documents, lock and listing in, a
`StructurePlan` out). The rest of the feature: `structure_layout` (which parent each item
sits under, and the parent's text), `structure_record` (the lock's record of a parent)
and `structure_run` (making the parents and carrying out the plan on the forge).

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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from syncer.forges.base import RemoteIssue, Snapshot
from syncer.model import Document, Item
from syncer.sync.body import key_of, split_body
from syncer.sync.lock import ForgeState, LockEntry
from syncer.sync.render import RenderConfig, content_hash
from syncer.sync.structure_layout import PARENT, Mode, Node, wanted_nodes
from syncer.sync.structure_record import Record, records


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


# --- the parents that exist: GitLab's `Part of #N` ----------------------------------------


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

    def created(key: str) -> bool:
        """Whether a child with no issue yet gets one this run: a parent made before the
        items, or an item the plan creates (`entries` has it, without a number). An item
        that never gets an issue (`done_items = "skip"`) is no relation to make."""
        if f"/{PARENT}" in key:
            return True
        entry = entries.get(key)
        return entry is not None and not entry.issue

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
        links = sum(
            1
            for c, n in zip(node.children, numbers, strict=True)
            if (n is not None and n not in related) or (n is None and created(c))
        )
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
