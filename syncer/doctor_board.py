"""`phasesync doctor`'s check of the project board (`project`): that the board exists, that
the token can see it (Projects need the `project` scope), and which of phasesync's fields
it lacks: those the next push makes, and those it cannot (an iteration field for `Week`).
One GraphQL request.
"""

from __future__ import annotations

from typing import Literal

from syncer.errors import ForgeError, NotFound, PermissionDenied
from syncer.forges.github_board import SCOPE_HELP
from syncer.sync.board import DONE, MADE_AS, STATUS, TODO, WEEK
from syncer.sync.board_run import open_board

FIELDS = (STATUS, "Phase", "Type", "Priority", WEEK, "Estimate", "Due")
NOT_FOUND_FIX = (
    "check `project` (the board's URL as the browser shows it); the token must see it: "
    + SCOPE_HELP
)


def board_check(
    client: object, url: str, status: tuple[str, str] = (TODO, DONE)
) -> tuple[Literal["ok", "fail"], str, str | None]:
    """(status, detail, fix) of the `project board` check."""
    from syncer.forges.github import GitHubForge

    if not isinstance(client, GitHubForge):
        return "fail", "the board is checked through the GitHub adapter only", None
    try:
        info = open_board(client, url).read()
    except PermissionDenied as exc:
        return "fail", exc.message, SCOPE_HELP
    except NotFound:
        return "fail", f"{url} not found, or the token cannot see it", NOT_FOUND_FIX
    except ForgeError as exc:
        return "fail", exc.describe(), NOT_FOUND_FIX
    missing = [name for name in FIELDS if info.field(name) is None]
    made = [name for name in missing if name in MADE_AS]
    parts = [f"{info.title!r} ({url})"]
    if made:
        parts.append(f"lacks {', '.join(made)}: the next push makes them")
    if WEEK in missing:
        parts.append(
            "has no `Week` field: GitHub's API cannot make an iteration field; add one named "
            "`Week` with iterations titled `Week 1`, `Week 2`, ... in the board's settings, "
            "or tasks' weeks stay off the board"
        )
    field = info.field(STATUS)
    if field is not None and field.data_type == "SINGLE_SELECT":
        names = {o.name.casefold() for o in field.options}
        lacking = [o for o in status if o.strip().casefold() not in names]
        if lacking:
            parts.append(f"its Status has no option {' or '.join(lacking)}: add it on the board")
    if not missing and len(parts) == 1:
        parts.append("every field is there")
    return "ok", "; ".join(parts), None
