"""Forge-neutral machinery of the built-in forge emulators.

An emulator is an in-memory forge that answers HTTP requests the way the real one does.
`EmulatorBase` gives every emulator the same request log, server clock and fault injection;
a subclass only implements `route()`. The same emulator can then be put under a real client
in two ways:

- `mount(emulator, rsps, base_url)` answers through a `responses.RequestsMock` (unit tests:
  no socket at all);
- `serve(emulator)` answers on a loopback `ThreadingHTTPServer` (end-to-end tests, `phasesync
  demo`), where a dropped connection is a real closed socket.

Faults are applied before routing (`fail_next`, `drop_next`), after it (`apply_then_fail`:
the write happened but the client sees an error), or late (`apply_later`: a slow forge that
applies a write after the client gave up on it), which is how we test that a lost response
to a POST never turns into a duplicate issue.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    import requests
    import responses

WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request as the emulator sees it.

    `path` is relative to the mount point (`/repos/o/r/issues` whatever the API prefix),
    `base_url` is the mount point as the client addressed it, so that an emulator can build
    absolute URLs (pagination `Link` headers) the client will accept. Header names are
    lower case.
    """

    method: str
    path: str
    query: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    base_url: str = ""

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS

    def param(self, name: str, default: str | None = None) -> str | None:
        """The last value of query parameter `name` (as most servers read repeated keys)."""
        values = self.query.get(name)
        return values[-1] if values else default

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def json(self) -> Any:
        """The decoded JSON body; `None` when there is none. Raises `ValueError` when invalid."""
        if not self.body:
            return None
        return json.loads(self.body)


@dataclass(frozen=True, slots=True)
class Reply:
    """One HTTP answer: a JSON `body` (any JSON value) or `raw` bytes when set."""

    status: int = 200
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    raw: bytes | None = None

    def content(self) -> bytes:
        if self.raw is not None:
            return self.raw
        if self.body is None:
            return b""
        return json.dumps(self.body).encode()

    def with_headers(self, extra: Mapping[str, str]) -> Reply:
        """A copy with `extra` added; headers already set by the reply win."""
        lower = {k.lower() for k in self.headers}
        merged = dict(self.headers)
        merged.update({k: v for k, v in extra.items() if k.lower() not in lower})
        return Reply(self.status, self.body, merged, self.raw)

    def all_headers(self) -> dict[str, str]:
        headers = dict(self.headers)
        if "content-type" not in {k.lower() for k in headers} and self.raw is None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        return headers


class DropConnection(Exception):
    """Raised by `EmulatorBase.handle` when a fault says to close the connection unanswered."""


FaultKind = Literal["fail", "drop", "apply_then_fail", "apply_later"]


@dataclass(slots=True)
class Fault:
    kind: FaultKind
    remaining: int
    method: str | None
    path_regex: re.Pattern[str] | None
    reply: Reply
    drop_after: bool = False  # apply_then_fail that closes the connection instead
    where: Callable[[Request], bool] | None = None
    delay: float = 0.0  # apply_later: seconds of the server's clock before the write lands

    def matches(self, request: Request) -> bool:
        if self.remaining <= 0:
            return False
        if self.method is not None and request.method != self.method.upper():
            return False
        if self.path_regex is not None and self.path_regex.search(request.path) is None:
            return False
        return self.where is None or self.where(request)


