"""The actions a plan is made of: plain values, printed by `plan` and executed by `apply`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from syncer.forges.base import LabelSpec, MilestoneSpec, StateReason
from syncer.model import IssueLink, SourcePos
from syncer.sync.lock import LockEntry, ManagedLabel, ManagedMilestone
from syncer.sync.render import Rendered

Direction = Literal["push", "pull", "sync"]


@dataclass(frozen=True, slots=True)
class EnsureLabel:
    spec: LabelSpec


@dataclass(frozen=True, slots=True)
class RenameLabel:
    """Rename and/or recolour a managed label in place: its issues keep it (one write)."""

    current: str  # its name on the forge now
    label_id: int | None
    spec: LabelSpec
    reason: str
    changes: tuple[str, ...] = ()  # for the plan's rows: `name: a → b`, `colour: #x → #y`


@dataclass(frozen=True, slots=True)
class DeleteLabel:
    """A label phasesync made and no longer uses, on no issue of people's."""

    name: str
    label_id: int | None


@dataclass(frozen=True, slots=True)
class EnsureMilestone:
    """Create the milestone (`existing_id` None) or bring its title, state, date and
    description in line."""

    spec: MilestoneSpec
    existing_id: int | None = None
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CreateIssue:
    key: str
    pos: SourcePos
    rendered: Rendered
    close: bool  # the box is ticked: create, then close (GitHub cannot create closed issues)
    link: bool  # append the new issue's link to the document line
    # The line's link to the issue this one replaces (deleted or transferred): rewritten to
    # the new issue, or every later run would follow it to the gone issue again.
    replaces: IssueLink | None = None


@dataclass(frozen=True, slots=True)
class UpdateIssue:
    """One request: content and/or state. `remote_body`/`remote_labels` None means the plan
    did not see the issue (incremental listing): apply reads it before writing content, so
    that text and labels people added are kept."""

    key: str
    number: int
    reasons: tuple[str, ...]
    rendered: Rendered | None = None
    remote_body: str | None = None
    remote_labels: tuple[str, ...] | None = None
    state: Literal["open", "closed"] | None = None
    state_reason: StateReason | None = None
    comment: str | None = None  # posted before the state change
    # Not listed, and the lock says the issue has nothing of people's (no text below the
    # block, no hand label): its body and labels are phasesync's alone, no read needed.
    plain: bool = False
    # How many comments the listing showed on the issue; None when it was not listed.
    remote_comments: int | None = None
    # The hidden line of `comment`: a rerun that finds it on the issue does not post again.
    comment_marker: str | None = None
    # Casefolded names of labels phasesync made and retires: taken off even when they no
    # longer match a label family (a changed format).
    drop: frozenset[str] = frozenset()
    # For the plan's rows only: the issue's title now, the item's place (`file`, `line`;
    # line 0 for an item no document has any more) and what the update changes, worded
    # (`syncer.sync.plan_changes`).
    title: str = ""
    file: str = ""
    line: int = 0
    changes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EditDocument:
    key: str
    pos: SourcePos
    what: Literal["tick", "untick", "link", "retitle", "describe"]
    number: int | None = None
    url: str | None = None
    title: str | None = None
    replaces: IssueLink | None = None  # a "link" edit: the link it rewrites
    issue_title: str = ""  # for the plan's rows: the item's title as the document has it


@dataclass(frozen=True, slots=True)
class Conflict:
    key: str
    file: str
    line: int
    message: str
    document: str
    forge: str
    fix: str = "resolve with --prefer document|forge"
    number: int | None = None  # for the plan's rows: the issue, when the item has one
    title: str = ""  # for the plan's rows: the item's title in the document


@dataclass(frozen=True, slots=True)
class Note:
    key: str
    message: str


@dataclass(frozen=True, slots=True)
class Problem:
    """Something that would make the forge reject a write; found before the write."""

    file: str
    line: int
    message: str


Action = (
    EnsureLabel
    | RenameLabel
    | DeleteLabel
    | EnsureMilestone
    | CreateIssue
    | UpdateIssue
    | EditDocument
)


@dataclass(frozen=True, slots=True)
class Plan:
    direction: Direction
    labels: tuple[EnsureLabel, ...] = ()
    renames: tuple[RenameLabel, ...] = ()
    deletes: tuple[DeleteLabel, ...] = ()
    milestones: tuple[EnsureMilestone, ...] = ()
    issues: tuple[CreateIssue | UpdateIssue, ...] = ()
    documents: tuple[EditDocument, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    notes: tuple[Note, ...] = ()
    problems: tuple[Problem, ...] = ()  # the whole run is refused: nothing is written
    # Items left out of this run because the forge would refuse them (a body over its limit);
    # every other item proceeds.
    skipped: tuple[Problem, ...] = ()
    # The lock after a complete run: key -> entry, None to forget the key.
    entries: Mapping[str, LockEntry | None] = field(default_factory=dict)
    # new key -> old key, for items whose key changed (a rename that kept its link).
    renamed: Mapping[str, str] = field(default_factory=dict)
    managed: int = 0  # issues the lock knew before this run
    removal_closes: int = 0
    needs_full_listing: bool = False
    # Keys of items ticked before they had an issue, left in the document (`done_items =
    # "skip"`): no write, no lock entry; said in the plan's summary, never an action.
    done_left: tuple[str, ...] = ()
    # The labels and milestones phasesync manages once the plan is applied, by lasting name
    # (an id of None or 0: made by this run, filled in by apply).
    managed_labels: Mapping[str, ManagedLabel] = field(default_factory=dict)
    managed_milestones: Mapping[str, ManagedMilestone] = field(default_factory=dict)

    @property
    def actions(self) -> tuple[Action, ...]:
        return (
            *self.labels,
            *self.renames,
            *self.milestones,
            *self.issues,
            *self.deletes,
            *self.documents,
        )

    @property
    def forge_writes(self) -> int:
        """Write requests the plan needs (a create-and-close counts two, a comment one)."""
        n = len(self.labels) + len(self.renames) + len(self.deletes) + len(self.milestones)
        for a in self.issues:
            if isinstance(a, CreateIssue):
                n += 2 if a.close else 1
            else:
                n += 1 + (1 if a.comment else 0)
        return n

    @property
    def empty(self) -> bool:
        return not self.actions and not self.conflicts
