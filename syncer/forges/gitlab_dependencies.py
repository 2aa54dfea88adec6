"""The "blocked by" methods of `GitLabForge` (`syncer.sync.dependencies_run.Blocking`), as
a mixin: GitLab issue links made from the blocked issue, `is_blocked_by` on Premium and
`relates_to` on Free (which has no blocking links), as the lock's record says (`via`).
"""

from __future__ import annotations

from syncer.forges.gitlab_links import GitLabLinks


class GitLabDependencies(GitLabLinks):
    """`GitLabForge`'s blocking links: its requests and errors are `GitLabForge`'s own."""

    def add_blocked_by(self, blocked: int, blocking: int, via: str) -> bool:
        """A link from the blocked issue, of type `via`; False when it was there already."""
        return self._make_link(blocked, blocking, via, f"mark #{blocked} blocked by #{blocking}")

    def remove_blocked_by(self, blocked: int, blocking: int, via: str) -> None:
        op = f"remove #{blocking} from the issues blocking #{blocked}"
        self._drop_link(blocked, blocking, via, op)

    def blockers(self, blocked: int, via: str) -> tuple[int, ...]:
        return tuple(iid for iid, _ in self._typed(blocked, via))
