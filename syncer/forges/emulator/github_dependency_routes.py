"""The GitHub emulator's issue-dependency routes (`/issues/{n}/dependencies/...`), as GitHub
answers them.

An issue is "blocked by" another, named in a POST by the blocking issue's global `id` (not
its number), and removed by that id in the DELETE's path. GitHub refuses an issue blocked
by itself and the same dependency twice (422), answers 404 for an id it does not know, and
allows at most 50 issues blocking one issue. Both issues carry the relation: listings show
it in each issue's `issue_dependencies_summary` (`github_model.Repo.dependencies_summary`).
Adding or removing a dependency does not move either issue's `updated_at` here (GitHub
records it in the timeline), so an incremental listing does not show it for sure.

Handlers run with the emulator's lock held and raise `Answer` for an error reply.
"""

from __future__ import annotations

from syncer.forges.emulator.core import Reply
from syncer.forges.emulator.github_context import Answer, Context, paginate
from syncer.forges.emulator.github_model import Issue, error, validation_failed

MAX_BLOCKED_BY = 50  # issues blocking one issue


def _refused(message: str) -> Answer:
    return Answer(422, validation_failed("IssueDependency", "custom", "issue_id", message=message))


def _by_id(ctx: Context, ident: object) -> Issue:
    """The issue with global id `ident` (an issue, not a pull request), or 404."""
    if isinstance(ident, bool) or not isinstance(ident, int):
        raise Answer(422, validation_failed("IssueDependency", "invalid", "issue_id"))
    found = next((i for i in ctx.repo.issues.values() if i.id == ident), None)
    if found is None or found.is_pull_request:
        raise Answer(404, error("Not Found", 404))
    return found


def _listed(ctx: Context, numbers: list[int]) -> Reply:
    issues = [ctx.repo.issues[n] for n in numbers if n in ctx.repo.issues]
    return paginate(ctx, issues, ctx.issue_json)


def list_blocked_by(ctx: Context, number: str) -> Reply:
    return _listed(ctx, ctx.issue(number).blocked_by)


def list_blocking(ctx: Context, number: str) -> Reply:
    return _listed(ctx, ctx.issue(number).blocking)


def add_blocked_by(ctx: Context, number: str) -> Reply:
    """201 with the blocking issue, as GitHub answers."""
    blocked = ctx.issue(number)
    if blocked.is_pull_request:
        raise Answer(404, error("Not Found", 404))
    blocking = _by_id(ctx, ctx.payload().get("issue_id"))
    if blocking.number == blocked.number:
        raise _refused("An issue cannot be blocked by itself")
    if blocking.number in blocked.blocked_by:
        raise _refused("Issue dependency already exists")
    if len(blocked.blocked_by) >= MAX_BLOCKED_BY:
        raise _refused(f"An issue cannot be blocked by more than {MAX_BLOCKED_BY} issues")
    blocked.blocked_by.append(blocking.number)
    blocking.blocking.append(blocked.number)
    return Reply(201, ctx.issue_json(blocking))


def remove_blocked_by(ctx: Context, number: str, issue_id: str) -> Reply:
    """200 with the issue that was blocking; 404 when it was not."""
    blocked = ctx.issue(number)
    blocking = _by_id(ctx, int(issue_id))
    if blocking.number not in blocked.blocked_by:
        raise Answer(404, error("Not Found", 404))
    blocked.blocked_by.remove(blocking.number)
    if blocked.number in blocking.blocking:
        blocking.blocking.remove(blocked.number)
    return Reply(200, ctx.issue_json(blocking))
