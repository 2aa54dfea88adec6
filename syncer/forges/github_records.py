"""GitHub payloads into phasesync's records, and the payload defaults that keep PyGithub's
partial list elements from fetching themselves (one GET per issue)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from github.Issue import Issue
from github.Label import Label
from github.Milestone import Milestone

from syncer.forges.answers import Unreadable, number, text
from syncer.forges.base import IssueState, RemoteIssue, RemoteLabel, RemoteMilestone, StateReason


def _defaults(**keys: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A `PaginatedList` transformer that fills the keys a payload may leave out, so that
    reading them never makes PyGithub fetch the object (one GET per issue)."""

    def fill(element: dict[str, Any]) -> dict[str, Any]:
        return {**keys, **element}

    return fill


issue_defaults = _defaults(
    body=None,
    state_reason=None,
    milestone=None,
    labels=[],
    pull_request=None,
    comments=0,
    user=None,
    author_association=None,
    sub_issues_summary=None,
)
label_defaults = _defaults(description=None)
comment_defaults = _defaults(body=None)
milestone_defaults = _defaults(description=None, due_on=None)


def noon_utc(day: date) -> datetime:
    """GitHub keeps a milestone's due date as a Pacific-time date: midnight UTC would land
    on the day before, midday UTC is the same date in every US time zone."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def as_utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _state(value: str | None) -> IssueState:
    return "closed" if value == "closed" else "open"


def _reason(value: str | None) -> StateReason | None:
    reasons: dict[str | None, StateReason] = {
        "completed": "completed",
        "not_planned": "not_planned",
        "duplicate": "duplicate",
        "reopened": "reopened",
    }
    return reasons.get(value)


# `author_association` values of people with write access to the repository. MEMBER is a
# member of the owning organisation: GitHub gives org members at least read access, and
# only people the organisation admitted are members, never a stranger.
WRITERS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})


def remote_issue(issue: Issue) -> RemoteIssue:
    # Checked as read: a malformed answer must not become a record (see `answers`).
    milestone = issue.milestone
    user = issue.user
    updated_at = issue.updated_at
    if not isinstance(updated_at, datetime):
        raise Unreadable("an issue's updated_at is not a time")
    return RemoteIssue(
        number=number(issue.number, "an issue's number"),
        title=text(issue.title, "an issue's title"),
        body=text(issue.body or "", "an issue's body"),
        state=_state(issue.state),
        labels=tuple(text(label.name, "a label's name") for label in issue.labels),
        milestone=text(milestone.title, "a milestone's title") if milestone is not None else None,
        url=text(issue.html_url, "an issue's html_url"),
        updated_at=as_utc(updated_at),
        state_reason=_reason(issue.state_reason),
        comments=int(issue.comments or 0),
        author=user.login if user is not None else "",
        author_trusted=(issue.author_association or "").upper() in WRITERS,
        created_at=as_utc(issue.created_at) if issue.created_at else None,
        id=issue.id if isinstance(issue.id, int) else None,
        children=_children(issue),
    )


def _children(issue: Issue) -> int | None:
    summary = issue.sub_issues_summary  # a default of None in listings: never a GET
    total = getattr(summary, "total", None) if summary is not None else None
    return total if isinstance(total, int) and not isinstance(total, bool) else None


def remote_label(label: Label) -> RemoteLabel:
    name, color = text(label.name, "a label's name"), text(label.color, "a label's color")
    return RemoteLabel(name, color.removeprefix("#").lower(), label.description or "", label.id)


def remote_milestone(milestone: Milestone) -> RemoteMilestone:
    due = milestone.due_on
    # GitHub sends the Pacific-midnight instant of the date (07:00Z or 08:00Z), which is
    # on the same UTC date: the UTC date is the date, with no time-zone database needed.
    return RemoteMilestone(
        id=number(milestone.number, "a milestone's number"),
        title=text(milestone.title, "a milestone's title"),
        description=milestone.description or "",
        due=as_utc(due).date() if due is not None else None,
        state=_state(milestone.state),
    )
