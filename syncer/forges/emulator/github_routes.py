"""The GitHub emulator's endpoints: one function per route, each as GitHub behaves.

Handlers run with the emulator's lock held and raise `Answer` for an error reply.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode

from syncer.forges.emulator.core import Reply, Request
from syncer.forges.emulator.github_model import (
    Comment,
    Issue,
    Label,
    Milestone,
    Repo,
    error,
    pacific_date,
    parse_instant,
    validation_failed,
)

if TYPE_CHECKING:
    from syncer.forges.emulator.github import GitHubEmulator

T = TypeVar("T")

MAX_BODY = 65536
MAX_TITLE = 256  # characters, as GitHub counts them
MAX_LABEL_NAME = 50
MAX_LABEL_DESCRIPTION = 100
HEX_COLOR = re.compile(r"[0-9a-fA-F]{6}")
STATE_REASONS = ("completed", "not_planned", "reopened", "duplicate")
ISSUES_DOCS = "https://docs.github.com/rest/issues/issues#get-an-issue"
REDIRECT_DOCS = (
    "https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects"
)


class Answer(Exception):
    """An error reply raised from inside a handler."""

    def __init__(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status)
        self.reply = Reply(status, body, headers or {})


@dataclass
class Context:
    emu: GitHubEmulator
    request: Request
    level: str
    base: str  # the API base URL the client used
    repo_: Repo | None = field(default=None)
    counts_: dict[int, tuple[int, int]] | None = field(default=None)

    @property
    def repo(self) -> Repo:
        assert self.repo_ is not None, "route without a repository"
        return self.repo_

    @repo.setter
    def repo(self, value: Repo) -> None:
        self.repo_ = value

    @property
    def web(self) -> str:
        return self.emu.web_url

    def payload(self) -> dict[str, Any]:
        try:
            data = self.request.json()
        except ValueError:
            raise Answer(400, error("Problems parsing JSON", 400)) from None
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise Answer(400, error("Problems parsing JSON", 400))
        return data

    def issue(self, number: str) -> Issue:
        issue = self.repo.issues.get(int(number))
        if issue is not None:
            return issue
        if int(number) not in self.repo.gone:
            raise Answer(404, error("Not Found", 404))
        moved_to = self.repo.gone[int(number)]
        if moved_to is None:
            raise Answer(410, error("This issue was deleted", 410, ISSUES_DOCS))
        # A transferred issue: GitHub redirects every method to where it lives now.
        url = f"{self.base}{moved_to}"
        body = {"message": "Moved Permanently", "url": url, "documentation_url": REDIRECT_DOCS}
        raise Answer(301, body, {"Location": url})

    def counts(self) -> dict[int, tuple[int, int]]:
        """Milestone issue counts, computed once per request (nothing changes during one)."""
        if self.counts_ is None:
            self.counts_ = self.repo.milestone_counts()
        return self.counts_

    def issue_json(self, issue: Issue) -> dict[str, Any]:
        return self.repo.issue_json(issue, self.base, self.web, self.counts())

    def milestone_json(self, m: Milestone) -> dict[str, Any]:
        return self.repo.milestone_json(m, self.base, self.web, self.counts())


Handler = Callable[..., Reply]


def paginate(ctx: Context, items: Sequence[T], render: Callable[[T], Any] | None = None) -> Reply:
    """One page of `items`; `Link` carries next/last (and prev/first) as GitHub sends them.

    `render` turns an item into its JSON, for the page's items only: rendering the whole
    listing for every page made a listing of N issues cost N x pages."""
    query = ctx.request.query
    try:
        per_page = min(max(int(ctx.request.param("per_page") or 30), 1), 100)
    except ValueError:
        per_page = 30
    try:
        page = max(int(ctx.request.param("page") or 1), 1)
    except ValueError:
        page = 1
    last = max(1, -(-len(items) // per_page))

    def url(p: int) -> str:
        params = {k: list(v) for k, v in query.items() if k != "page"}
        params["page"] = [str(p)]
        return f"{ctx.base}{ctx.request.path}?{urlencode(params, doseq=True)}"

    links = []
    if page > 1:
        links += [f'<{url(page - 1)}>; rel="prev"', f'<{url(1)}>; rel="first"']
    if page < last:
        links += [f'<{url(page + 1)}>; rel="next"', f'<{url(last)}>; rel="last"']
    headers = {"Link": ", ".join(links)} if links else {}
    chosen = items[(page - 1) * per_page : page * per_page]
    return Reply(200, [render(x) for x in chosen] if render else list(chosen), headers)


def _check_body(resource: str, body: Any) -> str | None:
    if body is not None and not isinstance(body, str):
        raise Answer(422, validation_failed(resource, "invalid", "body"))
    if body is not None and len(body) > MAX_BODY:
        message = f"body is too long (maximum is {MAX_BODY} characters)"
        raise Answer(422, validation_failed(resource, "custom", "body", message=message))
    return body


def _check_title(title: str) -> None:
    if len(title) > MAX_TITLE:
        message = f"title is too long (maximum is {MAX_TITLE} characters)"
        raise Answer(422, validation_failed("Issue", "custom", "title", message=message))


def _label_ids(ctx: Context, names: Any) -> list[int]:
    if not isinstance(names, list):
        raise Answer(422, validation_failed("Issue", "invalid", "labels"))
    ids: list[int] = []
    for item in names:
        name = item.get("name") if isinstance(item, dict) else item
        if not isinstance(name, str) or not name.strip():
            raise Answer(422, validation_failed("Label", "invalid", "name"))
        _check_label_name(name)
        label_id = ctx.emu.ensure_label(ctx.repo, name).id
        if label_id not in ids:
            ids.append(label_id)
    return ids


def _milestone_number(ctx: Context, value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if number not in ctx.repo.milestones:
        raise Answer(422, validation_failed("Issue", "invalid", "milestone", value=value))
    return number


# --- account and repository -----------------------------------------------------------------


def get_rate_limit(ctx: Context) -> Reply:
    return Reply(200, ctx.emu.rate_json())


def get_user(ctx: Context) -> Reply:
    body = ctx.emu.user.json(ctx.base, ctx.web) | {"name": None, "email": None}
    return Reply(200, body)


def get_repo(ctx: Context) -> Reply:
    return Reply(200, ctx.repo.repo_json(ctx.base, ctx.web, ctx.level))


# --- issues ---------------------------------------------------------------------------------


def list_issues(ctx: Context) -> Reply:
    req = ctx.request
    state = req.param("state", "open")
    if state not in ("open", "closed", "all"):
        raise Answer(422, validation_failed("Issue", "invalid", "state"))
    selected = [i for i in ctx.repo.issues.values() if state == "all" or i.state == state]
    if since := req.param("since"):
        try:
            after = parse_instant(since)
        except ValueError:
            raise Answer(422, validation_failed("Issue", "invalid", "since")) from None
        selected = [i for i in selected if i.updated_at >= after]
    if labels := req.param("labels"):
        wanted = {x.strip().lower() for x in labels.split(",") if x.strip()}
        selected = [
            i for i in selected if wanted <= {ctx.repo.labels[x].name.lower() for x in i.label_ids}
        ]
    milestone = req.param("milestone")
    if milestone == "none":
        selected = [i for i in selected if i.milestone is None]
    elif milestone == "*":
        selected = [i for i in selected if i.milestone is not None]
    elif milestone:
        selected = [i for i in selected if str(i.milestone) == milestone]
    sort = req.param("sort", "created")
    keys: dict[str, Callable[[Issue], Any]] = {
        "created": lambda i: (i.created_at, i.number),
        "updated": lambda i: (i.updated_at, i.number),
        "comments": lambda i: (len(i.comments), i.number),
    }
    if sort not in keys:
        raise Answer(422, validation_failed("Issue", "invalid", "sort"))
    selected.sort(key=keys[sort], reverse=req.param("direction", "desc") != "asc")
    return paginate(ctx, selected, ctx.issue_json)


def create_issue(ctx: Context) -> Reply:
    data = ctx.payload()
    title = data.get("title")
    if isinstance(title, int) and not isinstance(title, bool):
        title = str(title)
    if not isinstance(title, str) or not title.strip():
        raise Answer(422, validation_failed("Issue", "missing_field", "title"))
    _check_title(title)
    body = _check_body("Issue", data.get("body"))
    milestone = _milestone_number(ctx, data.get("milestone"))
    label_ids = _label_ids(ctx, data.get("labels", []))
    now = ctx.emu.stamp()
    # Issues are always created open, whatever `state` says: close them with a PATCH.
    issue = Issue(
        ctx.emu.next_id(), ctx.repo.next_issue_number(), title, body, ctx.emu.user, now, now,
        label_ids=label_ids, milestone=milestone,
    )  # fmt: skip
    ctx.repo.issues[issue.number] = issue
    body_json = ctx.issue_json(issue)
    return Reply(201, body_json, {"Location": body_json["url"]})


def get_issue(ctx: Context, number: str) -> Reply:
    return Reply(200, ctx.issue_json(ctx.issue(number)))


def edit_issue(ctx: Context, number: str) -> Reply:
    issue = ctx.issue(number)
    data = ctx.payload()
    title = data.get("title", issue.title)
    if not isinstance(title, str) or not title.strip():
        raise Answer(422, validation_failed("Issue", "missing_field", "title"))
    _check_title(title)
    body = _check_body("Issue", data.get("body"))
    state = data.get("state", issue.state)
    if state not in ("open", "closed"):
        raise Answer(422, validation_failed("Issue", "invalid", "state"))
    reason = data.get("state_reason")
    if reason is not None and reason not in STATE_REASONS:
        raise Answer(422, validation_failed("Issue", "invalid", "state_reason"))
    label_ids = _label_ids(ctx, data["labels"]) if "labels" in data else None
    milestone = _milestone_number(ctx, data["milestone"]) if "milestone" in data else None
    # Everything is validated: apply it all at once, as GitHub does.
    issue.title = title
    if "body" in data:
        issue.body = body
    if label_ids is not None:
        issue.label_ids = label_ids
    if "milestone" in data:
        issue.milestone = milestone
    now = ctx.emu.stamp()
    if state == "closed":
        if issue.state == "open":
            issue.closed_at = now
        issue.state_reason = reason or (
            issue.state_reason if issue.state == "closed" else "completed"
        )
    elif issue.state == "closed":
        issue.closed_at = None
        issue.state_reason = "reopened"
    issue.state = state
    issue.updated_at = now
    return Reply(200, ctx.issue_json(issue))


def list_comments(ctx: Context, number: str) -> Reply:
    issue = ctx.issue(number)
    return paginate(
        ctx, [ctx.repo.comment_json(issue, c, ctx.base, ctx.web) for c in issue.comments]
    )


def create_comment(ctx: Context, number: str) -> Reply:
    issue = ctx.issue(number)
    body = _check_body("IssueComment", ctx.payload().get("body"))
    if not body:
        raise Answer(422, validation_failed("IssueComment", "missing_field", "body"))
    comment = Comment(ctx.emu.next_id(), body, ctx.emu.user, ctx.emu.stamp())
    issue.comments.append(comment)
    issue.updated_at = comment.created_at
    return Reply(201, ctx.repo.comment_json(issue, comment, ctx.base, ctx.web))


# --- sub-issues -----------------------------------------------------------------------------

MAX_SUB_ISSUES = 100  # per parent
MAX_DEPTH = 8  # levels of the hierarchy, the top parent's included


def _sub_issue_failed(message: str) -> Answer:
    return Answer(
        422,
        validation_failed("Issue", "custom", "sub_issue_id", message=message),
    )


def _sub_issue(ctx: Context) -> Issue:
    """The issue named by the payload's `sub_issue_id`: its global `id`, not its number."""
    ident = ctx.payload().get("sub_issue_id")
    if isinstance(ident, bool) or not isinstance(ident, int):
        raise Answer(422, validation_failed("Issue", "invalid", "sub_issue_id"))
    found = next((i for i in ctx.repo.issues.values() if i.id == ident), None)
    if found is None or found.is_pull_request:
        raise Answer(404, error("Not Found", 404))
    return found


