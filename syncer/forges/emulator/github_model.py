"""State and JSON of the GitHub emulator: repositories, issues, labels, milestones, comments.

The JSON follows GitHub's published `issue`, `label`, `milestone` and `issue-comment`
schemas field for field (tests validate it), so that a client sees exactly what GitHub
sends, including the keys it leaves out (an issue has no `pull_request` key).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

from syncer.forges.emulator.revision import Revision

DOCS = "https://docs.github.com/rest"


def iso(when: datetime | None) -> str | None:
    """GitHub's timestamp form: UTC, whole seconds, `Z`."""
    if when is None:
        return None
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(text: str) -> datetime:
    """An ISO-8601 instant as GitHub accepts it (`Z`, an offset, or a bare date = midnight UTC)."""
    text = text.strip()
    if len(text) == 10:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# GitHub keeps a milestone's due date as a date in US Pacific time. The rules are written
# out (US daylight time since 2007: second Sunday of March 02:00 to first Sunday of November
# 02:00) rather than read from a time-zone database, so the emulator needs no tzdata.


def _nth_sunday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))


def _pacific_offset(instant: datetime) -> timedelta:
    year = instant.astimezone(UTC).year
    dst_start = datetime.combine(_nth_sunday(year, 3, 2), datetime.min.time(), UTC) + timedelta(
        hours=10
    )
    dst_end = datetime.combine(_nth_sunday(year, 11, 1), datetime.min.time(), UTC) + timedelta(
        hours=9
    )
    return timedelta(hours=-7 if dst_start <= instant < dst_end else -8)


def pacific_date(instant: datetime) -> date:
    """The Pacific-time calendar date of `instant`: midnight UTC is still the day before."""
    return (instant.astimezone(UTC) + _pacific_offset(instant)).date()


def pacific_midnight(day: date) -> datetime:
    """The UTC instant of midnight Pacific time on `day` (07:00Z in summer, 08:00Z in winter)."""
    guess = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=8)
    return datetime.combine(day, datetime.min.time(), UTC) - _pacific_offset(guess)


def node_id(prefix: str, number: int) -> str:
    return f"{prefix}_" + base64.b64encode(f"emulator:{number}".encode()).decode().rstrip("=")


@dataclass
class User:
    id: int
    login: str

    def json(self, api: str, web: str) -> dict[str, Any]:
        u = f"{api}/users/{self.login}"
        return {
            "login": self.login,
            "id": self.id,
            "node_id": node_id("U", self.id),
            "avatar_url": f"https://avatars.githubusercontent.com/u/{self.id}?v=4",
            "gravatar_id": "",
            "url": u,
            "html_url": f"{web}/{self.login}",
            "followers_url": f"{u}/followers",
            "following_url": f"{u}/following{{/other_user}}",
            "gists_url": f"{u}/gists{{/gist_id}}",
            "starred_url": f"{u}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{u}/subscriptions",
            "organizations_url": f"{u}/orgs",
            "repos_url": f"{u}/repos",
            "events_url": f"{u}/events{{/privacy}}",
            "received_events_url": f"{u}/received_events",
            "type": "User",
            "user_view_type": "public",
            "site_admin": False,
        }


@dataclass
class Label:
    id: int
    name: str
    color: str
    description: str | None = None

    def json(self, repo_api: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "node_id": node_id("LA", self.id),
            "url": f"{repo_api}/labels/{quote(self.name, safe='')}",
            "name": self.name,
            "color": self.color,
            "default": False,
            "description": self.description,
        }


@dataclass
class Milestone:
    id: int
    number: int
    title: str
    creator: User
    created_at: datetime
    updated_at: datetime
    description: str | None = None
    state: str = "open"
    due: date | None = None  # the Pacific-time date GitHub keeps
    closed_at: datetime | None = None


@dataclass
class Comment:
    id: int
    body: str
    user: User
    created_at: datetime


@dataclass
class Issue:
    id: int
    number: int
    title: str
    body: str | None
    user: User
    created_at: datetime
    updated_at: datetime
    state: str = "open"
    state_reason: str | None = None
    closed_at: datetime | None = None
    label_ids: list[int] = field(default_factory=list)
    milestone: int | None = None
    comments: list[Comment] = field(default_factory=list)
    is_pull_request: bool = False
    # Sub-issues (GitHub's issue hierarchy): the parent's number, the children's in order.
    parent: int | None = None
    sub_issues: list[int] = field(default_factory=list)
    # Issue dependencies: the numbers of the issues blocking this one, and it blocks.
    blocked_by: list[int] = field(default_factory=list)
    blocking: list[int] = field(default_factory=list)

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        Revision.bump()


