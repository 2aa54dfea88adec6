"""What the GitLab adapter's mixins (`GitLabRelations`, `GitLabDependencies`,
`GitLabAccess`) use of `GitLabForge`: its state and its error guard, declared once for the
type checker. At run time the methods are `GitLabForge`'s own."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

import gitlab
from gitlab.v4.objects import Project


class GitLabHost:
    repo: str
    _gl: gitlab.Gitlab
    _project: Project
    _writers: frozenset[str] | None

    if TYPE_CHECKING:

        def _guard(
            self, operation: str, *, post: bool = False, repeatable: bool = False
        ) -> AbstractContextManager[None]: ...
