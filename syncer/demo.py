"""`phasesync demo`: the whole cycle on the bundled examples, against the built-in emulator.

No token and no network: the emulator listens on loopback and the real forge client
(PyGithub or python-gitlab) talks to it over HTTP, exactly as it would to the forge.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel

from syncer.forges import open_forge
from syncer.forges.base import Forge
from syncer.forges.emulator.core import EmulatorBase, serve
from syncer.markdown.parse import parse_documents
from syncer.report_sync import RichReporter, outcome_text, print_plan
from syncer.report_tree import blocked_issues, parent_issues, plan_tree, print_tree
from syncer.sync.apply_types import ApplyOptions
from syncer.sync.dependencies import describe_dependencies
from syncer.sync.engine import EngineConfig, RunRequest, RunResult, run
from syncer.sync.lock_store import LockStore
from syncer.sync.render import DEFAULT_RENDER
from syncer.sync.structure import describe_mode
from syncer.sync.structure_layout import PROGRESS
from syncer.sync.subtask_plan import PREFIX as SUBTASKS

DEMO_TOKEN = "demo-token"
REPO = {"github": "demo/plans", "gitlab": "demo/plans"}
CLOSED_ON_FORGE = "phase-2/functional/password-sign-in"


@dataclass(frozen=True, slots=True)
class DemoResult:
    """What the demo did, for its test: the request counts and the line that changed."""

    root: Path
    created: int
    pull_changed: tuple[str, str]  # the document line before and after the pull
    idle_requests: int  # requests of a sync with nothing to do


def copy_examples(target: Path) -> list[Path]:
    """The bundled example documents, byte for byte, into `target/docs/phases/`."""
    folder = target / "docs" / "phases"
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for entry in sorted(
        resources.files("syncer.data").joinpath("examples").iterdir(), key=lambda e: e.name
    ):
        if entry.name.endswith(".md"):
            path = folder / entry.name
            path.write_bytes(entry.read_bytes())
            out.append(path)
    return out


def make_emulator(kind: str) -> tuple[EmulatorBase, str]:
    """A fresh emulator of `kind` holding the demo repository, and its API path prefix."""
    if kind == "github":
        from syncer.forges.emulator.github import GitHubEmulator

        return GitHubEmulator(REPO["github"], tokens={DEMO_TOKEN: "write"}), ""
    if kind == "gitlab":
        from syncer.forges.emulator.gitlab import GitLabEmulator

        return GitLabEmulator(REPO["gitlab"], tokens={DEMO_TOKEN: "write"}), ""
    raise ValueError(f"unknown forge {kind!r}; use github or gitlab")


@contextmanager
def _workdir(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    path = Path(tempfile.mkdtemp(prefix="phasesync-demo-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _line_of(root: Path, file: str, line: int) -> str:
    data = (root / file).read_bytes().decode("utf-8-sig")
    return data.splitlines()[line - 1]


def run_demo(console: Console, *, forge: str = "github", keep: Path | None = None) -> DemoResult:
    emulator, prefix = make_emulator(forge)
    cfg = EngineConfig(render=DEFAULT_RENDER, apply=ApplyOptions(write_interval=0))
    with _workdir(keep) as root, serve(emulator, prefix=prefix) as server:
        paths = copy_examples(root)
        client: Forge = open_forge(forge, REPO[forge], DEMO_TOKEN, server.url)
        console.print(
            Panel.fit(
                f"phasesync demo: the three example phase documents and a {forge} emulator "
                f"on {server.url}\n(real {'PyGithub' if forge == 'github' else 'python-gitlab'}"
                " over loopback HTTP; no token, no network)",
                title="phasesync demo",
            )
        )

        def step(title: str, req: RunRequest, config: EngineConfig = cfg) -> RunResult:
            console.rule(f"[bold]{title}")
            emulator.reset_log()
            reporter = RichReporter(console)
            try:
                result = run(client, root, config, req, reporter)
            finally:
                reporter.stop()
            if result.outcome is None:
                print_plan(console, result.plan, 0)
            else:
                console.print(outcome_text(result.outcome))
            console.print(
                f"[dim]{emulator.reads()} read and {emulator.writes()} write request(s)[/dim]"
            )
            return result

        step("1. plan: what a first push would do", RunRequest("push", dry_run=True))
        pushed = step("2. push: documents -> forge", RunRequest("push"))
        assert pushed.outcome is not None
        step("3. push again: nothing to send", RunRequest("push"))

        lock = LockStore(root / cfg.lock_file).load().state(client.identity)
        entry = lock.items[CLOSED_ON_FORGE]
        console.rule("[bold]4. on the forge: someone closes an issue")
        emulator.close_issue(entry.issue)  # type: ignore[attr-defined]
        console.print(f"#{entry.issue} {entry.title!r} closed on the forge")
        doc = next(d for d in pushed.docs if d.path == entry.file)
        line_no = next(i.pos.line for i in doc.items if str(i.key) == CLOSED_ON_FORGE)
        before = _line_of(root, entry.file, line_no)

        step("5. pull: forge -> documents", RunRequest("pull"))
        after = _line_of(root, entry.file, line_no)
        console.print(f"{entry.file}:{line_no}")
        console.print(f"[red]- {escape(before)}[/red]", highlight=False)
        console.print(f"[green]+ {escape(after)}[/green]", highlight=False)

        idle = step("6. sync: nothing left to do", RunRequest("sync"))
        assert idle.outcome is not None
        idle_requests = emulator.reads() + emulator.writes()

        # The plan's structure, native on the forge (`phase_parents`).
        parents = replace(cfg, phase_parents=True)
        step("7. phase_parents = true: a parent issue per phase", RunRequest("push"), parents)
        state = LockStore(root / cfg.lock_file).load().state(client.identity)
        console.print(describe_mode(forge, state.capabilities))
        titles = {e.issue: e.title for e in state.items.values()}
        for rec in state.structure.values():
            parent = client.get_issue(int(rec["issue"]))
            progress = PROGRESS.search(parent.body)
            done = f" ({progress.group(1)})" if progress else ""
            console.print(f"#{parent.number} {escape(parent.title)}{done}", highlight=False)
            for child in rec["children"]:
                console.print(f"  └ #{child} {escape(titles.get(child, ''))}", highlight=False)
        # Sub-tasks as issues of their own, under their task (`subtasks = "issues"`).
        nested = replace(parents, parse=replace(parents.parse, subtask_issues=True))
        step('8. subtasks = "issues": nested boxes become sub-issues', RunRequest("push"), nested)
        state = LockStore(root / cfg.lock_file).load().state(client.identity)
        titles = {e.issue: e.title for e in state.items.values()}
        for key, rec in sorted(state.structure.items()):
            if key.startswith(SUBTASKS):
                console.print(f"#{rec['issue']} {escape(titles.get(rec['issue'], ''))}")
                for child in rec["children"]:
                    console.print(f"  └ #{child} {escape(titles.get(child, ''))}", highlight=False)
        # The dependencies the plan states, as native links (`dependencies = "links"`).
        linked = replace(nested, dependencies="links")
        step('9. dependencies = "links": phase 3 names phase 2', RunRequest("push"), linked)
        state = LockStore(root / cfg.lock_file).load().state(client.identity)
        console.print(describe_dependencies(forge, state.capabilities))
        for rec in state.dependencies.values():
            for blocking in rec["blocked_by"]:
                console.print(f"#{rec['issue']} blocked by #{blocking}", highlight=False)
        # The whole structure as `phasesync status --tree` shows it.
        console.rule("[bold]10. phasesync status --tree: the plan as the forge now holds it")
        docs = parse_documents(
            [(str(p.relative_to(root)), p.read_bytes()) for p in paths], linked.parse
        )
        tree = plan_tree(docs, linked.render, parent_issues(state.structure), blocked_issues(state))
        print_tree(console, tree)
        where = str(root) if keep else "a temporary folder (use --keep DIR to keep them)"
        console.print(f"\nDone. The documents are in {where}.")
        return DemoResult(root, len(pushed.outcome.created), (before, after), idle_requests)
