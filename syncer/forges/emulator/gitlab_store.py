"""The GitLab emulator's model: what a project holds and how GitLab changes it.

`GitLabStore` applies the API's operations (create, update, list with filters) to the
records of `gitlab_state`, with GitLab's validation rules and error bodies, but knows
nothing of HTTP routing, tokens or pagination: `gitlab.GitLabEmulator` does that.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from syncer.forges.emulator.core import Reply, Request
from syncer.forges.emulator.gitlab_state import (
    DEFAULT_LABEL_COLOR,
    EMULATOR_USER,
    GLIssue,
    GLLabel,
    GLMilestone,
    GLNote,
    GLProject,
)

_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


class ApiError(Exception):
    """An error answer; raised anywhere below `route` and turned into the reply there."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status)
        self.reply = Reply(status, body)


def error(status: int, text: str) -> ApiError:
    """Grape's parameter errors answer `{"error": ...}`."""
    return ApiError(status, {"error": text})


MAX_TITLE = 255  # Issuable's `validates :title, length: { maximum: 255 }`


def _check_title(title: str) -> None:
    if len(title) > MAX_TITLE:
        raise message(400, {"title": [f"is too long (maximum is {MAX_TITLE} characters)"]})


def message(status: int, text: Any) -> ApiError:
    """GitLab's own helpers (`not_found!`, `forbidden!`, `conflict!`) answer `{"message": ...}`."""
    return ApiError(status, {"message": text})


DEVELOPER = 30  # `Gitlab::Access::DEVELOPER`


