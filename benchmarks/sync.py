"""Requests and wall time of push, pull and sync as a plan grows.

Run `python -m benchmarks.sync` (all sizes, both transports: about 10 minutes on two cores)
or `python -m benchmarks.sync --quick` (100 and 1,000 items, in-process only). The full run
writes `benchmarks/RESULTS.md`; `--output PATH` writes elsewhere, `--output -` nowhere.

For each forge (GitHub, GitLab), transport (in-process through `responses`, loopback HTTP
through `serve`) and size N (100, 1,000, 10,000 items), one sequence of runs, 15 minutes of
forge time apart as a scheduled job would be, with pacing off (`write_interval=0`):

1. first push: every issue, label and milestone created, ticked items closed;
2. second push: nothing to write; it lists again the issues the first push touched;
3. idle sync, recording settled: the first sync with nothing to do parses and plans, and
   records its inputs as settled in the lock;
4. idle sync: nothing changed since, so the run ends after its three list requests
   without parsing or planning (`syncer/sync/settled.py`);
5. idle sync, a document edited: a blank line added at the end of a document, so the
   documents are parsed and planned; nothing to write, the new inputs are recorded;
6. sync after one box ticked in a document;
7. sync after one issue closed on the forge;
8. pull after one issue closed on the forge.

Requests are counted by the emulator (reads and writes apart) and are the same at every
latency. Wall time is the best of `--repeat` runs at 0 ms and at 50 ms of emulator latency
per request; steps 4-8 repeat on different items, steps 2 and 3 from the same lock. A first push
at 50 ms is not run (10,000 creates x 50 ms is 8 minutes): its figure is the 0 ms time plus
requests x 50 ms, marked as extrapolated.

Beside each row: the requests a refresh-per-issue tool would send for the same work (one
GET per issue managed before the run, plus the same writes), and the ratio to ours.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import responses
from rich.console import Console
from rich.table import Table

from benchmarks.docset import write_docset
from syncer.forges import open_forge
from syncer.forges.base import Forge
from syncer.forges.emulator.core import EmulatorBase, mount, serve
from syncer.markdown.parse import load_documents
from syncer.sync.apply_types import ApplyOptions
from syncer.sync.engine import EngineConfig, RunRequest, RunResult, discover, plan_config, run
from syncer.sync.lock_store import LockStore
from syncer.sync.plan import make_plan
from syncer.sync.render import DEFAULT_RENDER

REPO = "bench/plan"
API = {"github": "https://api.github.com", "gitlab": "https://gitlab.example.com"}
LATENCY = 0.050
SCHEDULE = 15 * 60  # seconds of forge time between two runs, as a scheduled CI job
CONFIG = EngineConfig(render=DEFAULT_RENDER, apply=ApplyOptions(write_interval=0))
RESULTS = Path(__file__).with_name("RESULTS.md")


@dataclass(slots=True)
class Row:
    forge: str
    transport: str
    n: int
    step: str
    reads: int
    writes: int
    managed: int  # issues the lock knew before the run
    ms0: float  # seconds, best of the repeats, at 0 ms latency
    ms50: float | None  # at 50 ms; None when not measured
    extrapolated: bool = False

    @property
    def requests(self) -> int:
        return self.reads + self.writes

    @property
    def refresh(self) -> int:
        """Requests of a refresh-per-issue tool: one GET per managed issue, same writes."""
        return self.managed + self.writes

    @property
    def ratio(self) -> float:
        return self.refresh / self.requests if self.requests else 0.0


@dataclass(slots=True)
class Bench:
    forge: str
    transport: str
    n: int
    repeat: int
    emulator: EmulatorBase
    client: Forge
    root: Path
    rows: list[Row] = field(default_factory=list)

    def managed(self) -> int:
        lock = LockStore(self.root / CONFIG.lock_file).load()
        return len(lock.state(self.client.identity).items)

    def once(self, direction: str, latency: float) -> tuple[float, int, int, RunResult]:
        """One run, a schedule after the last one; (seconds, reads, writes, result)."""
        self.emulator.advance(SCHEDULE)
        self.emulator.latency = latency
        self.emulator.reset_log()
        gc.collect()
        start = time.perf_counter()
        result = run(self.client, self.root, CONFIG, RunRequest(direction))  # type: ignore[arg-type]
        seconds = time.perf_counter() - start
        self.emulator.latency = 0.0
        if result.outcome is None or result.outcome.error is not None or result.plan.conflicts:
            raise RuntimeError(f"{self.forge} {direction} did not run cleanly: {result.outcome}")
        return seconds, self.emulator.reads(), self.emulator.writes(), result

    def step(
        self,
        name: str,
        direction: str,
        prepare: Callable[[int], None] | None = None,
        *,
        latencies: tuple[float, ...] = (0.0, LATENCY),
        restore_lock: bool = False,
        repeat: int | None = None,
    ) -> Row:
        """Measure one step: `prepare(i)` makes the i-th change before each run."""
        managed = self.managed()
        best: dict[float, float] = {}
        counts: set[tuple[int, int]] = set()
        lock = self.root / CONFIG.lock_file
        saved = lock.read_bytes() if restore_lock and lock.exists() else None
        attempt = 0
        for latency in latencies:
            for _ in range(repeat or self.repeat):
                if saved is not None:
                    lock.write_bytes(saved)
                if prepare is not None:
                    prepare(attempt)
                attempt += 1
                seconds, reads, writes, _ = self.once(direction, latency)
                best[latency] = min(best.get(latency, float("inf")), seconds)
                counts.add((reads, writes))
        if len(counts) != 1:
            raise RuntimeError(f"{name}: request counts differ between repeats: {counts}")
        ((reads, writes),) = counts
        row = Row(
            self.forge, self.transport, self.n, name, reads, writes, managed,
            best[0.0], best.get(LATENCY),
        )  # fmt: skip
        self.rows.append(row)
        return row


@contextmanager
def bench(forge: str, transport: str, n: int, repeat: int) -> Iterator[Bench]:
    emulator: EmulatorBase
    if forge == "github":
        from syncer.forges.emulator.github import GitHubEmulator

        # The primary limit is GitHub's business, not the benchmark's: 10,000 items need
        # more than an hour's 5,000 requests, and the emulator's clock moves 15 min a run.
        emulator = GitHubEmulator(REPO, tokens=None, rate_limit=10**9)
    else:
        from syncer.forges.emulator.gitlab import GitLabEmulator

        emulator = GitLabEmulator(REPO, tokens=None)
    emulator.set_time(datetime.now(UTC))
    root = Path(tempfile.mkdtemp(prefix=f"phasesync-bench-{forge}-{n}-"))
    try:
        write_docset(root, n)
        if transport == "in-process":
            with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
                mount(emulator, rsps, API[forge])
                client = open_forge(forge, REPO, None, API[forge])
                yield Bench(forge, transport, n, repeat, emulator, client, root)
        else:
            with serve(emulator) as server:
                client = open_forge(forge, REPO, None, server.url)
                yield Bench(forge, transport, n, repeat, emulator, client, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


# --- the changes the steps make -------------------------------------------------------------


def _issue_numbers(b: Bench) -> list[int]:
    lock = LockStore(b.root / CONFIG.lock_file).load()
    items = lock.state(b.client.identity).items
    return sorted(e.issue for e in items.values() if not e.checked)


def tick_in_document(b: Bench) -> Callable[[int], None]:
    """Tick the i-th open box of the first document (a byte changes, nothing else)."""

    def prepare(i: int) -> None:
        path = sorted((b.root / "docs" / "phases").glob("*.md"))[0]
        data = path.read_bytes()
        at = -1
        for _ in range(i + 1):
            at = data.index(b"- [ ] Task ", at + 1)
        path.write_bytes(data[: at + 3] + b"x" + data[at + 4 :])

    return prepare


def close_on_forge(b: Bench, offset: int) -> Callable[[int], None]:

    numbers = _issue_numbers(b)

    def prepare(i: int) -> None:
        b.emulator.close_issue(numbers[offset + i])  # type: ignore[attr-defined]

    return prepare


def touch_document(b: Bench) -> Callable[[int], None]:
    """Add a blank line at the end of the last document: new bytes, nothing to sync."""

    def prepare(i: int) -> None:
        path = sorted((b.root / "docs" / "phases").glob("*.md"))[-1]
        path.write_bytes(path.read_bytes() + b"\n")

    return prepare


def sequence(b: Bench) -> None:
    seconds, reads, writes, _ = b.once("push", 0.0)
    first = Row(b.forge, b.transport, b.n, "first push", reads, writes, 0, seconds, None)
    first.ms50 = seconds + first.requests * LATENCY
    first.extrapolated = True
    b.rows.append(first)
    b.step("second push", "push", restore_lock=True, repeat=1)
    # The first sync with nothing to do parses and plans, and records its inputs as
    # settled in the lock (each repeat from the same lock, without the digest).
    b.step("idle sync, recording settled", "sync", restore_lock=True)
    b.step("idle sync", "sync")
    b.step("idle sync, a document edited", "sync", touch_document(b))
    b.step("sync: 1 tick in a document", "sync", tick_in_document(b))
    b.step("sync: 1 close on the forge", "sync", close_on_forge(b, 0))
    # Clear of the issues the step above closed.
    b.step("pull: 1 close on the forge", "pull", close_on_forge(b, len(_issue_numbers(b)) // 2))


# --- parsing and planning alone ---------------------------------------------------------------


def parse_and_plan(b: Bench, repeat: int) -> tuple[float, float]:
    """Best seconds of load_documents and of make_plan on a complete listing, settled state."""
    files = discover(b.root, (), CONFIG.paths)
    snapshot = b.client.snapshot(None)
    state = LockStore(b.root / CONFIG.lock_file).load().state(b.client.identity)
    pcfg = plan_config(CONFIG, b.client, RunRequest("sync"), None)
    parse = plan = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        docs = load_documents(files, b.root)
        middle = time.perf_counter()
        result = make_plan("sync", docs, snapshot, state, pcfg)
        end = time.perf_counter()
        assert not result.issues and not result.documents, "not a settled state"
        parse, plan = min(parse, middle - start), min(plan, end - middle)
    return parse, plan


# --- output ---------------------------------------------------------------------------------


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPUs (nproc), {model}; Python {platform.python_version()} "
        f"({platform.python_implementation()}) on {platform.system()} {platform.release()}; "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )


def _ms(seconds: float | None, extrapolated: bool = False) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1000:,.0f}{'*' if extrapolated else ''}"


def _cells(r: Row) -> list[str]:
    return [
        r.forge, r.transport, f"{r.n:,}", r.step, f"{r.reads:,}", f"{r.writes:,}",
        _ms(r.ms0), _ms(r.ms50, r.extrapolated), f"{r.refresh:,}", f"{r.ratio:,.1f}x",
    ]  # fmt: skip


HEADERS = [
    "forge", "transport", "N", "run", "reads", "writes", "ms @0", "ms @50",
    "refresh-per-issue requests", "ratio",
]  # fmt: skip


def rich_table(rows: list[Row], title: str) -> Table:
    table = Table(title=title, show_lines=False)
    for h in HEADERS:
        table.add_column(h, justify="left" if h in ("forge", "transport", "run") else "right")
    for r in rows:
        table.add_row(*_cells(r))
    return table


def markdown(rows: list[Row], timings: list[tuple[str, int, float, float]], argv: str) -> str:
    out = [
        "# phasesync sync benchmark",
        "",
        f"Machine: {machine()}. Other processes shared the machine, so times are noisy:",
        "each is the best of the repeats. Request counts are exact and do not vary.",
        "",
        f"Command: `python -m benchmarks.sync{argv}`. Pacing off (`write_interval=0`), ",
        "emulator latency 0 ms and 50 ms per request. `*`: extrapolated (0 ms time + ",
        "requests x 50 ms), not run. Refresh-per-issue: one GET per issue managed before",
        "the run plus the same writes; ratio = that / our requests.",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join("---" for _ in HEADERS) + "|",
    ]
    out += ["| " + " | ".join(_cells(r)) + " |" for r in rows]
    out += [
        "",
        "## Parsing and planning alone (settled state, complete listing in memory)",
        "",
        "| forge | N | parse (load_documents) s | plan (make_plan) s | total s |",
        "|---|---|---|---|---|",
    ]
    out += [f"| {f} | {n:,} | {p:.3f} | {q:.3f} | {p + q:.3f} |" for f, n, p, q in timings]
    return "\n".join(out) + "\n"


def kept_sections(path: Path) -> str:
    """The sections of `path` the other benchmarks wrote (from the first `## ` heading that
    is not this one's): a new run of this table leaves them in place."""
    try:
        lines = path.read_text("utf-8").splitlines(keepends=True)
    except OSError:
        return ""
    for i, line in enumerate(lines):
        if line.startswith("## ") and not line.startswith("## Parsing and planning alone"):
            return "\n" + "".join(lines[i:])
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sync", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 items, in-process")
    parser.add_argument("--sizes", type=int, nargs="+", help="item counts (default 100 1000 10000)")
    parser.add_argument("--forges", nargs="+", default=["github", "gitlab"])
    parser.add_argument("--transports", nargs="+", default=None)
    parser.add_argument(
        "--repeat", type=int, default=None, help="runs per timed step, best of (3; 2 at 10,000)"
    )
    parser.add_argument("--output", default=None, help="markdown file; '-' for none")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([100, 1000] if args.quick else [100, 1000, 10000])
    transports = args.transports or (["in-process"] if args.quick else ["in-process", "loopback"])
    output = args.output or ("-" if args.quick else str(RESULTS))
    console = Console(width=None if sys.stdout.isatty() else 150)
    console.print(f"[bold]phasesync sync benchmark[/] - {machine()}")
    rows: list[Row] = []
    timings: list[tuple[str, int, float, float]] = []
    started = time.perf_counter()
    for n in sizes:
        for forge in args.forges:
            for transport in transports:
                t = time.perf_counter()
                repeat = args.repeat or (2 if n >= 10_000 else 3)
                with bench(forge, transport, n, repeat) as b:
                    sequence(b)
                    if transport == transports[0]:
                        p, q = parse_and_plan(b, repeat)
                        timings.append((forge, n, p, q))
                    rows += b.rows
                    console.print(
                        rich_table(b.rows, f"{forge}, {transport}, N = {n:,}"
                                   f" ({time.perf_counter() - t:.0f} s)")
                    )  # fmt: skip
    parse_table = Table(title="parsing and planning alone (settled, complete listing)")
    for h in ("forge", "N", "parse s", "plan s", "total s"):
        parse_table.add_column(h, justify="right")
    for f, n, p, q in timings:
        parse_table.add_row(f, f"{n:,}", f"{p:.3f}", f"{q:.3f}", f"{p + q:.3f}")
    console.print(parse_table)
    console.print(f"total {time.perf_counter() - started:.0f} s")
    if output != "-":
        extra = " ".join(sys.argv[1:] if argv is None else argv)
        text = markdown(rows, timings, f" {extra}" if extra else "")
        Path(output).write_text(text + kept_sections(Path(output)), "utf-8")
        console.print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
