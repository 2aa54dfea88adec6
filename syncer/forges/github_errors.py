"""How GitHub's answers become waits and errors: rate limits waited out by the server's
own headers, 5xx and lost connections retried only where sending again is harmless, and
every failure turned into one of phasesync's errors, built from the status and the
server's message only (never the token, never the response headers)."""

from __future__ import annotations

from dataclasses import dataclass

import requests
import urllib3.exceptions
from github import BadAttributeException, GithubException, IncompletableObject
from github.Requester import Requester

from syncer.errors import (
    AuthError,
    ForgeError,
    NotFound,
    PermissionDenied,
    PhasesyncError,
    RateLimited,
    TransientError,
    ValidationFailed,
)
from syncer.forges import answers
from syncer.forges.answers import READ_ERRORS
from syncer.forges.github_session import Refused
from syncer.forges.hosts import network_failure
from syncer.forges.retry import Decide, Fail, Retrier, Wait, backoff, retry_after, server_date

FORGE = "github"
SECONDARY_FALLBACK = 60.0  # GitHub: without retry-after, wait at least a minute
TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
# Lost answers: the request may have reached the server, or not.
LOST = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


def _server_message(exc: GithubException) -> str:
    data = exc.data if isinstance(exc.data, dict) else {}
    message = data.get("message") or exc.message
    return str(message) if message else f"HTTP {exc.status}"


def _validation_message(exc: GithubException) -> str:
    data = exc.data if isinstance(exc.data, dict) else {}
    details = []
    for item in data.get("errors") or []:
        if isinstance(item, dict):
            where = ".".join(str(item[k]) for k in ("resource", "field") if item.get(k))
            what = item.get("message") or item.get("code") or "invalid"
            details.append(f"{where}: {what}" if where else str(what))
        else:
            details.append(str(item))
    message = _server_message(exc)
    return f"{message} ({'; '.join(details)})" if details else message


def _never_sent(exc: Exception) -> bool:
    """True when the connection failed before the request left: safe to send again."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, urllib3.exceptions.ConnectTimeoutError)  # NewConnectionError too


def _from_requester(exc: BaseException) -> bool:
    """Whether `exc` was raised inside PyGithub's `Requester` (its own URL checks)."""
    tb = exc.__traceback__
    last = None
    while tb is not None:
        last, tb = tb, tb.tb_next
    return last is not None and last.tb_frame.f_globals.get("__name__") == Requester.__module__


