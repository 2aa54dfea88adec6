"""Carry out a plan: labels, milestones, issues, then documents, then the lock.

Safety rules, in the order they matter:

* every creation is journaled (`LockStore.record`) before the next request, so a run that
  dies is resumed, never repeated (git-bug's GitHub bridge does the same);
* a create whose answer was lost (5xx, dropped connection) is looked for by its key marker
  before it is sent again, whatever the HTTP client retried;
* documents are edited by exact byte spans, verified, and replaced atomically, and never
  when they changed on disk since they were read;
* when the run stops early (write budget, rate limit past `--max-wait`, a forge error),
  what was done is still written to the documents and the lock before the error surfaces.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Protocol, TypeVar

from syncer.errors import (
    CeilingReached,
    DocumentError,
    EditError,
    MassCloseRefused,
    NotFound,
    PhasesyncError,
    TransientError,
    ValidationFailed,
    WriteBudgetExhausted,
)
from syncer.files import write_atomic
from syncer.forges.base import Forge, IssueChange, IssueSpec, RemoteIssue
from syncer.markdown.edit import (
    Edit,
    apply_edits,
    box_edit,
    description_edit,
    link_edit,
    title_edit,
)
from syncer.model import Document
from syncer.sync.actions import CreateIssue, EditDocument, Plan, Problem, UpdateIssue
from syncer.sync.body import key_of
from syncer.sync.ceiling import Ceiling
from syncer.sync.compose import body_problem, final_body, final_labels
from syncer.sync.lock import Lock, LockEntry, LockStore, ManagedLabel, ManagedMilestone
from syncer.sync.render import RenderConfig
from syncer.sync.structure import (
    StructureOutcome,
    StructurePlan,
    StructureRun,
    item_numbers,
    relations_of,
)

T = TypeVar("T")


class Reporter(Protocol):
    """Where apply says what it does: a rich progress bar in a terminal, nothing in tests."""

    def start(self, total: int) -> None: ...

    def step(self, description: str) -> None: ...

    def note(self, message: str) -> None: ...


class SilentReporter:
    def start(self, total: int) -> None:
        pass

    def step(self, description: str) -> None:
        pass

    def note(self, message: str) -> None:
        pass


@dataclass(frozen=True, slots=True)
class ApplyOptions:
    write_interval: float = 1.0  # seconds between writes, as GitHub asks
    max_writes: int | None = None
    allow_mass_close: bool = False
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    # How long to let a forge finish a create whose answer was lost before looking for it:
    # a slow forge applies a create after the client gave up on it.
    lost_create_wait: float = 10.0
    # The forge's write ceiling (`syncer.sync.ceiling`), and the wall clock its windows
    # are measured on (shared with the next runs through the lock).
    ceiling: Ceiling = field(default_factory=Ceiling)
    wall: Callable[[], float] = time.time


@dataclass(slots=True)
class Outcome:
    """What a run did, for the report and the exit code."""

    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)
    commented: list[int] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    milestones: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    ticked: int = 0
    unticked: int = 0
    linked: int = 0
    writes: int = 0
    error: PhasesyncError | None = None
    # Items left as they are because the forge would refuse them (a body over its limit).
    problems: list[Problem] = field(default_factory=list)
    parents: StructureOutcome | None = None  # with `phase_parents`


class Applier:
    def __init__(
        self,
        forge: Forge,
        store: LockStore,
        lock: Lock,
        plan: Plan,
        docs: Sequence[Document],
        render: RenderConfig,
        root: Path,
        options: ApplyOptions,
        listed: datetime,
        complete: bool,
        reporter: Reporter | None = None,
        settled: str | None = None,
        structure: StructurePlan | None = None,
    ) -> None:
        self.forge = forge
        self.store = store
        self.lock = lock
        self.plan = plan
        self.docs = {d.path: d for d in docs}
        self.render = render
        self.root = root
        self.options = options
        self.listed = listed  # server time at which this run's listing began
        self.complete = complete  # whether that listing was complete
        self.reporter = reporter or SilentReporter()
        # Recorded in the lock when the run finishes: the digest of its inputs, given only
        # for a run that has nothing to write (`syncer.sync.settled`).
        self.settled = settled
        self.outcome = Outcome()
        self.identity = forge.identity
        self.base = lock.state(self.identity)
        self.milestone_ids: dict[str, int] = {}
        self.label_ids: dict[str, int | None] = {}  # casefolded name -> id, made this run
        self.labels_done: set[str] = set()  # casefolded names renamed this run
        self.labels_deleted: set[str] = set()
        self.numbers: dict[str, int] = {}  # key -> issue number for creations of this run
        self.done: set[str] = set()  # keys whose forge actions all succeeded
        self.failed: set[str] = set()
        self._last_write: float | None = None
        self._finished = False  # the forge phase ran to its end
        # Who this run's creations were made by: recorded in the lock (`creators`).
        self.creators: set[str] = set(self.base.creators)
        # When the last writes were sent (this run's and the previous runs'), for the ceiling.
        self.recent: list[float] = sorted(self.base.recent_writes)
        # `phase_parents`: the parents' writes, after the items' (`syncer.sync.structure`).
        self.structure: StructureRun | None = None
        relations = relations_of(forge)
        if structure is not None and relations is not None:
            self.structure = StructureRun(structure, relations, store, self.base, self._note)
            self.outcome.parents = self.structure.outcome

    # --- writes ---------------------------------------------------------------------------

    def _write(self, call: Callable[[], T]) -> T:
        """One write request, paced and counted against the budget."""
        opts = self.options
        if opts.max_writes is not None and self.outcome.writes >= opts.max_writes:
            raise WriteBudgetExhausted(self.outcome.writes)
        if self._last_write is not None and opts.write_interval > 0:
            wait = self._last_write + opts.write_interval - opts.clock()
            if wait > 0:
                opts.sleep(wait)
        self._under_ceiling()
        try:
            return call()
        finally:
            self._last_write = opts.clock()
            self.outcome.writes += 1
            if opts.ceiling.limits:
                self.recent.append(opts.wall())

    def _under_ceiling(self) -> None:
        """Wait for room under the forge's write ceiling, or stop for the next run."""
        ceiling = self.options.ceiling
        if not ceiling.limits:
            return
        wait = ceiling.wait(self.recent, self.options.wall())
        if wait > ceiling.longest_wait:
            limit = ", ".join(f"{n} per {_window(w)}" for n, w in ceiling.limits)
            raise CeilingReached(self.outcome.writes, wait, limit)
        if wait > 0:
            self.reporter.note(f"waiting {wait:.0f} s for room under the forge's write limit")
            self.options.sleep(wait)

    def run(self, milestone_ids: Mapping[str, int]) -> Outcome:
        plan = self.plan
        if (
            not self.options.allow_mass_close
            and plan.managed
            and plan.removal_closes * 2 > plan.managed
        ):
            raise MassCloseRefused(plan.removal_closes, plan.managed)
        self.milestone_ids = dict(milestone_ids)
        self.reporter.start(len(plan.actions) - len(plan.documents))
        try:
            self._forge_phase()
            self._finished = True
        except PhasesyncError as exc:
            self.outcome.error = exc  # the caller reports it, once, after what was recorded
        finally:
            # Also on Ctrl-C: what was done is recorded, and the next run carries on.
            self._documents_phase()
            self._lock_phase()
        return self.outcome

    def _forge_phase(self) -> None:
        for label in self.plan.labels:
            self.reporter.step(f"label {label.spec.name}")
            # A 422 means it exists already (made meanwhile, or a lost answer): that is fine.
            with suppress(ValidationFailed):
                made_label = self._write(partial(self.forge.create_label, label.spec))
                self.label_ids[made_label.name.casefold()] = made_label.id
            self.outcome.labels.append(label.spec.name)
        for rename in self.plan.renames:
            self.reporter.step(f"label {rename.current}: {rename.reason}")
            self._write(
                partial(self.forge.update_label, rename.current, rename.label_id, rename.spec)
            )
            self.labels_done.add(rename.spec.name.casefold())
            self.outcome.labels.append(rename.spec.name)
        for ms in self.plan.milestones:
            self.reporter.step(f"milestone {ms.spec.title}")
            if ms.existing_id is None:
                made = self._write(partial(self.forge.create_milestone, ms.spec))
            else:
                made = self._write(partial(self.forge.update_milestone, ms.existing_id, ms.spec))
            self.milestone_ids[made.title] = made.id
            self.outcome.milestones.append(made.title)
        self._issues_phase()
        if self.structure is not None:
            numbers = item_numbers(self.plan.entries, self.base, self.numbers)
            self.structure.run(self._write, numbers)
        for gone in self.plan.deletes:
            self.reporter.step(f"delete label {gone.name}")
            with suppress(NotFound):  # gone already: what was wanted
                self._write(partial(self.forge.delete_label, gone.name, gone.label_id))
            self.labels_deleted.add(gone.name.casefold())
            self.outcome.labels.append(gone.name)

    def _issues_phase(self) -> None:
        for action in self.plan.issues:
            try:
                if isinstance(action, CreateIssue):
                    self.reporter.step(f"create {action.rendered.title}")
                    self._create(action)
                else:
                    self.reporter.step(f"#{action.number} {', '.join(action.reasons)}")
                    if not self._update(action):
                        self.failed.add(action.key)  # reported; the other items proceed
                        continue
            except PhasesyncError:
                self.failed.add(action.key)
                raise
            self.done.add(action.key)

    def _note(self, message: str) -> None:
        self.reporter.note(message)
        if self.outcome.parents is not None:
            self.outcome.parents.notes.append(message)

    def _milestone_id(self, title: str | None) -> int | None:
        return self.milestone_ids.get(title) if title else None

    def _create(self, action: CreateIssue) -> None:
        r = action.rendered
        spec = IssueSpec(r.title, r.block, r.labels, self._milestone_id(r.milestone))
        issue = self._create_once(action.key, spec)
        self.numbers[action.key] = issue.number
        self.outcome.created.append(issue.number)
        entry = self.plan.entries[action.key]
        assert entry is not None
        if issue.author:
            self.creators.add(issue.author)
        # Journaled open: if the run dies before the close below, the next run sees a ticked
        # box, an open issue and a base that says open, and closes it.
        self.store.record(
            self.identity,
            action.key,
            replace(entry, issue=issue.number, checked=False),
            creator=issue.author,
        )
        if action.close:
            self._write(
                lambda: self.forge.update_issue(
                    issue.number, IssueChange(state="closed", state_reason="completed")
                )
            )
            self.outcome.closed.append(issue.number)

    def _create_once(self, key: str, spec: IssueSpec) -> RemoteIssue:
        """Create; when the answer is lost, give the forge time to finish, then look for
        the issue by its key marker. Not found, the run stops: the create may still be
        applied later, and the next run finds it by its marker instead of sending it again.
        """
        try:
            return self._write(lambda: self.forge.create_issue(spec))
        except TransientError as exc:
            wait = self.options.lost_create_wait
            self.reporter.note(
                f"no answer to a create ({exc.message}); looking for it in {wait:.0f} s"
            )
            self.options.sleep(wait)
            # Anything created since the listing began, with a margin for clock skew.
            found = sorted(
                (
                    issue
                    for issue in self.forge.list_issues(self.listed - timedelta(minutes=5))
                    if key_of(issue.body) == key and self._ours(issue)
                ),
                key=lambda issue: issue.number,
            )
            if found:
                return found[0]
            raise TransientError(
                exc.forge,
                exc.operation,
                f"{exc.message}; no issue with its key marker {wait:.0f} s later, so the "
                "run stops here: the next run finds the issue if the forge made it, and "
                "creates it otherwise",
                exc.status,
            ) from None

    def _ours(self, issue: RemoteIssue) -> bool:
        """Whether an issue found by its marker was opened by phasesync's token (or someone
        with write access): a stranger's copy of the marker never stands for a creation."""
        if issue.author_trusted or issue.author in self.creators:
            return True
        return bool(issue.author) and bool(self.forge.trusted_authors(frozenset({issue.author})))

    def _update(self, action: UpdateIssue) -> bool:
        """Send the update; False (and nothing sent) when the forge would refuse its body."""
        body = labels = None
        if action.rendered is not None:
            remote_body, remote_labels = action.remote_body, action.remote_labels
            if action.plain:
                # All phasesync's, as the lock knows it: the new block and managed labels.
                remote_body, remote_labels = action.rendered.block, action.rendered.labels
            elif remote_body is None or remote_labels is None:
                # Not in this (incremental) listing: read it so people's text and labels stay.
                remote = self.forge.get_issue(action.number)
                remote_body, remote_labels = remote.body, remote.labels
            body = final_body(action, remote_body)
            problem = body_problem(body)
            if problem is not None:
                entry = self.plan.entries.get(action.key)
                where = (entry.file, 0) if entry is not None else ("", 0)
                self.outcome.problems.append(Problem(*where, f"#{action.number}: {problem}"))
                self.reporter.note(f"#{action.number}: {problem}; left as it is")
                return False
            labels = final_labels(action, self.render, remote_labels)
            if action.drop:
                labels = tuple(x for x in labels if x.casefold() not in action.drop)
        if action.comment and not self._commented_before(action):
            self._write(lambda: self.forge.comment(action.number, action.comment or ""))
            self.outcome.commented.append(action.number)
        r = action.rendered
        change = IssueChange(
            title=r.title if r else None,
            body=body,
            labels=labels,
            milestone_id=self._milestone_id(r.milestone) if r else None,
            state=action.state,
            state_reason=action.state_reason,
        )
        self._write(lambda: self.forge.update_issue(action.number, change))
        if r is not None:
            self.outcome.updated.append(action.number)
        if action.state == "closed":
            self.outcome.closed.append(action.number)
        elif action.state == "open":
            self.outcome.reopened.append(action.number)
        return True

    def _commented_before(self, action: UpdateIssue) -> bool:
        """Whether an earlier run posted this comment (a removal's, a duplicate's) and
        stopped before its close.

        Such a run never moves the listing's start on, and its comment updated the issue,
        so the issue is in this run's listing with at least one comment: only then are its
        comments read (one GET per 100), to look for the comment's hidden marker.
        """
        if not action.remote_comments or action.comment_marker is None:
            return False
        if self.forge.has_comment(action.number, action.comment_marker):
            self.reporter.note(f"#{action.number}: its comment is already posted")
            return True
        return False

    # --- documents ------------------------------------------------------------------------

    def _documents_phase(self) -> None:
        by_file: dict[str, list[EditDocument]] = defaultdict(list)
        for edit in self.plan.documents:
            by_file[edit.pos.file].append(edit)
        for action in self.plan.issues:
            if isinstance(action, CreateIssue) and action.link and action.key in self.numbers:
                number = self.numbers[action.key]
                url = self.forge.issue_url(number)
                by_file[action.pos.file].append(
                    EditDocument(
                        action.key, action.pos, "link", number, url, replaces=action.replaces
                    )
                )
        for path, edits in sorted(by_file.items()):
            doc = self.docs[path]
            usable = [e for e in edits if e.what != "link" or e.key not in self.failed]
            try:
                data = apply_edits(doc.data, [self._edit(e, doc) for e in usable])
                if data != doc.data:
                    write_atomic(self.root / path, data, expected=doc.data)
                    self.outcome.files.append(path)
            except (DocumentError, EditError) as exc:
                # The file is left as it was; its items keep their old base and are redone.
                self.failed.update(e.key for e in edits)
                self.reporter.note(exc.describe())
                if self.outcome.error is None:
                    self.outcome.error = exc
                continue
            for e in usable:
                if e.what == "tick":
                    self.outcome.ticked += 1
                elif e.what == "untick":
                    self.outcome.unticked += 1
                elif e.what == "link":
                    self.outcome.linked += 1

    @staticmethod
    def _edit(e: EditDocument, doc: Document) -> Edit:
        if e.what in ("tick", "untick"):
            # With the bytes, a stale position is refused instead of editing the wrong byte.
            return box_edit(e.pos, e.what == "tick", doc.data)
        if e.what == "link":
            assert e.number is not None and e.url is not None
            return link_edit(e.pos, e.number, e.url, replaces=e.replaces)
        assert e.title is not None
        if e.what == "describe":
            return description_edit(e.pos, e.title, "utf-8")
        return title_edit(e.pos, e.title, "utf-8")

    # --- lock -----------------------------------------------------------------------------

    def _managed_labels(self) -> dict[str, ManagedLabel]:
        """The lock's label table: the plan's where its write was made (or none was
        needed), the old record where it was not."""
        planned = {r.spec.name.casefold() for r in self.plan.renames}
        made = {x.spec.name.casefold() for x in self.plan.labels}
        out: dict[str, ManagedLabel] = {}
        for lasting, rec in self.plan.managed_labels.items():
            folded = rec.name.casefold()
            if folded in planned and folded not in self.labels_done:
                if lasting in self.base.labels:
                    out[lasting] = self.base.labels[lasting]
                continue
            if rec.id is None and folded in made:
                if folded not in self.label_ids:
                    continue  # not made (yet): the next run finds it by name
                rec = replace(rec, id=self.label_ids[folded])
            out[lasting] = rec
        for lasting, rec in self.base.labels.items():
            if lasting not in out and lasting not in self.plan.managed_labels:
                deleting = rec.name.casefold() in {d.name.casefold() for d in self.plan.deletes}
                if deleting and rec.name.casefold() not in self.labels_deleted:
                    out[lasting] = rec  # its delete did not happen: still phasesync's
        return out

    def _managed_milestones(self) -> dict[str, ManagedMilestone]:
        out: dict[str, ManagedMilestone] = {}
        for lasting, rec in self.plan.managed_milestones.items():
            ident = self.milestone_ids.get(rec.title, rec.id)
            if ident:
                out[lasting] = ManagedMilestone(ident, rec.title)
            elif lasting in self.base.milestones:
                out[lasting] = self.base.milestones[lasting]
        return out

    def _lock_phase(self) -> None:
        items: dict[str, LockEntry] = dict(self.store.load().state(self.identity).items)
        forge_keys = {a.key for a in self.plan.issues}
        for key, entry in self.plan.entries.items():
            old = self.plan.renamed.get(key)
            # A renamed item's actions and edits carry its old key: a retitle that could not
            # be written into its document leaves the old key (and base) in the lock, or the
            # next run, reading the old title, would not know the item's issue.
            keys = {key} if old is None else {key, old}
            if keys & self.failed or any(k in forge_keys and k not in self.done for k in keys):
                continue  # not done: the old base (or the journaled creation) stays
            if old is not None and old != key:
                items.pop(old, None)
            if entry is None:
                items.pop(key, None)
            elif entry.issue == 0:
                if key in self.numbers:
                    items[key] = replace(entry, issue=self.numbers[key])
            else:
                items[key] = entry
        state = replace(
            self.base,
            items=items,
            creators=tuple(sorted(self.creators)),
            recent_writes=self.options.ceiling.keep(self.recent, self.options.wall()),
            labels=self._managed_labels(),
            milestones=self._managed_milestones(),
        )
        if self.structure is not None:
            state = replace(
                state,
                structure=self.structure.table(),
                capabilities=self.structure.capabilities,
            )
        if self._finished and self.outcome.error is None:
            # Only a run that finished may move the incremental listing's starting point on
            # (not one stopped by an error, nor one interrupted by Ctrl-C).
            state = replace(
                state,
                synced_at=self.listed,
                listed_at=self.listed if self.complete else state.listed_at,
                settled=self.settled or state.settled,
            )
        lock = self.lock.with_state(self.identity, state)
        if not self.store.path.exists() and not any(s.items for s in lock.forges.values()):
            # Nothing to remember (a first run refused at its first write, or with no valid
            # document): no lock file, and the next run lists everything anyway.
            self.store.journal.unlink(missing_ok=True)
            return
        self.store.save(lock)


def _window(seconds: float) -> str:
    return {60.0: "minute", 3600.0: "hour"}.get(seconds, f"{seconds:g} s")
