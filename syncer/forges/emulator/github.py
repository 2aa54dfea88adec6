"""A stateful GitHub REST emulator: the endpoints phasesync (through PyGithub) uses.

It answers as api.github.com does, as far as phasesync can tell: status codes, error bodies,
pagination `Link` headers, rate-limit headers, Pacific-time milestone dates, pull requests
in the issues listing. Its JSON validates against GitHub's published schemas.

    emu = GitHubEmulator("octo/plan", tokens={"tok": "write", "ro": "read"})
    with responses.RequestsMock() as rsps:
        mount(emu, rsps, "https://api.github.com")
        ...

Test helpers (`close_issue`, `set_title`, `add_issue`, `issue`, ...) act "on the forge"
directly: they are not HTTP requests and are not logged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from syncer.forges.emulator.core import EmulatorBase, Reply, Request
from syncer.forges.emulator.github_context import Answer, Context
from syncer.forges.emulator.github_model import Issue, Label, Repo, User, error
from syncer.forges.emulator.github_projects import Boards
from syncer.forges.emulator.github_routes import ROUTES
from syncer.forges.emulator.revision import Revision

PERMISSIONS = ("read", "triage", "write", "maintain", "admin")
SECONDARY_LIMIT_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID."
)
SECONDARY_LIMIT_DOC = (
    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
)


class GitHubEmulator(EmulatorBase):
    """In-memory GitHub. `tokens` maps each accepted token to its permission (`read`,
    `write`, ...); with `tokens=None` every request, even anonymous, may write (the demo)."""

    def __init__(
        self,
        *repos: str,
        tokens: Mapping[str, str] | None = None,
        login: str = "phasesync-bot",
        web_url: str = "https://github.com",
        api_url: str = "https://api.github.com",
        rate_limit: int = 5000,
        content_limits: tuple[tuple[int, float], ...] = (),
    ) -> None:
        super().__init__()
        self.tokens = dict(tokens) if tokens is not None else None
        for level in (self.tokens or {}).values():
            if level not in PERMISSIONS:
                raise ValueError(f"unknown permission {level!r}; use one of {PERMISSIONS}")
        self.web_url = web_url.rstrip("/")
        self.api_url = api_url.rstrip("/")  # for the URLs in what test helpers return
        self.user = User(1, login)
        self._users: dict[str, User] = {}  # other people, by lower-case login
        self.repos: dict[str, Repo] = {}
        self.rate_limit = rate_limit
        self.remaining = rate_limit
        # GitHub's content-creation limit, when set (the realistic mode): at most `count`
        # writes in any `window` seconds of server time, each (count, window); beyond it a
        # secondary rate limit answer, counted in `secondary_hits`.
        self.content_limits = content_limits
        self.secondary_hits = 0
        self._writes_at: list[float] = []
        self.primary_limit_status = 403
        self._reset_at = self.now().timestamp() + 3600
        self._ids = 1000
        self.boards = Boards()  # Projects (v2), reached by `POST /graphql` (`github_graphql`)
        # The last issue listing's query, `Revision` and selection; the milestone counts
        # at a `Revision` (`github_routes.list_issues`, `Context.counts`).
        self.listing: tuple[Any, list[Issue]] | None = None
        self.counts_at: tuple[tuple[int, int], dict[int, tuple[int, int]]] | None = None
        for full_name in repos:
            self.add_repo(full_name)

    # --- setup helpers (not HTTP, not logged) ---------------------------------------------

    def next_id(self) -> int:
        with self.lock:
            self._ids += 1
            return self._ids

    def stamp(self) -> datetime:
        """A timestamp for a change: the server clock to the second, as GitHub shows it."""
        return self.now().replace(microsecond=0)

    def add_repo(self, full_name: str) -> None:
        owner, _, name = full_name.partition("/")
        if not owner or not name or "/" in name:
            raise ValueError(f"repository must be owner/name, not {full_name!r}")
        with self.lock:
            owner_user = self.user if owner == self.user.login else User(self.next_id(), owner)
            repo = self.repos.setdefault(full_name.lower(), Repo(self.next_id(), owner_user, name))
            Revision.bump()
            # The token's user may write to every repository it is given: a collaborator.
            repo.collaborators.add(self.user.login)

    def add_collaborator(self, login: str, *, repo: str | None = None) -> None:
        """Give `login` write access to a repository (its issues then say COLLABORATOR)."""
        with self.lock:
            self.repo(repo).collaborators.add(login)

    def _someone(self, login: str | None) -> User:
        if login is None or login == self.user.login:
            return self.user
        with self.lock:
            return self._users.setdefault(login.lower(), User(self.next_id(), login))

    def repo(self, full_name: str | None = None) -> Repo:
        """A repository by name; the first one added when `full_name` is None."""
        if full_name is None:
            return next(iter(self.repos.values()))
        return self.repos[full_name.lower()]

    def add_issue(
        self,
        title: str,
        body: str | None = None,
        *,
        labels: tuple[str, ...] = (),
        repo: str | None = None,
        pull_request: bool = False,
        author: str | None = None,
    ) -> int:
        """Create an issue (or a pull request) as if someone had (`author`, a login; the
        token's user by default); returns its number."""
        user = self._someone(author)
        with self.lock:
            r = self.repo(repo)
            now = self.stamp()
            issue = Issue(
                self.next_id(), r.next_issue_number(), title, body, user, now, now,
                is_pull_request=pull_request,
            )  # fmt: skip
            for name in labels:
                issue.label_ids.append(self.ensure_label(r, name).id)
            r.issues[issue.number] = issue
            return issue.number

    def add_pull_request(self, title: str, *, repo: str | None = None) -> int:
        """A pull request: it shares the issues' numbers and shows in the issues listing."""
        return self.add_issue(title, repo=repo, pull_request=True)

    def ensure_label(self, r: Repo, name: str) -> Label:
        existing = r.label_named(name)
        if existing is not None:
            return existing
        # GitHub creates a label named on an issue that does not exist yet, in grey.
        label = Label(self.next_id(), name, "ededed")
        r.labels[label.id] = label
        return label

    def _edit(self, n: int, repo: str | None, change: Callable[[Issue], None]) -> None:
        with self.lock:
            issue = self.repo(repo).issues[n]
            change(issue)
            issue.updated_at = self.stamp()

    def close_issue(self, n: int, reason: str = "completed", *, repo: str | None = None) -> None:
        def close(i: Issue) -> None:
            i.state, i.state_reason, i.closed_at = "closed", reason, self.stamp()

        self._edit(n, repo, close)

    def reopen_issue(self, n: int, *, repo: str | None = None) -> None:
        def reopen(i: Issue) -> None:
            i.state, i.state_reason, i.closed_at = "open", "reopened", None

        self._edit(n, repo, reopen)

    def set_title(self, n: int, title: str, *, repo: str | None = None) -> None:
        def retitle(i: Issue) -> None:
            i.title = title

        self._edit(n, repo, retitle)

    def set_body(self, n: int, body: str, *, repo: str | None = None) -> None:
        def rebody(i: Issue) -> None:
            i.body = body

        self._edit(n, repo, rebody)

    def remove_sub_issue(self, parent: int, child: int, *, repo: str | None = None) -> None:
        """A person takes sub-issue `child` off `parent` on github.com. Neither issue's
        `updated_at` moves (an incremental listing does not show it)."""
        with self.lock:
            issues = self.repo(repo).issues
            issues[parent].sub_issues.remove(child)
            issues[child].parent = None
            Revision.bump()

    def sub_issues(self, parent: int, *, repo: str | None = None) -> list[int]:
        """The numbers of `parent`'s sub-issues, in order."""
        with self.lock:
            return list(self.repo(repo).issues[parent].sub_issues)

    def remove_blocked_by(self, blocked: int, blocking: int, *, repo: str | None = None) -> None:
        """A person removes the dependency "`blocked` is blocked by `blocking`" on github.com
        (neither issue's `updated_at` moves)."""
        with self.lock:
            issues = self.repo(repo).issues
            issues[blocked].blocked_by.remove(blocking)
            issues[blocking].blocking.remove(blocked)

    def add_blocked_by(self, blocked: int, blocking: int, *, repo: str | None = None) -> None:
        """A person marks `blocked` as blocked by `blocking` on github.com."""
        with self.lock:
            issues = self.repo(repo).issues
            issues[blocked].blocked_by.append(blocking)
            issues[blocking].blocking.append(blocked)

    def blocked_by(self, n: int, *, repo: str | None = None) -> list[int]:
        """The numbers of the issues blocking issue `n`, in order."""
        with self.lock:
            return list(self.repo(repo).issues[n].blocked_by)

    def transfer_issue(self, n: int, to: str | None = None, *, repo: str | None = None) -> int:
        """Transfer issue `n` to repository `to` (default: `<owner>/elsewhere`, added when
        missing), as someone would on github.com; returns its number there. The old number
        then answers 301 to the new place, and the issue leaves the old listing."""
        with self.lock:
            source = self.repo(repo)
            target_name = to or f"{source.owner.login}/elsewhere"
            self.add_repo(target_name)
            target = self.repo(target_name)
            issue = source.issues.pop(n)
            issue.number = target.next_issue_number()
            issue.milestone, issue.label_ids = None, []  # the target has neither
            issue.updated_at = self.stamp()
            target.issues[issue.number] = issue
            source.gone[n] = f"/repositories/{target.id}/issues/{issue.number}"
            return issue.number

    def delete_issue(self, n: int, *, repo: str | None = None) -> None:
        """Delete issue `n` (an admin's action on github.com): it answers 410 from now on
        and leaves every listing."""
        with self.lock:
            source = self.repo(repo)
            del source.issues[n]
            source.gone[n] = None
            Revision.bump()

    # --- views (the JSON the API would answer) --------------------------------------------

    def issue(self, n: int, *, repo: str | None = None) -> dict[str, Any]:
        with self.lock:
            r = self.repo(repo)
            return r.issue_json(r.issues[n], self.api_url, self.web_url)

    def issues(self, *, repo: str | None = None) -> list[dict[str, Any]]:
        """Every issue (not pull request), by number."""
        with self.lock:
            r = self.repo(repo)
            return [
                r.issue_json(i, self.api_url, self.web_url)
                for _, i in sorted(r.issues.items())
                if not i.is_pull_request
            ]

    def labels(self, *, repo: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            r = self.repo(repo)
            return [x.json(r.api(self.api_url)) for x in r.labels.values()]

    def milestones(self, *, repo: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            r = self.repo(repo)
            return [
                r.milestone_json(m, self.api_url, self.web_url)
                for _, m in sorted(r.milestones.items())
            ]

    # --- rate limits ----------------------------------------------------------------------

    def exhaust_rate_limit(self, reset_in: float = 60, *, status: int = 403) -> None:
        """Spend the primary budget: requests fail with `status` until `reset_in` seconds
        of server time have passed (`advance()` the clock to get there)."""
        with self.lock:
            self.remaining = 0
            self._reset_at = self.now().timestamp() + reset_in
            self.primary_limit_status = status

    def secondary_limit(
        self,
        n: int = 1,
        *,
        retry_after: int | None = 60,
        status: int = 403,
        method: str | None = None,
        path_regex: str | None = None,
    ) -> None:
        """Answer the next `n` matching requests with a secondary rate limit."""
        headers = self.rate_headers()
        if retry_after is not None:
            headers["retry-after"] = str(retry_after)
        body = {"message": SECONDARY_LIMIT_MESSAGE, "documentation_url": SECONDARY_LIMIT_DOC}
        self.fail_next(
            n, method=method, path_regex=path_regex, status=status, headers=headers, body=body
        )

    def rate_headers(self) -> dict[str, str]:
        with self.lock:
            return {
                "x-ratelimit-limit": str(self.rate_limit),
                "x-ratelimit-remaining": str(self.remaining),
                "x-ratelimit-reset": str(int(self._reset_at)),
                "x-ratelimit-used": str(self.rate_limit - self.remaining),
                "x-ratelimit-resource": "core",
            }

    def rate_json(self) -> dict[str, Any]:
        core = {
            "limit": self.rate_limit,
            "remaining": self.remaining,
            "reset": int(self._reset_at),
            "used": self.rate_limit - self.remaining,
            "resource": "core",
        }
        return {"resources": {"core": core}, "rate": core}

    def _create_content(self) -> Reply | None:
        """Count one content-generating request; a secondary limit answer past the ceiling."""
        now = self.now().timestamp()
        horizon = max(window for _, window in self.content_limits)
        self._writes_at = [t for t in self._writes_at if t > now - horizon]
        for count, window in self.content_limits:
            if sum(1 for t in self._writes_at if t > now - window) >= count:
                self.secondary_hits += 1
                body = {
                    "message": SECONDARY_LIMIT_MESSAGE,
                    "documentation_url": SECONDARY_LIMIT_DOC,
                }
                return Reply(403, body, {"retry-after": "60"})
        self._writes_at.append(now)
        return None

    def _spend(self) -> Reply | None:
        """Count one request against the primary budget; the error when it is spent."""
        if self.now().timestamp() >= self._reset_at:
            self.remaining = self.rate_limit
            self._reset_at = self.now().timestamp() + 3600
        if self.remaining <= 0:
            message = f"API rate limit exceeded for user ID {self.user.id}."
            doc = "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"
            return Reply(self.primary_limit_status, error(message, self.primary_limit_status, doc))
        self.remaining -= 1
        return None

    # --- routing --------------------------------------------------------------------------

    def _permission(self, request: Request) -> str | Reply:
        if self.tokens is None:
            return "admin"
        auth = request.header("authorization") or ""
        scheme, _, token = auth.partition(" ")
        level = self.tokens.get(token.strip()) if scheme.lower() in ("token", "bearer") else None
        if level is None:
            return Reply(401, error("Bad credentials", 401))
        return level

    def route(self, request: Request) -> Reply:
        try:
            reply = self._route(request)
        finally:
            if request.method not in ("GET", "HEAD"):
                Revision.bump()  # labels, milestones, comments: a listing sees them
        return reply.with_headers(self.rate_headers())

    def _route(self, request: Request) -> Reply:
        level = self._permission(request)
        if isinstance(level, Reply):
            return level
        if request.path != "/rate_limit":
            limited = self._spend()
            if limited is not None and request.path.rstrip("/") == "/graphql":
                # GraphQL says it with HTTP 200 and an error of type RATE_LIMITED.
                message = limited.body.get("message") if isinstance(limited.body, dict) else ""
                return Reply(200, {"errors": [{"type": "RATE_LIMITED", "message": message}]})
            if limited is not None:
                return limited
        if request.is_write and self.content_limits:
            limited = self._create_content()
            if limited is not None:
                return limited
        if request.method == "POST" and request.path.rstrip("/") == "/graphql":
            from syncer.forges.emulator import github_graphql  # graphql-core, only when asked

            return github_graphql.handle(self, request, level, self.web_url)
        for method, pattern, handler in ROUTES:
            match = pattern.fullmatch(request.path.rstrip("/") or "/")
            if match is None or method != request.method:
                continue
            ctx = Context(self, request, level, base=request.base_url or self.api_url)
            groups = {k: unquote(v) for k, v in match.groupdict().items()}
            try:
                if "owner" in groups:
                    ctx.repo = self._find_repo(groups.pop("owner"), groups.pop("repo"))
                elif "repo_id" in groups:
                    ctx.repo = self._repo_by_id(int(groups.pop("repo_id")))
                if request.is_write and PERMISSIONS.index(level) < PERMISSIONS.index("write"):
                    raise Answer(
                        403, error("Resource not accessible by personal access token", 403)
                    )
                return handler(ctx, **groups)
            except Answer as answer:
                return answer.reply
        return Reply(404, error("Not Found", 404))

    def _repo_by_id(self, repo_id: int) -> Repo:
        repo = next((r for r in self.repos.values() if r.id == repo_id), None)
        if repo is None:
            raise Answer(404, error("Not Found", 404))
        return repo

    def _find_repo(self, owner: str, name: str) -> Repo:
        repo = self.repos.get(f"{owner}/{name}".lower())
        if repo is None:
            raise Answer(404, error("Not Found", 404))
        return repo