def _depth_above(ctx: Context, issue: Issue) -> int:
    """Levels from the top of `issue`'s hierarchy down to it (1 for a top issue)."""
    depth, seen = 1, {issue.number}
    while issue.parent is not None and issue.parent in ctx.repo.issues:
        issue = ctx.repo.issues[issue.parent]
        if issue.number in seen:
            break
        seen.add(issue.number)
        depth += 1
    return depth


def _depth_below(ctx: Context, issue: Issue) -> int:
    """Levels of `issue`'s own sub-tree (1 for an issue without sub-issues)."""
    subs = [ctx.repo.issues[n] for n in issue.sub_issues if n in ctx.repo.issues]
    return 1 + max((_depth_below(ctx, s) for s in subs), default=0)


def list_sub_issues(ctx: Context, number: str) -> Reply:
    parent = ctx.issue(number)
    subs = [ctx.repo.issues[n] for n in parent.sub_issues if n in ctx.repo.issues]
    return paginate(ctx, subs, ctx.issue_json)


def add_sub_issue(ctx: Context, number: str) -> Reply:
    """As GitHub: one parent per issue (`replace_parent` moves it), at most 100 sub-issues
    per parent and 8 levels; the same sub-issue twice is refused."""
    parent = ctx.issue(number)
    sub = _sub_issue(ctx)
    replace_parent = ctx.payload().get("replace_parent") is True
    if sub.number == parent.number:
        raise _sub_issue_failed("An issue cannot be a sub-issue of itself")
    if sub.number in parent.sub_issues:
        raise _sub_issue_failed("Sub issue may not contain duplicate sub-issues")
    if sub.parent is not None and not replace_parent:
        raise _sub_issue_failed("Sub issue may only have one parent")
    if len(parent.sub_issues) >= MAX_SUB_ISSUES:
        raise _sub_issue_failed(f"Parent cannot have more than {MAX_SUB_ISSUES} sub-issues")
    if _depth_above(ctx, parent) + _depth_below(ctx, sub) > MAX_DEPTH:
        raise _sub_issue_failed(f"Sub issue cannot be nested more than {MAX_DEPTH} levels")
    node: Issue | None = parent
    while node is not None:  # no cycle: the parent is not below the sub-issue
        if node.number == sub.number:
            raise _sub_issue_failed("Sub issue cannot be an ancestor of its parent")
        node = ctx.repo.issues.get(node.parent) if node.parent is not None else None
    if sub.parent is not None and sub.parent in ctx.repo.issues:
        ctx.repo.issues[sub.parent].sub_issues.remove(sub.number)
    sub.parent = parent.number
    parent.sub_issues.append(sub.number)
    return Reply(201, ctx.issue_json(sub))


