"""Failures the forge causes: 5xx answers, dropped connections, lost answers to writes it
applied, time-outs. Each is injected at a write point of a push; the run either rides it
out or stops cleanly, and at most two more pushes end in the clean state."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from syncer.forges.emulator.core import EmulatorBase, Request
from tests.contract.conftest import Harness
from tests.reliability.conftest import (
    Expected,
    after_nth_write,
    assert_clean,
    check_converged,
    nth_write,
    record,
)
from tests.reliability.scenarios import fresh_harness, pick, prepare, write_points

FORGES = ("github", "gitlab")


def _after_apply(emulator: EmulatorBase, n: int, exc: Callable[[], Exception]) -> None:
    """The `n`th write is applied, then the client sees `exc` instead of the answer."""

    def fail(request: Request) -> None:
        raise exc()

    after_nth_write(emulator, n, fail)


def _timeout() -> Exception:
    return requests.exceptions.ReadTimeout("read timed out (injected)")


FAULTS: dict[str, Callable[[EmulatorBase, int], None]] = {
    "http-500": lambda emu, n: emu.fail_next(where=nth_write(n), status=500),
    "http-503-twice": lambda emu, n: emu.fail_next(2, where=nth_write(n), status=503),
    "dropped": lambda emu, n: emu.drop_next(where=nth_write(n)),
    "502-after-apply": lambda emu, n: emu.apply_then_fail(where=nth_write(n)),
    "dropped-after-apply": lambda emu, n: emu.apply_then_fail(where=nth_write(n), drop=True),
    "timeout-after-apply": lambda emu, n: _after_apply(emu, n, _timeout),
}


def _cases() -> list[tuple[str, str, str, str]]:
    first = [("first", p) for p in pick(write_points("github", "first"))]
    edit = [("edit", p) for p in write_points("github", "edit")]
    cases = []
    for f, fault in enumerate(FAULTS):
        # Each fault at every other point, the next fault at the points between, each on
        # one forge, alternately: every point meets three faults on each forge.
        chosen = [sp for i, sp in enumerate(first + edit) if (i + f) % 2 == 0]
        for j, (scenario, point) in enumerate(chosen):
            cases.append((FORGES[(j + f // 2) % 2], fault, scenario, point))
    return cases


@pytest.fixture
def h(kind: str, tmp_path: Path) -> Iterator[Harness]:
    with fresh_harness(kind, tmp_path) as harness:
        yield harness


@pytest.mark.parametrize("kind,fault,scenario,point", _cases())
def test_a_forge_failure_at_a_write_point_ends_in_the_clean_state(
    h: Harness,
    references: dict[tuple[str, str], Expected],
    fault: str,
    scenario: str,
    point: str,
) -> None:
    want = references[h.kind, scenario]
    prepare(h, scenario)
    FAULTS[fault](h.emulator, int(point.split("-", 1)[0]))
    runs = 0
    while True:
        runs += 1
        result = h.run("push")
        assert result.outcome is not None and not result.plan.conflicts
        if result.outcome.error is None:
            break
        assert runs < 3, f"no clean run after 3 attempts: {result.outcome.error}"
    verdict = check_converged(h, want)
    record(fault, f"{scenario}/{point}", h.kind, runs, verdict)
    assert_clean(verdict)


@pytest.mark.parametrize("kind", FORGES)
@pytest.mark.parametrize("drop", [False, True], ids=["502", "dropped"])
def test_a_lost_answer_to_an_issue_creation_is_found_by_its_marker_not_sent_again(
    h: Harness, references: dict[tuple[str, str], Expected], drop: bool
) -> None:
    """The classic duplicate trap: the forge created the issue, the client never heard."""
    creates = [i for i, p in enumerate(write_points(h.kind, "first"), 1) if "create-issue" in p]
    h.emulator.apply_then_fail(where=nth_write(creates[2]), drop=drop)
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None
    posts = [r for r in h.emulator.requests if r.method == "POST" and r.path.endswith("/issues")]
    assert len(posts) == 36  # the lost one was not sent again...
    assert len(h.issues()) == 36  # ...and it is the one the lock and the document link to
    assert_clean(check_converged(h, references[h.kind, "first"]))
