"""Writes of a first push with `phase_parents` on (and with `dependencies = "links"`), and
the idle cost afterwards.

Run `python -m benchmarks.structure` (N = 1,000 items by default, `--n 100 1000`; both
forges, in-process through `responses`). For each forge: a dry run with the setting off
gives the writes of the plan itself (labels, milestones, issues, closes); the first push
with it on must add exactly one write per parent, one per relation and one per parent
closed (every item of its section done), nothing more. Then a second push (0 writes), a
sync that lists what the push touched, and an idle sync: 3 requests, 0 writes.

The second table does the same for `dependencies = "links"` on the same documents, with
every odd task of a phase saying `Depends on: <the task before it>`: the first push must
add exactly one write per relation (and on GitLab one per blocked item, its `Blocked by #N`
line, written once its blocker exists), nothing more.

A third table does the same with `subtasks = "issues"` (the set's nested boxes under one
task in seven become issues): the first push must add one write per relation to its plan.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import responses

from benchmarks.docset import write_docset
from syncer.forges import open_forge
from syncer.forges.base import Forge
from syncer.forges.emulator.core import EmulatorBase, mount
from syncer.model import ParseOptions, subtask_parent
from syncer.sync.apply_types import ApplyOptions
from syncer.sync.engine import EngineConfig, RunRequest, run
from syncer.sync.lock_store import LockStore
from syncer.sync.render import DEFAULT_RENDER

TOKEN = "ghp_benchmarkTOKEN0123456789"
REPO = "acme/plans"
API = {"github": "https://api.github.com", "gitlab": "https://gitlab.example.com"}


@dataclass(frozen=True, slots=True)
class Row:
    forge: str
    n: int
    plain: int  # writes of the same first push without parents
    parents: int
    relations: int
    closes: int  # parents closed at once: every item under them done
    writes: int  # writes of the first push with parents
    second: int  # writes of a second push
    idle_requests: int
    idle_writes: int

    @property
    def minimum(self) -> int:
        return self.plain + self.parents + self.relations + self.closes


def _emulator(kind: str) -> EmulatorBase:
    if kind == "github":
        from syncer.forges.emulator.github import GitHubEmulator

        return GitHubEmulator(REPO, tokens={TOKEN: "write"}, rate_limit=10**9)
    from syncer.forges.emulator.gitlab import GitLabEmulator

    return GitLabEmulator(REPO, tokens={TOKEN: "write"})


def _afterwards(
    emulator: EmulatorBase, forge: Forge, root: Path, cfg: EngineConfig
) -> tuple[int, int]:
    """After a first push: the writes of a second push, then the requests of an idle sync
    (after a sync that lists what the pushes touched, once), each run 15 minutes of forge
    time apart, as a scheduled job."""
    emulator.advance(900)
    emulator.reset_log()
    run(forge, root, cfg, RunRequest("push"))
    second = emulator.writes()
    emulator.advance(900)
    run(forge, root, cfg, RunRequest("sync"))
    emulator.advance(900)
    emulator.reset_log()
    run(forge, root, cfg, RunRequest("sync"))
    return second, emulator.reads() + emulator.writes()


def measure(kind: str, n: int) -> Row:
    emulator = _emulator(kind)
    with tempfile.TemporaryDirectory() as tmp, responses.RequestsMock() as rsps:
        root = Path(tmp)
        write_docset(root, n)
        mount(emulator, rsps, API[kind])
        forge = open_forge(kind, REPO, TOKEN, API[kind], on_wait=lambda w, s: None)
        cfg = EngineConfig(render=DEFAULT_RENDER, apply=ApplyOptions(write_interval=0))
        plain = run(forge, root, cfg, RunRequest("push", dry_run=True)).plan.forge_writes
        cfg = replace(cfg, phase_parents=True)
        emulator.reset_log()
        run(forge, root, cfg, RunRequest("push"))
        writes = emulator.writes()
        state = LockStore(root / cfg.lock_file).load().state(forge.identity)
        table = state.structure
        relations = sum(len(rec["children"]) for rec in table.values())
        closes = sum(1 for rec in table.values() if rec["closed"])
        second, idle = _afterwards(emulator, forge, root, cfg)
        return Row(
            kind, n, plain, len(table), relations, closes, writes, second, idle,
            emulator.writes(),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class SubtaskRow:
    forge: str
    n: int
    subtasks: int  # sub-tasks that became issues (on top of the N items)
    plain: int  # writes of the first push's plan (labels, milestones, issues, closes)
    relations: int
    writes: int
    second: int
    idle_requests: int
    idle_writes: int

    @property
    def minimum(self) -> int:
        return self.plain + self.relations


def measure_subtasks(kind: str, n: int) -> SubtaskRow:
    """`subtasks = "issues"`: the first push adds one write per relation to its plan."""
    emulator = _emulator(kind)
    with tempfile.TemporaryDirectory() as tmp, responses.RequestsMock() as rsps:
        root = Path(tmp)
        write_docset(root, n)
        mount(emulator, rsps, API[kind])
        forge = open_forge(kind, REPO, TOKEN, API[kind], on_wait=lambda w, s: None)
        cfg = EngineConfig(
            render=DEFAULT_RENDER,
            apply=ApplyOptions(write_interval=0),
            parse=ParseOptions(subtask_issues=True),
        )
        plain = run(forge, root, cfg, RunRequest("push", dry_run=True)).plan.forge_writes
        emulator.reset_log()
        run(forge, root, cfg, RunRequest("push"))
        writes = emulator.writes()
        state = LockStore(root / cfg.lock_file).load().state(forge.identity)
        subtasks = sum(1 for key in state.items if subtask_parent(key) is not None)
        relations = sum(len(rec["children"]) for rec in state.structure.values())
        second, idle = _afterwards(emulator, forge, root, cfg)
        return SubtaskRow(
            kind, n, subtasks, plain, relations, writes, second, idle, emulator.writes()
        )


@dataclass(frozen=True, slots=True)
class DepsRow:
    forge: str
    n: int
    plain: int  # writes of the same first push with dependencies as text
    relations: int
    lines: int  # GitLab: blocked items whose body names their blocker (0 on GitHub)
    writes: int
    second: int
    idle_requests: int
    idle_writes: int

    @property
    def minimum(self) -> int:
        return self.plain + self.relations + self.lines


_TASK = re.compile(r"^- \[[ x]\] (Task (\d+) of phase (\d+): build part \d+ of the feature)$")


def say_dependencies(root: Path) -> int:
    """Every odd task depends on the task before it (by title); returns how many say so."""
    said = 0
    for path in sorted((root / "docs" / "phases").glob("*.md")):
        out = []
        for line in path.read_text(encoding="utf-8").split("\n"):
            out.append(line)
            match = _TASK.match(line)
            if match and int(match.group(2)) % 2 == 1:
                t, phase = int(match.group(2)) - 1, match.group(3)
                title = f"Task {t} of phase {phase}: build part {t} of the feature"
                out.append(f"  - Depends on: {title}")
                said += 1
        path.write_text("\n".join(out), encoding="utf-8")
    return said


def measure_dependencies(kind: str, n: int) -> DepsRow:
    emulator = _emulator(kind)
    with tempfile.TemporaryDirectory() as tmp, responses.RequestsMock() as rsps:
        root = Path(tmp)
        write_docset(root, n)
        say_dependencies(root)
        mount(emulator, rsps, API[kind])
        forge = open_forge(kind, REPO, TOKEN, API[kind], on_wait=lambda w, s: None)
        cfg = EngineConfig(render=DEFAULT_RENDER, apply=ApplyOptions(write_interval=0))
        plain = run(forge, root, cfg, RunRequest("push", dry_run=True)).plan.forge_writes
        cfg = replace(cfg, dependencies="links")
        emulator.reset_log()
        run(forge, root, cfg, RunRequest("push"))
        writes = emulator.writes()
        table = LockStore(root / cfg.lock_file).load().state(forge.identity).dependencies
        relations = sum(len(rec["blocked_by"]) for rec in table.values())
        lines = sum(1 for rec in table.values() if rec["blocked_by"]) if kind == "gitlab" else 0
        second, idle = _afterwards(emulator, forge, root, cfg)
        return DepsRow(
            kind, n, plain, relations, lines, writes, second, idle, emulator.writes()
        )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000])
    args = parser.parse_args(argv)
    print(
        "| forge | N | writes without parents | parents | relations | parents closed "
        "| first push with parents | minimum | second push | idle sync requests (writes) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    ok = True
    for n in args.n:
        for kind in ("github", "gitlab"):
            r = measure(kind, n)
            ok &= r.writes == r.minimum and r.second == 0 and r.idle_writes == 0
            print(
                f"| {r.forge} | {r.n:,} | {r.plain:,} | {r.parents} | {r.relations:,} | "
                f"{r.closes} | {r.writes:,} | {r.minimum:,} | {r.second} | "
                f"{r.idle_requests} ({r.idle_writes}) |",
                flush=True,
            )
    print()
    print(
        "| forge | N | writes without dependencies | relations | `Blocked by` lines "
        "| first push with dependencies | minimum | second push | idle sync requests (writes) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for n in args.n:
        for kind in ("github", "gitlab"):
            d = measure_dependencies(kind, n)
            ok &= d.writes == d.minimum and d.second == 0 and d.idle_writes == 0
            ok &= d.idle_requests == 3
            print(
                f"| {d.forge} | {d.n:,} | {d.plain:,} | {d.relations:,} | {d.lines:,} | "
                f"{d.writes:,} | {d.minimum:,} | {d.second} | "
                f"{d.idle_requests} ({d.idle_writes}) |",
                flush=True,
            )
    print()
    print(
        "| forge | N | sub-tasks as issues | writes of the plan | relations "
        "| first push | minimum | second push | idle sync requests (writes) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for n in args.n:
        for kind in ("github", "gitlab"):
            t = measure_subtasks(kind, n)
            ok &= t.writes == t.minimum and t.second == 0 and t.idle_writes == 0
            print(
                f"| {t.forge} | {t.n:,} | {t.subtasks} | {t.plain:,} | {t.relations} | "
                f"{t.writes:,} | {t.minimum:,} | {t.second} | {t.idle_requests} "
                f"({t.idle_writes}) |",
                flush=True,
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
