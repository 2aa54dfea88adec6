"""The GitHub emulator's sub-issue routes: one parent per issue, 100 sub-issues per parent,
8 levels, as GitHub enforces them.

Handlers run with the emulator's lock held and raise `Answer` for an error reply.
"""

from __future__ import annotations

from syncer.forges.emulator.core import Reply
from syncer.forges.emulator.github_context import Answer, Context, paginate
from syncer.forges.emulator.github_model import Issue, error, validation_failed

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