def remove_sub_issue(ctx: Context, number: str) -> Reply:
    parent = ctx.issue(number)
    sub = _sub_issue(ctx)
    if sub.number not in parent.sub_issues:
        raise Answer(404, error("Not Found", 404))
    parent.sub_issues.remove(sub.number)
    sub.parent = None
    return Reply(200, ctx.issue_json(sub))


# --- labels ---------------------------------------------------------------------------------


def _check_label_name(name: str) -> None:
    if len(name) > MAX_LABEL_NAME:
        message = f"name is too long (maximum is {MAX_LABEL_NAME} characters)"
        raise Answer(422, validation_failed("Label", "custom", "name", message=message))


def _label_fields(data: dict[str, Any], label: Label) -> None:
    if "color" in data:
        color = str(data["color"] or "").removeprefix("#")
        if not HEX_COLOR.fullmatch(color):
            raise Answer(422, validation_failed("Label", "invalid", "color"))
        label.color = color.lower()
    if "description" in data:
        description = data["description"]
        if description is not None and len(str(description)) > MAX_LABEL_DESCRIPTION:
            message = f"description is too long (maximum is {MAX_LABEL_DESCRIPTION} characters)"
            raise Answer(422, validation_failed("Label", "custom", "description", message=message))
        label.description = description


