"""phasesync's own waits, each announced once through the reporter, on both forges: the
write ceiling's (room under the forge's write limit) and a lost create's (time for the
forge to finish it before it is looked for). The waits pass on the emulator's clock; every
sleep of the run is matched by exactly one announcement of the same length."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from syncer.forges.emulator.core import EmulatorBase
from syncer.sync.ceiling import Ceiling
from syncer.sync.engine import RunRequest, RunResult, run
from tests.contract.conftest import Harness


@dataclass
class Told:
    """A `Reporter` that keeps what it is told, and the sleeps of the run."""

    emulator: EmulatorBase
    waits: list[tuple[str, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    slept: list[float] = field(default_factory=list)

    def start(self, total: int) -> None:
        pass

    def step(self, description: str) -> None:
        pass

    def note(self, message: str) -> None:
        self.notes.append(message)

    def wait(self, what: str, seconds: float) -> None:
        self.waits.append((what, seconds))

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.emulator.advance(seconds)


def push(h: Harness, told: Told, **options: object) -> RunResult:
    apply = replace(h.config.apply, sleep=told.sleep, **options)  # type: ignore[arg-type]
    return run(h.forge, h.root, replace(h.config, apply=apply), RunRequest("push"), told)


def test_each_wait_for_the_write_ceiling_is_said_once(harness: Harness) -> None:
    h = harness
    told = Told(h.emulator)
    result = push(
        h,
        told,
        ceiling=Ceiling(((10, 60.0),)),
        wall=lambda: h.emulator.now().timestamp(),
    )
    assert result.outcome is not None and result.outcome.error is None
    assert len(h.issues()) == 36
    assert told.slept and [s for _, s in told.waits] == told.slept
    assert {what for what, _ in told.waits} == {
        "room under the forge's write limit (10 per minute)"
    }
    assert not any("wait" in note for note in told.notes)


def test_a_lost_create_is_one_wait_then_it_is_found(harness: Harness) -> None:
    h = harness
    told = Told(h.emulator)
    issues = r"/issues$"
    h.emulator.apply_then_fail(method="POST", path_regex=issues)
    result = push(h, told)
    assert result.outcome is not None and result.outcome.error is None
    assert len(h.issues()) == 36  # found by its key marker, not sent again
    ((what, seconds),) = told.waits
    assert seconds == 10.0 and told.slept == [10.0]
    assert what.startswith("a create that got no answer (") and "key marker" in what
    assert not any("wait" in note or "looking for it" in note for note in told.notes)


def test_a_phase_parent_whose_create_was_lost_is_one_wait_then_found(harness: Harness) -> None:
    h = harness
    h.config = replace(h.config, phase_parents=True)
    told = Told(h.emulator)
    # Parents are made first: the first issue POST of the run is a parent's.
    h.emulator.apply_then_fail(method="POST", path_regex=r"/issues$")
    result = push(h, told)
    assert result.outcome is not None and result.outcome.error is None
    ((what, seconds),) = told.waits
    assert seconds == 10.0 and told.slept == [10.0]
    assert what.startswith("a create that got no answer (") and "key marker" in what
    titles = [i.title for i in h.issues()]
    assert len(titles) == 36 + 3  # the items and a parent per phase: none made twice
    assert sum(t.startswith("Phase 2: ") for t in titles) == 1
