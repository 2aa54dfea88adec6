"""Forge adapters, loaded when used: a run against GitLab never imports PyGithub."""

from __future__ import annotations

import time
from collections.abc import Callable

from syncer.forges.base import Forge, WaitReporter


def open_forge(
    kind: str,
    repo: str,
    token: str | None,
    base_url: str | None = None,
    *,
    max_wait: float = 900.0,
    on_wait: WaitReporter | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Forge:
    """The adapter for `kind` (`github` or `gitlab`) on one repository or project."""
    if kind == "github":
        from syncer.forges.github import GitHubForge

        return GitHubForge(repo, token, base_url, max_wait=max_wait, on_wait=on_wait, sleep=sleep)
    if kind == "gitlab":
        from syncer.forges.gitlab import GitLabForge

        return GitLabForge(repo, token, base_url, max_wait=max_wait, on_wait=on_wait, sleep=sleep)
    raise ValueError(f"unknown forge {kind!r}")