def _label(ctx: Context, name: str) -> Label:
    label = ctx.repo.label_named(name)
    if label is None:
        raise Answer(404, error("Not Found", 404))
    return label


def list_labels(ctx: Context) -> Reply:
    labels = sorted(ctx.repo.labels.values(), key=lambda x: x.name.lower())
    return paginate(ctx, [x.json(ctx.repo.api(ctx.base)) for x in labels])


def create_label(ctx: Context) -> Reply:
    data = ctx.payload()
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise Answer(422, validation_failed("Label", "missing_field", "name"))
    _check_label_name(name)
    if ctx.repo.label_named(name) is not None:
        raise Answer(422, validation_failed("Label", "already_exists", "name"))
    label = Label(ctx.emu.next_id(), name, "ededed")
    _label_fields(data, label)
    ctx.repo.labels[label.id] = label
    body = label.json(ctx.repo.api(ctx.base))
    return Reply(201, body, {"Location": body["url"]})


def get_label(ctx: Context, label: str) -> Reply:
    return Reply(200, _label(ctx, label).json(ctx.repo.api(ctx.base)))


def edit_label(ctx: Context, label: str) -> Reply:
    found = _label(ctx, label)
    data = ctx.payload()
    new_name = data.get("new_name")
    if new_name is not None:
        if not isinstance(new_name, str) or not new_name.strip():
            raise Answer(422, validation_failed("Label", "invalid", "name"))
        _check_label_name(new_name)
        other = ctx.repo.label_named(new_name)
        if other is not None and other is not found:
            raise Answer(422, validation_failed("Label", "already_exists", "name"))
    _label_fields(data, found)
    if new_name is not None:
        found.name = new_name
    return Reply(200, found.json(ctx.repo.api(ctx.base)))


