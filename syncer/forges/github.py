"""The GitHub adapter: the `Forge` protocol on PyGithub (used as published).

Requests, per call (proved by tests that count them on the emulator):

- `snapshot()`: one paginated listing each of labels, milestones (`state=all`) and issues
  (`state=all`, 100 per page): 250 issues cost 1 + 1 + 3 requests. No repository GET
  (`Github(lazy=True)`), and no per-issue GET. Each page is one `Requester.requestJsonAndCheck`
  (PyGithub's own requester, following the `Link` header as `PaginatedList` does), and its
  elements become phasesync's records straight from the JSON (`github_records.issue_record`):
  no PyGithub object per element, so a listing costs about what decoding it does;
- `create_*`, `comment`: one POST; `update_issue`, `update_milestone`: one PATCH, no GET
  before it (lazy objects built from the number); `get_issue`: one GET; `has_comment`: one
  GET per 100 comments of the issue.

`server_time` is the `Date` header of the first page of the issues listing.

Retries and waits all happen in `Retrier.run` around each request, and none in urllib3
(`NO_RETRY`): PyGithub's `GithubRetry` sleeps with `time.sleep`, tells nobody, has no bound,
and is bypassed by `responses`, so tests could not see it. Rate limits are waited out with
the server's own headers (any method: a refused request did nothing); 5xx and lost
connections are retried for GET and PATCH, and for the POST of a label or a milestone
(a second one is refused as `already_exists`, which after a retry means the first was made:
it is read back, one request). A POST of an issue or a comment that may have been applied
surfaces as `TransientError` at once: re-sending it could create a second issue.

The token goes only to the server of `base_url`: `github_session.guard` refuses a request
to any other host (a page link, an object's URL) and any redirect but a 301 on that server
to something other than an issue (a transferred issue's 301 is "gone").

Errors are built from the status and the server's message only; the token is never in them
(PyGithub's exceptions carry the response headers, and are not chained: `from None`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

from github import Auth, Github
from github.GithubObject import NotSet
from github.Issue import Issue
from github.Label import Label
from github.Milestone import Milestone
from github.Requester import Requester
from requests.utils import parse_header_links
from urllib3.util import Retry

from syncer.errors import (
    ConfigError,
    ValidationFailed,
)
from syncer.forges import answers
from syncer.forges.base import (
    IssueChange,
    IssueSpec,
    LabelSpec,
    MilestoneSpec,
    RemoteIssue,
    RemoteLabel,
    RemoteMilestone,
    Snapshot,
    WaitReporter,
)
from syncer.forges.github_access import GitHubAccess
from syncer.forges.github_dependencies import GitHubDependencies
from syncer.forges.github_errors import ErrorPolicy
from syncer.forges.github_records import (
    as_utc,
    is_pull_request,
    issue_record,
    label_record,
    milestone_record,
    noon_utc,
    remote_issue,
    remote_label,
    remote_milestone,
)
from syncer.forges.github_relations import GitHubRelations
from syncer.forges.github_session import guard
from syncer.forges.retry import (
    Retrier,
    Sleep,
    server_date,
)

FORGE = "github"
DEFAULT_API = "https://api.github.com"
PER_PAGE = 100  # GitHub's maximum
REQUEST_TIMEOUT = 30  # seconds, per request
# urllib3 must not retry on its own: `Retrier` owns every retry (see the module doc).
NO_RETRY = Retry(
    total=0, connect=0, read=0, redirect=0, status=0, other=0,
    raise_on_status=False, respect_retry_after_header=False,
)  # fmt: skip

T = TypeVar("T")
R = TypeVar("R")


def next_page(headers: Mapping[str, Any]) -> str | None:
    """The URL of the next page a listing's `Link` header names, if any."""
    link = next((v for k, v in headers.items() if str(k).lower() == "link"), None)
    if not isinstance(link, str):
        return None
    for entry in parse_header_links(link):
        if entry.get("rel") == "next" and entry.get("url"):
            return entry["url"]
    return None


