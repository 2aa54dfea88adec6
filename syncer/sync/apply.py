"""Carry out a plan: labels, milestones, issues, then documents, then the lock.

This module is the `Applier` and its forge phase (paced, budgeted writes under the
forge's ceiling). The document phase is `apply_documents`, the lock phase `apply_lock`,
and what a run takes and gives back (`ApplyOptions`, `Reporter`, `Outcome`) `apply_types`.

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

from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TypeVar

from syncer.errors import (
    CeilingReached,
    MassCloseRefused,
    NotFound,
    PhasesyncError,
    TransientError,
    ValidationFailed,
    WriteBudgetExhausted,
)
from syncer.forges.base import Forge, IssueChange, IssueSpec, RemoteIssue
from syncer.model import Document
from syncer.sync.actions import CreateIssue, Plan, Problem, UpdateIssue
from syncer.sync.apply_documents import DocumentPhase
from syncer.sync.apply_lock import LockPhase
from syncer.sync.apply_types import ApplyOptions, Outcome, Reporter, SilentReporter
from syncer.sync.body import key_of
from syncer.sync.compose import body_problem, final_body, final_labels
from syncer.sync.dependencies import DependencyPlan
from syncer.sync.dependencies_apply import DependencyPhase, dependency_run
from syncer.sync.lock import Lock, LockEntry
from syncer.sync.lock_store import LockStore
from syncer.sync.render import RenderConfig
from syncer.sync.structure import StructurePlan
from syncer.sync.structure_run import StructureRun, item_numbers, relations_of
from syncer.sync.subtask_plan import SubtaskPlan
from syncer.sync.subtask_run import SubtaskRun

T = TypeVar("T")


class Applier(DocumentPhase, LockPhase, DependencyPhase):
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
        subtasks: SubtaskPlan | None = None,
        dependencies: DependencyPlan | None = None,
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
        # What the forge offers (GitLab's tier) is probed again with the daily complete
        # listing: a project moved to Premium gets `blocks` links from then on.
        probed = replace(self.base, capabilities={}) if complete else self.base
        if structure is not None and relations is not None:
            self.structure = StructureRun(structure, relations, store, probed, self._note)
            self.outcome.parents = self.structure.outcome
        # `subtasks = "issues"`: the sub-tasks' relations, after the parents' writes.
        self.subtasks: SubtaskRun | None = None
        self.filled: dict[str, LockEntry] = {}  # creations whose entry `filled` changed
        if subtasks is not None and relations is not None:
            self.subtasks = SubtaskRun(subtasks, relations, store, self.reporter.note)
            self.outcome.subtasks = self.subtasks.outcome
        # `dependencies = "links"`: the relations' writes, after the parents'.
        self.dependencies = dependency_run(dependencies, forge, store, probed, self._note)
        if self.dependencies is not None:
            self.outcome.dependencies = self.dependencies.outcome

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
            raise CeilingReached(self.outcome.writes, wait, ceiling.describe())
        if wait > 0:
            self.reporter.wait(f"room under the forge's write limit ({ceiling.describe()})", wait)
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
        if self.subtasks is not None:
            numbers = item_numbers(self.plan.entries, self.base, self.numbers)
            self.subtasks.run(self._write, numbers)
        if self.dependencies is not None:
            self._dependencies_phase(self.dependencies)
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
        entry = self.plan.entries[action.key]
        assert entry is not None
        if self.subtasks is not None:  # GitLab: a new sub-task of a new task names it
            r, entry = self.subtasks.filled(action.key, r, entry, self.numbers)
            if entry is not self.plan.entries[action.key]:
                self.filled[action.key] = entry
        spec = IssueSpec(r.title, r.block, r.labels, self._milestone_id(r.milestone))
        issue = self._create_once(action.key, spec)
        self.numbers[action.key] = issue.number
        self.outcome.created.append(issue.number)
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
            self.reporter.wait(
                f"a create that got no answer ({exc.message}) to land; then it is looked "
                "for by its key marker",
                wait,
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