def delete_label(ctx: Context, label: str) -> Reply:
    """GitHub takes the label off every issue that carries it."""
    found = _label(ctx, label)
    del ctx.repo.labels[found.id]
    for issue in ctx.repo.issues.values():
        if found.id in issue.label_ids:
            issue.label_ids = [x for x in issue.label_ids if x != found.id]
    return Reply(204, None)


# --- milestones -----------------------------------------------------------------------------


def _milestone(ctx: Context, number: str) -> Milestone:
    milestone = ctx.repo.milestones.get(int(number))
    if milestone is None:
        raise Answer(404, error("Not Found", 404))
    return milestone


def _milestone_fields(ctx: Context, data: dict[str, Any], m: Milestone) -> None:
    if "title" in data:
        title = data["title"]
        if not isinstance(title, str) or not title.strip():
            raise Answer(422, validation_failed("Milestone", "missing_field", "title"))
        clash = any(o.title == title and o is not m for o in ctx.repo.milestones.values())
        if clash:
            raise Answer(422, validation_failed("Milestone", "already_exists", "title"))
        m.title = title
    if "state" in data:
        if data["state"] not in ("open", "closed"):
            raise Answer(422, validation_failed("Milestone", "invalid", "state"))
        if data["state"] != m.state:
            m.closed_at = ctx.emu.stamp() if data["state"] == "closed" else None
        m.state = data["state"]
    if "description" in data:
        m.description = data["description"]
    if "due_on" in data:
        due = data["due_on"]
        try:
            # GitHub keeps only the Pacific-time date of the instant it is sent.
            m.due = pacific_date(parse_instant(due)) if due else None
        except (TypeError, ValueError):
            raise Answer(422, validation_failed("Milestone", "invalid", "due_on")) from None
    m.updated_at = ctx.emu.stamp()


