"""GitLab's issue links (`/projects/:id/issues/:iid/links`), as GitLab answers them.

`relates_to` is on every tier; `blocks` and `is_blocked_by` need Premium ("Blocked issues
not available for current license", 403, elsewhere). One link per pair of issues, whichever
way round: a second is 409 "Issue(s) already assigned". A link is stored once, from its
source; seen from its target, `blocks` reads `is_blocked_by`. Linking touches neither
issue's `updated_at` here (GitLab records it as system notes), so an incremental listing
does not show it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from syncer.forges.emulator.gitlab_state import GLIssue, GLProject, iso
from syncer.forges.emulator.gitlab_store import GitLabStore, error, message

Tier = Literal["free", "premium"]
LINK_TYPES = ("relates_to", "blocks", "is_blocked_by")
IssueJson = Callable[[GLProject, GLIssue], dict[str, Any]]


@dataclass(slots=True)
class GLLink:
    id: int
    source: tuple[int, int]  # (project id, iid)
    target: tuple[int, int]
    link_type: str  # as stored: `relates_to` or `blocks`
    created_at: datetime


class Links:
    """Every issue link of the instance."""

    def __init__(self, store: GitLabStore) -> None:
        self.store = store
        self.links: dict[int, GLLink] = {}
        self._next = 0

    def of(self, project: GLProject, iid: int) -> list[tuple[GLLink, tuple[int, int], str]]:
        """(link, the other issue, the link type as seen from this one), oldest first."""
        me = (project.id, iid)
        out = []
        for link in self.links.values():
            if link.source == me:
                out.append((link, link.target, link.link_type))
            elif link.target == me:
                seen = "is_blocked_by" if link.link_type == "blocks" else link.link_type
                out.append((link, link.source, seen))
        return out

    def _issue(self, ref: tuple[int, int]) -> tuple[GLProject, GLIssue] | None:
        project = self.store.projects.get(ref[0])
        issue = project.issues.get(ref[1]) if project is not None else None
        return (project, issue) if project is not None and issue is not None else None

    def listing(self, project: GLProject, issue: GLIssue, render: IssueJson) -> list[Any]:
        """GET .../links: the linked issues (not paginated), each with its link's fields."""
        out = []
        for link, other, link_type in self.of(project, issue.iid):
            found = self._issue(other)
            if found is None:
                continue
            out.append(
                {
                    **render(*found),
                    "issue_link_id": link.id,
                    "link_type": link_type,
                    "link_created_at": iso(link.created_at),
                    "link_updated_at": iso(link.created_at),
                }
            )
        return out

    def create(
        self,
        project: GLProject,
        issue: GLIssue,
        params: dict[str, Any],
        tier: Tier,
        render: IssueJson,
    ) -> dict[str, Any]:
        target_ref = params.get("target_project_id")
        target_iid = params.get("target_issue_iid")
        if target_ref is None or target_iid is None:
            raise error(400, "target_project_id, target_issue_iid are missing")
        link_type = str(params.get("link_type") or "relates_to")
        if link_type not in LINK_TYPES:
            raise error(400, "link_type does not have a valid value")
        if link_type != "relates_to" and tier != "premium":
            raise message(403, "Blocked issues not available for current license")
        target_project = self.store.find_project(str(target_ref))
        if target_project is None:
            raise message(404, "404 Project Not Found")
        target = target_project.issues.get(int(str(target_iid)))
        if target is None:
            raise message(404, "404 Not found")
        if target_project.id == project.id and target.iid == issue.iid:
            raise message(400, "Cannot link an issue to itself")
        pair = {(project.id, issue.iid), (target_project.id, target.iid)}
        for link in self.links.values():
            if {link.source, link.target} == pair:
                raise message(409, "Issue(s) already assigned")
        source, dest = (project.id, issue.iid), (target_project.id, target.iid)
        if link_type == "is_blocked_by":  # stored from the blocking side
            source, dest, link_type = dest, source, "blocks"
        self._next += 1
        self.links[self._next] = GLLink(self._next, source, dest, link_type, self.store.now())
        return {
            "source_issue": render(project, issue),
            "target_issue": render(target_project, target),
            "link_type": str(params.get("link_type") or "relates_to"),
        }

    def delete(
        self, project: GLProject, issue: GLIssue, link_id: str, render: IssueJson
    ) -> dict[str, Any]:
        link = self.links.get(int(link_id)) if link_id.isdigit() else None
        me = (project.id, issue.iid)
        if link is None or me not in (link.source, link.target):
            raise message(404, "404 Not found")
        del self.links[link.id]
        source, target = self._issue(link.source), self._issue(link.target)
        return {
            "source_issue": render(*source) if source else None,
            "target_issue": render(*target) if target else None,
            "link_type": link.link_type,
        }

    def unlink(self, project: GLProject, a: int, b: int) -> None:
        """A person removes the link between issues `a` and `b` of `project`."""
        pair = {(project.id, a), (project.id, b)}
        for link in list(self.links.values()):
            if {link.source, link.target} == pair:
                del self.links[link.id]

    def link(self, project: GLProject, a: int, b: int, link_type: str = "relates_to") -> None:
        """A person links issue `a` to issue `b` of `project` (`blocks`: `a` blocks `b`)."""
        self._next += 1
        ref_a, ref_b = (project.id, a), (project.id, b)
        self.links[self._next] = GLLink(self._next, ref_a, ref_b, link_type, self.store.now())

    def typed(self, project: GLProject, iid: int) -> list[tuple[int, str]]:
        """(the other issue's iid, the link type as seen from `iid`) of `project`'s issues."""
        return [(o[1], t) for _, o, t in self.of(project, iid) if o[0] == project.id]
