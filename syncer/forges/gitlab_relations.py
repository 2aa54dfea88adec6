"""The issue-link methods of `GitLabForge` (`syncer.forges.base.Relations`), as a mixin.

GitLab has no sub-issues on every tier: a parent and its children are `relates_to` links.
"""

from __future__ import annotations

from syncer.forges.gitlab_links import GitLabLinks


class GitLabRelations(GitLabLinks):
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
        """A `relates_to` link from the parent; False when it was there already (a retry
        after a lost answer)."""
        return self._make_link(parent, child, "relates_to", f"relate #{child} to #{parent}")

    def unlink_child(self, parent: int, child: int) -> None:
        self._drop_link(parent, child, "relates_to", f"unrelate #{child} from #{parent}")

    def children(self, parent: int) -> tuple[int, ...]:
        """The issues of this project related to `parent` (a dependency's `blocks` link is
        not a parent's)."""
        return tuple(iid for iid, _ in self._typed(parent, "relates_to"))
