"""What a token may do on GitLab, for `phasesync doctor` (and `trusted_authors`), as a
mixin of `GitLabForge`: its user, its role and scopes, and the rate limit left.
"""

from __future__ import annotations

from datetime import UTC, datetime

from syncer.errors import ForgeError
from syncer.forges.base import Access, RateBudget
from syncer.forges.gitlab_host import GitLabHost
from syncer.forges.gitlab_session import PER_PAGE

# GitLab's access levels (`Gitlab::Access`), for `doctor`.
GUEST, REPORTER, DEVELOPER = 10, 20, 30
ROLES = {
    5: "Minimal access", 10: "Guest", 15: "Planner", 20: "Reporter",
    30: "Developer", 40: "Maintainer", 50: "Owner",
}  # fmt: skip


class GitLabAccess(GitLabHost):
    """`GitLabForge`'s `doctor` methods: its requests and errors are `GitLabForge`'s own."""

    # --- what the token may do (`phasesync doctor`) ----------------------------------------

    def trusted_authors(self, candidates: frozenset[str]) -> frozenset[str]:
        """The token's user and the project's members of the Developer role or more
        (`members/all`, inherited members included), among `candidates`; read once per
        adapter, and only when asked."""
        if self._writers is None:
            with self._guard("list the project's members"):
                user = self._gl.http_get("/user")
                members = self._project.members_all.list(iterator=True, per_page=PER_PAGE)
                writers = {
                    str(m.attributes.get("username"))
                    for m in members
                    if int(m.attributes.get("access_level") or 0) >= DEVELOPER
                }
            if isinstance(user, dict) and user.get("username"):
                writers.add(str(user["username"]))
            self._writers = frozenset(writers)
        return candidates & self._writers

    def whoami(self) -> str:
        """The user name the token belongs to (GET /user; `AuthError` when refused)."""
        with self._guard("read the token's user"):
            data = self._gl.http_get("/user")
        return str(data.get("username") or "?") if isinstance(data, dict) else "?"

    def access(self) -> Access:
        """The token's role on the project (its `permissions`, GET /projects/:id) and its
        scopes (GET /personal_access_tokens/self, which only personal, project and group
        access tokens may ask: for others the scopes stay unknown).

        Creating issues takes the `api` scope and the Guest role; labels and milestones the
        Reporter role.
        """
        project_id: str | int = int(self.repo) if self.repo.isdigit() else self.repo
        with self._guard("read project"):
            attributes = self._gl.projects.get(project_id).attributes
        scopes: tuple[str, ...] | None
        try:
            with self._guard("read the token's scopes"):
                token = self._gl.http_get("/personal_access_tokens/self")
            raw = token.get("scopes") if isinstance(token, dict) else None
            scopes = tuple(str(s) for s in raw) if isinstance(raw, list) else None
        except ForgeError:
            scopes = None
        api = scopes is None or "api" in scopes
        permissions = attributes.get("permissions")
        levels = [
            int(entry["access_level"])
            for entry in (permissions or {}).values()
            if isinstance(entry, dict) and isinstance(entry.get("access_level"), int)
        ]
        if not levels:
            return Access("not reported", api, api, api, scopes, known=False)
        level = max(levels)
        return Access(
            role=ROLES.get(level, f"access level {level}"),
            issues=api and level >= GUEST,
            labels=api and level >= REPORTER,
            milestones=api and level >= REPORTER,
            scopes=scopes,
        )

    def rate_budget(self) -> RateBudget | None:
        """What the `RateLimit-*` headers of an answer say (GitLab.com sends them); None
        when the instance sends none."""
        with self._guard("read the rate limit"):
            response = self._gl.http_request("get", "/user")
        remaining = response.headers.get("RateLimit-Remaining", "").strip()
        limit = response.headers.get("RateLimit-Limit", "").strip()
        if not remaining.isdigit() or not limit.isdigit():
            return None
        reset = response.headers.get("RateLimit-Reset", "").strip()
        when = datetime.fromtimestamp(int(reset), UTC) if reset.isdigit() else None
        return RateBudget(int(remaining), int(limit), when)