class EmulatorBase(ABC):
    """Request log, clock and faults shared by every forge emulator.

    Thread-safe: `handle()` serialises routing under one lock, so a subclass's state needs
    no locking of its own as long as its test helpers take `self.lock` too.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.requests: list[Request] = []
        self.latency: float = 0.0
        self._faults: list[Fault] = []
        self._frozen: datetime | None = None
        self._offset = timedelta()
        # Writes accepted but not applied yet (`apply_later`): (when they land, request).
        self._pending: list[tuple[datetime, Request]] = []

    # --- routing (the subclass's job) -----------------------------------------------------

    @abstractmethod
    def route(self, request: Request) -> Reply:
        """Answer one request; called with `self.lock` held."""

    def finish(self, request: Request, reply: Reply) -> Reply:
        """Hook run on every reply (routed or injected); adds headers every answer carries."""
        return reply

    # --- the request log ------------------------------------------------------------------

    def reads(self) -> int:
        with self.lock:
            return sum(1 for r in self.requests if not r.is_write)

    def writes(self) -> int:
        with self.lock:
            return sum(1 for r in self.requests if r.is_write)

    def reset_log(self) -> None:
        with self.lock:
            self.requests.clear()

    # --- the server clock -----------------------------------------------------------------

    def now(self) -> datetime:
        """The server's clock (UTC, aware): real time unless a test set or advanced it."""
        with self.lock:
            if self._frozen is not None:
                return self._frozen
            return datetime.now(UTC) + self._offset

    def set_time(self, when: datetime) -> None:
        """Freeze the clock at `when` (naive means UTC) until `advance()` moves it."""
        with self.lock:
            self._frozen = when if when.tzinfo else when.replace(tzinfo=UTC)

    def advance(self, seconds: float) -> None:
        with self.lock:
            if self._frozen is not None:
                self._frozen += timedelta(seconds=seconds)
            else:
                self._offset += timedelta(seconds=seconds)

    # --- fault injection ------------------------------------------------------------------

    def fail_next(
        self,
        n: int = 1,
        *,
        method: str | None = None,
        path_regex: str | None = None,
        status: int = 500,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        where: Callable[[Request], bool] | None = None,
    ) -> None:
        """Answer the next `n` matching requests with `status` without routing them.

        A request matches when its method is `method`, its path matches `path_regex` and
        `where(request)` is true, each when given.
        """
        if body is None:
            body = {"message": "Server Error"}
        reply = Reply(status, body, dict(headers or {}))
        self._add_fault("fail", n, method, path_regex, reply, where=where)

    def drop_next(
        self,
        n: int = 1,
        *,
        method: str | None = None,
        path_regex: str | None = None,
        where: Callable[[Request], bool] | None = None,
    ) -> None:
        """Close the connection of the next `n` matching requests without routing them."""
        self._add_fault("drop", n, method, path_regex, Reply(), where=where)

    def apply_then_fail(
        self,
        n: int = 1,
        *,
        method: str | None = None,
        path_regex: str | None = None,
        status: int = 502,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        drop: bool = False,
        where: Callable[[Request], bool] | None = None,
    ) -> None:
        """Route the next `n` matching requests (the write happens), then answer `status`, or
        close the connection when `drop`: the response a client never saw."""
        if body is None:
            body = {"message": "Bad Gateway"}
        reply = Reply(status, body, dict(headers or {}))
        self._add_fault("apply_then_fail", n, method, path_regex, reply, drop=drop, where=where)

    def apply_later(
        self,
        n: int = 1,
        *,
        after: float,
        method: str | None = None,
        path_regex: str | None = None,
        where: Callable[[Request], bool] | None = None,
    ) -> None:
        """A slow forge: the next `n` matching writes are accepted, the connection closes
        before any answer (the client's time-out), and each write lands `after` seconds
        later by the server's clock, before whatever request comes then."""
        pattern = re.compile(path_regex) if path_regex is not None else None
        with self.lock:
            fault = Fault("apply_later", n, method, pattern, Reply(), where=where, delay=after)
            self._faults.append(fault)

    def settle(self) -> None:
        """Apply the slow writes whose time has come (`apply_later`)."""
        with self.lock:
            now = self.now()
            due = [p for p in self._pending if p[0] <= now]
            self._pending = [p for p in self._pending if p[0] > now]
            for _, request in sorted(due, key=lambda p: p[0]):
                self.route(request)

    def clear_faults(self) -> None:
        with self.lock:
            self._faults.clear()

    def _add_fault(
        self,
        kind: FaultKind,
        n: int,
        method: str | None,
        path_regex: str | None,
        reply: Reply,
        *,
        drop: bool = False,
        where: Callable[[Request], bool] | None = None,
    ) -> None:
        pattern = re.compile(path_regex) if path_regex is not None else None
        with self.lock:
            self._faults.append(Fault(kind, n, method, pattern, reply, drop, where))

    def _take_fault(self, request: Request) -> Fault | None:
        for fault in self._faults:
            if fault.matches(request):
                fault.remaining -= 1
                return fault
        return None

    # --- the entry point ------------------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        """Log `request`, apply latency and faults, route it. Raises `DropConnection`."""
        if self.latency > 0:
            time.sleep(self.latency)
        with self.lock:
            self.settle()
            self.requests.append(request)
            self._faults = [f for f in self._faults if f.remaining > 0]
            fault = self._take_fault(request)
            if fault is not None and fault.kind == "apply_later":
                self._pending.append((self.now() + timedelta(seconds=fault.delay), request))
                raise DropConnection(f"{request.method} {request.path} (applied later)")
            if fault is not None and fault.kind == "drop":
                raise DropConnection(f"{request.method} {request.path}")
            if fault is not None and fault.kind == "fail":
                reply = fault.reply
            else:
                reply = self.route(request)
                if fault is not None:  # apply_then_fail: the write is done, the answer lost
                    if fault.drop_after:
                        raise DropConnection(f"{request.method} {request.path}")
                    reply = fault.reply
            reply = self.finish(request, reply)
            return reply.with_headers({"Date": format_datetime(self.now(), usegmt=True)})


# --- transports -----------------------------------------------------------------------------


def _split_query(query: str) -> dict[str, tuple[str, ...]]:
    return {k: tuple(v) for k, v in parse_qs(query, keep_blank_values=True).items()}


