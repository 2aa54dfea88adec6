"""Whole-process time and peak memory of `phasesync sync` after one tick, as N grows.

Run `python -m benchmarks.process` (GitHub and GitLab, 100 and 10,000 items; a few minutes,
most of it the first push of 10,000 issues). It prints a table and, with `--output PATH`,
writes it as Markdown.

What is measured is what a scheduled job pays: the `phasesync` command in a fresh Python
process (`python -m syncer sync`), start-up included, against the forge emulator served on
loopback (`serve`, as `phasesync emulator` does), pacing off. The plan has documents of
`PER_DOCUMENT` (100) items, one phase each: 1 document at N = 100, 100 at N = 10,000.

Before the timed runs, in this process over the same loopback: a first push, a push that
lists its writes again, and an idle sync (the state of a scheduled job; it records the
settled digest and each document's record in the lock). Then each timed run:

* `idle sync`: nothing changed; the run ends after its listing (the settled shortcut);
* `sync: 1 tick in a document`: one more open box of the first document ticked, then a
  sync (it closes one issue: one write);
* `sync --full`: the heaviest sync (every issue listed, every document parsed and planned),
  for its peak memory.

Each is repeated (`--repeat`, 5) on a forge clock moved 15 minutes between runs, the
sizes in turns (both checkouts and emulators are prepared first), so that a shared
machine's drifting load weighs on both sizes alike. The figures are the best wall time of
the child process, its peak resident memory (`VmHWM`, the highest of the repeats) and the
requests the emulator counted (the same in every repeat). The ratio is the 10,000-item
time over the 100-item time of the same forge and run, both from this one invocation on
this one machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.docset import write_docset
from benchmarks.sync import CONFIG, machine
from syncer.forges import open_forge
from syncer.forges.emulator.core import EmulatorBase, serve
from syncer.sync.engine import RunRequest, run

REPO = "bench/plan"
PER_DOCUMENT = 100
SCHEDULE = 15 * 60


@dataclass(frozen=True, slots=True)
class Figure:
    forge: str
    n: int
    documents: int
    step: str
    seconds: float  # best wall time of the child process
    peak_mb: float  # highest ru_maxrss of the repeats, MiB
    reads: int
    writes: int


def _emulator(forge: str) -> EmulatorBase:
    if forge == "github":
        from syncer.forges.emulator.github import GitHubEmulator

        return GitHubEmulator(REPO, tokens=None, rate_limit=10**9)
    from syncer.forges.emulator.gitlab import GitLabEmulator

    return GitLabEmulator(REPO, tokens=None)


@contextmanager
def prepared(forge: str, n: int) -> Iterator[tuple[EmulatorBase, Path, dict[str, str]]]:
    """A served emulator and a checkout in the state of a scheduled job, and the CLI's
    environment naming them."""
    emulator = _emulator(forge)
    emulator.set_time(datetime.now(UTC))
    root = Path(tempfile.mkdtemp(prefix=f"phasesync-process-{forge}-{n}-"))
    try:
        write_docset(root, n, PER_DOCUMENT)
        with serve(emulator) as server:
            client = open_forge(forge, REPO, "bench-token", server.url)
            for direction in ("push", "push", "sync"):
                emulator.advance(SCHEDULE)
                result = run(client, root, CONFIG, RunRequest(direction))  # type: ignore[arg-type]
                if result.outcome is None or result.outcome.error is not None:
                    raise RuntimeError(f"{forge} {direction}: {result.outcome}")
            env = {
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("PHASESYNC_", "GITHUB_", "GITLAB_", "GH_", "CI_"))
            }
            env.update(
                PHASESYNC_FORGE=forge,
                PHASESYNC_REPO=REPO,
                PHASESYNC_BASE_URL=server.url,
                PHASESYNC_TOKEN="bench-token",
                PHASESYNC_WRITE_INTERVAL="0",
                NO_COLOR="1",
            )
            yield emulator, root, env
    finally:
        shutil.rmtree(root, ignore_errors=True)


# `python -m syncer ARGS`, which also writes its peak resident memory (VmHWM: the child's
# own; `ru_maxrss` of a child on Linux counts the parent's memory at the fork) to a file.
_CHILD = """
import atexit, runpy, sys

def _peak(path=sys.argv[1]):
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            open(path, "w").write(line.split()[1])

