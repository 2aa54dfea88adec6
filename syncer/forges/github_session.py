"""Where PyGithub may send the token: only to the server of `base_url`.

PyGithub puts `Authorization` on every request it makes, to whatever host a URL names: a
pagination `Link` or an object's `url` on another host of the same domain gets its own
connection, token included. Of redirects it follows a 301 itself (to the same host only,
with the same method, so a PATCH of a transferred issue would edit it in the repository it
moved to), raises a bare `RuntimeError` for one to another host, and takes the body of a
302, 307 or 308 as the answer's data.

`guard()` gives one `Requester` connection classes that refuse all of that before a byte
is sent or a redirect is taken: a request to any server but the configured one, and any
redirect except a 301 on the same server to something other than an issue (GitHub's answer
for a renamed repository). What is refused surfaces as `Refused`, which `ErrorPolicy` turns
into phasesync's errors.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from github.Requester import (
    HTTPRequestsConnectionClass,
    HTTPSRequestsConnectionClass,
    Requester,
    RequestsResponse,
)

from syncer.forges.hosts import origin, origin_name

# /repos/o/r/issues/N and what hangs below it (comments): a redirect there means the issue
# was transferred to another repository.
ISSUE_PATH = re.compile(r"/repos/[^/]+/[^/]+/issues/(?P<number>\d+)(?:[/?]|$)")
# The `Requester` attributes its connections are made from (see `guard`).
CLASS, CONNECTION = "_Requester__connectionClass", "_Requester__connection"
HTTP_CLASS, HTTPS_CLASS = "_Requester__httpConnectionClass", "_Requester__httpsConnectionClass"


class Refused(Exception):
    """A request not sent, or a redirect not followed. `status` is the redirect's, None
    when nothing was sent; `source` and `target` are `scheme://host[:port]` only (a URL's
    path or query could carry anything)."""

    def __init__(
        self, status: int | None, source: str, target: str, *, moved_issue: int | None = None
    ) -> None:
        super().__init__(status)
        self.status = status
        self.source = source
        self.target = target
        self.moved_issue = moved_issue


def _checked(cnx: Any, home: tuple[str, str, int | None], response: RequestsResponse) -> Any:
    status = response.status
    location = response.headers.get("location")
    if not 300 <= status < 400 or not location:
        return response
    source = f"{cnx.protocol}://{cnx.host}:{cnx.port}{cnx.url}"
    target = urljoin(source, location)
    moved = ISSUE_PATH.search(urlsplit(source).path)
    if origin(target) != home or moved is not None or status != 301:
        response.response.close()  # hand the connection back; the body is not needed
        number = int(moved.group("number")) if moved is not None else None
        raise Refused(status, origin_name(source), origin_name(target), moved_issue=number)
    return response  # a 301 on the same server: PyGithub follows it with the same method


def _connection_classes(base_url: str) -> tuple[type[Any], type[Any]]:
    home = origin(base_url)
    home_name = origin_name(base_url)

    def refuse_elsewhere(cnx: Any) -> None:
        here = origin(f"{cnx.protocol}://{cnx.host}:{cnx.port}")
        if here != home:
            raise Refused(None, home_name, origin_name(f"{cnx.protocol}://{cnx.host}:{cnx.port}"))

    class GuardedHTTP(HTTPRequestsConnectionClass):
        def getresponse(self) -> RequestsResponse:
            refuse_elsewhere(self)
            return _checked(self, home, super().getresponse())  # type: ignore[no-any-return]

    class GuardedHTTPS(HTTPSRequestsConnectionClass):
        def getresponse(self) -> RequestsResponse:
            refuse_elsewhere(self)
            return _checked(self, home, super().getresponse())  # type: ignore[no-any-return]

    return GuardedHTTP, GuardedHTTPS


def guard(requester: Requester, base_url: str) -> None:
    """Give `requester` the guarded connection classes.

    PyGithub has no per-client hook for them: `Requester.injectConnectionClasses` is
    process-wide and turns keep-alive off. Its constructor copies the class attributes into
    these (name-mangled) instance attributes, which every later connection is made from;
    if a PyGithub release renames them, this fails at once instead of silently unguarded.
    """
    if not all(hasattr(requester, name) for name in (CLASS, CONNECTION)):
        raise RuntimeError("this PyGithub release is not supported: its Requester changed")
    if getattr(requester, CONNECTION) is not None:
        raise RuntimeError("guard() must run before the first request")
    http, https = _connection_classes(base_url)
    scheme = urlsplit(base_url).scheme.lower()
    classes = {HTTP_CLASS: http, HTTPS_CLASS: https, CLASS: https if scheme == "https" else http}
    for name, cls in classes.items():
        setattr(requester, name, cls)
