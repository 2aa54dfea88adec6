"""Where a URL points, as far as the token is concerned: scheme, host and port."""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_PORTS = {"https": 443, "http": 80}


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of `url`, the scheme's default port filled in."""
    split = urlsplit(url)
    scheme = split.scheme.lower()
    try:
        port = split.port
    except ValueError:
        port = None
    return scheme, (split.hostname or "").lower(), port or DEFAULT_PORTS.get(scheme)


def origin_name(url: str) -> str:
    """`scheme://host[:port]` of `url`: enough to say where, never a path or query."""
    scheme, host, port = origin(url)
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}" + ("" if port == DEFAULT_PORTS.get(scheme) else f":{port}")


def is_read(operation: str) -> bool:
    """Whether an operation only reads (`list ...`, `read ...`): a lost answer to it changed
    nothing on the forge, and the message must not suggest it might have."""
    return operation.startswith(("list ", "read "))


def network_failure(exc: BaseException, url: str, operation: str) -> str:
    """What went wrong on the way to the forge, naming the host and the cause: `connection
    refused`, `name not found`, `timed out`, or `connection lost`; for a write, that it may
    or may not have taken effect."""
    cause = _cause(exc)
    text = f"{origin_name(url)}: {cause}"
    if not is_read(operation) and cause in ("timed out", "connection lost"):
        text += "; the request may or may not have taken effect"
    return text


def _cause(exc: BaseException) -> str:
    import socket

    import requests
    import urllib3.exceptions

    seen: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo and len(seen) < 20:
        e = todo.pop()
        seen.append(e)
        todo += [a for a in getattr(e, "args", ()) if isinstance(a, BaseException)]
        reason = getattr(e, "reason", None)
        if isinstance(reason, BaseException):
            todo.append(reason)
        for nxt in (e.__cause__, e.__context__):
            if nxt is not None:
                todo.append(nxt)
    name_errors = (socket.gaierror, urllib3.exceptions.NameResolutionError)
    if any(isinstance(e, name_errors) for e in seen):
        return "name not found"
    if any(isinstance(e, ConnectionRefusedError) for e in seen) or any(
        "refused" in str(e).lower() for e in seen if isinstance(e, OSError)
    ):
        return "connection refused"
    timeouts = (requests.Timeout, socket.timeout, urllib3.exceptions.TimeoutError)
    if any(isinstance(e, timeouts) for e in seen):
        return "timed out"
    return "connection lost"
