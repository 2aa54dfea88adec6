"""The GitLab adapter: the `Forge` protocol on python-gitlab (used as published).

Requests, per call:

- `snapshot()`: one paginated listing each of labels, milestones (with the milestones of
  the project's groups: `include_ancestors`) and issues (100 per page);
  no project GET (`projects.get(path, lazy=True)`);
- `create_issue`, `create_label`, `create_milestone`, `comment`: one POST;
- `update_issue`, `update_milestone`: one PUT, no GET before it;
- `get_issue`: one GET.

`server_time` is the `Date` header of the issue listing's first page: python-gitlab keeps
no response headers of a listing, so `Session` (below) notes the `Date` of every response,
and `list(iterator=True)` has fetched the first page by the time it returns.

Waits and retries: every request python-gitlab sends goes through `Session`, a
`requests.Session` handed to `gitlab.Gitlab(session=...)`, which runs it through the shared
`retry.Retrier` (each page of a listing on its own). python-gitlab's own `Retry` stays off
(`retry_transient_errors=False`, and it never sees a 429): it sleeps with `time.sleep`
(tests would really sleep), tells nobody, has no bound on the wait, and would re-send a
POST whose response was lost, which is how a duplicate issue is made. A 429 is waited out
with GitLab's `Retry-After` (any method: GitLab refused it, so nothing was applied) unless
the wait exceeds `max_wait` (`RateLimited`); a 5xx or a lost connection is retried with
backoff for GET and PUT, and for the POST of a label or a milestone (a second one is
refused, 409 or 400 "already", which after a retry means the first was made: it is read
back, one request); on the POST of an issue or a note it surfaces at once as
`TransientError`, so that the apply layer looks for the issue by its key marker before it
creates it again.

Redirects: requests would follow a 301/302/307/308 to any host with python-gitlab's
`PRIVATE-TOKEN` header (it strips only `Authorization`). `Session` follows a redirect only
on the same scheme, host and port (or from http up to https); any other is an error.

Errors carry the status and GitLab's message only; the token is never in them, nor in the
python-gitlab exceptions chained under them (`_scrub`), nor in `repr()`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import gitlab
from gitlab.exceptions import GitlabAuthenticationError, GitlabError, GitlabParsingError

from syncer.errors import (
    AuthError,
    ForgeError,
    NotFound,
    PermissionDenied,
    RateLimited,
    TransientError,
    ValidationFailed,
)
from syncer.forges import answers
from syncer.forges.answers import READ_ERRORS
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
from syncer.forges.gitlab_access import GitLabAccess
from syncer.forges.gitlab_dependencies import GitLabDependencies
from syncer.forges.gitlab_records import (
    error_body,
    gitlab_iso,
    issue_record,
    label_record,
    milestone_record,
)
from syncer.forges.gitlab_relations import GitLabRelations
from syncer.forges.gitlab_session import LOST, PER_PAGE, Redirected, Refused, Session
from syncer.forges.hosts import network_failure
from syncer.forges.retry import (
    Retrier,
    Sleep,
)

FORGE = "gitlab"
DEFAULT_BASE_URL = "https://gitlab.com"
REQUEST_TIMEOUT = 60.0  # seconds; python-gitlab's default is to wait forever

JOB_TOKEN_ENV = "CI_JOB_TOKEN"
JOB_TOKEN_ADVICE = (
    "GitLab's CI job token (CI_JOB_TOKEN) cannot create issues, labels or milestones. "
    "Create a project access token with the `api` scope and at least the Reporter role "
    "(Settings > Access tokens), store it as a masked CI/CD variable such as "
    "PHASESYNC_TOKEN, and use that instead."
)


def job_token_advice(token: str | None, environ: Mapping[str, str] = os.environ) -> str | None:
    """`JOB_TOKEN_ADVICE` when `token` is this CI job's `CI_JOB_TOKEN`, else `None`.

    For the settings layer and `doctor`: the job token authenticates (so the first write
    would fail with a 401/403 that says nothing useful) but can never create issues.
    """
    job_token = environ.get(JOB_TOKEN_ENV)
    return JOB_TOKEN_ADVICE if token and job_token and token == job_token else None


# --- the adapter ----------------------------------------------------------------------------


class GitLabForge(GitLabRelations, GitLabDependencies, GitLabAccess):
    """One GitLab project. `repo` is its full path (`group/sub/project`) or numeric id.

    Issue links: `GitLabRelations`; what the token may do (`doctor`): `GitLabAccess`."""

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
        self.repo = repo.strip().strip("/")
        base = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.base_url = base.removesuffix("/api/v4")  # python-gitlab appends it itself
        self._token = token  # only ever handed to python-gitlab; see __repr__ and _scrub
        retrier = Retrier(
            forge=FORGE, retries=retries, max_wait=max_wait, on_wait=on_wait, sleep=sleep
        )
        self._session = Session(retrier)
        self._gl = gitlab.Gitlab(
            self.base_url,
            private_token=token,
            session=self._session,
            timeout=REQUEST_TIMEOUT,
            retry_transient_errors=False,  # Session retries, and never a POST
            user_agent=f"phasesync python-gitlab/{gitlab.__version__}",
        )
        project_id: str | int = int(self.repo) if self.repo.isdigit() else self.repo
        self._project = self._gl.projects.get(project_id, lazy=True)
        self._web_path: str | None = None if isinstance(project_id, int) else self.repo
        self._writers: frozenset[str] | None = None  # `trusted_authors`, once read

    def __repr__(self) -> str:
        return f"GitLabForge({self.identity!r})"

    @property
    def kind(self) -> str:
        return FORGE

    @property
    def identity(self) -> str:
        split = urlsplit(self.base_url)
        return f"gitlab:{split.netloc}{split.path}/{self.repo}"

    # --- reading --------------------------------------------------------------------------

    def snapshot(self, since: datetime | None = None) -> Snapshot:
        with self._guard("list labels"):
            labels = tuple(map(label_record, self._listing(self._project.labels.path, {})))
        with self._guard("list milestones"):
            # Sent as GitLab's docs spell it (python-gitlab would send `True`).
            query = {"include_ancestors": "true"}
            path = self._project.milestones.path
            milestones = tuple(map(milestone_record, self._listing(path, query)))
        issues, moved, server_time = self._issues(since)
        return Snapshot(labels, milestones, issues, server_time, since, moved)

    def list_issues(self, since: datetime | None = None) -> tuple[RemoteIssue, ...]:
        return self._issues(since)[0]

    def _issues(
        self, since: datetime | None
    ) -> tuple[tuple[RemoteIssue, ...], frozenset[int], datetime]:
        """The issues, those moved to another project, and the server's clock when their
        listing began."""
        query: dict[str, Any] = {
            "scope": "all",
            "state": "all",
            # Oldest first: an issue created while we page lands on the last page instead
            # of pushing one we have not read yet onto a page we have already read.
            "order_by": "created_at",
            "sort": "asc",
        }
        if since is not None:
            query["updated_after"] = gitlab_iso(since)
        with self._guard("list issues"):
            # `list(iterator=True)` fetches the first page before it returns, so the
            # session's last Date header is that page's: the listing's start on the
            # server's clock. Without one (a proxy that strips it) our own clock stands in.
            listing = self._listing(self._project.issues.path, query)
            server_time = self._session.last_date or datetime.now(UTC)
            seen: dict[int, RemoteIssue] = {}
            moved: set[int] = set()
            for item in listing:
                issue = issue_record(item)
                if item.get("moved_to_id"):
                    # Moved to another project: closed here and still listed, but no longer
                    # this project's issue. Gone, as a transferred one is on GitHub, so that
                    # its item gets a new issue rather than a ticked box.
                    moved.add(issue.number)
                    continue
                seen.setdefault(issue.number, issue)
        return tuple(seen.values()), frozenset(moved), server_time

    def _listing(self, path: str, query: dict[str, Any]) -> Iterator[Any]:
        """The elements of one paginated listing as the server's JSON (dicts), 100 a page.

        python-gitlab's own `http_list` pages it (following the `Link` header, through
        `Session`: each page retried alone); its `GitlabList` fetches the first page before
        it returns, and yields the decoded elements with no python-gitlab object per
        element (`Manager.list()` would build one, with its sub-managers, for each).
        """
        pages = self._gl.http_list(path, iterator=True, per_page=PER_PAGE, **query)
        return iter(pages)

    def get_issue(self, number: int) -> RemoteIssue:
        with self._guard(f"read issue #{number}"):
            return issue_record(self._project.issues.get(number).attributes)

    # --- writing --------------------------------------------------------------------------

    def create_label(self, spec: LabelSpec) -> RemoteLabel:
        data = {"name": spec.name, "color": _gitlab_color(spec.color)}
        if spec.description:
            data["description"] = spec.description
        op = f"create label {spec.name!r}"
        sent = self._session.sent
        try:
            with self._guard(op, post=True, repeatable=True):
                return label_record(self._project.labels.create(data).attributes)
        except ValidationFailed as exc:
            # 409 "Label already exists" after a retry: the first attempt made it, and
            # its answer was lost. Read it (one GET) instead of failing.
            if self._session.sent - sent < 2 or exc.status != 409:
                raise
            with self._guard(op):
                return label_record(self._project.labels.get(spec.name).attributes)

    def update_label(self, current: str, label_id: int | None, spec: LabelSpec) -> RemoteLabel:
        # PUT /projects/:id/labels/:label_id: GitLab keeps issues' labels by id, so a rename
        # shows on every issue at once.
        ref = str(label_id) if label_id is not None else quote(current, safe="")
        data = {"new_name": spec.name, "color": _gitlab_color(spec.color)}
        with self._guard(f"rename label {current!r} to {spec.name!r}"):
            # Read inside the guard: an unreadable answer is a one-line error.
            answer = self._gl.http_put(f"{self._project.labels.path}/{ref}", post_data=data)
            return label_record(answers.mapping(answer, "a label"))

    def delete_label(self, name: str, label_id: int | None) -> None:
        ref = str(label_id) if label_id is not None else quote(name, safe="")
        with self._guard(f"delete label {name!r}"):
            self._gl.http_delete(f"{self._project.labels.path}/{ref}")

    def create_milestone(self, spec: MilestoneSpec) -> RemoteMilestone:
        data: dict[str, Any] = {"title": spec.title, "description": spec.description}
        if spec.due is not None:
            data["due_date"] = spec.due.isoformat()
        if spec.start is not None:
            data["start_date"] = spec.start.isoformat()
        op = f"create milestone {spec.title!r}"
        sent = self._session.sent
        try:
            with self._guard(op, post=True, repeatable=True):
                return milestone_record(self._project.milestones.create(data).attributes)
        except ValidationFailed as exc:
            # 400, the title "already being used", after a retry: the first attempt made
            # it. Read it (one listing, by title); a group milestone of that title is
            # not the project's, and stays an error.
            if self._session.sent - sent < 2 or "already" not in exc.message:
                raise
            with self._guard(op):
                found = [
                    milestone_record(m.attributes)
                    for m in self._project.milestones.list(title=spec.title, get_all=True)
                ]
            if not found:
                raise
            return found[0]

    def update_milestone(self, milestone_id: int, spec: MilestoneSpec) -> RemoteMilestone:
        # The spec is the whole wanted state: a date it lacks is cleared (JSON null).
        data: dict[str, Any] = {
            "title": spec.title,
            "description": spec.description,
            "due_date": spec.due.isoformat() if spec.due else None,
            "start_date": spec.start.isoformat() if spec.start else None,
        }
        if spec.state is not None:
            data["state_event"] = "activate" if spec.state == "open" else "close"
        with self._guard(f"update milestone {spec.title!r}"):
            return milestone_record(self._project.milestones.update(milestone_id, data))

    def create_issue(self, spec: IssueSpec) -> RemoteIssue:
        data: dict[str, Any] = {
            "title": spec.title,
            "description": spec.body,
            "labels": list(spec.labels),
        }
        if spec.milestone_id is not None:
            data["milestone_id"] = spec.milestone_id
        with self._guard("create issue", post=True):
            return issue_record(self._project.issues.create(data).attributes)

    def update_issue(self, number: int, change: IssueChange) -> RemoteIssue:
        data: dict[str, Any] = {}
        if change.title is not None:
            data["title"] = change.title
        if change.body is not None:
            data["description"] = change.body
        if change.labels is not None:
            # The whole set, as GitLab documents it: comma-separated, "" for none. Label
            # names cannot hold a comma on GitLab, so the join is unambiguous.
            data["labels"] = ",".join(change.labels)
        if change.milestone_id is not None:
            data["milestone_id"] = change.milestone_id
        if change.state is not None:
            data["state_event"] = "close" if change.state == "closed" else "reopen"
        # `state_reason` has no GitLab counterpart: a "not planned" close is a plain close,
        # and the comment the apply layer posts says why.
        if not data:  # nothing to send; answer with the issue as it is
            return self.get_issue(number)
        with self._guard(f"update issue #{number}"):
            # `issues.update(iid, data)` sends the PUT straight away, no GET first.
            return issue_record(self._project.issues.update(number, data))

    def comment(self, number: int, body: str) -> None:
        with self._guard(f"comment on issue #{number}", post=True):
            self._project.issues.get(number, lazy=True).notes.create({"body": body})

    def has_comment(self, number: int, marker: str) -> bool:
        with self._guard(f"list comments of issue #{number}"):
            issue = self._project.issues.get(number, lazy=True)
            notes = issue.notes.list(iterator=True, per_page=PER_PAGE)
            return any(marker in (note.attributes.get("body") or "") for note in notes)

    def issue_url(self, number: int) -> str:
        return f"{self.base_url}/{self._path()}/-/issues/{number}"

    def _path(self) -> str:
        """The project's full path; a project named by numeric id costs one GET, once."""
        if self._web_path is None:
            with self._guard("read project"):
                self._web_path = str(self._gl.projects.get(self.repo).path_with_namespace)
        return self._web_path

    # --- errors ---------------------------------------------------------------------------

    @contextmanager
    def _guard(
        self, operation: str, *, post: bool = False, repeatable: bool = False
    ) -> Iterator[None]:
        """Turn whatever python-gitlab or requests raised into phasesync's errors. `post`:
        the request creates something, so an answer we cannot read may hide a creation;
        `repeatable`: sending it twice is harmless, so it is retried as a PUT is."""
        self._session.operation = operation
        self._session.repeatable = repeatable
        try:
            yield
        except GitlabParsingError as exc:  # not JSON, or JSON python-gitlab cannot take
            raise self._unreadable(operation, exc, post) from None
        except Redirected as exc:
            raise ForgeError(
                FORGE,
                operation,
                f"{exc.source} redirected to {exc.target}; not followed, so that the token "
                f"goes to no other server. Set base_url to the GitLab instance's own address",
                exc.status,
            ) from None
        except Refused as exc:  # a 429 or 5xx left after the retries
            response = exc.response
            raise self._http_error(operation, response.status_code, error_body(response)) from None
        except GitlabAuthenticationError as exc:
            self._scrub(exc)
            raise AuthError(FORGE, operation, self._text(exc.error_message), 401) from exc
        except GitlabError as exc:
            self._scrub(exc)
            raise self._http_error(operation, exc.response_code, exc.error_message) from exc
        except LOST as exc:
            # Transient either way; only a write's message says it may have taken effect.
            message = network_failure(exc, self.base_url, operation)
            raise TransientError(FORGE, operation, message) from exc
        except READ_ERRORS as exc:  # a record builder's check, or a field missing
            raise self._unreadable(operation, exc, post) from None
        finally:
            self._session.repeatable = False

    @staticmethod
    def _unreadable(operation: str, exc: Exception, post: bool) -> ForgeError:
        if post:  # it may have been created: the apply layer looks before creating again
            return TransientError(FORGE, operation, answers.message(exc, applied=True))
        return ForgeError(FORGE, operation, answers.message(exc))

    def _http_error(self, operation: str, status: int | None, error_message: Any) -> ForgeError:
        message = self._text(error_message)
        if status == 401:
            return AuthError(FORGE, operation, message, status)
        if status == 403:
            return PermissionDenied(FORGE, operation, message, status)
        if status == 404:
            host = urlsplit(self.base_url).netloc
            where = f"project {self.repo} on {host} (or the token cannot see it)"
            return NotFound(FORGE, operation, f"{message}: {where}", status)
        if status in (400, 409, 422):
            return ValidationFailed(FORGE, operation, message, status)
        if status == 429:  # still limited after every wait `retries` allowed
            return RateLimited(FORGE, operation, f"still rate limited: {message}", status)
        if status is not None and status >= 500:
            return TransientError(FORGE, operation, message, status)
        return ForgeError(FORGE, operation, message, status)

    def _scrub(self, exc: BaseException) -> None:
        """Blank the token out of python-gitlab's exceptions (kept as `__cause__` for the
        traceback) in case the server's answer echoed it back."""
        chain: BaseException | None = exc
        while self._token and chain is not None:
            if isinstance(chain, GitlabError):
                token = self._token
                chain.args = tuple(str(a).replace(token, "[token]") for a in chain.args)
                if token in str(chain.error_message):  # a str, or a dict of field errors
                    chain.error_message = str(chain.error_message).replace(token, "[token]")
                if chain.response_body:
                    chain.response_body = chain.response_body.replace(token.encode(), b"[token]")
            chain = chain.__cause__ or chain.__context__

    def _text(self, error_message: Any) -> str:
        """GitLab's message as one line of text, without the token in any case."""
        if isinstance(error_message, bytes):
            error_message = error_message.decode("utf-8", "replace")
        if isinstance(error_message, dict):  # {"title": ["has already been taken"]}
            error_message = "; ".join(
                f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}"
                for k, v in error_message.items()
            )
        text = " ".join(str(error_message).split())[:500] or "no message"
        # A proxy's error page may echo request headers back; never pass the token on.
        return text.replace(self._token, "[token]") if self._token else text


def _gitlab_color(color: str) -> str:
    """GitLab wants a label colour with its `#` (GitHub without)."""
    return "#" + color.lstrip("#").lower()
