"""The sub-issue methods of `GitHubForge` (`syncer.forges.base.Relations`), as a mixin.

GitHub's sub-issues: a parent's children are added and removed by the child's global id,
which this adapter remembers from every issue it saw (`GitHubForge._ids`).
"""

from __future__ import annotations

from typing import TypeVar

from syncer.errors import ValidationFailed
from syncer.forges.github_errors import FORGE
from syncer.forges.github_host import GitHubHost
from syncer.forges.github_records import issue_record

T = TypeVar("T")
R = TypeVar("R")


class GitHubRelations(GitHubHost):
    """`GitHubForge`'s sub-issues: its reading and requests are `GitHubForge`'s own."""

    # --- sub-issues (`syncer.forges.base.Relations`) ---------------------------------------

    def probe_relations(self, sample: int) -> dict[str, str]:
        """GitHub has sub-issues on every plan (100 per parent, 8 levels): no request."""
        return {"relations": "sub_issues"}

    def link_child(self, parent: int, child: int) -> bool:
        """POST .../issues/{parent}/sub_issues with the child's global id (read once, one
        GET, when this adapter has not seen the issue). Sending it twice is harmless: the
        second is refused (422), and the sub-issues are then read to see it made."""
        sub_id = self._id_of(child)
        op = f"add #{child} as a sub-issue of #{parent}"
        try:
            issue = self._repo.get_issue(parent)  # lazy: no request
            self._run(op, lambda: issue.add_sub_issue(sub_id), subject=parent)
        except ValidationFailed:
            if child in self.children(parent):
                return False  # made before (an answer lost, a run that died): looked up
            raise
        return True

    def unlink_child(self, parent: int, child: int) -> None:
        sub_id = self._id_of(child)
        op = f"remove sub-issue #{child} from #{parent}"
        self._run(op, lambda: self._repo.get_issue(parent).remove_sub_issue(sub_id), subject=parent)

    def children(self, parent: int) -> tuple[int, ...]:
        subs, _ = self._list(
            f"issues/{parent}/sub_issues", {}, f"list the sub-issues of #{parent}", issue_record
        )
        return tuple(s.number for s in self._remember(tuple(subs)))

    def _id_of(self, number: int) -> int:
        if number not in self._ids:
            self.get_issue(number)
        ident = self._ids.get(number)
        if ident is None:
            raise ValidationFailed(FORGE, f"read issue #{number}", "the answer has no id", 422)
        return ident
