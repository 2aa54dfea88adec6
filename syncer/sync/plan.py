"""The planner: documents + forge snapshot + lock -> a plan. Pure: no I/O.

Two questions are decided per item, each against the lock's last synced value (the base):

* done state (box ticked <=> issue closed), a three-way merge in which either side may move;
* content (title, managed body, managed labels, milestone), which the document owns: a
  change on the forge alone is restored, a title changed on both sides is a conflict.

Without a base (first run, or a lost lock) phasesync takes the safe choice: the issue is
found by its key marker instead of created again, and nothing is reopened or unticked on a
guess. The structure follows vdirsyncer's `sync/__init__.py`: every branch names its case.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from syncer.forges.base import LabelSpec, RemoteIssue, Snapshot
from syncer.model import Document, IssueLink, Item, Phase
from syncer.runtime import collector_paused
from syncer.sync.actions import (
    Conflict,
    CreateIssue,
    DeleteLabel,
    Direction,
    EditDocument,
    EnsureLabel,
    EnsureMilestone,
    Note,
    Plan,
    Problem,
    RenameLabel,
    UpdateIssue,
)
from syncer.sync.compose import body_problem, compose_final, removal_marker
from syncer.sync.content_edits import (
    ForgeEdits,
    RemoteView,
    decide,
    desc_digest,
    managed_block,
    managed_labels,
    retitled,
)
from syncer.sync.identity import (
    duplicate_comment,
    duplicate_marker,
    index_markers,
    shared_link_message,
    shared_links,
    trust_rule,
)
from syncer.sync.lock import ForgeState, LockEntry, ManagedMilestone
from syncer.sync.milestone_plan import plan_milestones
from syncer.sync.renames import (
    Names,
    plan_label_deletes,
    plan_label_renames,
    wanted_labels,
)
from syncer.sync.render import (
    RenderConfig,
    Rendered,
    content_hash,
    escape_title,
    file_of,
    key_of,
    milestone_title,
    remote_content,
    render_item,
)

MAX_LABEL = 50


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


@dataclass(frozen=True, slots=True)
class Kept:
    """What the documents a run did not parse contribute to its plan (`syncer.sync.reuse`):
    their items are present with their lock entries as they are, and their labels and
    milestones are wanted as the lock has them."""

    keys: frozenset[str] = frozenset()
    labels: Mapping[str, LabelSpec] = field(default_factory=dict)  # by lasting name
    milestones: Mapping[str, ManagedMilestone] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Remote:
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


class _Planner:
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

    def mark_copies(self, docs: Sequence[Document]) -> None:
        """Lines that link an issue another line links too: the one the lock knows keeps
        it, every other is a conflict and is left alone (a copied line or document)."""
        for shared in shared_links(docs):
            owner_key = self.base_by_issue.get(shared.number)
            for item in shared.items:
                if str(item.key) == owner_key:
                    continue
                other = next(
                    (i for i in shared.items if str(i.key) == owner_key),
                    next(i for i in shared.items if i is not item),
                )
                self.copies.add(str(item.key))
                self.conflicts.append(
                    Conflict(
                        str(item.key),
                        item.pos.file,
                        item.pos.line,
                        shared_link_message(shared.number, other),
                        document=item.issue_title,
                        forge=f"#{shared.number}",
                        fix="remove the copied link from the line (phasesync then creates "
                        "its own issue)",
                    )
                )

    # --- identity -------------------------------------------------------------------------

    def _identify(self, item: Item, phase: Phase, key: str) -> tuple[int | None, str | None]:
        """(issue number, the lock key it was known under) for an item, or (None, None)."""
        link = item.link
        if link is not None and link.url == self.cfg.issue_url(link.number):
            # The line carries its link: a renamed item keeps its issue.
            return link.number, self.base_by_issue.get(link.number)
        if key in self.base.items:
            return self.base.items[key].issue, key
        if key in self.by_marker:
            return self.by_marker[key].number, None
        if self.cfg.adopt:
            found = self._adopt(item, phase)
            if found is not None:
                who = self.by_number[found].author or "?"
                self.notes.append(Note(key, f"adopting #{found} (same title, opened by {who})"))
                return found, None
        return None, None

    def _adopt(self, item: Item, phase: Phase) -> int | None:
        """An issue without a marker whose title matches, in the phase's milestone or label."""
        if self._unmarked_by_title is None:
            # Indexed once by title: a scan of every issue per item was N x N on a first run.
            self._unmarked_by_title = {}
            for issue in sorted(self.snapshot.issues, key=lambda i: i.number):
                if key_of(issue.body) is None and self.trusted(issue):
                    self._unmarked_by_title.setdefault(_title_key(issue.title), []).append(issue)
        milestone = milestone_title(self.cfg.render, phase)
        label = self.cfg.render.phase_label.name.format(number=phase.number).casefold()
        for issue in self._unmarked_by_title.get(_title_key(item.issue_title), ()):
            if issue.number in self.claimed:
                continue
            if issue.milestone == milestone or label in (x.casefold() for x in issue.labels):
                return issue.number
        return None

    def _remote(
        self, number: int, entry: LockEntry | None, rendered: Rendered | None = None
    ) -> _Remote | None:
        issue = self.by_number.get(number)
        if issue is not None:
            # Seen through the renames this plan makes: an old label name reads as the new.
            labels = self.names.view_labels(issue.labels)
            milestone = self.names.view_milestone(issue.milestone)
            content = remote_content(
                self.cfg.render, issue.title, issue.body, labels, milestone, like=rendered
            )
            return _Remote(
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
            return _Remote(entry.title, entry.checked, known, None, None, entry.milestone)
        return None

    def _raw_hash(self, number: int) -> str | None:
        """The content hash of a listed issue under the names it shows (no renames)."""
        issue = self.by_number.get(number)
        if issue is None:
            return None
        return remote_content(
            self.cfg.render, issue.title, issue.body, issue.labels, issue.milestone
        ).hash

    def _same_as_base(self, rendered: Rendered, entry: LockEntry) -> bool:
        """Whether the document's rendering is the lock's, under the names the lock's hash
        was made with (a renamed label or milestone is no change of the item's)."""
        if rendered.hash == entry.hash:
            return True
        if not self.names.any:
            return False
        labels, milestone = self.names.base_view(rendered.labels, rendered.milestone)
        return content_hash(rendered.title, rendered.block, labels, milestone) == entry.hash

    # --- items ----------------------------------------------------------------------------

    def plan_item(self, phase: Phase, item: Item) -> None:
        cfg = self.cfg
        key = str(item.key)
        if key in self.copies:
            return  # a copied link: reported by `mark_copies`, the item is left alone
        rendered = render_item(cfg.render, phase, item, cfg.source_url)
        self._check_limits(item, rendered)
        number, old_key = self._identify(item, phase, key)
        entry = self.base.items.get(old_key) if old_key else None

        if number is not None and number in self.claimed:
            # Another item has this issue already: writing both would flip its title on
            # every run. The last guard: this item is left alone and reported.
            other = self.claimed[number]
            self.conflicts.append(
                Conflict(
                    key,
                    item.pos.file,
                    item.pos.line,
                    f"claims issue #{number}, which {other.key} "
                    f"({other.pos.file}:{other.pos.line}) has",
                    document=rendered.title,
                    forge=f"#{number}",
                    fix="remove the link or the copied item",
                )
            )
            return
        if old_key and old_key != key:
            self.renamed[key] = old_key

        if number is not None:
            self.claimed[number] = item
            remote = self._remote(number, entry, rendered)
            if remote is None and not self.snapshot.complete and number not in self.snapshot.gone:
                # Known by link or marker but absent from an incremental listing and the lock:
                # only a complete listing can tell what the forge has.
                self.needs_full = True
                return
            if remote is None:
                # The issue is gone from the forge (deleted or transferred): plan a new one.
                self.notes.append(Note(key, f"#{number} no longer exists; creating a new issue"))
                gone = item.link if item.link is not None and item.link.number == number else None
                self._plan_create(phase, item, key, rendered, replaces=gone)
            else:
                self._close_duplicates(item, key, number)
                self._plan_existing(phase, item, key, rendered, number, entry, remote)
            return
        if item.checked and cfg.done_items == "skip":
            # Done before phasesync met it: it stays in the document, and costs no write.
            # Unticked later, it is created then (it still has no issue and no entry).
            if self.direction != "pull":  # a pull creates nothing either way
                self.done_left.append(key)
            return
        self._plan_create(phase, item, key, rendered)

    def _close_duplicates(self, item: Item, key: str, number: int) -> None:
        """Other open trusted issues with this item's key, unknown to the lock: closed as
        duplicates of the item's issue, each with a comment that names it."""
        if self.direction == "pull":
            return
        for other in self.same_key.get(key, ()):
            if (
                other.number == number
                or other.state != "open"
                or other.number in self.base_by_issue
                or other.number in self.claimed
            ):
                continue
            self.claimed[other.number] = item
            self.notes.append(Note(key, f"#{other.number} duplicates #{number}: closing it"))
            self.issues.append(
                UpdateIssue(
                    key=key,
                    number=other.number,
                    reasons=(f"duplicate of #{number}",),
                    state="closed",
                    state_reason="duplicate",
                    comment=duplicate_comment(key, number),
                    remote_comments=other.comments,
                    comment_marker=duplicate_marker(key),
                )
            )

    def _plan_create(
        self,
        phase: Phase,
        item: Item,
        key: str,
        rendered: Rendered,
        replaces: IssueLink | None = None,
    ) -> None:
        if self.direction == "pull":
            return  # pull never writes to the forge; push or sync will create it
        if self._too_long(item, rendered.block):
            return
        self._want_labels(rendered.labels)
        self.issues.append(
            CreateIssue(
                key=key,
                pos=item.pos,
                rendered=rendered,
                close=item.checked,
                # A link to the gone issue is rewritten even with `write_links` off.
                link=(self.cfg.write_links and item.link is None) or replaces is not None,
                replaces=replaces,
            )
        )
        self.entries[key] = LockEntry(
            issue=0,  # filled in by apply when the forge has answered
            file=item.pos.file,
            title=rendered.title,
            hash=rendered.hash,
            checked=item.checked,
            milestone=rendered.milestone,
            extra=False,  # phasesync writes the whole body and every label of a new issue
            desc=desc_digest(item, rendered.block),
        )

    def _plan_existing(
        self,
        phase: Phase,
        item: Item,
        key: str,
        rendered: Rendered,
        number: int,
        entry: LockEntry | None,
        remote: _Remote,
    ) -> None:
        push, pull = self.direction != "pull", self.direction != "push"
        reasons: list[str] = []

        # --- content: three-way against the lock's hash (`syncer.sync.content_edits`) ---
        send_content = False
        retitle: str | None = None
        redescribe: str | None = None
        keep_base = False  # a push saw forge edits the document takes in: the next pull does
        if remote.hash == rendered.hash:
            pass  # both sides agree: nothing to send
        elif entry is not None and self._title_conflict(entry.title, rendered.title, remote.title):
            # Title changed on both sides to different values.
            if self.cfg.prefer is None:
                self.conflicts.append(
                    Conflict(
                        key,
                        item.pos.file,
                        item.pos.line,
                        "title changed in the document and on the forge",
                        document=rendered.title,
                        forge=remote.title,
                    )
                )
                return  # the item is left untouched; the rest of the run proceeds
            if self.cfg.prefer == "forge":
                # The forge's title goes into the document line as text, never as markup,
                # and so into the key.
                retitle = escape_title(remote.title)
                item = retitled(item, retitle)
                rendered = render_item(self.cfg.render, phase, item, self.cfg.source_url)
                reasons.append("title taken from the forge (--prefer forge)")
            else:
                reasons.append("title taken from the document (--prefer document)")
            send_content = push and remote.hash != rendered.hash
        elif entry is not None and remote.body is not None:
            doc_changed = not self._same_as_base(rendered, entry)
            decision = decide(
                self.cfg.render,
                phase,
                item,
                rendered,
                entry.title,
                entry.desc,
                doc_changed,
                RemoteView(
                    remote.title, managed_block(remote.body), remote.managed, remote.milestone
                ),
                self.cfg.forge_edits,
                self.cfg.prefer,
                self.cfg.source_url,
            )
            if decision.conflict is not None:
                message, on_doc, on_forge = decision.conflict
                self.conflicts.append(
                    Conflict(key, item.pos.file, item.pos.line, message, on_doc, on_forge)
                )
                return
            if decision.title is not None or decision.description is not None:
                if pull:
                    item, retitle, redescribe = decision.item, decision.title, decision.description
                else:
                    keep_base = True  # push: the forge keeps its edit; pull writes it in
            rendered = decision.rendered
            if doc_changed:
                reasons.append("changed in the document")
            reasons.extend(decision.reasons)
            if not reasons:
                reasons.append("restored: edited on the forge")
            send_content = push and remote.hash != rendered.hash
        elif entry is not None and not self._same_as_base(rendered, entry):
            reasons.append("changed in the document")  # not listed: the forge is as locked
            send_content = push
        else:
            # Changed on the forge (or no base): bring the issue in line with the document.
            reasons.append("restored: edited on the forge" if entry else "brought in line")
            send_content = push

        if send_content and self._too_long(item, self._body(rendered, remote, entry)):
            return  # the item is left as it is; the rest of the run proceeds

        # --- done state: three-way against the lock ---
        doc, forge = item.checked, remote.closed
        if entry is None and doc and not forge and self._untouched(number):
            # A ticked item's issue that nobody touched since it was created: a run that
            # created it died before its close (and before its journal line). Closing it
            # undoes nobody's work.
            entry = LockEntry(number, item.pos.file, remote.title, remote.hash, False)
        if entry is None and doc != forge and self.cfg.prefer is None:
            # No base (a lost lock, an adopted issue): either side may be the one that moved,
            # so neither is changed on a guess, in either direction.
            self.conflicts.append(
                Conflict(
                    key,
                    item.pos.file,
                    item.pos.line,
                    "done in one place and not in the other, and the lock has no record of "
                    "which moved",
                    document="ticked" if doc else "not ticked",
                    forge=f"#{number} {'closed' if forge else 'open'}",
                )
            )
            return
        if entry is None:
            target = doc if self.cfg.prefer == "document" else forge
        elif doc != entry.checked and forge == entry.checked:
            target = doc  # changed in the document only -> close or reopen the issue
        elif doc == entry.checked and forge != entry.checked:
            target = forge  # changed on the forge only -> tick or untick the box
        else:
            target = doc  # unchanged, or changed on both sides to the same value: record
        state: Literal["open", "closed"] | None = None
        agreed = target
        if target != forge:
            if push:
                state = "closed" if target else "open"
                reasons.append("ticked in the document" if target else "unticked in the document")
            else:
                agreed = forge
        if target != doc:
            if pull:
                self.documents.append(
                    EditDocument(key, item.pos, "tick" if target else "untick", number=number)
                )
            else:
                agreed = doc if state is None else agreed

        if send_content or state is not None:
            self._want_labels(rendered.labels)
            self.issues.append(
                UpdateIssue(
                    key=key,
                    number=number,
                    reasons=tuple(reasons),
                    rendered=rendered if send_content else None,
                    remote_body=remote.body,
                    remote_labels=remote.labels,
                    drop=self.retired,
                    plain=remote.body is None and entry is not None and not entry.extra,
                    state=state,
                    state_reason=("completed" if state == "closed" else "reopened")
                    if state
                    else None,
                )
            )
        new_key = str(item.key)
        if retitle is not None:
            self.documents.append(EditDocument(key, item.pos, "retitle", title=retitle))
            if new_key != key:
                self.renamed[new_key] = self.renamed.pop(key, key)
        if redescribe is not None:
            self.documents.append(EditDocument(key, item.pos, "describe", title=redescribe))
        if push and self.cfg.write_links and item.link is None:
            self.documents.append(
                EditDocument(key, item.pos, "link", number=number, url=self.cfg.issue_url(number))
            )
        desc = entry.desc if entry is not None else None
        if keep_base and entry is not None:
            agreed_title, agreed_hash = entry.title, entry.hash
        elif send_content or remote.hash == rendered.hash:
            agreed_title, agreed_hash = rendered.title, rendered.hash
            desc = desc_digest(item, rendered.block)
        elif entry is not None:
            agreed_title, agreed_hash = entry.title, entry.hash  # pull: the base stays
        else:
            agreed_title, agreed_hash = remote.title, remote.hash
            desc = desc_digest(item, remote.body) if remote.body is not None else None
        extra = remote.extra
        if extra is None:  # not listed: as the lock knows it
            extra = entry.extra if entry is not None else True
        self.entries[new_key] = LockEntry(
            issue=number,
            file=item.pos.file,
            title=agreed_title,
            hash=agreed_hash,
            checked=agreed,
            milestone=rendered.milestone,
            extra=extra,
            desc=desc,
        )

    def _untouched(self, number: int) -> bool:
        issue = self.by_number.get(number)
        return issue is not None and issue.untouched

    @staticmethod
    def _title_conflict(base: str, doc: str, forge: str) -> bool:
        return doc != base and forge != base and doc != forge

    def _want_labels(self, labels: Iterable[str]) -> None:
        for name in labels:
            if name.casefold() not in self.wanted_labels:
                self.wanted_labels[name.casefold()] = LabelSpec(name, self._colour(name))

    def _colour(self, name: str) -> str:
        for family in self.cfg.render.families:
            if family.owns(name):
                return family.color
        return "ededed"

    def _check_limits(self, item: Item, rendered: Rendered) -> None:
        for label in rendered.labels:
            if len(label) > MAX_LABEL:
                self.problems.append(
                    Problem(
                        item.pos.file,
                        item.pos.line,
                        f"label {label!r} is {len(label)} characters; the forge allows {MAX_LABEL}",
                    )
                )

    @staticmethod
    def _body(rendered: Rendered, remote: _Remote, entry: LockEntry | None) -> str | None:
        """The whole body an update would send, when the plan can know it."""
        if remote.body is not None:
            return compose_final(rendered.block, remote.body)
        if entry is not None and not entry.extra:
            return rendered.block  # all phasesync's, as the lock knows it
        return None  # apply reads the issue, composes the body and checks it there

    def _too_long(self, item: Item, body: str | None) -> bool:
        """Whether the forge would refuse `body`; then the item is reported and left out."""
        problem = body_problem(body) if body is not None else None
        if problem is not None:
            self.skipped.append(Problem(item.pos.file, item.pos.line, problem))
        return problem is not None

    # --- removal --------------------------------------------------------------------------

    def plan_removed(self, present: set[str], unsure_files: set[str]) -> None:
        """Items the lock knows that no document has any more."""
        renamed_from = set(self.renamed.values())  # a set: looked up once per lock entry
        for key, entry in sorted(self.base.items.items()):
            if key in present or key in renamed_from or entry.issue in self.claimed:
                continue
            if self.cfg.scope is not None and entry.file not in self.cfg.scope:
                self.entries.setdefault(key, entry)
                continue
            if entry.file in unsure_files:
                continue  # its document has errors: nothing about it is known this run
            remote = self._remote(entry.issue, entry)
            if remote is None:
                self.entries[key] = None  # gone from the forge too: forget it
                continue
            if self.direction == "pull":
                continue
            if remote.closed:
                # Closed already (by hand, or by a run that died before it recorded its own
                # close): both sides agree the item is gone and nothing is left to write.
                self.entries[key] = None
                continue
            if self.cfg.on_removed == "keep":
                self.entries[key] = None
                self.notes.append(Note(key, f"removed from the document; #{entry.issue} kept"))
                continue
            if (remote.hash != entry.hash and self._raw_hash(entry.issue) != entry.hash) or (
                remote.closed != entry.checked
            ):
                # Removed in the document but changed on the forge since the last sync.
                self.conflicts.append(
                    Conflict(
                        key,
                        entry.file,
                        0,
                        "removed from the document but changed on the forge",
                        document="(removed)",
                        forge=f"#{entry.issue} {remote.title} "
                        f"({'closed' if remote.closed else 'open'})",
                    )
                )
                continue
            self.removal_closes += 1
            self.issues.append(
                UpdateIssue(
                    key=key,
                    number=entry.issue,
                    reasons=("removed from the document",),
                    state="closed",
                    state_reason="not_planned",
                    comment=(
                        f"phasesync: `{key}` was removed from `{entry.file}`, so this issue "
                        "is closed as not planned. Put the item back in the document to "
                        f"reopen it.\n\n{removal_marker(key)}"
                    ),
                    remote_comments=remote.comments,
                    comment_marker=removal_marker(key),
                )
            )
            self.entries[key] = None

    def orphan_notes(self, present: set[str]) -> None:
        """Open issues with a marker that no document and no lock entry claims."""
        for key, issue in self.by_marker.items():
            if key in present or key in self.base.items or issue.number in self.claimed:
                continue
            if issue.state == "open" and (
                self.cfg.scope is None or file_of(issue.body) in self.cfg.scope
            ):
                self.notes.append(
                    Note(key, f"#{issue.number} is not in any document; left as it is")
                )


def _title_key(title: str) -> str:
    return " ".join(title.split()).casefold()


def make_plan(
    direction: Direction,
    docs: Sequence[Document],
    snapshot: Snapshot,
    base: ForgeState,
    cfg: PlanConfig,
    kept: Kept | None = None,
) -> Plan:
    """Decide everything a run will do. Documents with errors are not synced, and the
    issues of their items are left as they are. `kept`: what the documents not given
    contribute (none of their items has anything to do; `syncer.sync.reuse`)."""
    kept = kept or Kept()
    # A document is synced unless an error blocks all of it (`Document.blocked`); an error
    # on one line has left that line's item out already, and the rest syncs.
    good = [d for d in docs if not d.blocked]
    wanted = {**kept.labels, **wanted_labels(cfg.render, good)}
    label_plan, label_view, label_base = plan_label_renames(wanted, base, snapshot)
    ms = plan_milestones(good, snapshot, cfg.render, base.milestones)
    retired = frozenset(x.name.casefold() for x in label_plan.retiring.values())
    names = Names(label_view, label_base, ms.view, ms.to_base, retired)
    planner = _Planner(direction, good, snapshot, base, cfg, names)
    planner.mark_copies(good)
    present: set[str] = set(kept.keys)
    with collector_paused():
        for doc in good:
            for phase in doc.phases:  # a roadmap has several
                for item in phase.items:
                    present.add(str(item.key))
                    planner.plan_item(phase, item)
    # An item left out for an error on its line looks removed: nothing is closed for a
    # document with any error until it is fixed (its other items sync as usual).
    planner.plan_removed(present, {d.path for d in docs if d.has_errors})
    planner.orphan_notes(present)
    for key in kept.keys:
        planner.entries[key] = base.items[key]

    labels: list[EnsureLabel] = []
    milestones: list[EnsureMilestone] = []
    renames: tuple[RenameLabel, ...] = ()
    deletes: list[DeleteLabel] = []
    label_table, milestone_table = dict(base.labels), dict(base.milestones)
    if direction != "pull":
        have = {lbl.name.casefold() for lbl in snapshot.labels} | label_plan.renamed_to
        labels = [EnsureLabel(s) for k, s in sorted(planner.wanted_labels.items()) if k not in have]
        milestones = ms.actions
        planner.notes.extend(ms.notes)
        renames, label_table = label_plan.renames, label_plan.table
        milestone_table = {**kept.milestones, **ms.table}
        managed = set(planner.claimed) | {e.issue for e in base.items.values()}
        deletes, label_notes = plan_label_deletes(
            label_plan.retiring, snapshot, managed, label_table
        )
        planner.notes.extend(label_notes)
        made = {x.spec.name.casefold() for x in labels}
        for lasting, spec in wanted.items():
            # A label of the documents that no write of this run needs is not the lock's yet.
            folded = spec.name.casefold()
            if label_table[lasting].id is None and folded not in made and folded not in have:
                del label_table[lasting]
    return Plan(
        direction=direction,
        labels=tuple(labels),
        renames=renames,
        deletes=tuple(deletes),
        milestones=tuple(milestones),
        issues=tuple(planner.issues),
        documents=tuple(planner.documents),
        conflicts=tuple(planner.conflicts),
        notes=tuple(planner.notes),
        problems=tuple(planner.problems),
        skipped=tuple(planner.skipped),
        entries=planner.entries,
        renamed=planner.renamed,
        managed=len(base.items),
        removal_closes=planner.removal_closes,
        needs_full_listing=planner.needs_full,
        done_left=tuple(planner.done_left),
        managed_labels=label_table,
        managed_milestones=milestone_table,
    )
