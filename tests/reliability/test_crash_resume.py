"""A push killed at any write point, then run again, ends as one clean push does.

Write points are the write requests of a clean run (each label, milestone, issue creation,
update, close, comment) and the file replacements after them (each document, the lock).
The faults:

- `kill`: the process dies before the forge sees the write (an exception nobody catches,
  and every later file write dies too: a SIGKILL runs no `finally`);
- `kill-applied`: the forge applied the write, the process died before the answer came;
- `ctrl-c`: `KeyboardInterrupt` during the write: `finally` blocks do run;
- `kill-file-before` / `kill-file-after`: death just before or just after a document or
  the lock is renamed into place.

Every interrupted run is followed by a plain push, then `check_converged`. By default,
and so in CI, every fault kind runs at every write point on both forges (about 420 cases,
some 25 s of two cores). PHASESYNC_FULL_SWEEP=0 makes it quick for a local run: `kill` at
every write point (each on one forge, alternately), the other kinds at the first, middle
and last write of each kind (about 115 cases).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.contract.conftest import Harness
from tests.reliability.conftest import (
    Death,
    Expected,
    Killed,
    arm_kill,
    assert_clean,
    check_converged,
    kill_on_replace,
    nth_write,
    record,
)
from tests.reliability.scenarios import fresh_harness, pick, prepare, write_points

FULL = os.environ.get("PHASESYNC_FULL_SWEEP", "1") != "0"
FORGES = ("github", "gitlab")
FIRST = write_points("github", "first")
EDIT = write_points("github", "edit")


def every_point() -> list[tuple[str, str, str]]:
    """(forge, scenario, point): every write point of both scenarios. By default each point
    runs on one forge, alternately (on both with FULL)."""
    cases = [
        (kind, "first", p)
        for i, p in enumerate(FIRST)
        for kind in (FORGES if FULL else (FORGES[i % 2],))
    ]
    edit = [(kind, "edit", p) for p in EDIT for kind in FORGES]
    return cases + (edit if FULL else edit[::2])


def some_points(offset: int) -> list[tuple[str, str, str]]:
    """The first, middle and last write of each kind and every write of the edit push, each
    on one forge (alternately, starting with `offset`); every point on both with FULL."""
    first = FIRST if FULL else tuple(pick(FIRST))
    points = [("first", p) for p in first] + [("edit", p) for p in EDIT]
    if FULL:
        return [(k, s, p) for s, p in points for k in FORGES]
    return [(FORGES[(i + offset) % 2], s, p) for i, (s, p) in enumerate(points)]


@pytest.fixture
def h(kind: str, tmp_path: Path) -> Iterator[Harness]:
    with fresh_harness(kind, tmp_path) as harness:
        yield harness


def _resume(h: Harness) -> int:
    """Push until a run finishes cleanly; the number of runs it took."""
    errors = []
    for runs in range(1, 4):
        result = h.run("push")
        assert result.outcome is not None
        assert not result.plan.conflicts, result.plan.conflicts  # a crash is no conflict
        if result.outcome.error is None:
            return runs
        errors.append(result.outcome.error)
    raise AssertionError(f"no clean run after 3 attempts: {errors}")


def test_the_whole_sweep_is_the_default() -> None:
    """CI runs the plain test command: it must get every fault at every write point."""
    if os.environ.get("PHASESYNC_FULL_SWEEP") == "0":
        pytest.skip("PHASESYNC_FULL_SWEEP=0: the quick sweep was asked for")
    assert FULL
    cases = every_point() + some_points(0)
    assert {kind for kind, _, _ in cases} == set(FORGES)
    assert len(every_point()) == 2 * (len(FIRST) + len(EDIT))


def test_write_points_are_the_same_on_both_forges() -> None:
    assert write_points("gitlab", "first") == FIRST
    assert write_points("gitlab", "edit") == EDIT
    kinds = {p.split("-", 1)[1] for p in FIRST + EDIT}
    assert kinds == {"label", "milestone", "create-issue", "update-issue", "comment"}


@pytest.mark.parametrize("kind,scenario,point", every_point())
def test_killed_at_a_forge_write_resumes_to_the_clean_state(
    h: Harness, death: Death, references: dict[tuple[str, str], Expected], scenario: str, point: str
) -> None:
    _kill_at_forge_write(h, death, references, scenario, point, "kill")


@pytest.mark.parametrize("kind,scenario,point", some_points(0))
def test_killed_after_the_forge_applied_a_write_resumes_to_the_clean_state(
    h: Harness, death: Death, references: dict[tuple[str, str], Expected], scenario: str, point: str
) -> None:
    _kill_at_forge_write(h, death, references, scenario, point, "kill-applied")


def _kill_at_forge_write(
    harness: Harness,
    death: Death,
    references: dict[tuple[str, str], Expected],
    scenario: str,
    point: str,
    mode: str,
) -> None:
    prepare(harness, scenario)
    n = int(point.split("-", 1)[0])
    arm_kill(harness.emulator, n, after_apply=mode == "kill-applied", death=death)
    with pytest.raises(Killed):
        harness.run("push")
    death.dead = False
    runs = 1 + _resume(harness)
    verdict = check_converged(harness, references[harness.kind, scenario])
    record(mode, f"{scenario}/{point}", harness.kind, runs, verdict)
    assert_clean(verdict)


@pytest.mark.parametrize(
    "kind,scenario,k,after",
    [
        (kind, scenario, k, after)
        for i, (scenario, k) in enumerate(
            (s, k) for s, n in (("first", 4), ("edit", 2)) for k in range(1, n + 1)
        )
        for j, after in enumerate((False, True))
        for kind in (FORGES if FULL else (FORGES[(i + j) % 2],))
    ],
)
def test_killed_at_a_file_write_resumes_to_the_clean_state(
    h: Harness,
    death: Death,
    monkeypatch: pytest.MonkeyPatch,
    references: dict[tuple[str, str], Expected],
    scenario: str,
    k: int,
    after: bool,
) -> None:
    prepare(h, scenario)
    replaced = kill_on_replace(monkeypatch, death, k, after=after)
    with pytest.raises(Killed):
        h.run("push")
    # The last rename of the run is the lock's; the documents come before it, by path.
    expected_names = {
        "first": ["phase-2-authentication.md", "phase-3-workspaces.md", "phase-4-billing.md"],
        "edit": ["phase-3-workspaces.md"],
    }[scenario] + ["phasesync.lock"]
    assert replaced == expected_names[:k]
    death.dead = False
    monkeypatch.undo()
    runs = 1 + _resume(h)
    verdict = check_converged(h, references[h.kind, scenario])
    when = "after" if after else "before"
    record(f"kill-file-{when}", f"{scenario}/{expected_names[k - 1]}", h.kind, runs, verdict)
    assert_clean(verdict)


@pytest.mark.parametrize("kind,scenario,point", some_points(1))
def test_ctrl_c_at_a_forge_write_resumes_to_the_clean_state(
    h: Harness,
    references: dict[tuple[str, str], Expected],
    scenario: str,
    point: str,
) -> None:
    prepare(h, scenario)
    n = int(point.split("-", 1)[0])

    def interrupt(_: object) -> None:
        raise KeyboardInterrupt

    h.emulator.fail_next(where=nth_write(n, interrupt))
    with pytest.raises(KeyboardInterrupt):
        h.run("push")
    runs = 1 + _resume(h)
    verdict = check_converged(h, references[h.kind, scenario])
    record("ctrl-c", f"{scenario}/{point}", h.kind, runs, verdict)
    assert_clean(verdict)