def list_milestones(ctx: Context) -> Reply:
    state = ctx.request.param("state", "open")
    if state not in ("open", "closed", "all"):
        raise Answer(422, validation_failed("Milestone", "invalid", "state"))
    chosen = [m for m in ctx.repo.milestones.values() if state == "all" or m.state == state]
    if ctx.request.param("sort", "due_on") == "completeness":
        chosen.sort(key=lambda m: (ctx.milestone_json(m)["open_issues"], m.number))
    else:  # due_on; GitHub puts milestones without a date last
        chosen.sort(key=lambda m: (m.due is None, m.due or m.created_at.date(), m.number))
    if ctx.request.param("direction", "asc") == "desc":
        chosen.reverse()
    return paginate(ctx, [ctx.milestone_json(m) for m in chosen])


def create_milestone(ctx: Context) -> Reply:
    data = ctx.payload()
    if not isinstance(data.get("title"), str) or not data["title"].strip():
        raise Answer(422, validation_failed("Milestone", "missing_field", "title"))
    now = ctx.emu.stamp()
    number = max(ctx.repo.milestones, default=0) + 1
    milestone = Milestone(ctx.emu.next_id(), number, "", ctx.emu.user, now, now)
    _milestone_fields(ctx, data, milestone)
    ctx.repo.milestones[number] = milestone
    body = ctx.milestone_json(milestone)
    return Reply(201, body, {"Location": body["url"]})


def get_milestone(ctx: Context, number: str) -> Reply:
    return Reply(200, ctx.milestone_json(_milestone(ctx, number)))


def edit_milestone(ctx: Context, number: str) -> Reply:
    milestone = _milestone(ctx, number)
    _milestone_fields(ctx, ctx.payload(), milestone)
    return Reply(200, ctx.milestone_json(milestone))


_REPO = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
_TABLE: list[tuple[str, str, Handler]] = [
    ("GET", r"/rate_limit", get_rate_limit),
    ("GET", r"/user", get_user),
    ("GET", _REPO, get_repo),
    ("GET", _REPO + r"/issues", list_issues),
    ("POST", _REPO + r"/issues", create_issue),
    ("GET", _REPO + r"/issues/(?P<number>\d+)", get_issue),
    ("PATCH", _REPO + r"/issues/(?P<number>\d+)", edit_issue),
    # Where a transferred issue answers: its new repository by id.
    ("GET", r"/repositories/(?P<repo_id>\d+)/issues/(?P<number>\d+)", get_issue),
    ("PATCH", r"/repositories/(?P<repo_id>\d+)/issues/(?P<number>\d+)", edit_issue),
    ("GET", _REPO + r"/issues/(?P<number>\d+)/comments", list_comments),
    ("POST", _REPO + r"/issues/(?P<number>\d+)/comments", create_comment),
    ("GET", _REPO + r"/issues/(?P<number>\d+)/sub_issues", list_sub_issues),
    ("POST", _REPO + r"/issues/(?P<number>\d+)/sub_issues", add_sub_issue),
    ("DELETE", _REPO + r"/issues/(?P<number>\d+)/sub_issue", remove_sub_issue),
    ("GET", _REPO + r"/labels", list_labels),
    ("POST", _REPO + r"/labels", create_label),
    ("GET", _REPO + r"/labels/(?P<label>[^/]+)", get_label),
    ("PATCH", _REPO + r"/labels/(?P<label>[^/]+)", edit_label),
    ("DELETE", _REPO + r"/labels/(?P<label>[^/]+)", delete_label),
    ("GET", _REPO + r"/milestones", list_milestones),
    ("POST", _REPO + r"/milestones", create_milestone),
    ("GET", _REPO + r"/milestones/(?P<number>\d+)", get_milestone),
    ("PATCH", _REPO + r"/milestones/(?P<number>\d+)", edit_milestone),
]

ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    (method, re.compile(path), handler) for method, path, handler in _TABLE
]
