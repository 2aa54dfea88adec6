"""The "blocked by" methods of `GitLabForge` (`syncer.sync.dependencies_run.Blocking`), as
a mixin: GitLab issue links made from the blocked issue, `is_blocked_by` on Premium and
`relates_to` on Free (which has no blocking links), as the lock's record says (`via`).
"""

from __future__ import annotations

from syncer.errors import ValidationFailed
from syncer.forges.gitlab_host import GitLabHost


class GitLabDependencies(GitLabHost):
    """`GitLabForge`'s blocking links: its requests and errors are `GitLabForge`'s own."""

    def add_blocked_by(self, blocked: int, blocking: int, via: str) -> bool:
        """POST /projects/:id/issues/:blocked/links with `link_type` `via`. Twice is
        harmless: GitLab answers 409 "already assigned" (one link per pair of issues),
        read as made."""
        data = {
            "target_project_id": int(self.repo) if self.repo.isdigit() else self.repo,
            "target_issue_iid": blocking,
            "link_type": via,
        }
        try:
            with self._guard(f"mark #{blocked} blocked by #{blocking}", post=True, repeatable=True):
                self._project.issues.get(blocked, lazy=True).links.create(data)
        except ValidationFailed as exc:
            if exc.status == 409:
                return False
            raise
        return True

    def remove_blocked_by(self, blocked: int, blocking: int, via: str) -> None:
        link = next((lid for iid, lid in self._typed(blocked, via) if iid == blocking), None)
        if link is None:
            return  # not there: what was wanted
        with self._guard(f"remove #{blocking} from the issues blocking #{blocked}"):
            self._project.issues.get(blocked, lazy=True).links.delete(link)

    def blockers(self, blocked: int, via: str) -> tuple[int, ...]:
        return tuple(iid for iid, _ in self._typed(blocked, via))

    def _typed(self, issue: int, via: str) -> list[tuple[int, int]]:
        """(iid, issue_link_id) of this project's issues linked to `issue` by a `via` link
        as seen from it (`blocks` made from the other side reads `is_blocked_by` here)."""
        with self._guard(f"list the links of #{issue}"):
            links = self._project.issues.get(issue, lazy=True).links.list(get_all=True)
        own = self._project.get_id()
        out: list[tuple[int, int]] = []
        for link in links:
            attrs = link.attributes
            full = str((attrs.get("references") or {}).get("full") or "")
            here = (
                attrs.get("project_id") == own
                if isinstance(own, int)
                else full.rsplit("#", 1)[0] == self.repo
            )
            if here and attrs.get("link_type", "relates_to") == via:
                out.append((int(attrs["iid"]), int(attrs["issue_link_id"])))
        return out
