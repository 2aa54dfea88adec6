"""The GitHub emulator's label and milestone routes, each as GitHub behaves.

Handlers run with the emulator's lock held and raise `Answer` for an error reply.
"""

from __future__ import annotations

import re
from typing import Any

from syncer.forges.emulator.core import Reply
from syncer.forges.emulator.github_context import Answer, Context, paginate
from syncer.forges.emulator.github_model import (
    Label,
    Milestone,
    error,
    pacific_date,
    parse_instant,
    validation_failed,
)

MAX_LABEL_NAME = 50
MAX_LABEL_DESCRIPTION = 100
HEX_COLOR = re.compile(r"[0-9a-fA-F]{6}")


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