@dataclass(frozen=True, slots=True)
class ErrorPolicy:
    """The retry decisions and error messages of one repository's requests."""

    repo: str
    token: str
    retrier: Retrier
    api_url: str = "https://api.github.com"  # where the requests go, for network messages

    def decide(self, op: str, idempotent: bool) -> Decide:
        def decide(exc: Exception, attempt: int) -> Wait | None:
            if isinstance(exc, GithubException):
                limit = self.rate_limit_wait(exc, attempt)
                if limit is not None:
                    return limit  # refused, not applied: safe for any method
                if exc.status in TRANSIENT_STATUSES and idempotent:
                    reason = f"GitHub answered HTTP {exc.status} to {op}"
                    return Wait(backoff(attempt), reason, status=exc.status)
                return None
            if isinstance(exc, LOST) and (idempotent or _never_sent(exc)):
                return Wait(backoff(attempt), f"GitHub connection lost during {op}")
            return None

        return decide

    def rate_limit_wait(self, exc: GithubException, attempt: int) -> Wait | None:
        """The wait a rate-limit answer asks for; None when `exc` is no rate limit."""
        if exc.status not in (403, 429):
            return None
        headers = {str(k).lower(): str(v) for k, v in (exc.headers or {}).items()}
        now = server_date(headers) or self.retrier.clock()
        message = _server_message(exc)
        if headers.get("x-ratelimit-remaining") == "0" or Requester.isPrimaryRateLimitError(
            message
        ):
            try:
                # Measured against the server's own clock (its Date header), plus a second
                # because `reset` is rounded down to the second.
                seconds = float(headers["x-ratelimit-reset"]) - now.timestamp() + 1
            except (KeyError, ValueError):
                seconds = SECONDARY_FALLBACK
            used = headers.get("x-ratelimit-used")
            limit = headers.get("x-ratelimit-limit")
            spent = f" ({used} of {limit} requests used)" if used and limit else ""
            reason = f"GitHub primary rate limit{spent}"
            return Wait(max(seconds, 1.0), reason, rate_limit=True, status=exc.status)
        asked = retry_after(headers.get("retry-after"), now)
        if asked is not None:
            return Wait(asked, "GitHub secondary rate limit", rate_limit=True, status=exc.status)
        if exc.status == 429 or Requester.isSecondaryRateLimitError(message):
            # No header to go by: at least a minute, doubling each time (GitHub's advice).
            seconds = SECONDARY_FALLBACK * 2**attempt
            reason = "GitHub secondary rate limit"
            return Wait(seconds, reason, rate_limit=True, status=exc.status)
        return None

    def fail(self, op: str, subject: int | str | None, *, post: bool = False) -> Fail:
        """`post`: the request creates something, so an answer we cannot read may hide a
        creation (a `TransientError`, for the apply layer to look before it creates again)."""

        def fail(exc: Exception) -> PhasesyncError | None:
            if isinstance(exc, (BadAttributeException, IncompletableObject, *READ_ERRORS)):
                # What PyGithub or our record builders raise on a malformed answer.
                if post:
                    return TransientError(FORGE, op, answers.message(exc, applied=True))
                return ForgeError(FORGE, op, answers.message(exc))
            if isinstance(exc, GithubException):
                return self.http_error(op, exc, subject)
            if isinstance(exc, Refused):
                return self.refused(op, exc)
            if isinstance(exc, AssertionError) and _from_requester(exc):
                # PyGithub asserts that a URL an answer gave it (a page link) is on the
                # API's host or domain: the request was not made.
                message = "the answer pointed outside the API's address; not requested"
                return ForgeError(FORGE, op, message)
            if isinstance(exc, LOST):
                # Transient either way (the next run may get through); only a write's
                # message says it may have taken effect.
                return TransientError(FORGE, op, network_failure(exc, self.api_url, op))
            return None

        return fail

    def http_error(self, op: str, exc: GithubException, subject: int | str | None) -> ForgeError:
        status = exc.status
        message = self.scrub(_server_message(exc))
        if status == 401:
            return AuthError(FORGE, op, f"{message}: the token is missing, wrong or expired", 401)
        limit = self.rate_limit_wait(exc, self.retrier.retries)
        if limit is not None:
            message = f"{message} (still limited after {self.retrier.retries} retries)"
            return RateLimited(FORGE, op, message, status, wait_seconds=limit.seconds)
        if status == 403:
            return PermissionDenied(FORGE, op, f"{message} (repository {self.repo})", 403)
        if status == 404:
            what = f"issue #{subject}" if isinstance(subject, int) else subject
            where = f"{what} in repository {self.repo}" if what else f"repository {self.repo}"
            return NotFound(FORGE, op, f"{where} not found, or the token cannot see it", 404)
        if status == 422:
            return ValidationFailed(FORGE, op, self.scrub(_validation_message(exc)), 422)
        if status >= 500:
            message = f"{message}; the request may or may not have taken effect"
            return TransientError(FORGE, op, message, status)
        return ForgeError(FORGE, op, message, status)

    def refused(self, op: str, exc: Refused) -> ForgeError:
        if exc.moved_issue is not None:
            # GitHub's answer for an issue transferred to another repository: for this
            # repository it is gone, as a deleted one is (the engine plans it anew).
            return NotFound(
                FORGE,
                op,
                f"issue #{exc.moved_issue} was moved out of repository {self.repo} "
                f"(transferred; redirected to {exc.target})",
                exc.status,
            )
        if exc.status is None:
            message = (
                f"the answer pointed to {exc.target}; not requested, so that the token goes "
                f"to no other server than {exc.source}"
            )
        else:
            message = (
                f"{exc.source} redirected to {exc.target}; not followed, so that the token "
                "goes to no other server. Set base_url to the server's own API address"
            )
        return ForgeError(FORGE, op, message, exc.status)

    def scrub(self, text: str) -> str:
        """Belt and braces: a server that echoes the token must not put it in our errors."""
        return text.replace(self.token, "***") if self.token else text
