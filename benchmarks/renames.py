"""Writes of each rename: a new label format, a new colour, a new milestone title format.

Run `python -m benchmarks.renames` (N = 100 and 1,000 items, both forges, in-process through
`responses`). For each: a first push and a settling sync, then one configuration change and
one sync. The writes must equal the labels or milestones renamed, with no issue write, and
the sync after it must send nothing.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import responses

from benchmarks.docset import write_docset
from syncer.forges import open_forge
from syncer.forges.emulator.core import EmulatorBase, mount
from syncer.sync.apply_types import ApplyOptions
from syncer.sync.engine import EngineConfig, RunRequest, run
from syncer.sync.render import DEFAULT_RENDER, LabelFamily, RenderConfig

TOKEN = "ghp_benchmarkTOKEN0123456789"
REPO = "acme/plans"
API = {"github": "https://api.github.com", "gitlab": "https://gitlab.example.com"}

CHANGES: dict[str, Callable[[RenderConfig], RenderConfig]] = {
    "label format priority:{priority} -> P-{priority}": lambda r: replace(
        r, priority_label=LabelFamily("P-{priority}", r.priority_label.color)
    ),
    "label colour of week:{week}": lambda r: replace(
        r, week_label=LabelFamily(r.week_label.name, "123456")
    ),
    "milestone_title -> P{number} - {name}": lambda r: replace(
        r, milestone_title="P{number} - {name}"
    ),
}


def _emulator(kind: str) -> EmulatorBase:
    if kind == "github":
        from syncer.forges.emulator.github import GitHubEmulator

        return GitHubEmulator(REPO, tokens={TOKEN: "write"})
    from syncer.forges.emulator.gitlab import GitLabEmulator

    return GitLabEmulator(REPO, tokens={TOKEN: "write"})


def measure(kind: str, n: int, name: str) -> tuple[int, int, int, int, int]:
    """(labels or milestones renamed, writes, issue writes, writes of the sync after, reads)."""
    emulator = _emulator(kind)
    with tempfile.TemporaryDirectory() as tmp, responses.RequestsMock() as rsps:
        root = Path(tmp)
        write_docset(root, n)
        mount(emulator, rsps, API[kind])
        forge = open_forge(kind, REPO, TOKEN, API[kind], on_wait=lambda w, s: None)
        cfg = EngineConfig(render=DEFAULT_RENDER, apply=ApplyOptions(write_interval=0))
        run(forge, root, cfg, RunRequest("push"))
        emulator.advance(900)  # 15 minutes of forge time apart, as a scheduled job
        run(forge, root, cfg, RunRequest("sync"))
        emulator.advance(900)
        cfg = replace(cfg, render=CHANGES[name](cfg.render))
        emulator.reset_log()
        result = run(forge, root, cfg, RunRequest("sync"))
        plan = result.plan
        renamed = len(plan.renames) + len(plan.milestones)
        writes, reads = emulator.writes(), emulator.reads()
        emulator.reset_log()
        emulator.advance(900)
        run(forge, root, cfg, RunRequest("sync"))
        return renamed, writes, len(plan.issues), emulator.writes(), reads


def main() -> int:
    print("| forge | N | change | renamed | writes | issue writes | writes after | reads |")
    print("|---|---|---|---|---|---|---|---|")
    ok = True
    for kind in ("github", "gitlab"):
        for n in (100, 1000):
            for name in CHANGES:
                renamed, writes, issues, after, reads = measure(kind, n, name)
                ok &= writes == renamed and issues == 0 and after == 0
                row = (kind, f"{n:,}", name, renamed, writes, issues, after, reads)
                print("| " + " | ".join(str(x) for x in row) + " |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
