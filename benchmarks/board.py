"""Requests of a first push with a project board (`project`), and the idle cost afterwards.

Run `python -m benchmarks.board` (N = 1,000 items by default, `--n 100 1000`; GitHub, in
process through `responses`, the board on the emulator with GitHub's default fields and a
`Week` iteration field). The board's requests of a first push must be exactly: 1 read of
the board's fields, 1 per field made, one look-up per 100 issues, one request of additions
per 50 and one of values per 50. Then a second push (0 writes), a sync that lists what the
push touched, and an idle sync: 3 requests, 0 writes, no board request.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import responses

from benchmarks.docset import write_docset
from syncer.forges import open_forge
from syncer.forges.emulator.core import mount
from syncer.forges.emulator.github import GitHubEmulator
from syncer.sync.apply_types import ApplyOptions
from syncer.sync.board import BoardConfig
from syncer.sync.engine import EngineConfig, RunRequest, run
from syncer.sync.lock_store import LockStore
from syncer.sync.render import DEFAULT_RENDER

TOKEN = "ghp_benchmarkTOKEN0123456789"
REPO = "acme/plans"
API = "https://api.github.com"
URL = "https://github.com/orgs/acme/projects/1"


@dataclass(frozen=True, slots=True)
class Row:
    n: int
    issues: int  # managed issues
    plain: int  # writes of the same first push without a board
    fields_made: int
    values: int  # field values written
    requests: int  # the board's requests of the first push
    mutations: int  # of which carried mutations (writes)
    second: int  # writes of a second push
    idle_requests: int
    idle_writes: int
    idle_board: int  # board requests of the idle sync

    @property
    def minimum(self) -> int:
        return (
            1
            + self.fields_made
            + math.ceil(self.issues / 100)
            + math.ceil(self.issues / 50)
            + math.ceil(self.values / 50)
        )


def _board_posts(emulator: GitHubEmulator) -> int:
    return sum(1 for r in emulator.requests if r.path == "/graphql")


def measure(n: int) -> Row:
    emulator = GitHubEmulator(REPO, tokens={TOKEN: "write"}, rate_limit=10**9)
    board = emulator.boards.add_project("acme", 1, title="Plan")
    weeks = [f"Week {k}" for k in range(1, 13)]
    emulator.boards.add_iteration_field(board, "Week", weeks, date(2026, 1, 5))
    with tempfile.TemporaryDirectory() as tmp, responses.RequestsMock() as rsps:
        root = Path(tmp)
        write_docset(root, n)
        mount(emulator, rsps, API)
        forge = open_forge("github", REPO, TOKEN, API, on_wait=lambda w, s: None)
        cfg = EngineConfig(render=DEFAULT_RENDER, apply=ApplyOptions(write_interval=0))
        plain = run(forge, root, cfg, RunRequest("push", dry_run=True)).plan.forge_writes
        cfg = replace(cfg, project=BoardConfig(URL))
        emulator.reset_log()
        result = run(forge, root, cfg, RunRequest("push"))
        done = result.outcome.board if result.outcome else None
        assert done is not None and result.outcome is not None
        assert result.outcome.error is None, result.outcome.error
        requests = _board_posts(emulator)
        state = LockStore(root / cfg.lock_file).load().state(forge.identity)
        emulator.advance(900)  # 15 minutes of forge time apart, as a scheduled job
        emulator.reset_log()
        run(forge, root, cfg, RunRequest("push"))
        second = emulator.writes()
        emulator.advance(900)
        run(forge, root, cfg, RunRequest("sync"))  # lists what the pushes touched, once
        emulator.advance(900)
        emulator.reset_log()
        run(forge, root, cfg, RunRequest("sync"))
        return Row(
            n, len(state.items), plain, len(done.fields_made), done.values, requests,
            done.writes, second, emulator.reads() + emulator.writes(), emulator.writes(),
            _board_posts(emulator),
        )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000])
    args = parser.parse_args(argv)
    print(
        "| N | writes without a board | fields made | values | board requests of the first "
        "push (mutations) | minimum | second push | idle sync requests (writes, board) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    ok = True
    for n in args.n:
        r = measure(n)
        ok &= r.requests == r.minimum and r.second == 0 and r.idle_writes == r.idle_board == 0
        print(
            f"| {r.n:,} | {r.plain:,} | {r.fields_made} | {r.values:,} | {r.requests} "
            f"({r.mutations}) | {r.minimum} | {r.second} | {r.idle_requests} "
            f"({r.idle_writes}, {r.idle_board}) |",
            flush=True,
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
