"""The issue-dependency methods of `GitHubForge` (`syncer.sync.dependencies_run.Blocking`),
as a mixin.

GitHub's issue dependencies: an issue is marked "blocked by" another through PyGithub's
`Issue.add_blocked_by` / `remove_blocked_by` / `get_blocked_by`, which name the blocking
issue by its global id. The id is what this adapter remembers of every issue it saw
(`GitHubForge._ids`), so the blocking issue is handed to PyGithub as a partial `Issue`
holding its id and URL: no GET of it.
"""

from __future__ import annotations

from typing import TypeVar

from github.Issue import Issue

from syncer.errors import ValidationFailed
from syncer.forges.github_host import GitHubHost
from syncer.forges.github_records import issue_record

T = TypeVar("T")
R = TypeVar("R")


class GitHubDependencies(GitHubHost):
    """`GitHubForge`'s issue dependencies: its reading and requests are `GitHubForge`'s own."""

    def _partial(self, number: int) -> Issue:
        """Issue `number` as PyGithub needs it for a dependency: its id (one GET when this
        adapter has not seen the issue) and URL."""
        ident = self._id_of(number)
        url = f"{self._repo.url}/issues/{number}"
        return Issue(
            self._repo.requester,
            attributes={"id": ident, "number": number, "url": url},
            completed=False,
        )

    def add_blocked_by(self, blocked: int, blocking: int, via: str) -> bool:
        """POST .../issues/{blocked}/dependencies/blocked_by with the blocking issue's id.
        Twice is harmless: GitHub refuses the second (422), and the blockers are then read
        to see it made."""
        other = self._partial(blocking)
        op = f"mark #{blocked} blocked by #{blocking}"
        try:
            issue = self._repo.get_issue(blocked)  # lazy: no request
            self._run(op, lambda: issue.add_blocked_by(other), subject=blocked)
        except ValidationFailed:
            if blocking in self.blockers(blocked, via):
                return False  # made before (an answer lost, a run that died): looked up
            raise
        return True

    def remove_blocked_by(self, blocked: int, blocking: int, via: str) -> None:
        other = self._partial(blocking)
        op = f"remove #{blocking} from the issues blocking #{blocked}"
        self._run(
            op, lambda: self._repo.get_issue(blocked).remove_blocked_by(other), subject=blocked
        )

    def blockers(self, blocked: int, via: str) -> tuple[int, ...]:
        found, _ = self._list(
            f"issues/{blocked}/dependencies/blocked_by",
            {},
            f"list the issues blocking #{blocked}",
            issue_record,
        )
        return tuple(i.number for i in self._remember(tuple(found)))