@dataclass
class Repo:
    id: int
    owner: User
    name: str
    labels: dict[int, Label] = field(default_factory=dict)
    milestones: dict[int, Milestone] = field(default_factory=dict)
    issues: dict[int, Issue] = field(default_factory=dict)
    # Logins with write access besides the owner (GitHub: collaborators or org members).
    collaborators: set[str] = field(default_factory=set)
    # Issues no longer here: number -> the API path it moved to (transferred), or None
    # (deleted). GitHub never gives their numbers to new issues.
    gone: dict[int, str | None] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return f"{self.owner.login}/{self.name}"

    def label_named(self, name: str) -> Label | None:
        # Label names are unique regardless of case on GitHub.
        return next((x for x in self.labels.values() if x.name.lower() == name.lower()), None)

    def association(self, user: User) -> str:
        """GitHub's `author_association` of `user` on this repository (OWNER, COLLABORATOR,
        or NONE for anyone else, such as a stranger on a public repository)."""
        if user.login.lower() == self.owner.login.lower():
            return "OWNER"
        if user.login.lower() in {c.lower() for c in self.collaborators}:
            return "COLLABORATOR"
        return "NONE"

    def next_issue_number(self) -> int:
        # Issues and pull requests share one number sequence.
        return max((*self.issues, *self.gone), default=0) + 1

    # --- JSON -----------------------------------------------------------------------------

    def api(self, api: str) -> str:
        return f"{api}/repos/{self.full_name}"

    def milestone_counts(self) -> dict[int, tuple[int, int]]:
        """(open, closed) issues per milestone number, in one pass over the issues."""
        counts: dict[int, tuple[int, int]] = {}
        for i in self.issues.values():
            if i.milestone is not None:
                opened, closed = counts.get(i.milestone, (0, 0))
                counts[i.milestone] = (
                    (opened + 1, closed) if i.state == "open" else (opened, closed + 1)
                )
        return counts

    def milestone_json(
        self,
        m: Milestone,
        api: str,
        web: str,
        counts: dict[int, tuple[int, int]] | None = None,
    ) -> dict[str, Any]:
        """`counts` (from `milestone_counts`) lets a listing count the issues once, not once
        per issue it renders: that made listing N issues cost N x N."""
        opened, closed = (counts if counts is not None else self.milestone_counts()).get(
            m.number, (0, 0)
        )
        url = f"{self.api(api)}/milestones/{m.number}"
        return {
            "url": url,
            "html_url": f"{web}/{self.full_name}/milestone/{m.number}",
            "labels_url": f"{url}/labels",
            "id": m.id,
            "node_id": node_id("MI", m.id),
            "number": m.number,
            "state": m.state,
            "title": m.title,
            "description": m.description,
            "creator": m.creator.json(api, web),
            "open_issues": opened,
            "closed_issues": closed,
            "created_at": iso(m.created_at),
            "updated_at": iso(m.updated_at),
            "closed_at": iso(m.closed_at),
            "due_on": iso(pacific_midnight(m.due)) if m.due else None,
        }

    def issue_json(
        self,
        i: Issue,
        api: str,
        web: str,
        counts: dict[int, tuple[int, int]] | None = None,
        memo: dict[tuple[str, int], Any] | None = None,
    ) -> dict[str, Any]:
        """`memo` (one reply's) renders each user, label and milestone once for all the
        issues of a page: the reply is serialised before it leaves, so sharing is safe."""
        memo = {} if memo is None else memo
        url = f"{self.api(api)}/issues/{i.number}"
        kind = "pull" if i.is_pull_request else "issues"
        milestone = self.milestones.get(i.milestone) if i.milestone is not None else None

        def user(u: User) -> Any:
            if ("user", u.id) not in memo:
                memo["user", u.id] = u.json(api, web)
            return memo["user", u.id]

        def label(x: int) -> Any:
            if ("label", x) not in memo:
                memo["label", x] = self.labels[x].json(self.api(api))
            return memo["label", x]

        def milestone_of(m: Milestone) -> Any:
            if ("milestone", m.number) not in memo:
                memo["milestone", m.number] = self.milestone_json(m, api, web, counts)
            return memo["milestone", m.number]

        body: dict[str, Any] = {
            "url": url,
            "repository_url": self.api(api),
            "labels_url": f"{url}/labels{{/name}}",
            "comments_url": f"{url}/comments",
            "events_url": f"{url}/events",
            "html_url": f"{web}/{self.full_name}/{kind}/{i.number}",
            "id": i.id,
            "node_id": node_id("PR" if i.is_pull_request else "I", i.id),
            "number": i.number,
            "title": i.title,
            "user": user(i.user),
            "labels": [label(x) for x in i.label_ids if x in self.labels],
            "state": i.state,
            "locked": False,
            "assignee": None,
            "assignees": [],
            "milestone": milestone_of(milestone) if milestone else None,
            "comments": len(i.comments),
            "created_at": iso(i.created_at),
            "updated_at": iso(i.updated_at),
            "closed_at": iso(i.closed_at),
            "author_association": self.association(i.user),
            "active_lock_reason": None,
            "body": i.body,
            "closed_by": user(i.user) if i.state == "closed" else None,
            "timeline_url": f"{url}/timeline",
            "performed_via_github_app": None,
            "state_reason": i.state_reason,
        }
        if not i.is_pull_request:
            body["sub_issues_summary"] = self.sub_issues_summary(i)
            body["issue_dependencies_summary"] = self.dependencies_summary(i)
        if i.is_pull_request:
            pull = f"{self.api(api)}/pulls/{i.number}"
            body["draft"] = False
            body["pull_request"] = {
                "url": pull,
                "html_url": f"{web}/{self.full_name}/pull/{i.number}",
                "diff_url": f"{web}/{self.full_name}/pull/{i.number}.diff",
                "patch_url": f"{web}/{self.full_name}/pull/{i.number}.patch",
                "merged_at": None,
            }
        return body

    def sub_issues_summary(self, i: Issue) -> dict[str, int]:
        """GitHub's `sub_issues_summary`: how many sub-issues, how many of them closed."""
        subs = [self.issues[n] for n in i.sub_issues if n in self.issues]
        done = sum(1 for s in subs if s.state == "closed")
        percent = (done * 100) // len(subs) if subs else 0
        return {"total": len(subs), "completed": done, "percent_completed": percent}

    def dependencies_summary(self, i: Issue) -> dict[str, int]:
        """GitHub's `issue_dependencies_summary`: open and total blockers, either way."""
        by = [self.issues[n] for n in i.blocked_by if n in self.issues]
        of = [self.issues[n] for n in i.blocking if n in self.issues]
        return {
            "blocked_by": sum(1 for b in by if b.state == "open"),
            "blocking": sum(1 for b in of if b.state == "open"),
            "total_blocked_by": len(by),
            "total_blocking": len(of),
        }

    def comment_json(self, issue: Issue, c: Comment, api: str, web: str) -> dict[str, Any]:
        return {
            "url": f"{self.api(api)}/issues/comments/{c.id}",
            "html_url": f"{web}/{self.full_name}/issues/{issue.number}#issuecomment-{c.id}",
            "issue_url": f"{self.api(api)}/issues/{issue.number}",
            "id": c.id,
            "node_id": node_id("IC", c.id),
            "user": c.user.json(api, web),
            "created_at": iso(c.created_at),
            "updated_at": iso(c.created_at),
            "author_association": "OWNER",
            "body": c.body,
            "performed_via_github_app": None,
        }

    def repo_json(self, api: str, web: str, permission: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "node_id": node_id("R", self.id),
            "name": self.name,
            "full_name": self.full_name,
            "private": False,
            "owner": self.owner.json(api, web),
            "html_url": f"{web}/{self.full_name}",
            "url": self.api(api),
            "issues_url": f"{self.api(api)}/issues{{/number}}",
            "labels_url": f"{self.api(api)}/labels{{/name}}",
            "milestones_url": f"{self.api(api)}/milestones{{/number}}",
            "has_issues": True,
            "open_issues_count": sum(1 for i in self.issues.values() if i.state == "open"),
            "default_branch": "main",
            "permissions": {
                "admin": permission == "admin",
                "maintain": permission in ("admin", "maintain"),
                "push": permission in ("admin", "maintain", "write"),
                "triage": permission != "read",
                "pull": True,
            },
        }


def error(message: str, status: int, doc: str = DOCS) -> dict[str, Any]:
    """GitHub's `basic-error` body (it sends `status` as a string)."""
    return {"message": message, "documentation_url": doc, "status": str(status)}


def validation_failed(resource: str, code: str, field_name: str, **extra: Any) -> dict[str, Any]:
    """GitHub's `validation-error` body for one failing field."""
    detail: dict[str, Any] = {"resource": resource, "code": code, "field": field_name, **extra}
    return {
        "message": "Validation Failed",
        "errors": [detail],
        "documentation_url": DOCS,
        "status": "422",
    }
