"""The planner, per item: which issue it is (its link, the lock, its key marker, or an
adopted title), and a new issue when it has none; an item with an issue goes on to
`plan_update`. Copied links and duplicate issues are settled here. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

from syncer.model import Document, IssueLink, Item, Phase
from syncer.sync.actions import Conflict, CreateIssue, Note, Problem, UpdateIssue
from syncer.sync.body import key_of
from syncer.sync.content_edits import desc_digest
from syncer.sync.identity import (
    duplicate_comment,
    duplicate_marker,
    shared_link_message,
    shared_links,
)
from syncer.sync.lock import LockEntry
from syncer.sync.plan_changes import ARROW
from syncer.sync.plan_update import UpdatePlanner
from syncer.sync.render import Rendered, milestone_title, render_item

MAX_LABEL = 50


class ItemPlanner(UpdatePlanner):
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
                        number=shared.number,
                        title=item.issue_title,
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
                    number=number,
                    title=rendered.title,
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
                    title=other.title,
                    file=item.pos.file,
                    line=item.pos.line,
                    changes=(f"state: open {ARROW} closed (duplicate)", "comment"),
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


def _title_key(title: str) -> str:
    return " ".join(title.split()).casefold()
