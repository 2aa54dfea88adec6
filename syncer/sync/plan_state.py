"""The planner's state: its configuration, what it has decided so far, and what the forge
side of an item is (as listed, or as the lock left it). Shared by the planner's parts
(`plan_items`, `plan_update`, `plan_removal`); pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from syncer.forges.base import LabelSpec, RemoteIssue, Snapshot
from syncer.model import Document, Item
from syncer.sync.actions import (
    Conflict,
    CreateIssue,
    Direction,
    EditDocument,
    Note,
    Problem,
    UpdateIssue,
)
from syncer.sync.compose import body_problem
from syncer.sync.content_edits import ForgeEdits, managed_labels
from syncer.sync.identity import index_markers, trust_rule
from syncer.sync.lock import ForgeState, LockEntry
from syncer.sync.renames import Names
from syncer.sync.render import RenderConfig, Rendered, content_hash, remote_content

DoneItems = Literal["create", "skip"]


@dataclass(frozen=True, slots=True)
class PlanConfig:
    render: RenderConfig
    issue_url: Callable[[int], str]
    source_url: Callable[[str, int], str] | None = None
    write_links: bool = True
    on_removed: Literal["close", "keep"] = "close"
    prefer: Literal["document", "forge"] | None = None
    adopt: bool = False
    # Files whose items this run is about; None: every file the lock knows (no PATH given).
    scope: frozenset[str] | None = None
    # Authors the forge vouched for (`Forge.trusted_authors`), besides the lock's creators
    # and what the listing says: whose key markers may bind items (`syncer.sync.identity`).
    trusted_authors: frozenset[str] = frozenset()
    # A title or description edited on the forge alone: written into the document
    # ("accept"), or restored from it ("restore": the documents are law).
    forge_edits: ForgeEdits = "accept"
    # Items ticked when first met (no lock entry, no issue by link or marker): created and
    # closed ("create"), or left in the document alone ("skip": no write, no lock entry).
    done_items: DoneItems = "create"
    # `subtasks = "issues"`; off, a sub-task's issue the lock knows is left as it is
    # (`syncer.sync.subtask_plan`: switching back to the checklist closes nothing).
    subtask_issues: bool = False


@dataclass(frozen=True, slots=True)
class Remote:
    """The forge side of one item: seen in this listing, or trusted from the lock."""

    title: str
    closed: bool
    hash: str
    body: str | None  # None when not listed this time
    labels: tuple[str, ...] | None
    milestone: str | None
    comments: int | None = None  # None when not listed this time
    extra: bool | None = None  # people's text or labels (`RemoteContent`); None: not listed
    managed: tuple[str, ...] = ()  # the managed labels, sorted (listed issues only)


class PlannerState:
    def __init__(
        self,
        direction: Direction,
        docs: Sequence[Document],
        snapshot: Snapshot,
        base: ForgeState,
        cfg: PlanConfig,
        names: Names | None = None,
    ) -> None:
        self.direction = direction
        self.names = names or Names()
        self.retired = self.names.retired
        self.docs = docs
        self.snapshot = snapshot
        self.base = base
        self.cfg = cfg
        self.by_number = {i.number: i for i in snapshot.issues}
        self.base_by_issue = base.by_issue()
        self.trusted = trust_rule(self.base_by_issue, base.creators, cfg.trusted_authors)
        self.by_marker: dict[str, RemoteIssue] = {}
        self.same_key: Mapping[str, tuple[RemoteIssue, ...]] = {}
        self.claimed: dict[int, Item] = {}  # issue number -> the item that has it this run
        self.copies: set[str] = set()  # keys of items whose link is another item's
        self.issues: list[CreateIssue | UpdateIssue] = []
        self.documents: list[EditDocument] = []
        self.conflicts: list[Conflict] = []
        self.notes: list[Note] = []
        self.problems: list[Problem] = []
        self.skipped: list[Problem] = []
        self.entries: dict[str, LockEntry | None] = {}
        self.renamed: dict[str, str] = {}
        self.needs_full = False
        self.removal_closes = 0
        self.done_left: list[str] = []  # keys of ticked items left in the document (skip)
        self.wanted_labels: dict[str, LabelSpec] = {}
        self._unmarked_by_title: dict[str, list[RemoteIssue]] | None = None
        self._index_markers()

    def _index_markers(self) -> None:
        index = index_markers(
            self.snapshot.issues, self.trusted, {k: e.issue for k, e in self.base.items.items()}
        )
        self.by_marker = dict(index.by_key)
        self.same_key = index.same_key
        for key, issue in index.forged:
            who = issue.author or "someone"
            self.notes.append(
                Note(
                    key,
                    f"#{issue.number} carries this item's key marker but was opened by {who}, "
                    "who has no write access: ignored",
                )
            )

    def _remote(
        self, number: int, entry: LockEntry | None, rendered: Rendered | None = None
    ) -> Remote | None:
        issue = self.by_number.get(number)
        if issue is not None:
            # Seen through the renames this plan makes: an old label name reads as the new.
            labels = self.names.view_labels(issue.labels)
            milestone = self.names.view_milestone(issue.milestone)
            content = remote_content(
                self.cfg.render, issue.title, issue.body, labels, milestone, like=rendered
            )
            return Remote(
                title=issue.title,
                closed=issue.state == "closed",
                hash=content.hash,
                extra=content.extra,
                body=issue.body,
                labels=labels,
                milestone=milestone,
                comments=issue.comments,
                managed=managed_labels(self.cfg.render, labels),
            )
        if entry is not None and not self.snapshot.complete and number not in self.snapshot.gone:
            # Not updated since the last listing: it is as the lock left it (and as the
            # document renders it, when only the names of labels or milestones moved on).
            known = entry.hash
            if rendered is not None and self._same_as_base(rendered, entry):
                known = rendered.hash
            return Remote(entry.title, entry.checked, known, None, None, entry.milestone)
        return None

    def _same_as_base(self, rendered: Rendered, entry: LockEntry) -> bool:
        """Whether the document's rendering is the lock's, under the names the lock's hash
        was made with (a renamed label or milestone is no change of the item's)."""
        if rendered.hash == entry.hash:
            return True
        if not self.names.any:
            return False
        labels, milestone = self.names.base_view(rendered.labels, rendered.milestone)
        return content_hash(rendered.title, rendered.block, labels, milestone) == entry.hash

    def _want_labels(self, labels: Iterable[str]) -> None:
        for name in labels:
            if name.casefold() not in self.wanted_labels:
                self.wanted_labels[name.casefold()] = LabelSpec(name, self._colour(name))

    def _colour(self, name: str) -> str:
        for family in self.cfg.render.families:
            if family.owns(name):
                return family.color
        return "ededed"

    def _too_long(self, item: Item, body: str | None) -> bool:
        """Whether the forge would refuse `body`; then the item is reported and left out."""
        problem = body_problem(body) if body is not None else None
        if problem is not None:
            self.skipped.append(Problem(item.pos.file, item.pos.line, problem))
        return problem is not None
