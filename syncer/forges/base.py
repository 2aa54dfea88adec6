"""The forge interface: a small Protocol and the plain records it speaks.

Adapters (`github.py`, `gitlab.py`) translate between these records and a real client
(PyGithub, python-gitlab). Everything above this layer is forge-agnostic.

Identity: `RemoteIssue.number` is GitHub's issue number or GitLab's `iid`;
`RemoteMilestone.id` is what an issue's milestone field takes (GitHub's milestone
`number`, GitLab's global milestone `id`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol

IssueState = Literal["open", "closed"]
StateReason = Literal["completed", "not_planned", "reopened", "duplicate"]


@dataclass(frozen=True, slots=True)
class RemoteLabel:
    name: str
    color: str  # six hex digits, lower case, without '#', whatever the forge uses
    description: str = ""
    id: int | None = None  # the forge's id (GitLab addresses a label by it)


@dataclass(frozen=True, slots=True)
class RemoteMilestone:
    id: int
    title: str
    description: str
    due: date | None
    state: IssueState = "open"
    # A GitLab group's milestone, listed with the project's: issues may carry it, but
    # phasesync does not edit it (it belongs to every project of the group).
    group: bool = False


@dataclass(frozen=True, slots=True)
class RemoteIssue:
    number: int
    title: str
    body: str
    state: IssueState
    labels: tuple[str, ...]
    milestone: str | None  # the milestone's title
    url: str  # the web page of the issue
    updated_at: datetime
    state_reason: StateReason | None = None
    comments: int = 0  # comments (GitHub) or user notes (GitLab) on the issue, anyone's
    author: str = ""  # the login (GitHub) or username (GitLab) of who opened it
    # Whether the forge says the author has write access to the repository (GitHub's
    # `author_association`); None when the listing does not say (GitLab).
    author_trusted: bool | None = None
    created_at: datetime | None = None
    # The forge's global id (GitHub's sub-issue endpoints take it, not the number).
    id: int | None = None
    # How many sub-issues the forge says the issue has (GitHub's `sub_issues_summary`);
    # None when the payload does not say (GitLab).
    children: int | None = None
    # How many issues block it, as the forge says (GitHub's `issue_dependencies_summary`
    # `total_blocked_by`); None when the payload does not say (GitLab).
    blocked_by: int | None = None

    @property
    def untouched(self) -> bool:
        """Not changed since it was created (nobody closed, reopened or edited it)."""
        return (
            self.created_at is not None
            and self.updated_at <= self.created_at
            and self.state_reason is None  # GitHub: a reopened issue says "reopened"
        )


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What one listing saw.

    `issues` are the issues (never pull/merge requests) listed: all of them on a full
    listing, those updated since `since` on an incremental one. `server_time` is the
    forge's own clock (its `Date` header) when the listing began.
    """

    labels: tuple[RemoteLabel, ...]
    milestones: tuple[RemoteMilestone, ...]
    issues: tuple[RemoteIssue, ...]
    server_time: datetime
    since: datetime | None = None
    # Issues the listing showed as no longer the repository's (GitLab: moved to another
    # project, closed and still listed): gone, even from an incremental listing.
    gone: frozenset[int] = frozenset()

    @property
    def complete(self) -> bool:
        return self.since is None

    def milestones_by_title(self) -> dict[str, RemoteMilestone]:
        """Each milestone by its title; a project's own wins over a GitLab group's."""
        return {m.title: m for m in sorted(self.milestones, key=lambda m: not m.group)}


@dataclass(frozen=True, slots=True)
class LabelSpec:
    name: str
    color: str  # six hex digits without '#'
    description: str = ""


@dataclass(frozen=True, slots=True)
class MilestoneSpec:
    title: str
    description: str
    due: date | None
    start: date | None = None
    state: IssueState | None = None  # "open" reopens a milestone closed on the forge


@dataclass(frozen=True, slots=True)
class IssueSpec:
    title: str
    body: str
    labels: tuple[str, ...]
    milestone_id: int | None


@dataclass(frozen=True, slots=True)
class IssueChange:
    """Everything one update request carries; `None` leaves a field as it is."""

    title: str | None = None
    body: str | None = None
    labels: tuple[str, ...] | None = None
    milestone_id: int | None = None
    state: IssueState | None = None
    state_reason: StateReason | None = None

    @property
    def empty(self) -> bool:
        return all(
            v is None
            for v in (
                self.title,
                self.body,
                self.labels,
                self.milestone_id,
                self.state,
                self.state_reason,
            )
        )