def _graphql_beside(prefix: str) -> str | None:
    """GitHub Enterprise serves REST at `/api/v3` and GraphQL beside it, at `/api/graphql`
    (where PyGithub's requester sends it): the path an emulator mounted at `/api/v3` also
    answers, as its `/graphql`."""
    prefix = prefix.rstrip("/")
    return prefix.removesuffix("/v3") + "/graphql" if prefix.endswith("/v3") else None


def _relative(path: str, prefix: str) -> str:
    prefix = prefix.rstrip("/")
    if path == _graphql_beside(prefix):
        return "/graphql"
    if prefix and path.startswith(prefix):
        path = path[len(prefix) :]
    return path or "/"


def mount(emulator: EmulatorBase, rsps: responses.RequestsMock, base_url: str) -> None:
    """Answer every request under `base_url` made through `requests` from `emulator`.

    A dropped connection surfaces as `requests.exceptions.ConnectionError`, as it would from
    a real socket.
    """
    import requests.exceptions

    base = base_url.rstrip("/")
    split = urlsplit(base)
    prefix = split.path
    # Clients may spell the default port out (PyGithub sends `https://host:443/...`).
    default_port = "" if split.port else {"https": "(?::443)?", "http": "(?::80)?"}[split.scheme]
    beside = _graphql_beside(prefix)
    paths = re.escape(prefix) + r"(?:[/?].*)?"
    if beside is not None:
        paths = f"(?:{paths}|{re.escape(beside)}(?:[?].*)?)"
    pattern = re.compile(re.escape(f"{split.scheme}://{split.netloc}") + default_port + paths + "$")

    def callback(prepared: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(str(prepared.url))
        raw = prepared.body or b""
        body = raw.encode() if isinstance(raw, str) else raw if isinstance(raw, bytes) else b""
        request = Request(
            method=str(prepared.method).upper(),
            path=_relative(url.path, prefix),
            query=_split_query(url.query),
            headers={k.lower(): str(v) for k, v in prepared.headers.items()},
            body=body,
            base_url=base,
        )
        try:
            reply = emulator.handle(request)
        except DropConnection as exc:
            raise requests.exceptions.ConnectionError(
                f"Connection aborted: emulator dropped {exc}"
            ) from None
        return reply.status, reply.all_headers(), reply.content()

    import responses as _responses

    class AnyMethod(_responses.CallbackResponse):
        # One registration for every method: per-method callbacks would trip
        # `assert_all_requests_are_fired` for each method a test happens not to use.
        def matches(self, request: requests.PreparedRequest) -> tuple[bool, str]:
            if self._url_matches(self.url, str(request.url)):
                return True, ""
            return False, "URL does not match"

    rsps.add(AnyMethod("GET", pattern, callback=callback, content_type=None))


class EmulatorServer:
    """A running loopback server; `url` is its base URL (with `prefix`)."""

    def __init__(self, emulator: EmulatorBase, host: str, port: int, prefix: str) -> None:
        self.emulator = emulator
        self.prefix = prefix.rstrip("/")
        self._httpd = ThreadingHTTPServer((host, port), _make_handler(self))
        self._httpd.daemon_threads = True
        bound_host, bound_port = self._httpd.server_address[:2]
        self.url = f"http://{bound_host!s}:{bound_port}{self.prefix}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="forge-emulator", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> EmulatorServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _make_handler(server: EmulatorServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.1 so that clients keep connections alive, as against a real forge.
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; with Nagle on, the second waits for the
        # client's delayed ACK (40 ms a request on Linux), which would dwarf everything else.
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            host = self.headers.get("Host") or server.url.split("//", 1)[1].split("/", 1)[0]
            request = Request(
                method=self.command.upper(),
                path=_relative(url.path, server.prefix),
                query=_split_query(url.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
                base_url=f"http://{host}{server.prefix}",
            )
            try:
                reply = server.emulator.handle(request)
            except DropConnection:
                # Close the socket without a byte of response: the client sees the
                # connection reset / closed, exactly like a proxy dying mid-request.
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            content = reply.content()
            self.send_response_only(reply.status)
            for name, value in reply.all_headers().items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(content)

        do_GET = do_HEAD = do_POST = do_PATCH = do_PUT = do_DELETE = do_OPTIONS = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the emulator's own request log is the record; stderr stays quiet

    return Handler


def serve(
    emulator: EmulatorBase, host: str = "127.0.0.1", port: int = 0, *, prefix: str = ""
) -> EmulatorServer:
    """Serve `emulator` on loopback in a daemon thread; use as a context manager or `close()`.

    `prefix` is an API path prefix (`/api/v3` for a GitHub Enterprise-like URL).
    """
    return EmulatorServer(emulator, host, port, prefix)
