"""One run of push, pull or sync, from files on disk to a written lock.

The command line, the demo and the tests all call `run`; it owns the order of things:
read the documents, take the run lock, read the lock, list the forge (incrementally when
the lock allows), plan, check, apply.
"""

from __future__ import annotations

import glob
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from syncer.errors import ConfigError
from syncer.forges.base import Forge, Snapshot
from syncer.markdown.parse import load_documents
from syncer.model import Document
from syncer.sync.actions import Direction, Plan
from syncer.sync.apply import Applier, ApplyOptions, Outcome, Reporter
from syncer.sync.lock import ForgeState, LockStore
from syncer.sync.plan import PlanConfig, make_plan
from syncer.sync.render import RenderConfig

# Issues updated this long before the last listing are listed again: the forge's clock and
# its search index are not exact to the second, and listing one more page is cheap.
OVERLAP = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """Everything a run needs from the settings, already resolved."""

    render: RenderConfig
    paths: tuple[str, ...] = ("docs/phases/**/*.md",)
    lock_file: str = "phasesync.lock"
    write_links: bool = True
    on_removed: Literal["close", "keep"] = "close"
    full_listing_after: timedelta = timedelta(days=1)
    apply: ApplyOptions = field(default_factory=ApplyOptions)


@dataclass(frozen=True, slots=True)
class RunRequest:
    direction: Direction
    paths: tuple[str, ...] = ()  # explicit PATHs; empty: the configured globs
    dry_run: bool = False
    prefer: Literal["document", "forge"] | None = None
    adopt: bool = False
    full: bool = False


@dataclass(frozen=True, slots=True)
class RunResult:
    docs: tuple[Document, ...]
    plan: Plan
    snapshot: Snapshot
    outcome: Outcome | None  # None on a dry run or when the plan had problems

    @property
    def broken(self) -> tuple[Document, ...]:
        return tuple(d for d in self.docs if d.has_errors or d.phase is None)


def discover(root: Path, explicit: Sequence[str], globs: Sequence[str]) -> list[Path]:
    """The documents of a run: the PATHs given (files or folders), else the configured globs."""
    found: list[Path] = []
    if explicit:
        for p in explicit:
            path = (root / p) if not Path(p).is_absolute() else Path(p)
            if path.is_dir():
                found.extend(sorted(path.rglob("*.md")))
            elif path.is_file():
                found.append(path)
            else:
                raise ConfigError(f"no such file or folder: {p}")
    else:
        for pattern in globs:
            found.extend(Path(p) for p in sorted(glob.glob(str(root / pattern), recursive=True)))
    unique = dict.fromkeys(p.resolve() for p in found)
    return sorted(unique)


def plan_config(
    cfg: EngineConfig, forge: Forge, req: RunRequest, scope: frozenset[str] | None
) -> PlanConfig:
    base = forge.issue_url(1).rsplit("/issues/", 1)[0]

    def source_url(file: str, line: int) -> str:
        return f"{base}/blob/HEAD/{file}#L{line}"

    return PlanConfig(
        render=cfg.render,
        issue_url=forge.issue_url,
        source_url=source_url,
        write_links=cfg.write_links,
        on_removed=cfg.on_removed,
        prefer=req.prefer,
        adopt=req.adopt,
        scope=scope,
    )


def _since(state: ForgeState, cfg: EngineConfig, req: RunRequest) -> datetime | None:
    """Where the listing may start, or None for a complete listing."""
    if req.full or not state.items or state.synced_at is None or state.listed_at is None:
        return None
    if datetime.now(UTC) - state.listed_at > cfg.full_listing_after:
        return None  # a complete listing now and then catches what an incremental one cannot
    return state.synced_at - OVERLAP


def run(
    forge: Forge,
    root: Path,
    cfg: EngineConfig,
    req: RunRequest,
    reporter: Reporter | None = None,
) -> RunResult:
    files = discover(root, req.paths, cfg.paths)
    store = LockStore(root / cfg.lock_file)
    with store.exclusive():
        # Read under the run lock: a second run must not plan from bytes the first rewrites.
        docs = tuple(load_documents(files, root=root))
        scope = frozenset(d.path for d in docs) if req.paths else None
        lock = store.load()
        state = lock.state(forge.identity)
        pcfg = plan_config(cfg, forge, req, scope)
        since = _since(state, cfg, req)
        snapshot = forge.snapshot(since)
        plan = make_plan(req.direction, docs, snapshot, state, pcfg)
        if plan.needs_full_listing and since is not None:
            snapshot = forge.snapshot(None)
            plan = make_plan(req.direction, docs, snapshot, state, pcfg)
        if req.dry_run or plan.problems:
            return RunResult(docs, plan, snapshot, None)
        applier = Applier(
            forge,
            store,
            lock,
            plan,
            docs,
            cfg.render,
            root,
            cfg.apply,
            listed=snapshot.server_time,
            complete=snapshot.complete,
            reporter=reporter,
        )
        outcome = applier.run({m.title: m.id for m in snapshot.milestones})
        return RunResult(docs, plan, snapshot, outcome)
