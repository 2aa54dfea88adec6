"""The GitLab emulator's data: projects, issues, labels, milestones, notes.

Plain mutable records plus the functions that render them as GitLab's v4 API does
(`API::Entities::Issue`, `Label`, `Milestone`, `Note`), field names and formats included:
timestamps as ISO 8601 with milliseconds and `Z`, dates as `YYYY-MM-DD`, issue states
`opened|closed`, milestone states `active|closed`, label colours with a leading `#`.
Only the fields a client could plausibly read are rendered; none is invented.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from syncer.forges.emulator.revision import Revision

IssueStateGL = Literal["opened", "closed"]
MilestoneStateGL = Literal["active", "closed"]

# GitLab gives labels created implicitly (named on an issue but not existing) this colour:
# `Label::DEFAULT_COLOR`.
DEFAULT_LABEL_COLOR = "#6699cc"

EMULATOR_USER: dict[str, Any] = {
    "id": 1,
    "username": "phasesync-bot",
    "name": "phasesync bot",
    "state": "active",
    "locked": False,
    "avatar_url": None,
}


def iso(when: datetime) -> str:
    """GitLab's timestamp format: `2026-03-06T10:04:05.123Z`."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


@dataclass(slots=True)
class GLLabel:
    id: int
    name: str
    color: str  # as GitLab keeps it: with '#'
    description: str | None = None


@dataclass(slots=True)
class GLMilestone:
    id: int  # global, what an issue's `milestone_id` takes
    iid: int  # per project
    title: str
    description: str | None
    due_date: date | None
    start_date: date | None
    state: MilestoneStateGL
    created_at: datetime
    updated_at: datetime
    group: str | None = None  # full path of the owning group; None for a project's own


@dataclass(slots=True)
class GLNote:
    id: int
    body: str
    created_at: datetime


@dataclass(slots=True)
class GLIssue:
    id: int  # global
    iid: int  # per project: what phasesync calls the issue number
    title: str
    description: str | None
    state: IssueStateGL
    labels: list[str]
    milestone_id: int | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None = None
    notes: list[GLNote] = field(default_factory=list)
    author: dict[str, Any] = field(default_factory=lambda: EMULATOR_USER)
    moved_to_id: int | None = None  # the global id of the issue it was moved to

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        Revision.bump()  # a listing kept by the emulator is stale (`revision`)


@dataclass(slots=True)
class GLProject:
    id: int
    path: str  # full path with namespace: `group/sub/project`
    issues: dict[int, GLIssue] = field(default_factory=dict)  # by iid
    labels: dict[str, GLLabel] = field(default_factory=dict)  # by name
    milestones: dict[int, GLMilestone] = field(default_factory=dict)  # by global id
    deleted: set[int] = field(default_factory=set)  # iids of deleted issues, never reused

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def namespace(self) -> str:
        return self.path.rsplit("/", 1)[0] if "/" in self.path else ""

    def milestone_by_title(self, title: str) -> GLMilestone | None:
        return next((m for m in self.milestones.values() if m.title == title), None)


# --- rendering ------------------------------------------------------------------------------


def project_json(project: GLProject, web: str) -> dict[str, Any]:
    return {
        "id": project.id,
        "name": project.name,
        "path": project.name,
        "path_with_namespace": project.path,
        "name_with_namespace": project.path.replace("/", " / "),
        "description": "",
        "default_branch": "main",
        "visibility": "private",
        "web_url": f"{web}/{project.path}",
        "issues_enabled": True,
        "namespace": {"full_path": project.namespace, "kind": "group"},
    }


def label_json(label: GLLabel) -> dict[str, Any]:
    return {
        "id": label.id,
        "name": label.name,
        "color": label.color,
        "text_color": "#FFFFFF",
        "description": label.description,
        "description_html": label.description or "",
        "priority": None,
        "is_project_label": True,
        "subscribed": False,
    }


