"""The issue-link methods of `GitLabForge` (`syncer.forges.base.Relations`), as a mixin.

GitLab has no sub-issues on every tier: a parent and its children are `relates_to` links.
"""

from __future__ import annotations

from syncer.errors import ValidationFailed
from syncer.forges.gitlab_host import GitLabHost


class GitLabRelations(GitLabHost):
    """`GitLabForge`'s issue links: its requests and errors are `GitLabForge`'s own."""

    # --- issue links (`syncer.forges.base.Relations`) --------------------------------------

    def probe_relations(self, sample: int) -> dict[str, str]:
        """One GET of issue `sample`: GitLab shows an issue's `weight` only where the
        licence has issue weights (Premium and up), the tier that also has `blocks` links.
        `relates_to` links are on every tier."""
        with self._guard(f"read issue #{sample}"):
            data = self._project.issues.get(sample).attributes
        return {"relations": "relates_to", "tier": "premium" if "weight" in data else "free"}

    def link_child(self, parent: int, child: int) -> bool:
        """POST /projects/:id/issues/:parent/links, `relates_to`. Twice is harmless: GitLab
        answers 409 "already assigned", read as made (a retry after a lost answer)."""
        data = {
            # The project's numeric id or full path, as configured (not URL-encoded: it is a
            # value in the body, not a part of the URL).
            "target_project_id": int(self.repo) if self.repo.isdigit() else self.repo,
            "target_issue_iid": child,
            "link_type": "relates_to",
        }
        try:
            with self._guard(f"relate #{child} to #{parent}", post=True, repeatable=True):
                self._project.issues.get(parent, lazy=True).links.create(data)
        except ValidationFailed as exc:
            if exc.status == 409:
                return False
            raise
        return True

    def unlink_child(self, parent: int, child: int) -> None:
        link = next((lid for iid, lid in self._links(parent) if iid == child), None)
        if link is None:
            return  # not related: what was wanted
        with self._guard(f"unrelate #{child} from #{parent}"):
            self._project.issues.get(parent, lazy=True).links.delete(link)

    def children(self, parent: int) -> tuple[int, ...]:
        return tuple(iid for iid, _ in self._links(parent))

    def _links(self, parent: int) -> list[tuple[int, int]]:
        """(iid, issue_link_id) of the issues related to `parent` in this project."""
        with self._guard(f"list the links of #{parent}"):
            links = self._project.issues.get(parent, lazy=True).links.list(get_all=True)
        out: list[tuple[int, int]] = []
        own = self._project.get_id()
        for link in links:
            attrs = link.attributes
            full = str((attrs.get("references") or {}).get("full") or "")
            here = (
                attrs.get("project_id") == own
                if isinstance(own, int)
                else full.rsplit("#", 1)[0] == self.repo
            )
            if not here:
                continue  # an issue of another project, related by someone
            if attrs.get("link_type", "relates_to") != "relates_to":
                continue  # a dependency (`blocks`): not a parent's
            out.append((int(attrs["iid"]), int(attrs["issue_link_id"])))
        return out
