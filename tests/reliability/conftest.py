"""Fault injection shared by the reliability suite.

Everything here acts on the forge emulator (a fake forge) or on the operating system
(`os.replace`), never on phasesync's own functions: a run is killed by an exception raised
from inside an HTTP exchange or from inside the rename that writes a file, which is where a
real crash, Ctrl-C or lost connection lands.

`check_converged` is the one oracle every crash-and-resume test uses: after a resumed run the
forge, the documents and the lock must be what one clean run makes, and a further push must
send no write. It counts what it finds (duplicates, corrupted documents, lost changes) into
the fault table printed at the end of the session (`pytest_terminal_summary`).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from syncer.forges.emulator.core import EmulatorBase, Reply, Request
from syncer.markdown.parse import parse_document
from syncer.sync.body import key_of
from syncer.sync.lock_store import LockStore
from tests.contract.conftest import Harness, harness  # noqa: F401  (fixture re-export)
from tests.e2e.conftest import Loopback, loopback, open_loopback  # noqa: F401  (fixture re-export)

DOCS = ("phase-2-authentication.md", "phase-3-workspaces.md", "phase-4-billing.md")
LINK = re.compile(rb" \(\[#\d+\]\([^)\s]*\)\)")
FAULT_LOG_ENV = "PHASESYNC_FAULT_LOG"


class Killed(BaseException):
    """The process died here: not an `Exception`, so no `except Exception` catches it, just
    as nothing in the program catches a SIGKILL."""


# --- counting writes -------------------------------------------------------------------------


def nth_write(
    n: int, action: Callable[[Request], None] | None = None, *, times: int = 1
) -> Callable[[Request], bool]:
    """A `where=` predicate true for the `n`th write request (1-based) it sees, and for the
    `times - 1` writes after it (a retried request is a write of its own).

    `action`, when given, runs on that request (to edit a file, exhaust a rate limit...)
    and the predicate then answers False, so that the request itself goes through.
    """
    seen = 0

    def where(request: Request) -> bool:
        nonlocal seen
        if not request.is_write:
            return False
        seen += 1
        if not n <= seen < n + times:
            return False
        if action is not None:
            action(request)
            return False
        return True

    return where


def after_nth_write(emulator: EmulatorBase, n: int, action: Callable[[Request], None]) -> None:
    """Run `action` once the forge has applied the `n`th write, before the client gets a
    byte of the answer (an exception from `action` is what the client sees instead)."""
    route = emulator.route
    seen = 0

    def route_then_act(request: Request) -> Reply:
        nonlocal seen
        reply = route(request)
        if request.is_write:
            seen += 1
            if seen == n:
                action(request)
        return reply

    emulator.route = route_then_act  # type: ignore[method-assign]


def arm_kill(emulator: EmulatorBase, n: int, *, after_apply: bool, death: Death) -> None:
    """Kill the client at the `n`th write: before the forge sees it, or once the forge has
    applied it but before a byte of the answer reaches the client."""
    if not after_apply:

        def die(request: Request) -> None:
            death.die(f"{request.method} {request.path}")

        emulator.fail_next(where=nth_write(n, die))
        return

    def die_applied(request: Request) -> None:
        death.die(f"{request.method} {request.path} (applied)")

    after_nth_write(emulator, n, die_applied)


@dataclass
class Death:
    """Once `die()` has been called, every file replacement dies too, so that nothing a
    `finally:` tries to save after the kill reaches the disk (a SIGKILL runs no `finally`)."""

    dead: bool = False
    where: str = ""

    def die(self, where: str) -> None:
        self.dead, self.where = True, where
        raise Killed(where)


@pytest.fixture
def death(monkeypatch: pytest.MonkeyPatch) -> Death:
    state = Death()
    real_replace = os.replace

    def replace(src: Any, dst: Any, **kwargs: Any) -> None:
        if state.dead:
            raise Killed("after death")
        real_replace(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    return state


def kill_on_replace(
    monkeypatch: pytest.MonkeyPatch, death: Death, k: int, *, after: bool
) -> list[str]:
    """Kill the run at the `k`th file replacement (a document or the lock), before or after
    the rename itself. Returns the list of replaced file names, filled as the run goes."""
    replaced: list[str] = []
    inner = os.replace  # the `death` fixture's wrapper

    def replace(src: Any, dst: Any, **kwargs: Any) -> None:
        if death.dead:
            raise Killed("after death")
        replaced.append(Path(dst).name)
        if len(replaced) == k and not after:
            death.die(f"before writing {Path(dst).name}")
        inner(src, dst, **kwargs)
        if len(replaced) == k and after:
            death.die(f"after writing {Path(dst).name}")

    monkeypatch.setattr(os, "replace", replace)
    return replaced


# --- the expected state -------------------------------------------------------------------


@dataclass(frozen=True)
class IssueState:
    title: str
    body: str
    closed: bool
    labels: frozenset[str]
    milestone: str | None


@dataclass
class Expected:
    """What one clean run leaves behind."""

    issues: dict[str, IssueState]  # by key
    labels: frozenset[str]
    milestones: frozenset[str]
    docs: dict[str, bytes]  # links replaced by a placeholder
    lock: dict[str, tuple[str, bool, str | None]]  # key -> (hash, checked, milestone)
    comments: int = 0
    host: str = ""  # the hashes cover the body, whose links name the forge's host


def normalise(data: bytes) -> bytes:
    """A document with each issue link replaced: numbers may legitimately differ."""
    return LINK.sub(b" (LINK)", data)


URL = re.compile(r"https?://[^\s)/]+")


def forge_by_key(h: Harness) -> dict[str | None, list[tuple[int, IssueState]]]:
    found: dict[str | None, list[tuple[int, IssueState]]] = defaultdict(list)
    for i in h.issues():
        # The body links to the document on the forge's host: loopback or the public one.
        body = URL.sub("https://forge", i.body)
        state = IssueState(i.title, body, i.closed, i.labels, i.milestone)
        found[key_of(i.body)].append((i.number, state))
    return found


def capture(h: Harness) -> Expected:
    by_key = forge_by_key(h)
    items = h.lock_items()
    return Expected(
        issues={k: v[0][1] for k, v in by_key.items() if k is not None},
        labels=frozenset(h.labels()),
        milestones=frozenset(h.milestones()),
        docs={name: normalise(h.doc(name).read_bytes()) for name in DOCS},
        lock={k: (e.hash, e.checked, e.milestone) for k, e in items.items()},
        comments=sum(i.comments for i in h.issues()),
        host=_host(h),
    )


def _host(h: Harness) -> str:
    match = URL.match(h.forge.issue_url(1))
    return match.group(0) if match else ""


# --- the oracle -----------------------------------------------------------------------------


@dataclass
class Verdict:
    duplicates: int = 0
    corrupted: int = 0
    lost: int = 0
    extra_comments: int = 0
    details: list[str] = field(default_factory=list)


def check_converged(h: Harness, want: Expected) -> Verdict:
    v = Verdict()
    by_key = forge_by_key(h)
    for key, found in by_key.items():
        if key is None:
            v.duplicates += len(found)  # an issue without a marker: made by nobody we know
            v.details.append(f"issue without marker: {[n for n, _ in found]}")
        elif len(found) > 1:
            v.duplicates += len(found) - 1
            v.details.append(f"duplicate {key}: {[n for n, _ in found]}")
    labels = [name.casefold() for name in h.labels()]
    v.duplicates += len(labels) - len(set(labels))
    milestones = list(h.milestones())
    v.duplicates += len(milestones) - len(set(milestones))
    if frozenset(h.labels()) != want.labels or frozenset(milestones) != want.milestones:
        v.lost += 1
        v.details.append("labels or milestones differ")
    for key, state in want.issues.items():
        if key not in by_key or by_key[key][0][1] != state:
            v.lost += 1
            v.details.append(f"forge state of {key} differs")
    # Documents: valid, byte-exact outside their links, every item linked to its issue.
    numbers = {key: found[0][0] for key, found in by_key.items() if key is not None}
    for name in DOCS:
        data = h.doc(name).read_bytes()
        doc = parse_document(name, data)
        if doc.has_errors or doc.phase is None or normalise(data) != want.docs[name]:
            v.corrupted += 1
            v.details.append(f"{name} differs from a clean run")
            continue
        for item in doc.phase.items:
            key = str(item.key)
            if item.link is None or numbers.get(key) != item.link.number:
                v.lost += 1
                v.details.append(f"{name}:{item.pos.line} link missing or wrong")
    # The lock: complete, every entry on the issue with its marker, no journal left.
    store = LockStore(h.root / "phasesync.lock")
    items = h.lock_items()
    same_host = _host(h) == want.host
    got = {k: (e.hash if same_host else "", e.checked, e.milestone) for k, e in items.items()}
    wanted = {k: (hsh if same_host else "", c, m) for k, (hsh, c, m) in want.lock.items()}
    if got != wanted or any(numbers.get(k) != e.issue for k, e in items.items()):
        v.lost += 1
        v.details.append("lock differs from a clean run")
    if store.journal.exists():
        v.lost += 1
        v.details.append("journal left behind after a complete run")
    v.extra_comments = sum(i.comments for i in h.issues()) - want.comments
    # And a further push has nothing left to do.
    h.emulator.reset_log()
    h.run("push")
    if h.writes():
        v.lost += 1
        v.details.append(f"a further push sent {h.writes()} write(s)")
    return v


def record(kind: str, point: str, forge: str, runs: int, verdict: Verdict) -> None:
    """One row of the fault table (see `pytest_terminal_summary`)."""
    path = os.environ.get(FAULT_LOG_ENV)
    if not path:
        return
    row = {
        "kind": kind,
        "point": point,
        "forge": forge,
        "runs": runs,
        "duplicates": verdict.duplicates,
        "corrupted": verdict.corrupted,
        "lost": verdict.lost,
        "extra_comments": verdict.extra_comments,
    }
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(row) + "\n")


def assert_clean(verdict: Verdict) -> None:
    counts = (verdict.duplicates, verdict.corrupted, verdict.lost, verdict.extra_comments)
    assert counts == (0, 0, 0, 0), (counts, verdict.details)


# --- the fault table --------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput") or os.environ.get(FAULT_LOG_ENV):
        return  # an xdist worker inherits the controller's log
    fd, path = tempfile.mkstemp(prefix="phasesync-faults-", suffix=".jsonl")
    os.close(fd)
    os.environ[FAULT_LOG_ENV] = path


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return
    path = os.environ.get(FAULT_LOG_ENV)
    if not path or not Path(path).exists():
        return
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line]
    if not rows:
        return
    table: dict[str, dict[str, Any]] = {}
    for row in rows:
        t = table.setdefault(
            row["kind"],
            {"points": set(), "forges": set(), "cases": 0, "runs": 0, "dup": 0, "bad": 0,
             "lost": 0, "comments": 0},
        )  # fmt: skip
        t["points"].add(row["point"])
        t["forges"].add(row["forge"])
        t["cases"] += 1
        t["runs"] += row["runs"]
        t["dup"] += row["duplicates"]
        t["bad"] += row["corrupted"]
        t["lost"] += row["lost"]
        t["comments"] += row["extra_comments"]
    write = terminalreporter.write_line
    write("")
    write("fault kind | write points | forges | cases | runs | duplicates | documents "
          "corrupted | changes lost | repeated comments")  # fmt: skip
    write("--- | --- | --- | --- | --- | --- | --- | --- | ---")
    for kind, t in sorted(table.items()):
        write(
            f"{kind} | {len(t['points'])} | {'+'.join(sorted(t['forges']))} | {t['cases']} | "
            f"{t['runs']} | {t['dup']} | {t['bad']} | {t['lost']} | {t['comments']}"
        )
    Path(path).unlink(missing_ok=True)


@pytest.fixture(scope="session")
def references() -> dict[tuple[str, str], Expected]:
    """The clean runs, made before any test's own `responses` mock is active."""
    from tests.reliability.scenarios import reference

    return {(k, s): reference(k, s) for k in ("github", "gitlab") for s in ("first", "edit")}


@pytest.fixture
def lb(kind: str, tmp_path: Path) -> Iterator[Loopback]:
    """The e2e `loopback` fixture for one forge, named by a `kind` parameter of the test
    (so that a test can run some cases on one forge only)."""
    with open_loopback(kind, tmp_path) as opened:
        yield opened
