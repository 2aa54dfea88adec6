"""A 200 answer phasesync cannot read (an HTML page from a proxy or a sign-in portal, a body
that is not JSON, JSON of the wrong shape, an object without the fields every answer has)
ends the run with one `ForgeError` naming the operation, never with a traceback; on a
create, whose request may have been applied, the issue is looked for by its key marker
before it is sent again, so that no answer, however bad, makes a duplicate.

The answers are spoiled on their way out of the emulator (which applied the request).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from syncer.errors import ForgeError, PhasesyncError
from syncer.forges.emulator.core import Reply, Request
from tests.contract.conftest import Harness
from tests.e2e.conftest import open_loopback

HTML = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>Sign in</body></html>"

# name -> (answer for a single object, answer for a listing)
GARBAGE: dict[str, tuple[Reply, Reply]] = {
    "html": (
        Reply(200, raw=HTML, headers={"Content-Type": "text/html; charset=utf-8"}),
        Reply(200, raw=HTML, headers={"Content-Type": "text/html; charset=utf-8"}),
    ),
    "not-json": (
        Reply(200, raw=b'{"id": 1, "title": ', headers={"Content-Type": "application/json"}),
        Reply(200, raw=b'[{"id": 1, ', headers={"Content-Type": "application/json"}),
    ),
    "empty": (
        Reply(200, raw=b"", headers={"Content-Type": "application/json"}),
        Reply(200, raw=b"", headers={"Content-Type": "application/json"}),
    ),
    "wrong-shape": (Reply(200, body=[{"id": 1}]), Reply(200, body={"message": "OK"})),
    "missing-fields": (Reply(200, body={"id": 1}), Reply(200, body=[{"id": 1}])),
    "wrong-types": (
        Reply(200, body={"id": "x", "number": "one", "iid": [], "title": 5, "name": None}),
        Reply(200, body=[{"id": "x", "number": "one", "iid": [], "title": 5, "name": None}]),
    ),
    "scalar": (Reply(200, body="OK"), Reply(200, body=42)),
}

# operation -> (is it a listing, the request it spoils)
OPERATIONS: dict[str, tuple[bool, Callable[[Request], bool]]] = {
    "list labels": (True, lambda r: r.method == "GET" and r.path.endswith("/labels")),
    "list milestones": (True, lambda r: r.method == "GET" and r.path.endswith("/milestones")),
    "list issues": (True, lambda r: r.method == "GET" and r.path.endswith("/issues")),
    "create label": (False, lambda r: r.method == "POST" and r.path.endswith("/labels")),
    "create milestone": (False, lambda r: r.method == "POST" and r.path.endswith("/milestones")),
    "create issue": (False, lambda r: r.method == "POST" and r.path.endswith("/issues")),
    "update issue": (
        False,
        lambda r: r.method in ("PATCH", "PUT") and re.search(r"/issues/\d+$", r.path) is not None,
    ),
}


def spoil(h: Harness, which: Callable[[Request], bool], answer: Reply, times: int = 1) -> None:
    route = h.emulator.route
    left = times

    def spoiled(request: Request) -> Reply:
        nonlocal left
        reply = route(request)  # the request is applied, as the forge would
        if left > 0 and reply.status < 300 and which(request):
            left -= 1
            return answer
        return reply

    h.emulator.route = spoiled  # type: ignore[method-assign]


def _error_of(h: Harness) -> PhasesyncError | None:
    try:
        result = h.run("push")
    except PhasesyncError as exc:  # a listing fails before anything is planned
        return exc
    assert result.outcome is not None
    return result.outcome.error


@pytest.mark.parametrize("garbage", list(GARBAGE))
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_an_unreadable_answer_is_a_one_line_forge_error(
    harness: Harness, operation: str, garbage: str
) -> None:
    h = harness
    listing, which = OPERATIONS[operation]
    if operation == "update issue":
        h.run("push")
        path = h.doc("phase-2-authentication.md")
        path.write_bytes(path.read_bytes().replace(b"session cookie.", b"session cookie!", 1))
    single, many = GARBAGE[garbage]
    spoil(h, which, many if listing else single)
    error = _error_of(h)
    if operation == "create issue" and error is None:
        pass  # the issue was found by its key marker: that is the point of looking first
    else:
        assert isinstance(error, ForgeError), repr(error)
        message = error.describe()
        assert "\n" not in message and len(message) < 400, message
        assert error.operation.startswith(operation), (error.operation, operation)
        assert "unreadable answer" in message or error.status is not None, message
    # Whatever happened, the next run ends in the clean state: no duplicate, nothing lost.
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None, result.outcome.error
    keys = [i.body.split("phasesync:key=")[1].split(" ")[0] for i in h.issues()]
    assert len(keys) == len(set(keys)) == 36
    assert len(h.labels()) == len({n.casefold() for n in h.labels()})
    h.emulator.reset_log()
    h.run("push")
    assert h.writes() == 0


@pytest.mark.e2e
@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_the_cli_says_so_in_one_line(kind: str, tmp_path: Path) -> None:
    """Over loopback, from the command line: an HTML page where the labels should be."""
    with open_loopback(kind, tmp_path) as lb:
        page = Reply(200, raw=HTML, headers={"Content-Type": "text/html"})
        route = lb.emulator.route
        lb.emulator.route = lambda r: page if r.path.endswith("/labels") else route(r)  # type: ignore[method-assign]
        proc = lb.cli("push", check=1)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"error: {kind}: list labels failed: unreadable answer: ")
    assert "Traceback" not in proc.stderr and "Sign in" not in proc.stderr