class GitLabStore:
    """Every project of one GitLab instance, with instance-wide ids."""

    def __init__(self, now: Callable[[], datetime], first_project_id: int) -> None:
        self.now = now
        self.projects: dict[int, GLProject] = {}
        # Group milestones by global id; each names its group (`GLMilestone.group`).
        self.group_milestones: dict[int, GLMilestone] = {}
        # Instance-wide ids start far from the per-project iids, as on any GitLab that has
        # more than one project: a client that sends `id` where `iid` belongs is caught.
        self._ids = {"issue": 170_000, "label": 0, "milestone": 5_200, "note": 0, "user": 1}
        self._ids["project"] = first_project_id - 1
        # People other than the token's user, by username; and each project's members
        # (username -> access level), the token's user a Developer of every project.
        self.users: dict[str, dict[str, Any]] = {EMULATOR_USER["username"]: EMULATOR_USER}
        self.members: dict[int, dict[str, int]] = {}

    def add_project(self, path: str) -> GLProject:
        project = GLProject(self.new_id("project"), path)
        self.projects[project.id] = project
        self.members[project.id] = {EMULATOR_USER["username"]: DEVELOPER}
        return project

    def user(self, username: str | None) -> dict[str, Any]:
        """The user record of `username` (made on first use); the token's user for None."""
        if username is None:
            return EMULATOR_USER
        if username not in self.users:
            uid = self.new_id("user")
            self.users[username] = {
                "id": uid, "username": username, "name": username, "state": "active",
                "locked": False, "avatar_url": None,
            }  # fmt: skip
        return self.users[username]

    def new_id(self, kind: str) -> int:
        self._ids[kind] += 1
        return self._ids[kind]

    def find_project(self, ref: str) -> GLProject | None:
        if ref.isdigit():
            return self.projects.get(int(ref))
        # GitLab resolves full paths case-insensitively.
        return next((p for p in self.projects.values() if p.path.lower() == ref.lower()), None)

    @staticmethod
    def ancestors(project: GLProject) -> list[str]:
        """The project's groups, nearest first: `a/b/p` -> `a/b`, `a`."""
        parts = project.namespace.split("/") if project.namespace else []
        return ["/".join(parts[:n]) for n in range(len(parts), 0, -1)]

    def add_group_milestone(self, group: str, title: str, due: date | None) -> GLMilestone:
        now = self.now()
        iid = 1 + sum(1 for m in self.group_milestones.values() if m.group == group)
        milestone = GLMilestone(
            self.new_id("milestone"), iid, title, None, due, None, "active", now, now, group
        )
        self.group_milestones[milestone.id] = milestone
        return milestone

    def group_milestones_of(self, project: GLProject) -> list[GLMilestone]:
        """Milestones of the project's groups, which its issues may carry."""
        groups = set(self.ancestors(project))
        return [m for m in self.group_milestones.values() if m.group in groups]

    def visible_milestones(self, project: GLProject) -> dict[int, GLMilestone]:
        """Every milestone an issue of `project` may carry: its own and its groups'."""
        return {**project.milestones, **{m.id: m for m in self.group_milestones_of(project)}}

    def issue(self, project: GLProject, iid: int | str) -> GLIssue:
        found = project.issues.get(int(iid)) if str(iid).isdigit() else None
        if found is None:
            raise message(404, "404 Not found")
        return found

    def milestone(self, project: GLProject, mid: str) -> GLMilestone:
        found = project.milestones.get(int(mid)) if mid.isdigit() else None
        if found is None:
            raise message(404, "404 Not found")
        return found

    def new_issue(
        self,
        project: GLProject,
        title: str,
        description: str | None,
        labels: list[str],
        milestone_id: int | None,
        author: str | None = None,
    ) -> GLIssue:
        now = self.now()
        iid = max((*project.issues, *project.deleted), default=0) + 1
        issue = GLIssue(self.new_id("issue"), iid, title, description, "opened", [], None, now, now)
        issue.author = self.user(author)
        issue.labels = self.ensure_labels(project, labels)
        visible = self.visible_milestones(project)
        issue.milestone_id = milestone_id if milestone_id in visible else None
        project.issues[iid] = issue
        return issue

    def ensure_labels(self, project: GLProject, names: list[str]) -> list[str]:
        """GitLab creates the labels an issue names but the project lacks."""
        for name in names:
            if name not in project.labels:
                project.labels[name] = GLLabel(self.new_id("label"), name, DEFAULT_LABEL_COLOR)
        return sorted(dict.fromkeys(names))  # GitLab answers label names sorted

    def list_issues(self, project: GLProject, request: Request) -> list[GLIssue]:
        found = list(project.issues.values())
        state = request.param("state", "all")
        if state in ("opened", "closed"):
            found = [i for i in found if i.state == state]
        for name, attr, keep_after in (
            ("updated_after", "updated_at", True),
            ("updated_before", "updated_at", False),
            ("created_after", "created_at", True),
            ("created_before", "created_at", False),
        ):
            bound = _timestamp(request.param(name), name)
            if bound is not None:
                found = [i for i in found if (getattr(i, attr) >= bound) == keep_after]
        if labels := request.param("labels"):
            wanted = {x.strip() for x in labels.split(",") if x.strip()}
            found = [i for i in found if wanted <= set(i.labels)]
        if (milestone := request.param("milestone")) is not None:
            ids = {m.id for m in self.visible_milestones(project).values() if m.title == milestone}
            found = [i for i in found if i.milestone_id in ids]
        if iids := request.query.get("iids[]"):
            found = [i for i in found if str(i.iid) in iids]
        if search := request.param("search"):
            needle = search.lower()
            found = [
                i
                for i in found
                if needle in i.title.lower() or needle in (i.description or "").lower()
            ]
        order_by = request.param("order_by", "created_at")
        key = "updated_at" if order_by == "updated_at" else "id"
        found.sort(key=lambda i: getattr(i, key), reverse=request.param("sort", "desc") != "asc")
        return found

    def create_issue(self, project: GLProject, params: dict[str, Any]) -> GLIssue:
        title = str(params.get("title") or "").strip()
        if not title:
            raise error(400, "title is missing")
        _check_title(title)
        return self.new_issue(
            project,
            title,
            params.get("description"),
            _labels(params.get("labels")),
            _optional_int(params.get("milestone_id"), "milestone_id"),
        )

    def update_issue(self, project: GLProject, issue: GLIssue, params: dict[str, Any]) -> GLIssue:
        known = ("title", "description", "labels", "milestone_id", "state_event")
        if not any(k in params for k in known):
            raise error(
                400, f"{', '.join(known)} are missing, at least one parameter must be provided"
            )
        before = copy.deepcopy(issue)
        if "title" in params:
            if not str(params["title"] or "").strip():
                raise error(400, "title is empty")
            _check_title(str(params["title"]).strip())
            issue.title = str(params["title"])
        if "description" in params:
            issue.description = params["description"]
        if "labels" in params:
            issue.labels = self.ensure_labels(project, _labels(params["labels"]))
        if "milestone_id" in params:
            mid = _optional_int(params["milestone_id"], "milestone_id")
            issue.milestone_id = mid if mid in self.visible_milestones(project) else None
        event = params.get("state_event")
        if event not in (None, "close", "reopen"):
            raise error(400, "state_event does not have a valid value")
        if event == "close" and issue.state == "opened":
            issue.state, issue.closed_at = "closed", self.now()
        elif event == "reopen" and issue.state == "closed":
            issue.state, issue.closed_at = "opened", None
        if issue != before:  # GitLab saves (and bumps updated_at) only on a real change
            issue.updated_at = self.now()
        return issue

    def add_note(self, issue: GLIssue, params: dict[str, Any]) -> GLNote:
        body = str(params.get("body") or "")
        if not body.strip():
            raise error(400, "body is missing")
        note = GLNote(self.new_id("note"), body, self.now())
        issue.notes.append(note)
        issue.updated_at = note.created_at  # a note touches its issue
        return note

    # --- labels and milestones ------------------------------------------------------------

    def create_label(self, project: GLProject, params: dict[str, Any]) -> GLLabel:
        name = str(params.get("name") or "").strip()
        color = str(params.get("color") or "").strip()
        if not name:
            raise error(400, "name is missing")
        if not color:
            raise error(400, "color is missing")
        if not _COLOR.fullmatch(color):
            raise message(400, {"color": ["must be a valid color code"]})
        if name in project.labels:
            raise message(409, "Label already exists")
        label = GLLabel(self.new_id("label"), name, color, params.get("description") or None)
        project.labels[name] = label
        return label

    def label(self, project: GLProject, ref: str) -> GLLabel:
        """A label by id or by name, as `/labels/:label_id` takes either."""
        for label in project.labels.values():
            if str(label.id) == ref or label.name == ref:
                return label
        raise error(404, "404 Label Not Found")

    def update_label(self, project: GLProject, label: GLLabel, params: dict[str, Any]) -> GLLabel:
        """GitLab keeps issues' labels by id: a rename shows on every issue, and does not
        touch their `updated_at`."""
        if not any(k in params for k in ("new_name", "color", "description", "priority")):
            raise error(
                400,
                "new_name, color, description, priority are missing, at least one "
                "parameter must be provided",
            )
        if "color" in params:
            color = str(params["color"] or "").strip()
            if not _COLOR.fullmatch(color):
                raise message(400, {"color": ["must be a valid color code"]})
            label.color = color
        if "description" in params:
            label.description = params["description"] or None
        new_name = params.get("new_name")
        if new_name is not None and new_name != label.name:
            new_name = str(new_name).strip()
            if not new_name:
                raise error(400, "new_name is empty")
            if new_name in project.labels:
                raise message(409, "Label already exists")
            old = label.name
            del project.labels[old]
            label.name = new_name
            project.labels[new_name] = label
            for issue in project.issues.values():
                if old in issue.labels:
                    issue.labels = sorted({*(x for x in issue.labels if x != old), new_name})
        return label

    def delete_label(self, project: GLProject, label: GLLabel) -> None:
        del project.labels[label.name]
        for issue in project.issues.values():
            if label.name in issue.labels:
                issue.labels = [x for x in issue.labels if x != label.name]

    def list_milestones(self, project: GLProject, request: Request) -> list[GLMilestone]:
        found = sorted(project.milestones.values(), key=lambda m: m.id)
        # Grape's Boolean: true, 1, t, yes, on, in any case.
        if (request.param("include_ancestors") or "").lower() in ("true", "1", "t", "yes", "on"):
            found += sorted(self.group_milestones_of(project), key=lambda m: m.id)
        if (state := request.param("state")) in ("active", "closed"):
            found = [m for m in found if m.state == state]
        if (title := request.param("title")) is not None:
            found = [m for m in found if m.title == title]
        if search := request.param("search"):
            found = [m for m in found if search.lower() in m.title.lower()]
        return found

    def new_milestone(
        self,
        project: GLProject,
        title: str,
        description: str | None,
        due: date | None,
        start: date | None,
    ) -> GLMilestone:
        now = self.now()
        iid = max((m.iid for m in project.milestones.values()), default=0) + 1
        milestone = GLMilestone(
            self.new_id("milestone"), iid, title, description, due, start, "active", now, now
        )
        project.milestones[milestone.id] = milestone
        return milestone

    def create_milestone(self, project: GLProject, params: dict[str, Any]) -> GLMilestone:
        title = str(params.get("title") or "").strip()
        if not title:
            raise error(400, "title is missing")
        if project.milestone_by_title(title) is not None:
            raise message(400, _taken("create"))
        if any(m.title == title for m in self.group_milestones_of(project)):
            # The same validation: a project milestone may not share its title with a
            # milestone of the project's groups.
            raise message(400, _taken("create"))
        milestone = self.new_milestone(
            project,
            title,
            params.get("description"),
            _date(params.get("due_date"), "due_date"),
            _date(params.get("start_date"), "start_date"),
        )
        if params.get("state_event") == "close":
            milestone.state = "closed"
        return milestone

    def update_milestone(
        self, project: GLProject, milestone: GLMilestone, params: dict[str, Any]
    ) -> GLMilestone:
        known = ("title", "description", "due_date", "start_date", "state_event")
        if not any(k in params for k in known):
            raise error(
                400, f"{', '.join(known)} are missing, at least one parameter must be provided"
            )
        event = params.get("state_event")
        if event not in (None, "close", "activate"):
            raise error(400, "state_event does not have a valid value")
        if "title" in params:
            title = str(params["title"] or "").strip()
            other = project.milestone_by_title(title)
            if other is not None and other.id != milestone.id:
                raise message(400, _taken("update"))
            milestone.title = title
        if "description" in params:
            milestone.description = params["description"]
        if "due_date" in params:
            milestone.due_date = _date(params["due_date"], "due_date")
        if "start_date" in params:
            milestone.start_date = _date(params["start_date"], "start_date")
        if event is not None:
            milestone.state = "closed" if event == "close" else "active"
        milestone.updated_at = self.now()
        return milestone


def _labels(value: Any) -> list[str]:
    """`labels` is a comma-separated string or (in a JSON body) an array of names."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else [str(v) for v in value]
    return [x.strip() for x in items if x.strip()]


def _optional_int(value: Any, name: str) -> int | None:
    if value in (None, "", 0, "0"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise error(400, f"{name} is invalid") from None


def _date(value: Any, name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise error(400, f"{name} is invalid") from None


def _timestamp(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise error(400, f"{name} is invalid") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)  # gitlab.com runs on UTC


def _taken(action: str) -> str:
    # `render_api_error!("Failed to create milestone #{milestone.errors.messages}", 400)`
    # with the error `Timebox#uniqueness_of_title` adds: a Ruby hash, inspected.
    return (
        f"Failed to {action} milestone "
        '{:title=>["already being used for another group or project milestone."]}'
    )