def _hosts(base_url: str | None) -> tuple[str, str]:
    """(API base, web base): `https://host/api/v3` is served at `https://host`."""
    api = (base_url or DEFAULT_API).rstrip("/")
    split = urlsplit(api)
    if split.netloc.lower() == "api.github.com":
        return api, "https://github.com"
    return api, f"{split.scheme}://{split.netloc}"


class GitHubForge(GitHubRelations, GitHubDependencies, GitHubAccess):
    """One GitHub (or GitHub Enterprise) repository, `owner/name`.

    Sub-issues: `GitHubRelations`; what the token may do (`doctor`): `GitHubAccess`."""

    def __init__(
        self,
        repo: str,
        token: str | None,
        base_url: str | None = None,
        *,
        max_wait: float = 900,
        on_wait: WaitReporter | None = None,
        retries: int = 5,
        sleep: Sleep = time.sleep,
    ) -> None:
        owner, _, name = repo.strip().strip("/").partition("/")
        if not owner or not name or "/" in name:
            raise ConfigError(f"a GitHub repository is owner/name, not {repo!r}", key="repo")
        self.repo = f"{owner}/{name}"
        self.api_url, self.web_url = _hosts(base_url)
        self._token = token or ""  # kept only to scrub it from messages; see __repr__
        self._retrier = Retrier(
            forge=FORGE, retries=retries, max_wait=max_wait, on_wait=on_wait, sleep=sleep
        )
        self._gh = Github(
            auth=Auth.Token(token) if token else None,
            base_url=self.api_url,
            timeout=REQUEST_TIMEOUT,
            per_page=PER_PAGE,
            lazy=True,  # objects built from a number or URL do not fetch themselves
            seconds_between_requests=0,  # the apply layer paces writes; the client must not
            seconds_between_writes=0,
            retry=NO_RETRY,
        )
        self._errors = ErrorPolicy(self.repo, self._token, self._retrier, self.api_url)
        self._requester: Requester = self._gh.requester
        guard(self._requester, self.api_url)  # the token goes to this server only
        self._repo = self._gh.get_repo(self.repo)  # lazy: no request
        self._token_user: str | None = None  # `trusted_authors`, once read
        # Issue number -> global id, from every issue this adapter saw: a sub-issue is
        # added by its id, and a seen issue's costs no read.
        self._ids: dict[int, int] = {}

    def __repr__(self) -> str:
        return f"GitHubForge({self.identity!r})"

    @property
    def kind(self) -> str:
        return FORGE

    @property
    def identity(self) -> str:
        return f"github:{urlsplit(self.web_url).netloc}/{self.repo}"

    def issue_url(self, number: int) -> str:
        return f"{self.web_url}/{self.repo}/issues/{number}"

    # --- reading --------------------------------------------------------------------------

    def snapshot(self, since: datetime | None = None) -> Snapshot:
        labels, _ = self._list("labels", {}, "list labels", label_record)
        milestones, _ = self._list(
            "milestones", {"state": "all"}, "list milestones", milestone_record
        )
        issues, server_time = self._issues(since)
        self._remember(issues)
        return Snapshot(
            labels=tuple(labels),
            milestones=tuple(milestones),
            issues=issues,
            server_time=server_time,
            since=since,
        )

    def list_issues(self, since: datetime | None = None) -> tuple[RemoteIssue, ...]:
        return self._remember(self._issues(since)[0])

    def get_issue(self, number: int) -> RemoteIssue:
        op = f"read issue #{number}"
        return self._remember(
            (
                self._run(
                    op,
                    lambda: remote_issue(self._repo.get_issue(number).complete()),
                    subject=number,
                ),
            )
        )[0]

    def _remember(self, issues: tuple[RemoteIssue, ...]) -> tuple[RemoteIssue, ...]:
        for issue in issues:
            if issue.id is not None:
                self._ids[issue.number] = issue.id
        return issues

    def _issues(self, since: datetime | None) -> tuple[tuple[RemoteIssue, ...], datetime]:
        # Oldest first: an issue created while we page lands on the last page instead of
        # pushing one we have not read yet onto a page we have already read.
        params: dict[str, Any] = {"state": "all", "sort": "created", "direction": "asc"}
        if since is not None:
            params["since"] = as_utc(since).strftime("%Y-%m-%dT%H:%M:%SZ")

        def record(data: Any) -> RemoteIssue | None:
            return None if is_pull_request(data) else issue_record(data)

        issues, headers = self._list("issues", params, "list issues", record)
        seen: dict[int, RemoteIssue] = {}
        for issue in issues:
            if issue is not None:  # pull requests share the listing
                seen[issue.number] = issue
        return tuple(seen.values()), server_date(headers) or self._retrier.clock()

    def _list(
        self,
        path: str,
        params: dict[str, Any],
        op: str,
        record: Callable[[Any], R],
    ) -> tuple[list[R], dict[str, Any]]:
        """Every element of one paginated listing as `record` makes it from the element's
        JSON, and the headers of its first page.

        Each page is one GET through PyGithub's requester (its checks, our session's
        guard), retried alone; the next is the one the `Link` header names, as
        `PaginatedList` follows it. Elements go from the page's JSON to our records with no
        PyGithub object in between: a listing costs what decoding it does.
        """
        url: str | None = f"{self._repo.url}/{path}"
        query: dict[str, Any] | None = {**params, "per_page": PER_PAGE}
        what = f"the answer to GET {path}"
        items: list[R] = []
        first: dict[str, Any] | None = None
        while url is not None:
            headers, page, size = self._run(op, partial(self._page, url, query, what, record))
            first = headers if first is None else first
            items += page
            url = next_page(headers) if size else None  # an empty page is the last
            query = None  # the next page's URL carries the query
        return items, first or {}

    def _page(
        self, url: str, query: dict[str, Any] | None, what: str, record: Callable[[Any], R]
    ) -> tuple[dict[str, Any], list[R], int]:
        """One page: its headers, its elements as records, and how many it held."""
        headers, data = self._requester.requestJsonAndCheck("GET", url, parameters=query)
        elements = answers.listing(data, what)
        # `None` elements are skipped, as `PaginatedList` skips them.
        return headers, [record(e) for e in elements if e is not None], len(elements)

    # --- writing --------------------------------------------------------------------------

    def create_label(self, spec: LabelSpec) -> RemoteLabel:
        color = spec.color.removeprefix("#").lower()
        op = f"create label {spec.name!r}"
        attempts = 0

        def create() -> RemoteLabel:
            nonlocal attempts
            attempts += 1
            return remote_label(self._repo.create_label(spec.name, color, spec.description))

        # Sending it twice is harmless (the second answers 422 already_exists): retried.
        try:
            return self._run(op, create, creates=True)
        except ValidationFailed as exc:
            if attempts < 2 or "already_exists" not in exc.message:
                raise
            # The first attempt made it and its answer was lost: read it (one GET).
            return self._run(op, lambda: remote_label(self._repo.get_label(spec.name)))

    def update_label(self, current: str, label_id: int | None, spec: LabelSpec) -> RemoteLabel:
        # One PATCH by name (GitHub's labels are addressed by name): `new_name` renames it on
        # every issue that carries it.
        url = f"{self._repo.url}/labels/{quote(current, safe='')}"
        payload = {"new_name": spec.name, "color": spec.color.removeprefix("#").lower()}

        def patch() -> Label:
            headers, data = self._requester.requestJsonAndCheck("PATCH", url, input=payload)
            return Label(self._requester, headers, data, completed=True)

        op = f"rename label {current!r} to {spec.name!r}"
        return remote_label(self._run(op, patch, subject=f"label {current!r}"))

    def delete_label(self, name: str, label_id: int | None) -> None:
        url = f"{self._repo.url}/labels/{quote(name, safe='')}"
        self._run(
            f"delete label {name!r}",
            lambda: self._requester.requestJsonAndCheck("DELETE", url),
            subject=f"label {name!r}",
        )

    def create_milestone(self, spec: MilestoneSpec) -> RemoteMilestone:
        # GitHub milestones have no start date: `spec.start` stays in the document.
        def create() -> Milestone:
            if spec.due is None:
                return self._repo.create_milestone(spec.title, description=spec.description)
            return self._repo.create_milestone(
                spec.title, description=spec.description, due_on=noon_utc(spec.due)
            )

        op = f"create milestone {spec.title!r}"
        attempts = 0

        def once() -> RemoteMilestone:
            nonlocal attempts
            attempts += 1
            return remote_milestone(create())

        # Sending it twice is harmless (the second answers 422 already_exists): retried.
        try:
            return self._run(op, once, creates=True)
        except ValidationFailed as exc:
            if attempts < 2 or "already_exists" not in exc.message:
                raise
            # The first attempt made it and its answer was lost: read it (one listing).
            milestones, _ = self._list("milestones", {"state": "all"}, op, milestone_record)
            found = [m for m in milestones if m.title == spec.title]
            if not found:
                raise
            return found[0]

    def update_milestone(self, milestone_id: int, spec: MilestoneSpec) -> RemoteMilestone:
        # Not `Milestone.edit()`: it sends `due_on` as a bare date, which GitHub reads as
        # midnight UTC, the day before in Pacific time. One PATCH through the requester.
        payload = {
            "title": spec.title,
            "description": spec.description,
            "due_on": noon_utc(spec.due).strftime("%Y-%m-%dT%H:%M:%SZ") if spec.due else None,
        }
        if spec.state is not None:
            payload["state"] = spec.state
        url = f"{self._repo.url}/milestones/{milestone_id}"

        def patch() -> RemoteMilestone:
            headers, data = self._requester.requestJsonAndCheck("PATCH", url, input=payload)
            data = dict(answers.mapping(data, f"the answer to PATCH milestones/{milestone_id}"))
            return remote_milestone(Milestone(self._requester, headers, data, completed=True))

        op = f"update milestone {spec.title!r}"
        return self._run(op, patch, subject=f"milestone {milestone_id}")

    def create_issue(self, spec: IssueSpec) -> RemoteIssue:
        def create() -> Issue:
            milestone = (
                self._repo.get_milestone(spec.milestone_id)  # lazy: no request
                if spec.milestone_id is not None
                else NotSet
            )
            return self._repo.create_issue(
                spec.title, body=spec.body, milestone=milestone, labels=list(spec.labels)
            )

        op = f"create issue {spec.title!r}"
        made = self._run(op, lambda: remote_issue(create()), idempotent=False, creates=True)
        return self._remember((made,))[0]

    def update_issue(self, number: int, change: IssueChange) -> RemoteIssue:
        if change.empty:
            return self.get_issue(number)

        def edit() -> RemoteIssue:
            issue = self._repo.get_issue(number)  # lazy: no request
            issue.edit(
                title=change.title if change.title is not None else NotSet,
                body=change.body if change.body is not None else NotSet,
                labels=list(change.labels) if change.labels is not None else NotSet,
                milestone=(
                    self._repo.get_milestone(change.milestone_id)
                    if change.milestone_id is not None
                    else NotSet
                ),
                state=change.state if change.state is not None else NotSet,
                state_reason=change.state_reason if change.state_reason is not None else NotSet,
            )
            return remote_issue(issue)

        # A PATCH sets absolute values: sending it twice does no harm, so it is retried.
        return self._run(f"update issue #{number}", edit, subject=number)

    def comment(self, number: int, body: str) -> None:
        self._run(
            f"comment on issue #{number}",
            lambda: self._repo.get_issue(number).create_comment(body),
            idempotent=False,
            creates=True,
            subject=number,
        )

    def has_comment(self, number: int, marker: str) -> bool:
        def body(data: Any) -> str:
            return answers.text(answers.mapping(data, "a comment").get("body") or "", "a body")

        op = f"list comments of issue #{number}"
        bodies, _ = self._list(f"issues/{number}/comments", {}, op, body)
        return any(marker in body for body in bodies)

    # --- retries and errors ---------------------------------------------------------------

    def _run(
        self,
        op: str,
        call: Callable[[], T],
        *,
        idempotent: bool = True,
        subject: int | str | None = None,
        creates: bool = False,
    ) -> T:
        """`call` with the retry rules: sent again after a 5xx or a lost answer only when
        `idempotent`; an unreadable answer is a `TransientError` when the call `creates`."""
        policy = self._errors
        fail = policy.fail(op, subject, post=creates)
        return self._retrier.run(op, call, policy.decide(op, idempotent), fail)
