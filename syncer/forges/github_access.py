"""What a token may do on GitHub, for `phasesync doctor` (and `trusted_authors`), as a
mixin of `GitHubForge`: its user, its role and scopes, and the rate limit left.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import TypeVar

from syncer.errors import NotFound, PermissionDenied
from syncer.forges.base import Access, RateBudget
from syncer.forges.github_host import GitHubHost

ACTIONS_BOT = "github-actions[bot]"  # who an Actions token's writes are made by

T = TypeVar("T")


class GitHubAccess(GitHubHost):
    """`GitHubForge`'s `doctor` methods: its requests are `GitHubForge`'s own."""

    # --- what the token may do (`phasesync doctor`) ----------------------------------------

    def trusted_authors(self, candidates: frozenset[str]) -> frozenset[str]:
        """The token's own user among `candidates`: everyone else with write access is
        marked by the listing's `author_association` already. Read once, when asked."""
        if self._token_user is None:
            self._token_user = self._token_login() or ""
        return frozenset(c for c in candidates if c and c == self._token_user)

    def whoami(self) -> str:
        """The login the token belongs to (GET /user; raises `AuthError` when it is refused)."""
        return self._token_login() or "an Actions or GitHub App token"

    def _token_login(self) -> str | None:
        """The token's login (GET /user). An Actions or GitHub App token has no user: GitHub
        answers 403 "Resource not accessible by integration", which still proves the token
        valid; inside GitHub Actions such a token writes as `github-actions[bot]`."""
        try:
            _, data = self._run(
                "read the token's user", lambda: self._requester.requestJsonAndCheck("GET", "/user")
            )
        except PermissionDenied:
            return ACTIONS_BOT if os.environ.get("GITHUB_ACTIONS") == "true" else None
        login = data.get("login") if isinstance(data, dict) else None
        return str(login) if login else None

    def access(self) -> Access:
        """The repository's `permissions` for this token (GET /repos/{owner}/{name}).

        A classic token also says its scopes (`X-OAuth-Scopes`): without `repo` or
        `public_repo` it cannot write whatever the user's role. Actions and app tokens get
        no `permissions` at all: `known` is then False.
        """
        headers, data = self._run(
            "read repository", lambda: self._requester.requestJsonAndCheck("GET", self._repo.url)
        )
        lower = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
        scopes: tuple[str, ...] | None = None
        if "x-oauth-scopes" in lower:
            scopes = tuple(s.strip() for s in lower["x-oauth-scopes"].split(",") if s.strip())
        scoped = scopes is None or bool({"repo", "public_repo"} & set(scopes))
        perms = data.get("permissions") if isinstance(data, dict) else None
        if not isinstance(perms, dict):
            return Access("not reported", scoped, scoped, scoped, scopes, known=False)
        role = next(
            (name for name in ("admin", "maintain", "push", "triage", "pull") if perms.get(name)),
            "none",
        )
        write = scoped and role in ("admin", "maintain", "push")
        triage = scoped and (write or role == "triage")
        role = "write" if role == "push" else "read" if role == "pull" else role
        return Access(role, issues=triage, labels=write, milestones=write, scopes=scopes)

    def rate_budget(self) -> RateBudget | None:
        """The core rate limit left (GET /rate_limit, which costs nothing); None when the
        server has rate limiting turned off (GitHub Enterprise answers 404)."""
        try:
            _, data = self._run(
                "read the rate limit",
                lambda: self._requester.requestJsonAndCheck("GET", "/rate_limit"),
            )
        except NotFound:
            return None
        if not isinstance(data, dict):
            return None
        core = (data.get("resources") or {}).get("core") or data.get("rate") or {}
        if not isinstance(core, dict) or "remaining" not in core:
            return None
        reset = core.get("reset")
        return RateBudget(
            remaining=int(core["remaining"]),
            limit=int(core.get("limit") or 0),
            reset=datetime.fromtimestamp(int(reset), UTC) if reset else None,
        )
