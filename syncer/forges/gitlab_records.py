"""GitLab payloads into phasesync's records (list-payload fields only: no object fetches
itself), and GitLab's error message from a response body."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import requests

from syncer.forges.answers import listing, mapping, number, text
from syncer.forges.base import RemoteIssue, RemoteLabel, RemoteMilestone


def error_body(response: requests.Response) -> Any:
    """GitLab's error message from a response body, as python-gitlab reads it."""
    try:
        data = response.json()
    except ValueError:
        return response.text
    return data.get("message", data.get("error", data)) if isinstance(data, dict) else data


def gitlab_iso(when: datetime) -> str:
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def hex_color(gitlab_color: str) -> str:
    """`#AABBCC` / `#abc` -> `aabbcc` (GitLab keeps what it was given; we want one form)."""
    hexa = gitlab_color.strip().lstrip("#").lower()
    return "".join(c * 2 for c in hexa) if len(hexa) == 3 else hexa


def label_record(data: Mapping[str, Any]) -> RemoteLabel:
    data = mapping(data, "a label")
    ident = data.get("id")
    return RemoteLabel(
        text(data["name"], "a label's name"),
        hex_color(text(data["color"], "a label's color")),
        data.get("description") or "",
        int(ident) if ident is not None else None,
    )


def milestone_record(data: Mapping[str, Any]) -> RemoteMilestone:
    data = mapping(data, "a milestone")
    due = data.get("due_date")
    return RemoteMilestone(
        id=number(data["id"], "a milestone's id"),
        title=text(data["title"], "a milestone's title"),
        description=data.get("description") or "",
        due=date.fromisoformat(text(due, "a milestone's due_date")) if due else None,
        state="closed" if data.get("state") == "closed" else "open",
        group=data.get("group_id") is not None,
    )


def issue_record(data: Mapping[str, Any]) -> RemoteIssue:
    # Checked as read: a malformed answer must not become a record (see `answers`).
    data = mapping(data, "an issue")
    milestone = data.get("milestone")
    labels = listing(data.get("labels") or [], "an issue's labels")
    return RemoteIssue(
        number=number(data["iid"], "an issue's iid"),
        title=text(data["title"], "an issue's title"),
        body=text(data.get("description") or "", "an issue's description"),
        state="closed" if data["state"] == "closed" else "open",
        labels=tuple(text(x, "a label's name") for x in labels),
        milestone=(
            text(mapping(milestone, "an issue's milestone")["title"], "a milestone's title")
            if milestone
            else None
        ),
        url=text(data["web_url"], "an issue's web_url"),
        updated_at=timestamp(text(data["updated_at"], "an issue's updated_at")),
        comments=int(data.get("user_notes_count") or 0),
        author=str((data.get("author") or {}).get("username") or ""),
        created_at=timestamp(data["created_at"]) if data.get("created_at") else None,
    )
