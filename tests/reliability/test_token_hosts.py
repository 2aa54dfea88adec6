"""The token goes to the configured forge and nowhere else: not along a redirect to another
host or port (python-gitlab's session would follow a 301/302/307/308 and requests strips
only `Authorization`, never `PRIVATE-TOKEN`), and not to a host a page link names.

The forge is the emulator on loopback; "another host" is a second loopback listener that
records every request's headers (127.0.0.2, `localhost` or another port of 127.0.0.1).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
import responses

from syncer.errors import ForgeError
from tests.contract.conftest import TOKEN
from tests.e2e.conftest import Loopback, open_loopback

pytestmark = pytest.mark.e2e

FORGES = ("github", "gitlab")


@dataclass
class Recorder:
    """Another host: answers 200 `{}` to anything and keeps every request's headers."""

    url: str
    seen: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def tokens_seen(self) -> list[str]:
        return [
            f"{method} {path}: {name}"
            for method, path, headers in self.seen
            for name, value in headers.items()
            if TOKEN in value
        ]


@contextmanager
def recorder(bind: str, name: str) -> Iterator[Recorder]:
    rec = Recorder("")

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            rec.seen.append((self.command, self.path, dict(self.headers.items())))
            body = b"{}"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _any

        def log_message(self, format: str, *args: object) -> None:
            pass

    try:
        httpd = ThreadingHTTPServer((bind, 0), Handler)
    except OSError as exc:  # pragma: no cover - a loopback without 127.0.0.2
        pytest.skip(f"cannot listen on {bind}: {exc}")
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    rec.url = f"http://{name}:{httpd.server_address[1]}"
    try:
        # The listener is reachable, so a request that followed a redirect would be seen.
        requests.get(f"{rec.url}/probe", headers={"X-Probe": "1"}, timeout=5)
        assert [p for _, p, _ in rec.seen] == ["/probe"]
        rec.seen.clear()
        yield rec
    finally:
        httpd.shutdown()
        httpd.server_close()


# (address the listener binds, the name the redirect uses)
ELSEWHERE = {
    "127.0.0.2": ("127.0.0.2", "127.0.0.2"),
    "localhost": ("127.0.0.1", "localhost"),
    "another-port": ("127.0.0.1", "127.0.0.1"),
}


@pytest.fixture
def lb(kind: str, tmp_path: Path) -> Iterator[Loopback]:
    with open_loopback(kind, tmp_path) as opened:
        yield opened


@pytest.mark.parametrize("kind", FORGES)
@pytest.mark.parametrize("status", [301, 302, 307, 308])
@pytest.mark.parametrize("where", list(ELSEWHERE))
def test_a_redirect_of_a_listing_to_another_host_is_not_followed(
    lb: Loopback, kind: str, status: int, where: str
) -> None:
    bind, name = ELSEWHERE[where]
    with recorder(bind, name) as rec:
        target = f"{rec.url}/api/v4/projects/acme%2Fplans/labels?per_page=100"
        lb.emulator.fail_next(
            status=status,
            headers={"Location": target},
            body={"message": "Moved"},
            method="GET",
            path_regex=r"/labels$",
        )
        with pytest.raises(ForgeError) as info:
            lb.harness.run("push")
        assert rec.seen == []  # not one request reached the other host, token or not
    message = info.value.describe()
    assert f"redirected to {rec.url}; not followed" in message, message
    assert f"(HTTP {status})" in message
    assert TOKEN not in message and "/api/v4" not in message  # where, not what


@pytest.mark.parametrize("kind", FORGES)
@pytest.mark.parametrize("status", [301, 307, 308])
def test_a_redirect_of_a_write_to_another_host_is_not_followed(
    lb: Loopback, kind: str, status: int
) -> None:
    """A 307/308 makes requests send the POST again, body and all, to the new place."""
    with recorder("127.0.0.2", "127.0.0.2") as rec:
        lb.emulator.fail_next(
            status=status,
            headers={"Location": f"{rec.url}/issues"},
            body={"message": "Moved"},
            method="POST",
            path_regex=r"/issues$",
        )
        result = lb.harness.run("push")
        assert rec.seen == []
    assert result.outcome is not None and result.outcome.error is not None
    assert "not followed" in result.outcome.error.describe()


