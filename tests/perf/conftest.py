"""The contract suite's `Harness` (GitHub and GitLab emulators under the real clients), on a
frozen forge clock that moves 15 minutes between runs, as a scheduled job's would."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from syncer.forges.emulator.core import Request
from syncer.sync.engine import RunResult
from syncer.sync.lock import ForgeState
from syncer.sync.lock_store import LockStore
from tests.contract.conftest import Harness, harness  # noqa: F401  (the fixture)

SCHEDULE = 15 * 60  # seconds of forge time between two runs

# One issue read by number (`/repos/o/r/issues/7`, `/api/v4/projects/x/issues/7`).
SINGLE_ISSUE = re.compile(r"/issues/\d+$")
# The repository or project itself.
REPOSITORY = re.compile(r"^(/repos/[^/]+/[^/]+|/api/v4/projects/[^/]+)/?$")


def start_clock(h: Harness) -> None:
    """Freeze the forge's clock at the present (the lock's age is judged by our clock)."""
    h.emulator.set_time(datetime.now(UTC).replace(microsecond=0))


def scheduled(h: Harness, direction: str, **request: object) -> RunResult:
    """One run, a schedule after the previous one, with a fresh request log."""
    h.emulator.advance(SCHEDULE)
    h.emulator.reset_log()
    return h.run(direction, **request)


def state(h: Harness) -> ForgeState:
    return LockStore(h.root / "phasesync.lock").load().state(h.forge.identity)


def logged(h: Harness) -> list[Request]:
    return list(h.emulator.requests)


def single_issue_reads(h: Harness) -> list[str]:
    return [r.path for r in logged(h) if r.method == "GET" and SINGLE_ISSUE.search(r.path)]


def repository_reads(h: Harness) -> list[str]:
    return [r.path for r in logged(h) if r.method == "GET" and REPOSITORY.match(r.path)]


def listing_start(h: Harness) -> str | None:
    """The `since` / `updated_after` of the last issues listing of the log, if any."""
    for r in reversed(logged(h)):
        if r.method == "GET" and r.path.endswith("/issues"):
            return r.param("since") or r.param("updated_after")
    return None


def settle(h: Harness) -> None:
    """First push, then the run that lists its writes again: the state of a scheduled job."""
    start_clock(h)
    first = h.run("push")
    assert first.outcome is not None and first.outcome.error is None
    again = scheduled(h, "push")
    assert again.outcome is not None and h.writes() == 0
