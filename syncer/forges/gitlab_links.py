"""GitLab issue links (`/projects/:id/issues/:iid/links`), made, listed and removed: what
both the parents' relations (`GitLabRelations`) and the dependencies (`GitLabDependencies`)
are made of, in one place."""

from __future__ import annotations

from syncer.errors import ValidationFailed
from syncer.forges.gitlab_host import GitLabHost


class GitLabLinks(GitLabHost):
    def _make_link(self, source: int, target: int, link_type: str, op: str) -> bool:
        """POST /projects/:id/issues/:source/links. Twice is harmless: GitLab answers 409
        "already assigned" (one link per pair of issues), read as made: False."""
        data = {
            # The project's numeric id or full path, as configured (not URL-encoded: it is a
            # value in the body, not a part of the URL).
            "target_project_id": int(self.repo) if self.repo.isdigit() else self.repo,
            "target_issue_iid": target,
            "link_type": link_type,
        }
        try:
            with self._guard(op, post=True, repeatable=True):
                self._project.issues.get(source, lazy=True).links.create(data)
        except ValidationFailed as exc:
            if exc.status == 409:
                return False
            raise
        return True

    def _drop_link(self, source: int, target: int, link_type: str, op: str) -> None:
        """Remove the `link_type` link between `source` and `target`; none is what was
        wanted."""
        link = next((lid for iid, lid in self._typed(source, link_type) if iid == target), None)
        if link is None:
            return
        with self._guard(op):
            self._project.issues.get(source, lazy=True).links.delete(link)

    def _typed(self, issue: int, link_type: str) -> list[tuple[int, int]]:
        """(iid, issue_link_id) of this project's issues linked to `issue` by a `link_type`
        link as seen from it (`blocks` made from the other side reads `is_blocked_by` here).
        Issues of other projects, related by someone, are not phasesync's."""
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
            if here and attrs.get("link_type", "relates_to") == link_type:
                out.append((int(attrs["iid"]), int(attrs["issue_link_id"])))
        return out
