"""The session python-gitlab sends through: each request once through `Retrier.run`, with
GitLab's rate-limit headers and the forge's own clock, and redirects followed only within
the GitLab instance the token belongs to."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urljoin

import requests

from syncer.forges.hosts import origin, origin_name
from syncer.forges.retry import Decide, Retrier, Wait, backoff, retry_after, server_date, utc_now

PER_PAGE = 100  # GitLab's maximum
RATE_LIMIT_FALLBACK = 60.0  # a 429 without Retry-After or RateLimit-Reset
TRANSIENT_STATUSES = frozenset({500, 502, 503, 504, *range(520, 531)})  # as python-gitlab's
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Lost answers: the request may have reached the server, or not.
LOST = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


class Refused(Exception):
    """A 429 or 5xx answer, raised inside `Session` so that `Retrier` can decide on it."""

    def __init__(self, response: requests.Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class Redirected(Exception):
    """An answer redirected to another host, port or a downgraded scheme: not followed,
    because python-gitlab's `PRIVATE-TOKEN` header would go along (requests strips only
    `Authorization` on the way to another host)."""

    def __init__(self, status: int, source: str, target: str) -> None:
        super().__init__(status)
        self.status = status
        self.source = origin_name(source)
        self.target = origin_name(target)


def same_server(source: str, target: str) -> bool:
    """Whether a redirect from `source` to `target` stays on the server the token is for:
    the same host and port, and never from https down to http (http up to https on the
    default ports is the same server, as requests itself judges it)."""
    (s_scheme, s_host, s_port), (t_scheme, t_host, t_port) = origin(source), origin(target)
    if s_host != t_host:
        return False
    if (s_scheme, s_port) == (t_scheme, t_port):
        return True
    return (s_scheme, s_port, t_scheme, t_port) == ("http", 80, "https", 443)


class Session(requests.Session):
    """The session python-gitlab sends through: every request goes once through
    `Retrier.run` (see the module doc), so each page of a listing is retried on its own.

    `operation` is what the adapter is doing, for `RateLimited`; `last_date` is the `Date`
    header of the last response (the forge's own clock), read by `snapshot()`.
    """

    def __init__(self, retrier: Retrier) -> None:
        super().__init__()
        self.retrier = retrier
        self.operation = "request"
        self.last_date: datetime | None = None
        # Set by the adapter around a POST that is harmless to send twice (a label or a
        # milestone: the second answers "already exists"), so that it is retried as a PUT is.
        self.repeatable = False
        self.sent = 0  # requests sent, retries included: the adapter tells a retry by it

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        method = (request.method or "GET").upper()
        follow = kwargs.pop("allow_redirects", True)

        def once() -> requests.Response:
            # Never let requests follow on its own: each hop comes back through here.
            self.sent += 1
            response = super(Session, self).send(request, allow_redirects=False, **kwargs)
            self.last_date = server_date(response.headers) or self.last_date
            if response.status_code == 429 or response.status_code in TRANSIENT_STATUSES:
                raise Refused(response)
            return response

        # `fail` gives None: what is not retried reaches python-gitlab (a lost connection)
        # or `_guard` (a `Refused`) as it is, and `_guard` maps it with the operation.
        response = self.retrier.run(self.operation, once, self._decide(method), lambda exc: None)
        if not response.is_redirect:
            return response
        target = urljoin(str(request.url), response.headers["location"])
        if not same_server(str(request.url), target):
            response.close()
            raise Redirected(response.status_code, str(request.url), target)
        if not follow:
            return response
        # As `requests.Session.send` follows, but every hop is sent by this method (so it
        # is retried and checked the same way), and the history lets python-gitlab refuse
        # a POST or PUT turned into a GET.
        hops = [response, *self.resolve_redirects(response, request, **kwargs)]
        final = hops.pop()
        final.history = hops
        return final

    def _decide(self, method: str) -> Decide:
        idempotent = method in IDEMPOTENT_METHODS or self.repeatable

        def decide(exc: Exception, attempt: int) -> Wait | None:
            if isinstance(exc, Refused):
                response, status = exc.response, exc.response.status_code
                response.close()  # its body is not needed: hand the connection back
                if status == 429:  # refused, not applied: safe to send again, even a POST
                    seconds = _rate_limit_wait(response, self.last_date)
                    return Wait(seconds, "GitLab rate limit (429)", rate_limit=True, status=429)
                if idempotent:
                    return Wait(backoff(attempt), f"GitLab answered {status} to {method}")
                return None
            if isinstance(exc, LOST) and idempotent:
                return Wait(backoff(attempt), f"GitLab connection lost on {method}")
            return None

        return decide


def _rate_limit_wait(response: requests.Response, server_now: datetime | None) -> float:
    """Seconds to wait: GitLab's `Retry-After`, else `RateLimit-Reset` (epoch seconds,
    measured against the server's own `Date`, not our clock), else a minute."""
    now = server_now or utc_now()
    asked = retry_after(response.headers.get("Retry-After"), now)
    if asked is not None:
        return asked
    reset = response.headers.get("RateLimit-Reset", "").strip()
    if reset.isdigit():
        return max(0.0, int(reset) - now.timestamp())
    return RATE_LIMIT_FALLBACK