WaitReporter = Callable[[str, float], None]
"""Called with (what we wait for, seconds) before a rate-limit or retry wait."""


class Forge(Protocol):
    """One repository (GitHub) or project (GitLab) as phasesync sees it."""

    @property
    def kind(self) -> str:
        """`github` or `gitlab`."""
        ...

    @property
    def identity(self) -> str:
        """`github:{host}/{owner}/{name}`: the key of this forge's state in the lock."""
        ...

    def snapshot(self, since: datetime | None = None) -> Snapshot:
        """Labels, milestones and issues (updated since `since`, or all) in paginated lists."""
        ...

    def list_issues(self, since: datetime | None = None) -> tuple[RemoteIssue, ...]:
        """Issues (not pull requests) updated since `since`, or all, 100 per page."""
        ...

    def get_issue(self, number: int) -> RemoteIssue:
        """One issue, read before a content update of an issue the listing did not show."""
        ...

    def create_label(self, spec: LabelSpec) -> RemoteLabel: ...

    def update_label(self, current: str, label_id: int | None, spec: LabelSpec) -> RemoteLabel:
        """Rename and/or recolour the label named `current` (id `label_id`) in place."""
        ...

    def delete_label(self, name: str, label_id: int | None) -> None: ...

    def create_milestone(self, spec: MilestoneSpec) -> RemoteMilestone: ...

    def update_milestone(self, milestone_id: int, spec: MilestoneSpec) -> RemoteMilestone: ...

    def create_issue(self, spec: IssueSpec) -> RemoteIssue: ...

    def update_issue(self, number: int, change: IssueChange) -> RemoteIssue:
        """Title, body, labels, milestone and state in as few requests as the forge allows."""
        ...

    def comment(self, number: int, body: str) -> None: ...

    def has_comment(self, number: int, marker: str) -> bool:
        """Whether a comment on the issue contains `marker` (every page of its comments)."""
        ...

    def issue_url(self, number: int) -> str: ...

    def trusted_authors(self, candidates: frozenset[str]) -> frozenset[str]:
        """Which of `candidates` (authors of issues that carry a key marker) may steer the
        plan: the token's own user and people with write access. A few requests, once per
        run and only when a listing shows such an issue the lock does not explain."""
        ...


# --- relations between issues (`phase_parents`, `syncer.sync.structure`) --------------------


Capabilities = dict[str, str]
"""What a forge offers for relations, probed once and kept in the lock: `relations` is
`sub_issues` (GitHub) or `relates_to` (GitLab's issue links); GitLab's `tier` is `premium`
(blocking links offered) or `free`."""


class Relations(Protocol):
    """Parent/child relations between issues, in the forge's own terms: a GitHub sub-issue,
    a GitLab `relates_to` issue link. Each call is one request unless it says otherwise."""

    def probe_relations(self, sample: int) -> Capabilities:
        """What this forge and tier offer (GitLab: one GET of issue `sample`; GitHub: none)."""
        ...

    def link_child(self, parent: int, child: int) -> bool:
        """Relate `child` to `parent`; False when the forge already had that relation (a
        retry after a lost answer): a second create is looked up, never an error."""
        ...

    def unlink_child(self, parent: int, child: int) -> None: ...

    def children(self, parent: int) -> tuple[int, ...]:
        """The issue numbers related to `parent` as its children (every page)."""
        ...


# --- what `phasesync doctor` asks the adapters ----------------------------------------------


@dataclass(frozen=True, slots=True)
class Access:
    """What the token may do on the repository, as far as the forge says.

    `role` is the forge's own word for it (GitHub `write`, GitLab `Developer`); `scopes` are
    the token's scopes when the forge tells them (GitLab access tokens), else None. `known`
    is False when the forge reports no permissions for this kind of token (GitHub Actions
    and app tokens): then the three flags are only a guess and `doctor` says so.
    """

    role: str
    issues: bool  # may create, edit, close and reopen issues
    labels: bool  # may create labels
    milestones: bool  # may create and edit milestones
    scopes: tuple[str, ...] | None = None
    known: bool = True


@dataclass(frozen=True, slots=True)
class RateBudget:
    """Requests left in the current rate-limit window, and when the window resets."""

    remaining: int
    limit: int
    reset: datetime | None = None
