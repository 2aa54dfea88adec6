"""What the GitHub adapter's mixins (`GitHubRelations`, `GitHubDependencies`,
`GitHubAccess`) use of `GitHubForge`: its state and its request helpers, declared once for
the type checker. At run time the methods are `GitHubForge`'s own."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from github.Repository import Repository
from github.Requester import Requester

from syncer.forges.base import RemoteIssue

T = TypeVar("T")
R = TypeVar("R")


class GitHubHost:
    _repo: Repository
    _requester: Requester
    _token_user: str | None
    _ids: dict[int, int]  # issue number -> global id, from listings and creates

    if TYPE_CHECKING:

        def get_issue(self, number: int) -> RemoteIssue: ...

        def _id_of(self, number: int) -> int: ...

        def _remember(self, issues: tuple[RemoteIssue, ...]) -> tuple[RemoteIssue, ...]: ...

        def _list(
            self,
            path: str,
            params: dict[str, Any],
            op: str,
            record: Callable[[Any], R],
        ) -> tuple[list[R], dict[str, Any]]: ...

        def _run(
            self,
            op: str,
            call: Callable[[], T],
            *,
            idempotent: bool = True,
            subject: int | str | None = None,
            creates: bool = False,
        ) -> T: ...
