"""An in-memory GitLab that answers the v4 REST API the way gitlab.com does.

It covers what phasesync (through python-gitlab) and a later `doctor` send: projects by
numeric id or URL-encoded full path, issues by `iid`, labels, project milestones (and the
milestones of the project's groups, with `include_ancestors`), notes,
`/user` and `/personal_access_tokens/self`. Answers follow GitLab's own code: offset
pagination headers as `Gitlab::Pagination::OffsetHeaderBuilder` writes them, `per_page`
capped at 100, 401/403/404 bodies, `409 Label already exists`, the milestone uniqueness
message of `Timebox#uniqueness_of_title`, and Rack::Attack's `429 Retry later`.

Mount it at the host root (`mount(emu, rsps, "https://gitlab.example.com")` or `serve(emu)`):
it routes `/api/v4/...` itself and builds web URLs (`{base}/{path}/-/issues/{iid}`) from the
address the client used.

The helpers `close_issue`, `reopen_issue`, `set_title`, `add_issue`, ... act "on the forge"
(as a person in the web UI would): no HTTP, nothing logged.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from email.utils import format_datetime
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qs, unquote, urlencode

from syncer.forges.emulator.core import EmulatorBase, Reply, Request
from syncer.forges.emulator.gitlab_links import Links, Tier
from syncer.forges.emulator.gitlab_state import (
    EMULATOR_USER,
    GLIssue,
    GLLabel,
    GLMilestone,
    GLProject,
    iso,
    label_json,
    member_json,
    milestone_json,
    note_json,
    project_json,
)
from syncer.forges.emulator.gitlab_state import (
    issue_json as p_json,
)
from syncer.forges.emulator.gitlab_store import ApiError, GitLabStore, error, message
from syncer.forges.emulator.revision import Revision

Access = Literal["read", "write"]
T = TypeVar("T")

DEFAULT_PROJECT = "group/project"
API = "/api/v4/"
MAX_PER_PAGE = 100  # Kaminari's max_per_page in GitLab
DEFAULT_PER_PAGE = 20


class GitLabEmulator(EmulatorBase):
    """In-memory GitLab with `projects` (full paths; `group/project` when none are given).

    `tokens` maps each accepted token to `read` or `write`; with `tokens=None` every
    request, even anonymous, may write (the demo). Project ids count up from
    `first_project_id`; issue, label, milestone and note ids are instance-wide.
    """

    def __init__(
        self,
        *projects: str,
        tokens: Mapping[str, Access] | None = None,
        first_project_id: int = 4242,
    ) -> None:
        super().__init__()
        self.tokens: dict[str, Access] | None = dict(tokens) if tokens is not None else None
        self.store = GitLabStore(self.now, first_project_id)
        self.links = Links(self.store)
        # The licence: Premium shows issue weights and allows `blocks` links.
        self.tier: Tier = "free"
        self._throttle: list[list[Any]] = []  # [remaining, retry_after, method or None]
        # The last issue listing's (project, `Revision`, query) and selection: the pages of
        # one listing are cut from one selection while nothing changes (`revision`).
        self.listing: tuple[Any, list[GLIssue]] | None = None
        for path in projects or (DEFAULT_PROJECT,):
            self.add_project(path)

    # --- set-up and "on the forge" helpers (not HTTP, not logged) -------------------------

    def add_project(self, path: str) -> int:
        with self.lock:
            return self.store.add_project(path).id

    def project(self, ref: str | int | None = None) -> GLProject:
        """The project with id or path `ref`, or the first one (the live record)."""
        with self.lock:
            if ref is None:
                found = next(iter(self.store.projects.values()), None)
            else:
                found = self.store.find_project(str(ref))
            if found is None:
                raise KeyError(ref)
            return found

    def throttle(self, n: int = 1, *, retry_after: int = 60, method: str | None = None) -> None:
        """Answer the next `n` requests (of `method`, if given) with 429 `Retry later`."""
        with self.lock:
            self._throttle.append([n, retry_after, method.upper() if method else None])

    def add_issue(
        self,
        title: str,
        description: str = "",
        *,
        labels: Iterable[str] = (),
        milestone_id: int | None = None,
        state: Literal["opened", "closed"] = "opened",
        project: str | int | None = None,
        author: str | None = None,
    ) -> int:
        """An issue opened by `author` (a username; the token's user by default)."""
        with self.lock:
            proj = self.project(project)
            issue = self.store.new_issue(
                proj, title, description, list(labels), milestone_id, author
            )
            if state == "closed":
                issue.state, issue.closed_at = "closed", issue.updated_at
            return issue.iid

    def add_member(
        self, username: str, access_level: int = 30, project: str | int | None = None
    ) -> None:
        """Make `username` a member of the project (30: Developer; 20: Reporter ...)."""
        with self.lock:
            proj = self.project(project)
            self.store.user(username)
            self.store.members[proj.id][username] = access_level

    def add_label(
        self,
        name: str,
        color: str = "#428bca",
        description: str = "",
        project: str | int | None = None,
    ) -> None:
        with self.lock:
            proj = self.project(project)
            proj.labels[name] = GLLabel(
                self.store.new_id("label"), name, color, description or None
            )
            Revision.bump()

    def add_milestone(
        self, title: str, due: date | None = None, project: str | int | None = None
    ) -> int:
        with self.lock:
            proj = self.project(project)
            Revision.bump()  # a listing by milestone title may now select more
            return self.store.new_milestone(proj, title, None, due, None).id

    def close_issue(self, iid: int, project: str | int | None = None) -> None:
        with self.lock:
            issue = self.store.issue(self.project(project), iid)
            issue.state, issue.closed_at = "closed", self.now()
            issue.updated_at = issue.closed_at

    def reopen_issue(self, iid: int, project: str | int | None = None) -> None:
        with self.lock:
            issue = self.store.issue(self.project(project), iid)
            issue.state, issue.closed_at, issue.updated_at = "opened", None, self.now()

    def delete_issue(self, iid: int, project: str | int | None = None) -> None:
        """Delete an issue (an owner's action): 404 from now on, gone from every listing."""
        with self.lock:
            proj = self.project(project)
            del proj.issues[iid]
            proj.deleted.add(iid)
            Revision.bump()

    def move_issue(self, iid: int, to: str, project: str | int | None = None) -> int:
        """Move an issue to project `to` (added when missing), as GitLab's "Move issue"
        does: a copy is made there, and the original is closed with `moved_to_id` and stays
        listed. Returns the copy's iid."""
        with self.lock:
            source = self.store.issue(self.project(project), iid)
            if self.store.find_project(to) is None:
                self.add_project(to)
            target = self.project(to)
            copy_ = self.store.new_issue(target, source.title, source.description, [], None)
            source.state, source.closed_at = "closed", self.now()
            source.updated_at, source.moved_to_id = source.closed_at, copy_.id
            return copy_.iid

    def set_title(self, iid: int, title: str, project: str | int | None = None) -> None:
        with self.lock:
            issue = self.store.issue(self.project(project), iid)
            issue.title, issue.updated_at = title, self.now()

    def set_body(self, iid: int, body: str, project: str | int | None = None) -> None:
        """A person edits the issue's description on the forge."""
        with self.lock:
            issue = self.store.issue(self.project(project), iid)
            issue.description, issue.updated_at = body, self.now()

    def related(self, iid: int, project: str | int | None = None) -> list[int]:
        """The iids of the issues linked to issue `iid` (of the same project)."""
        with self.lock:
            proj = self.project(project)
            return [other[1] for _, other, _ in self.links.of(proj, iid) if other[0] == proj.id]

    def unlink(self, a: int, b: int, project: str | int | None = None) -> None:
        """A person removes the link between issues `a` and `b` in the web UI."""
        with self.lock:
            self.links.unlink(self.project(project), a, b)

    def issue(self, iid: int, project: str | int | None = None) -> GLIssue:
        with self.lock:
            return copy.deepcopy(self.store.issue(self.project(project), iid))

    def issues(self, project: str | int | None = None) -> list[GLIssue]:
        with self.lock:
            return [copy.deepcopy(i) for _, i in sorted(self.project(project).issues.items())]

    def labels(self, project: str | int | None = None) -> list[GLLabel]:
        with self.lock:
            return [copy.deepcopy(lb) for lb in self.project(project).labels.values()]

    def add_group_milestone(self, group: str, title: str, due: date | None = None) -> int:
        """A milestone of group `group` (a full path such as `acme`), which the issues of
        every project below it may carry; returns its global id."""
        with self.lock:
            Revision.bump()  # a listing by milestone title may now select more
            return self.store.add_group_milestone(group, title, due).id

    def milestones(self, project: str | int | None = None) -> list[GLMilestone]:
        with self.lock:
            return [copy.deepcopy(m) for m in self.project(project).milestones.values()]

    # --- HTTP -----------------------------------------------------------------------------

    def route(self, request: Request) -> Reply:
        throttled = self._throttled(request)
        if throttled is not None:
            return throttled
        if not request.path.startswith(API):
            return Reply(404, {"error": "404 Not Found"})
        try:
            access = self._authenticate(request)
            return self._dispatch(request, access, request.path[len(API) :].split("/"))
        except ApiError as fail:
            return fail.reply
        finally:
            if request.method not in ("GET", "HEAD"):
                Revision.bump()  # labels, milestones, notes: a listing sees them

    def _dispatch(self, request: Request, access: Access, parts: list[str]) -> Reply:
        method = request.method
        if parts[0] != "projects" or len(parts) < 2:
            match (method, parts):
                case ("GET", ["user"]):
                    return Reply(200, {**EMULATOR_USER, "web_url": f"{request.base_url}/bot"})
                case ("GET", ["personal_access_tokens", "self"]):
                    return Reply(200, self._token_json(request, access))
            raise error(404, "404 Not Found")
        project = self.store.find_project(unquote(parts[1]))
        if project is None:
            raise message(404, "404 Project Not Found")
        if request.is_write and access != "write":
            raise message(403, "403 Forbidden")
        web, today, rest = request.base_url, self.now().date(), parts[2:]
        visible = self.store.visible_milestones(project)
        premium = self.tier == "premium"

        def issue_json(p: GLProject, i: GLIssue) -> dict[str, Any]:
            shown = p_json(p, i, web, today, visible if p is project else None)
            # EE shows `weight` only where the licence has issue weights (Premium).
            return {**shown, "weight": None} if premium else shown

        match (method, rest):
            case ("GET", []):
                # Only the single-project answer carries `permissions`, as on GitLab. The
                # emulator's write tokens act as a Developer; read tokens (scope `read_api`)
                # as a Reporter.
                level = 30 if access == "write" else 20
                permissions = {
                    "project_access": {"access_level": level, "notification_level": 3},
                    "group_access": None,
                }
                return Reply(200, {**project_json(project, web), "permissions": permissions})
            case ("GET", ["issues"]):
                query = tuple(sorted((k, v) for k, v in request.query.items() if k != "page"))
                key = (project.id, Revision.value, query)
                if self.listing is not None and self.listing[0] == key:
                    found = self.listing[1]
                else:
                    found = self.store.list_issues(project, request)
                    self.listing = (key, found)
                return self._page(request, found, lambda i: issue_json(project, i))
            case ("POST", ["issues"]):
                issue = self.store.create_issue(project, _params(request))
                return Reply(201, issue_json(project, issue))
            case ("GET", ["issues", iid]):
                issue = self.store.issue(project, iid)
                return Reply(200, issue_json(project, issue))
            case ("PUT", ["issues", iid]):
                issue = self.store.update_issue(
                    project, self.store.issue(project, iid), _params(request)
                )
                return Reply(200, issue_json(project, issue))
            case ("GET", ["issues", iid, "links"]):
                issue = self.store.issue(project, iid)
                return Reply(200, self.links.listing(project, issue, issue_json))
            case ("POST", ["issues", iid, "links"]):
                issue = self.store.issue(project, iid)
                made = self.links.create(project, issue, _params(request), self.tier, issue_json)
                return Reply(201, made)
            case ("DELETE", ["issues", iid, "links", link_id]):
                issue = self.store.issue(project, iid)
                return Reply(200, self.links.delete(project, issue, link_id, issue_json))
            case ("GET", ["issues", iid, "notes"]):
                issue = self.store.issue(project, iid)
                return self._page(request, [note_json(project, issue, n) for n in issue.notes])
            case ("POST", ["issues", iid, "notes"]):
                issue = self.store.issue(project, iid)
                note = self.store.add_note(issue, _params(request))
                return Reply(201, note_json(project, issue, note))
            case ("GET", ["members", "all"]):
                members = sorted(self.store.members[project.id].items())
                return self._page(
                    request,
                    [member_json(self.store.user(u), level, web) for u, level in members],
                )
            case ("GET", ["labels"]):
                labels = sorted(project.labels.values(), key=lambda lb: lb.name.lower())
                return self._page(request, [label_json(lb) for lb in labels])
            case ("POST", ["labels"]):
                return Reply(201, label_json(self.store.create_label(project, _params(request))))
            case ("GET", ["labels", name]):
                # By id or by name, as GitLab's `GET /projects/:id/labels/:label_id`.
                wanted = unquote(name)
                for label in project.labels.values():
                    if label.name == wanted or str(label.id) == wanted:
                        return Reply(200, label_json(label))
                raise message(404, "404 Label Not Found")
            case ("PUT", ["labels", ref]):
                label = self.store.label(project, ref)
                return Reply(
                    200, label_json(self.store.update_label(project, label, _params(request)))
                )
            case ("DELETE", ["labels", ref]):
                self.store.delete_label(project, self.store.label(project, ref))
                return Reply(204, None)
            case ("GET", ["milestones"]):
                listed = self.store.list_milestones(project, request)
                return self._page(request, [milestone_json(project, m, web, today) for m in listed])
            case ("POST", ["milestones"]):
                milestone = self.store.create_milestone(project, _params(request))
                return Reply(201, milestone_json(project, milestone, web, today))
            case ("GET", ["milestones", mid]):
                return Reply(
                    200, milestone_json(project, self.store.milestone(project, mid), web, today)
                )
            case ("PUT", ["milestones", mid]):
                milestone = self.store.update_milestone(
                    project, self.store.milestone(project, mid), _params(request)
                )
                return Reply(200, milestone_json(project, milestone, web, today))
        raise error(404, "404 Not Found")

    # --- authentication and throttling ----------------------------------------------------

    def _authenticate(self, request: Request) -> Access:
        token = request.header("private-token") or request.header("job-token")
        bearer = request.header("authorization") or ""
        if token is None and bearer.lower().startswith("bearer "):
            token = bearer[7:].strip()
        if self.tokens is None:
            return "write"
        access = self.tokens.get(token) if token else None
        if access is None:
            raise message(401, "401 Unauthorized")
        return access

    def _token_json(self, request: Request, access: Access) -> dict[str, Any]:
        created = self.now() - timedelta(days=30)
        return {
            "id": 1,
            "name": "phasesync",
            "revoked": False,
            "created_at": iso(created),
            "scopes": ["api"] if access == "write" else ["read_api"],
            "user_id": EMULATOR_USER["id"],
            "last_used_at": iso(self.now()),
            "active": True,
            "expires_at": (created + timedelta(days=365)).date().isoformat(),
        }

    def _throttled(self, request: Request) -> Reply | None:
        self._throttle = [rule for rule in self._throttle if rule[0] > 0]
        for rule in self._throttle:
            remaining, retry_after, method = rule
            if remaining > 0 and (method is None or method == request.method):
                rule[0] -= 1
                reset = self.now() + timedelta(seconds=retry_after)
                # What Rack::Attack answers on gitlab.com: plain text, and the RateLimit-*
                # headers from `Gitlab::RackAttack` next to `Retry-After`.
                return Reply(
                    429,
                    headers={
                        "Content-Type": "text/plain",
                        "Retry-After": str(retry_after),
                        "RateLimit-Name": "throttle_authenticated_api",
                        "RateLimit-Limit": "2000",
                        "RateLimit-Observed": "2001",
                        "RateLimit-Remaining": "0",
                        "RateLimit-Reset": str(int(reset.timestamp())),
                        "RateLimit-ResetTime": format_datetime(reset, usegmt=True),
                    },
                    raw=b"Retry later\n",
                )
        return None

    # --- pagination -----------------------------------------------------------------------

    def _page(
        self, request: Request, items: list[T], render: Callable[[T], Any] | None = None
    ) -> Reply:
        """One page of `items` with the headers `OffsetHeaderBuilder` writes.

        `render` turns an item into its JSON, for the page's items only: rendering the
        whole listing for every page made a listing of N issues cost N x pages."""
        per_page = _int(request.param("per_page"), DEFAULT_PER_PAGE)
        per_page = DEFAULT_PER_PAGE if per_page < 1 else min(per_page, MAX_PER_PAGE)
        page = max(1, _int(request.param("page"), 1))
        total_pages = max(1, math.ceil(len(items) / per_page))  # "at least 1 page"
        in_range = page <= total_pages
        next_page = page + 1 if in_range and page < total_pages else None
        prev_page = page - 1 if in_range and page > 1 else None

        # Grape's `params` (the Link query) include the path's `:id` and every parameter
        # the client sent; Rails' `to_query` sorts the keys.
        query = {k: list(v) for k, v in request.query.items()}
        parts = request.path[len(API) :].split("/")
        if len(parts) > 1 and parts[0] == "projects":
            query["id"] = [unquote(parts[1])]
        query["per_page"] = [str(per_page)]

        def href(n: int) -> str:
            q = dict(query, page=[str(n)])
            return f"{request.base_url}{request.path}?{urlencode(sorted(q.items()), doseq=True)}"

        links = []
        if prev_page:
            links.append(f'<{href(prev_page)}>; rel="prev"')
        if next_page:
            links.append(f'<{href(next_page)}>; rel="next"')
        links.append(f'<{href(1)}>; rel="first"')
        links.append(f'<{href(total_pages)}>; rel="last"')
        start = (page - 1) * per_page
        headers = {
            "X-Per-Page": str(per_page),
            "X-Page": str(page),
            "X-Next-Page": str(next_page or ""),
            "X-Prev-Page": str(prev_page or ""),
            "Link": ", ".join(links),
            "X-Total": str(len(items)),
            "X-Total-Pages": str(total_pages),
        }
        chosen = items[start : start + per_page]
        return Reply(200, [render(x) for x in chosen] if render else chosen, headers)


# --- request parameters ---------------------------------------------------------------------


def _params(request: Request) -> dict[str, Any]:
    """Grape merges query parameters with a JSON or form body; the body wins."""
    params: dict[str, Any] = {k: v[-1] for k, v in request.query.items()}
    content_type = request.header("content-type") or ""
    if "json" in content_type or request.body.lstrip().startswith(b"{"):
        try:
            body = request.json()
        except ValueError:
            raise message(400, "400 Bad request - JSON parse error") from None
        if isinstance(body, dict):
            params.update(body)
    elif request.body:
        form = parse_qs(request.body.decode(), keep_blank_values=True)
        params.update(
            {k.removesuffix("[]"): v if k.endswith("[]") else v[-1] for k, v in form.items()}
        )
    return params


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
