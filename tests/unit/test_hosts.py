"""Network failures name the host and the cause, and only a write's says it may have
taken effect (issue 13: a read never says "may or may not have taken effect")."""

from __future__ import annotations

import socket

import pytest
import requests
import urllib3.exceptions

from syncer.errors import TransientError
from syncer.forges import open_forge
from syncer.forges.hosts import network_failure, origin_name

URL = "https://gitlab.example.com:8443/api/v4"


def test_the_host_is_named_without_path_or_query() -> None:
    assert origin_name("https://api.github.com/repos/o/r?x=1") == "https://api.github.com"
    assert origin_name(URL) == "https://gitlab.example.com:8443"


@pytest.mark.parametrize(
    "exc,cause",
    [
        (requests.ConnectionError(ConnectionRefusedError(111, "Connection refused")), "refused"),
        (requests.ConnectionError(socket.gaierror(-2, "Name or service not known")), "name"),
        (requests.ReadTimeout("read timed out"), "timed out"),
        (requests.exceptions.ChunkedEncodingError("connection broken"), "connection lost"),
    ],
)
def test_each_cause_is_named(exc: BaseException, cause: str) -> None:
    read = network_failure(exc, URL, "list issues")
    assert read.startswith("https://gitlab.example.com:8443: ") and cause in read
    assert "may or may not" not in read
    write = network_failure(exc, URL, "create issue 'x'")
    if cause in ("timed out", "connection lost"):
        assert write.endswith("the request may or may not have taken effect")
    else:  # never sent: nothing can have taken effect
        assert "may or may not" not in write


def test_a_name_resolution_error_of_urllib3_is_name_not_found() -> None:
    inner = urllib3.exceptions.NameResolutionError("nohost", None, socket.gaierror(-2, "x"))  # type: ignore[arg-type]
    assert "name not found" in network_failure(requests.ConnectionError(inner), URL, "read x")


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_a_refused_connection_is_one_line_naming_the_host(kind: str) -> None:
    # A loopback port nobody listens on: the real client gets a real refusal.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}" + ("/api/v3" if kind == "github" else "")
    forge = open_forge(kind, "acme/plans", "t0ken", base, sleep=lambda s: None)
    with pytest.raises(TransientError) as info:
        forge.list_issues()
    message = info.value.describe()
    assert f"http://127.0.0.1:{port}: connection refused" in message
    assert "may or may not" not in message and "t0ken" not in message