def milestone_json(
    project: GLProject, milestone: GLMilestone, web: str, today: date
) -> dict[str, Any]:
    due = milestone.due_date
    owner: dict[str, Any] = {"project_id": project.id}
    web_url = f"{web}/{project.path}/-/milestones/{milestone.iid}"
    if milestone.group is not None:
        owner = {"group_id": group_id(milestone.group)}
        web_url = f"{web}/groups/{milestone.group}/-/milestones/{milestone.iid}"
    return {
        "id": milestone.id,
        "iid": milestone.iid,
        **owner,
        "title": milestone.title,
        "description": milestone.description,
        "state": milestone.state,
        "created_at": iso(milestone.created_at),
        "updated_at": iso(milestone.updated_at),
        "due_date": due.isoformat() if due else None,
        "start_date": milestone.start_date.isoformat() if milestone.start_date else None,
        "expired": bool(due and due < today),
        "web_url": web_url,
    }


def group_id(path: str) -> int:
    """A stable id for a group, from its path (the emulator keeps no group records)."""
    return 100 + sum(ord(c) * (i + 1) for i, c in enumerate(path)) % 9000


def issue_json(
    project: GLProject,
    issue: GLIssue,
    web: str,
    today: date,
    milestones: Mapping[int, GLMilestone] | None = None,
) -> dict[str, Any]:
    """`milestones`: those the issue may carry (the project's and its groups'); the
    project's own when None."""
    visible = project.milestones if milestones is None else milestones
    milestone = visible.get(issue.milestone_id) if issue.milestone_id else None
    closed = issue.state == "closed"
    return {
        "id": issue.id,
        "iid": issue.iid,
        "project_id": project.id,
        "title": issue.title,
        "description": issue.description,
        "state": issue.state,
        "created_at": iso(issue.created_at),
        "updated_at": iso(issue.updated_at),
        "closed_at": iso(issue.closed_at) if issue.closed_at else None,
        "closed_by": EMULATOR_USER if closed else None,
        "labels": list(issue.labels),
        "milestone": milestone_json(project, milestone, web, today) if milestone else None,
        "assignees": [],
        "assignee": None,
        "author": issue.author,
        "type": "ISSUE",
        "issue_type": "issue",
        "user_notes_count": len(issue.notes),
        "merge_requests_count": 0,
        "upvotes": 0,
        "downvotes": 0,
        "due_date": None,
        "confidential": False,
        "discussion_locked": None,
        "moved_to_id": issue.moved_to_id,
        "web_url": f"{web}/{project.path}/-/issues/{issue.iid}",
        "references": {
            "short": f"#{issue.iid}",
            "relative": f"#{issue.iid}",
            "full": f"{project.path}#{issue.iid}",
        },
        "_links": {
            "self": f"{web}/api/v4/projects/{project.id}/issues/{issue.iid}",
            "notes": f"{web}/api/v4/projects/{project.id}/issues/{issue.iid}/notes",
            "project": f"{web}/api/v4/projects/{project.id}",
        },
    }


def note_json(project: GLProject, issue: GLIssue, note: GLNote) -> dict[str, Any]:
    return {
        "id": note.id,
        "type": None,
        "body": note.body,
        "attachment": None,
        "author": EMULATOR_USER,
        "created_at": iso(note.created_at),
        "updated_at": iso(note.created_at),
        "system": False,
        "noteable_id": issue.id,
        "noteable_type": "Issue",
        "noteable_iid": issue.iid,
        "project_id": project.id,
        "resolvable": False,
        "confidential": False,
        "internal": False,
    }


def member_json(user: Mapping[str, Any], access_level: int, web: str) -> dict[str, Any]:
    """`API::Entities::Member`: the user's fields and the access level on the project."""
    return {
        **user,
        "web_url": f"{web}/{user['username']}",
        "access_level": access_level,
        "created_at": "2026-01-05T09:00:00.000Z",
        "expires_at": None,
        "membership_state": "active",
    }
