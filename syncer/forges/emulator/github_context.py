"""The GitHub emulator's request context: what every route handler is given (`Context`),
how it answers with an error (`Answer`), and how a listing is paged (`paginate`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode

from syncer.forges.emulator.core import Reply, Request
from syncer.forges.emulator.github_model import (
    Issue,
    Milestone,
    Repo,
    error,
)
from syncer.forges.emulator.revision import Revision

if TYPE_CHECKING:
    from syncer.forges.emulator.github import GitHubEmulator

T = TypeVar("T")

ISSUES_DOCS = "https://docs.github.com/rest/issues/issues#get-an-issue"
REDIRECT_DOCS = (
    "https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects"
)


class Answer(Exception):
    """An error reply raised from inside a handler."""

    def __init__(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status)
        self.reply = Reply(status, body, headers or {})


@dataclass
class Context:
    emu: GitHubEmulator
    request: Request
    level: str
    base: str  # the API base URL the client used
    repo_: Repo | None = field(default=None)
    counts_: dict[int, tuple[int, int]] | None = field(default=None)
    # Users, labels and milestones rendered once per reply (`Repo.issue_json`).
    memo: dict[tuple[str, int], Any] = field(default_factory=dict)

    @property
    def repo(self) -> Repo:
        assert self.repo_ is not None, "route without a repository"
        return self.repo_

    @repo.setter
    def repo(self, value: Repo) -> None:
        self.repo_ = value

    @property
    def web(self) -> str:
        return self.emu.web_url

    def payload(self) -> dict[str, Any]:
        try:
            data = self.request.json()
        except ValueError:
            raise Answer(400, error("Problems parsing JSON", 400)) from None
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise Answer(400, error("Problems parsing JSON", 400))
        return data

    def issue(self, number: str) -> Issue:
        issue = self.repo.issues.get(int(number))
        if issue is not None:
            return issue
        if int(number) not in self.repo.gone:
            raise Answer(404, error("Not Found", 404))
        moved_to = self.repo.gone[int(number)]
        if moved_to is None:
            raise Answer(410, error("This issue was deleted", 410, ISSUES_DOCS))
        # A transferred issue: GitHub redirects every method to where it lives now.
        url = f"{self.base}{moved_to}"
        body = {"message": "Moved Permanently", "url": url, "documentation_url": REDIRECT_DOCS}
        raise Answer(301, body, {"Location": url})

    def counts(self) -> dict[int, tuple[int, int]]:
        """Milestone issue counts, computed once per request (nothing changes during one)."""
        if self.counts_ is None:
            at = (id(self.repo), Revision.value)
            kept = self.emu.counts_at
            if kept is not None and kept[0] == at:
                self.counts_ = kept[1]
            else:
                self.counts_ = self.repo.milestone_counts()
                self.emu.counts_at = (at, self.counts_)
        return self.counts_

    def issue_json(self, issue: Issue) -> dict[str, Any]:
        return self.repo.issue_json(issue, self.base, self.web, self.counts(), self.memo)

    def milestone_json(self, m: Milestone) -> dict[str, Any]:
        return self.repo.milestone_json(m, self.base, self.web, self.counts())


Handler = Callable[..., Reply]


def paginate(ctx: Context, items: Sequence[T], render: Callable[[T], Any] | None = None) -> Reply:
    """One page of `items`; `Link` carries next/last (and prev/first) as GitHub sends them.

    `render` turns an item into its JSON, for the page's items only: rendering the whole
    listing for every page made a listing of N issues cost N x pages."""
    query = ctx.request.query
    try:
        per_page = min(max(int(ctx.request.param("per_page") or 30), 1), 100)
    except ValueError:
        per_page = 30
    try:
        page = max(int(ctx.request.param("page") or 1), 1)
    except ValueError:
        page = 1
    last = max(1, -(-len(items) // per_page))

    def url(p: int) -> str:
        params = {k: list(v) for k, v in query.items() if k != "page"}
        params["page"] = [str(p)]
        return f"{ctx.base}{ctx.request.path}?{urlencode(params, doseq=True)}"

    links = []
    if page > 1:
        links += [f'<{url(page - 1)}>; rel="prev"', f'<{url(1)}>; rel="first"']
    if page < last:
        links += [f'<{url(page + 1)}>; rel="next"', f'<{url(last)}>; rel="last"']
    headers = {"Link": ", ".join(links)} if links else {}
    chosen = items[(page - 1) * per_page : page * per_page]
    return Reply(200, [render(x) for x in chosen] if render else list(chosen), headers)
