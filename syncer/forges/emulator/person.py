"""Acting as a person on a running emulator (or any forge): close, reopen, edit, comment.

`phasesync emulator close 3` and its siblings go through the real clients (PyGithub,
python-gitlab) over HTTP to the served emulator, with the token it printed, exactly as a
person's browser or script would reach the forge: phasesync then sees the change in its
next pull or sync.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Action = Literal["close", "reopen", "edit", "comment"]


@dataclass(frozen=True, slots=True)
class Target:
    """Which forge to act on, as the `PHASESYNC_*` variables the emulator printed say."""

    forge: str
    base_url: str
    token: str
    repo: str


@dataclass(frozen=True, slots=True)
class Change:
    action: Action
    number: int
    title: str | None = None
    body: str | None = None


def act(target: Target, change: Change) -> str:
    """Make `change` on the forge; returns the issue's web URL. Raises the client's errors."""
    if target.forge == "github":
        return _github(target, change)
    if target.forge == "gitlab":
        return _gitlab(target, change)
    raise ValueError(f"unknown forge {target.forge!r}; use github or gitlab")


def _github(target: Target, change: Change) -> str:
    from github import Auth, Github

    client = Github(auth=Auth.Token(target.token), base_url=target.base_url, retry=None)
    try:
        issue = client.get_repo(target.repo, lazy=True).get_issue(change.number)
        if change.action == "close":
            issue.edit(state="closed", state_reason="completed")
        elif change.action == "reopen":
            issue.edit(state="open")
        elif change.action == "edit":
            fields: dict[str, Any] = {}
            if change.title is not None:
                fields["title"] = change.title
            if change.body is not None:
                fields["body"] = change.body
            issue.edit(**fields)
        else:
            issue.create_comment(change.body or "")
        return str(issue.html_url)
    finally:
        client.close()


def _gitlab(target: Target, change: Change) -> str:
    import gitlab

    client = gitlab.Gitlab(
        target.base_url, private_token=target.token, retry_transient_errors=False
    )
    project = client.projects.get(target.repo, lazy=True)
    data: dict[str, Any] = {}
    if change.action == "close":
        data["state_event"] = "close"
    elif change.action == "reopen":
        data["state_event"] = "reopen"
    elif change.action == "edit":
        if change.title is not None:
            data["title"] = change.title
        if change.body is not None:
            data["description"] = change.body
    if change.action == "comment":
        project.issues.get(change.number, lazy=True).notes.create({"body": change.body or ""})
        attributes = project.issues.get(change.number).attributes
    else:
        attributes = project.issues.update(change.number, data)
    return str(attributes.get("web_url", ""))