atexit.register(_peak)
sys.argv = ["phasesync", *sys.argv[2:]]
runpy.run_module("syncer", run_name="__main__", alter_sys=True)
"""


def child(root: Path, env: dict[str, str], *args: str) -> tuple[float, float]:
    """Run `python -m syncer ARGS` in `root`: (wall seconds, peak resident MiB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".hwm") as peak:
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD, peak.name, *args],
            cwd=root,
            env=env,
            capture_output=True,
            check=False,
        )
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise RuntimeError(f"phasesync {' '.join(args)} exited {proc.returncode}: {proc}")
        return seconds, int(Path(peak.name).read_text()) / 1024  # KiB


def tick_first_document(root: Path) -> Callable[[], None]:
    def tick() -> None:
        path = sorted((root / "docs" / "phases").glob("*.md"))[0]
        data = path.read_bytes()
        at = data.index(b"- [ ] Task ")
        path.write_bytes(data[: at + 3] + b"x" + data[at + 4 :])

    return tick


def measure(forge: str, sizes: list[int], repeat: int) -> list[Figure]:
    """Every size of one forge prepared side by side, then each step's repeats taken in
    turns (N = 100, N = 10,000, N = 100, ...): a machine whose load drifts slows both
    sizes alike, and the ratio is of runs minutes apart at most."""
    figures: list[Figure] = []
    with ExitStack() as stack:
        states = [(n, *stack.enter_context(prepared(forge, n))) for n in sorted(sizes)]
        for name, make, extra in STEPS:
            best = dict.fromkeys(sizes, float("inf"))
            peak = dict.fromkeys(sizes, 0.0)
            counts: dict[int, set[tuple[int, int]]] = {n: set() for n in sizes}
            prepares = {n: make(root) if make is not None else None for n, _, root, _ in states}
            for _ in range(repeat):
                for n, emulator, root, env in states:
                    prepare = prepares[n]
                    if prepare is not None:
                        prepare()
                    emulator.advance(SCHEDULE)
                    emulator.reset_log()
                    seconds, mb = child(root, env, "sync", "-q", *extra)
                    best[n], peak[n] = min(best[n], seconds), max(peak[n], mb)
                    counts[n].add((emulator.reads(), emulator.writes()))
            for n, _, root, _ in states:
                if len(counts[n]) != 1:
                    raise RuntimeError(f"{forge} {n} {name}: request counts differ: {counts[n]}")
                ((reads, writes),) = counts[n]
                documents = len(list((root / "docs" / "phases").glob("*.md")))
                figures.append(Figure(forge, n, documents, name, best[n], peak[n], reads, writes))
    return sorted(figures, key=lambda f: f.n)


# (name, what changes before each run, the command's extra arguments)
STEPS: list[tuple[str, Callable[[Path], Callable[[], None]] | None, tuple[str, ...]]] = [
    ("idle sync", None, ()),
    ("sync: 1 tick in a document", tick_first_document, ()),
    # The heaviest sync: every issue listed, every document parsed and planned.
    ("sync --full", None, ("--full",)),
]


def table(figures: list[Figure]) -> list[str]:
    small = {(f.forge, f.step): f.seconds for f in figures if f.n == min(x.n for x in figures)}
    out = [
        "| forge | N | documents | run | reads | writes | s (best) | peak MB | x N=100 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        ratio = f.seconds / small[(f.forge, f.step)]
        out.append(
            f"| {f.forge} | {f.n:,} | {f.documents} | {f.step} | {f.reads} | {f.writes} "
            f"| {f.seconds:.3f} | {f.peak_mb:.0f} | {ratio:.2f}x |"
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.process", description=__doc__)
    parser.add_argument("--forges", nargs="+", default=["github", "gitlab"])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--output", default="-", help="markdown file; '-' for none")
    args = parser.parse_args(argv)
    print(f"phasesync whole-process benchmark - {machine()}", flush=True)
    figures: list[Figure] = []
    for forge in args.forges:
        t = time.perf_counter()
        figures += measure(forge, args.sizes, args.repeat)
        print(f"{forge}: {time.perf_counter() - t:.0f} s", flush=True)
    lines = table(figures)
    print("\n".join(lines))
    if args.output != "-":
        Path(args.output).write_text("\n".join(lines) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
