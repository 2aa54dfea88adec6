"""GitHub payloads into phasesync's records: listings straight from the page's JSON
(`issue_record`, `label_record`, `milestone_record`: no PyGithub object per element), and the
answers to single requests from PyGithub's objects (`remote_issue`, ...)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from github.Issue import Issue
from github.Label import Label
from github.Milestone import Milestone

from syncer.forges.answers import Unreadable, listing, mapping, number, text
from syncer.forges.base import IssueState, RemoteIssue, RemoteLabel, RemoteMilestone, StateReason


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


def timestamp(value: Any, what: str) -> datetime:
    """A GitHub time (`2026-03-06T08:00:00Z`), as PyGithub reads it, in UTC."""
    try:
        return as_utc(datetime.fromisoformat(text(value, what)))
    except ValueError:
        raise Unreadable(f"{what} is not a time") from None


def is_pull_request(data: Mapping[str, Any]) -> bool:
    """Pull requests share the issues listing; GitHub marks them with `pull_request`."""
    return mapping(data, "an issue").get("pull_request") is not None


def issue_record(data: Mapping[str, Any]) -> RemoteIssue:
    """One element of an issues listing, from its JSON: the same record `remote_issue`
    makes of PyGithub's `Issue`, checked as read (see `answers`)."""
    data = mapping(data, "an issue")
    milestone = data.get("milestone")
    user = data.get("user")
    reason = data.get("state_reason")
    created = data.get("created_at")
    ident = data.get("id")
    summary = data.get("sub_issues_summary")
    total = summary.get("total") if isinstance(summary, Mapping) else None
    return RemoteIssue(
        number=number(data["number"], "an issue's number"),
        title=text(data["title"], "an issue's title"),
        body=text(data.get("body") or "", "an issue's body"),
        state=_state(data.get("state")),
        labels=tuple(
            text(mapping(label, "a label")["name"], "a label's name")
            for label in listing(data.get("labels") or [], "an issue's labels")
        ),
        milestone=(
            text(mapping(milestone, "an issue's milestone")["title"], "a milestone's title")
            if milestone is not None
            else None
        ),
        url=text(data["html_url"], "an issue's html_url"),
        updated_at=timestamp(data.get("updated_at"), "an issue's updated_at"),
        state_reason=_reason(reason if isinstance(reason, str) else None),
        comments=int(data.get("comments") or 0),
        author=str(mapping(user, "an issue's user").get("login") or "") if user else "",
        author_trusted=str(data.get("author_association") or "").upper() in WRITERS,
        created_at=timestamp(created, "an issue's created_at") if created else None,
        id=ident if isinstance(ident, int) and not isinstance(ident, bool) else None,
        children=total if isinstance(total, int) and not isinstance(total, bool) else None,
        blocked_by=_count(data.get("issue_dependencies_summary"), "total_blocked_by"),
    )


def _count(summary: Any, name: str) -> int | None:
    """A count of a summary object (`issue_dependencies_summary`), None when absent."""
    value = summary.get(name) if isinstance(summary, Mapping) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def label_record(data: Mapping[str, Any]) -> RemoteLabel:
    """One element of a labels listing, from its JSON (as `remote_label`)."""
    data = mapping(data, "a label")
    name, color = text(data["name"], "a label's name"), text(data["color"], "a label's color")
    ident = data.get("id")
    return RemoteLabel(
        name,
        color.removeprefix("#").lower(),
        str(data.get("description") or ""),
        number(ident, "a label's id") if ident is not None else None,
    )


def milestone_record(data: Mapping[str, Any]) -> RemoteMilestone:
    """One element of a milestones listing, from its JSON (as `remote_milestone`)."""
    data = mapping(data, "a milestone")
    due = data.get("due_on")
    return RemoteMilestone(
        id=number(data["number"], "a milestone's number"),
        title=text(data["title"], "a milestone's title"),
        description=str(data.get("description") or ""),
        due=timestamp(due, "a milestone's due_on").date() if due is not None else None,
        state=_state(data.get("state")),
    )


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
        blocked_by=_blocked_by(issue),
    )


def _blocked_by(issue: Issue) -> int | None:
    summary = issue.issue_dependencies_summary  # as `_children`: never a GET of its own
    total = getattr(summary, "total_blocked_by", None) if summary is not None else None
    return total if isinstance(total, int) and not isinstance(total, bool) else None


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