@pytest.mark.parametrize("kind", FORGES)
def test_a_redirect_on_the_same_server_is_followed(lb: Loopback, kind: str) -> None:
    """A moved API path on the forge itself (an old URL kept working) costs nothing."""
    labels = "/repos/acme/plans/labels" if kind == "github" else "/projects/acme%2Fplans/labels"
    prefix = "" if kind == "github" else "/api/v4"
    lb.emulator.fail_next(
        status=301,
        headers={"Location": f"{lb.server.url}{prefix}{labels}?per_page=100"},
        body={"message": "Moved Permanently"},
        method="GET",
        path_regex=r"/labels$",
    )
    result = lb.harness.run("push")
    assert result.outcome is not None and result.outcome.error is None
    assert len(lb.harness.issues()) == 36


@pytest.mark.parametrize("kind", FORGES)
def test_the_cli_says_so_in_one_line(lb: Loopback, kind: str) -> None:
    with recorder("127.0.0.2", "127.0.0.2") as rec:
        lb.emulator.fail_next(
            status=302,
            headers={"Location": f"{rec.url}/login"},
            body={"message": "Found"},
            method="GET",
            path_regex=r"/labels$",
        )
        proc = lb.cli("push", check=1)
        assert rec.seen == []
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert f"redirected to {rec.url}; not followed" in lines[0]
    assert "Traceback" not in proc.stderr and TOKEN not in proc.stderr + proc.stdout


def test_a_page_link_to_another_host_gets_no_token(tmp_path: Path) -> None:
    """PyGithub follows a listing's `Link: rel="next"` to any host of the API's domain
    (`*.github.com`), token included; phasesync requests nothing from another host."""
    from syncer.demo import copy_examples
    from syncer.forges import open_forge
    from syncer.forges.emulator.core import Reply, Request, mount
    from tests.contract.conftest import API, REPO, Harness, make_emulator

    emulator = make_emulator("github")
    emulator.add_issue("someone's issue")  # type: ignore[attr-defined]
    copy_examples(tmp_path)
    route = emulator.route
    elsewhere = "https://evil.github.com/repos/acme/plans/issues?page=2"

    def with_foreign_link(request: Request) -> Reply:
        reply = route(request)
        if request.method == "GET" and request.path.endswith("/issues"):
            headers = {**reply.headers, "Link": f'<{elsewhere}>; rel="next"'}
            reply = Reply(reply.status, reply.body, headers)
        return reply

    emulator.route = with_foreign_link  # type: ignore[method-assign]
    seen: list[dict[str, str]] = []

    def record(request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        seen.append(dict(request.headers))
        return 200, {"Content-Type": "application/json"}, b"[]"

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add_callback(responses.GET, re.compile(r"https://evil\.github\.com(:443)?/.*"), record)
        mount(emulator, rsps, API["github"])
        forge = open_forge("github", REPO, TOKEN, API["github"], sleep=lambda s: None)
        with pytest.raises(ForgeError) as info:
            Harness("github", emulator, forge, tmp_path).run("push")
    assert seen == []
    message = info.value.describe()
    assert "pointed to https://evil.github.com; not requested" in message, message
    assert TOKEN not in message


def test_a_page_link_off_the_api_domain_is_one_line(tmp_path: Path) -> None:
    """PyGithub itself refuses a page link outside the API's domain, with a bare assert:
    phasesync says so in one line, and nothing is requested there."""
    from syncer.demo import copy_examples
    from syncer.forges import open_forge
    from syncer.forges.emulator.core import Reply, Request, mount
    from tests.contract.conftest import API, REPO, Harness, make_emulator

    emulator = make_emulator("github")
    emulator.add_issue("someone's issue")  # type: ignore[attr-defined]
    copy_examples(tmp_path)
    route = emulator.route

    def with_foreign_link(request: Request) -> Reply:
        reply = route(request)
        if request.method == "GET" and request.path.endswith("/issues"):
            link = '<https://collector.example.net/issues?page=2>; rel="next"'
            reply = Reply(reply.status, reply.body, {**reply.headers, "Link": link})
        return reply

    emulator.route = with_foreign_link  # type: ignore[method-assign]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount(emulator, rsps, API["github"])
        forge = open_forge("github", REPO, TOKEN, API["github"], sleep=lambda s: None)
        with pytest.raises(ForgeError) as info:
            Harness("github", emulator, forge, tmp_path).run("push")
    message = info.value.describe()
    assert message == (
        "github: list issues failed: the answer pointed outside the API's address; not requested"
    )
