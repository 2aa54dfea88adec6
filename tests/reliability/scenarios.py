"""The runs the crash tests interrupt: a first push of the examples, and a push of edits.

Each scenario can be run cleanly (to make the reference state) or with a fault armed; the
write points are the write requests of the clean run, in order, named by what they do.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import responses

from syncer.demo import copy_examples
from syncer.forges import open_forge
from syncer.forges.base import WaitReporter
from syncer.forges.emulator.core import mount
from tests.contract.conftest import API, REPO, TOKEN, Harness, make_emulator
from tests.reliability.conftest import Expected, capture

P2 = "phase-2-authentication.md"
P3 = "phase-3-workspaces.md"


@contextmanager
def fresh_harness(
    kind: str,
    root: Path,
    *,
    sleep: Callable[[float], None] | None = None,
    on_wait: WaitReporter | None = None,
    max_wait: float = 900.0,
) -> Iterator[Harness]:
    """A harness of its own (the `harness` fixture's, outside a test). The forge sleeps
    through `sleep` (by default not at all) and reports its waits to `on_wait`."""
    emulator = make_emulator(kind)
    copy_examples(root)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount(emulator, rsps, API[kind])
        forge = open_forge(
            kind,
            REPO,
            TOKEN,
            API[kind],
            sleep=sleep or (lambda s: None),
            on_wait=on_wait,
            max_wait=max_wait,
        )
        yield Harness(kind, emulator, forge, root)


def _replace(h: Harness, name: str, old: bytes, new: bytes) -> None:
    path = h.doc(name)
    data = path.read_bytes()
    assert data.count(old) == 1, old
    path.write_bytes(data.replace(old, new))


def edit_documents(h: Harness) -> None:
    """After a first push: one content edit, a tick, an untick, a removal, a new task."""
    _replace(h, P2, b"valid for 30 minutes", b"valid for 15 minutes")  # update
    _replace(h, P2, b"- [ ] Rate limiting on registration", b"- [x] Rate limiting on registration")
    _replace(h, P2, b"- [x] **Reliability**", b"- [ ] **Reliability**")  # reopen
    path = h.doc(P2)
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"\n".join(ln for ln in lines if b"External security review" not in ln))
    _replace(
        h, P3, b"- [ ] Workspace switcher", b"- [ ] Audit log of sign-ins\n- [ ] Workspace switcher"
    )


def prepare(h: Harness, scenario: str) -> None:
    """Bring `h` to the start of `scenario`'s interrupted run."""
    if scenario == "edit":
        first = h.run("push")
        assert first.outcome is not None and first.outcome.error is None
        edit_documents(h)


def _category(method: str, path: str) -> str:
    if path.endswith("/labels"):
        return "label"
    if path.endswith("/milestones"):
        return "milestone"
    if re.search(r"/milestones/\d+$", path):
        return "update-milestone"
    if path.endswith("/issues"):
        return "create-issue"
    if path.endswith(("/comments", "/notes")):
        return "comment"
    return "update-issue"


@cache
def write_points(kind: str, scenario: str) -> tuple[str, ...]:
    """The write requests of a clean run of `scenario`, as `07-label` style names."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp, fresh_harness(kind, Path(tmp)) as h:
        prepare(h, scenario)
        h.emulator.reset_log()
        h.run("push")
        writes = [r for r in h.emulator.requests if r.is_write]
        return tuple(f"{i:02d}-{_category(r.method, r.path)}" for i, r in enumerate(writes, 1))


@cache
def reference(kind: str, scenario: str) -> Expected:
    """What a clean run of `scenario` leaves behind."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp, fresh_harness(kind, Path(tmp)) as h:
        prepare(h, scenario)
        result = h.run("push")
        assert result.outcome is not None and result.outcome.error is None
        return capture(h)


def pick(points: tuple[str, ...]) -> list[str]:
    """A representative few: the first and last of each kind of write, and the last write."""
    chosen: dict[str, None] = {}
    by_kind: dict[str, list[str]] = {}
    for p in points:
        by_kind.setdefault(p.split("-", 1)[1], []).append(p)
    for found in by_kind.values():
        chosen[found[0]] = None
        chosen[found[-1]] = None
        if len(found) > 4:
            chosen[found[len(found) // 2]] = None
    chosen[points[-1]] = None
    return sorted(chosen)
