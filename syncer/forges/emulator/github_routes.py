"""The GitHub emulator's endpoints: the account, repository and issue routes, each as
GitHub behaves, and the one `ROUTES` table of every route (labels and milestones:
`github_label_routes`; sub-issues: `github_sub_issue_routes`; dependencies:
`github_dependency_routes`).

Handlers run with the emulator's lock held and raise `Answer` for an error reply.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from syncer.forges.emulator.core import Reply
from syncer.forges.emulator.github_context import Answer, Context, Handler, paginate
from syncer.forges.emulator.github_dependency_routes import (
    add_blocked_by,
    list_blocked_by,
    list_blocking,
    remove_blocked_by,
)
from syncer.forges.emulator.github_label_routes import (
    _check_label_name,
    create_label,
    create_milestone,
    delete_label,
    edit_label,
    edit_milestone,
    get_label,
    get_milestone,
    list_labels,
    list_milestones,
)
from syncer.forges.emulator.github_model import (
    Comment,
    Issue,
    parse_instant,
    validation_failed,
)
from syncer.forges.emulator.github_sub_issue_routes import (
    add_sub_issue,
    list_sub_issues,
    remove_sub_issue,
)
from syncer.forges.emulator.revision import Revision

MAX_BODY = 65536
MAX_TITLE = 256  # characters, as GitHub counts them
STATE_REASONS = ("completed", "not_planned", "reopened", "duplicate")


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
    # One listing's pages differ by `page` only: its selection and order are made once and
    # kept while no issue changes (`Revision`), so a page costs a slice, as on GitHub.
    query = tuple(sorted((k, v) for k, v in req.query.items() if k != "page"))
    key = (id(ctx.repo), Revision.value, query)
    cached = ctx.emu.listing
    if cached is not None and cached[0] == key:
        return paginate(ctx, cached[1], ctx.issue_json)
    selected = _select_issues(ctx)
    ctx.emu.listing = (key, selected)
    return paginate(ctx, selected, ctx.issue_json)


def _select_issues(ctx: Context) -> list[Issue]:
    """The issues a listing's query selects, in the order it asks for."""
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
    return selected


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
    ("GET", _REPO + r"/issues/(?P<number>\d+)/dependencies/blocked_by", list_blocked_by),
    ("POST", _REPO + r"/issues/(?P<number>\d+)/dependencies/blocked_by", add_blocked_by),
    (
        "DELETE",
        _REPO + r"/issues/(?P<number>\d+)/dependencies/blocked_by/(?P<issue_id>\d+)",
        remove_blocked_by,
    ),
    ("GET", _REPO + r"/issues/(?P<number>\d+)/dependencies/blocking", list_blocking),
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
