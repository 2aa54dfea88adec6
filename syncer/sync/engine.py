"""One run of push, pull or sync, from files on disk to a written lock.

The command line, the demo and the tests all call `run`; it owns the order of things:
read the documents, take the run lock, read the lock, list the forge (incrementally when
the lock allows), plan, check, apply.

Incremental listing
-------------------
A scheduled run must cost almost nothing when nothing changed, so the forge is not read
issue by issue. Each run lists labels and milestones (one page each for up to 100), and the
issues updated since the lock's `synced_at` minus `OVERLAP` (GitHub `since`, GitLab
`updated_after`); for every issue that listing does not show, the lock's entry stands in
for the forge. That is sound because the lock records, for every managed issue, the forge
side as the last run left it, and an issue that is not in the listing has not changed since.
Three things keep that true:

* `synced_at` is the forge's own clock (the `Date` header of the issue listing's first page)
  when the listing *began*, never our clock and never the end of the run. A change made
  while the run lists or writes (an issue closed between our listing and our writes) is
  stamped later than that, so the next listing shows it. Our clock is used only to decide
  whether the last complete listing is older than `full_listing_after`: a skew there only
  moves the daily complete listing by as much.
* `OVERLAP` (2 minutes) covers what the `Date` header cannot: its one-second resolution,
  forge front ends whose clocks differ by a little, and a change committed just before the
  listing that the listing's database replica did not yet show.
* When the plan leaves an issue's forge side different from its lock entry (a conflict,
  a close seen by a push and left for the next pull, a forge edit seen by a pull, an issue of
  a document outside the run's PATHs or with errors), `synced_at` is moved back to that
  issue's `updated_at` (`unsettled_since`), so that the next run lists it again.

Our own writes are stamped after `synced_at`, so the run after a push lists the issues the
push touched once more (1,000 creates: 10 more pages, once); the run after that lists only
what changed. This cannot be skipped safely: a change someone makes to any issue while we
write is stamped inside the same window, neither forge can filter a listing by who made
the change, and so only a listing that starts no later than our run's start can see it.
The re-listed issues agree with the lock and cost no write.

A complete listing runs on the first run (no lock), on `--full`, when the last complete
listing is older than `full_listing_after` (a day: it catches what no `updated_at` shows,
such as an issue deleted or transferred), and when something does not add up:

* an item whose link or key marker names an issue that neither the lock nor the
  incremental listing knows (`Plan.needs_full_listing`): listed completely at once;
* a write answered 404 or 410 (the issue the lock knows is gone): the lock's `listed_at` is
  cleared so that no later run trusts it before a complete listing, and when this run's
  listing was incremental it is planned and applied again, at once, on a complete one;
* more content updates of issues the listing did not show than a complete listing has
  pages: each needs the issue's body (people's text below the managed block is kept), and
  a complete listing is then the cheaper way to read them.
"""

from __future__ import annotations

import glob
import logging
import os
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from syncer.errors import ConfigError, NotFound, PermissionDenied
from syncer.forges.base import Forge, Snapshot
from syncer.markdown.parse import order_like, parse_documents, read_files
from syncer.sync.actions import Plan
from syncer.sync.apply import Applier
from syncer.sync.apply_types import Outcome, Reporter
from syncer.sync.board_run import board_plan, board_step
from syncer.sync.dependencies_engine import carry, needs_second_pass, plan_links
from syncer.sync.engine_idle import (
    idle,
    inputs_of,
    issue_gone,
    memo_applies,
    pages,
    rewind,
    settles,
    unread,
)
from syncer.sync.engine_structure import parents_in, structure_plan
from syncer.sync.engine_types import EngineConfig, RunRequest, RunResult
from syncer.sync.identity import marker_authors_to_check
from syncer.sync.lock import ForgeState
from syncer.sync.lock_store import LockStore
from syncer.sync.plan import Kept, make_plan
from syncer.sync.plan_state import PlanConfig
from syncer.sync.reuse import context_digest, prepare, records
from syncer.sync.settled import settled_digest
from syncer.sync.structure_run import create_nodes
from syncer.sync.subtask_plan import plan_subtasks
from syncer.sync.unsettled import unsettled_since

__all__ = ["EngineConfig", "RunRequest", "RunResult", "discover", "plan_config", "run"]

_log = logging.getLogger(__name__)  # `-v`: the run's decisions, one line each

# Issues updated this long before the last listing are listed again: the forge's clock and
# its search index are not exact to the second, and listing one more page is cheap.
OVERLAP = timedelta(minutes=2)


def discover(root: Path, explicit: Sequence[str], globs: Sequence[str]) -> list[Path]:
    """The documents of a run: the PATHs given (files or folders), else the configured globs."""
    found: list[Path] = []
    if explicit:
        for p in explicit:
            path = (root / p) if not Path(p).is_absolute() else Path(p)
            if path.is_dir():
                found.extend(sorted(path.rglob("*.md")))
            elif path.exists() or path.is_symlink():
                found.append(path)  # not a regular file, or a link out: reported when read
            else:
                raise ConfigError(f"no such file or folder: {p}")
    else:
        for pattern in globs:
            found.extend(Path(p) for p in sorted(glob.glob(str(root / pattern), recursive=True)))
    # One entry per file (two links to one file are one document), named as the repository
    # names it: a link keeps its own path, so that its target's is never shown.
    unique: dict[Path, Path] = {}
    for f in found:
        unique.setdefault(f.resolve(), Path(os.path.abspath(f)))
    return sorted(unique.values())


def plan_config(
    cfg: EngineConfig, forge: Forge, req: RunRequest, scope: frozenset[str] | None
) -> PlanConfig:
    base = forge.issue_url(1).rsplit("/issues/", 1)[0]

    def source_url(file: str, line: int) -> str:
        return f"{base}/blob/HEAD/{quote(file)}#L{line}"

    return PlanConfig(
        render=cfg.render,
        issue_url=forge.issue_url,
        source_url=source_url,
        write_links=cfg.write_links,
        on_removed=cfg.on_removed,
        forge_edits=cfg.forge_edits,
        done_items=cfg.done_items,
        subtask_issues=cfg.parse.subtask_issues,
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
        result = _run_locked(forge, root, cfg, req, files, store, reporter)
        if needs_second_pass(result.dependencies, result.outcome, req.dry_run):  # GitLab
            result = carry(result, _run_locked(forge, root, cfg, req, files, store, reporter))
        if issue_gone(result) and not result.snapshot.complete:
            # The lock knew an issue the forge no longer has: plan again on a complete
            # listing, which shows it gone, with the documents as the first pass left them.
            result = _run_locked(forge, root, cfg, replace(req, full=True), files, store, reporter)
        return result


def _run_locked(
    forge: Forge,
    root: Path,
    cfg: EngineConfig,
    req: RunRequest,
    files: Sequence[Path],
    store: LockStore,
    reporter: Reporter | None,
) -> RunResult:
    # Read under the run lock: a second run must not plan from bytes the first rewrites.
    # A file that is not a plain document of the repository is reported, never read.
    read, refused = read_files(files, root)
    lock = store.load()
    state = lock.state(forge.identity)
    since = _since(state, cfg, req)
    _log.debug(
        "listing %s",
        "everything" if since is None else f"issues updated since {since:%Y-%m-%dT%H:%M:%SZ}",
    )
    # Which inputs this run has, when it may take or record the settled shortcut.
    memo = memo_applies(req, store, since) and not refused
    inputs = inputs_of(read, cfg, forge, state) if memo else None
    snapshot = forge.snapshot(since)
    if (
        inputs is not None
        and state.settled is not None
        and not snapshot.issues
        and state.settled == settled_digest(inputs, snapshot)
    ):
        plan = Plan(req.direction, managed=len(state.items))
        _log.debug("settled: inputs as the last sync with nothing to do; nothing parsed")
        return RunResult((), plan, snapshot, None if req.dry_run else Outcome(), settled=True)
    # Documents whose inputs are as a run that had nothing to do for them left them are not
    # parsed: they contribute `kept` (`syncer.sync.reuse`).
    context = None
    # Phase parents, sub-task relations and dependencies need every item: no reuse.
    structured = cfg.phase_parents or cfg.parse.subtask_issues or cfg.dependencies == "links"
    if cfg.reuse and not structured and memo and req.prefer is None and not req.adopt:
        context = context_digest(inputs_of((), cfg, forge, ForgeState()))
    kept: Kept | None = None
    reused: frozenset[str] = frozenset()
    if context is not None:
        prepared = prepare(read, cfg.parse, state, snapshot, context, cfg.render)
        parsed, kept, reused = prepared.docs, prepared.kept, prepared.reused
        _log.debug("%d of %d document(s) reused unparsed", len(reused), len(read))
    else:
        parsed = parse_documents(read, cfg.parse)
    docs = tuple(order_like(files, root, [*parsed, *refused]))
    scope = frozenset(d.path for d in docs) if req.paths else None
    pcfg = plan_config(cfg, forge, req, scope)
    pcfg = replace(pcfg, trusted_authors=_vouched(forge, snapshot, state, req.adopt))
    pcfg = parents_in(pcfg, cfg, forge, docs, state, snapshot)
    plan = make_plan(req.direction, docs, snapshot, state, pcfg, kept)
    structure = structure_plan(cfg, forge, docs, plan, snapshot, state, req, pcfg)
    if since is not None and (
        plan.needs_full_listing
        or unread(plan) > pages(state)
        or (structure is not None and structure.needs_full_listing and not req.dry_run)
    ):
        # Only the issues are listed again: labels and milestones were listed completely.
        # The first listing's start stays `server_time`: earlier is the safe side.
        _log.debug("listing every issue again: the plan needs what the lock cannot tell")
        snapshot = replace(snapshot, issues=forge.list_issues(None), since=None)
        if reused:  # a complete listing shows every issue: every document is planned
            docs = tuple(order_like(files, root, [*parse_documents(read, cfg.parse), *refused]))
            kept, reused = None, frozenset()
        pcfg = replace(pcfg, trusted_authors=_vouched(forge, snapshot, state, req.adopt))
        pcfg = parents_in(pcfg, cfg, forge, docs, state, snapshot)
        plan = make_plan(req.direction, docs, snapshot, state, pcfg, kept)
        structure = structure_plan(cfg, forge, docs, plan, snapshot, state, req, pcfg)
    deps = plan_links(cfg, forge, docs, plan, snapshot, state, req)
    done = tuple(sorted(reused))
    subtasks = plan_subtasks(cfg.parse, forge.kind, docs, plan.entries, snapshot, state)
    whole = not req.paths and not done and all(not d.has_errors for d in docs)
    board = board_plan(cfg.project, forge, docs, plan, state, whole, snapshot.complete)
    if req.dry_run or plan.problems:
        return RunResult(
            docs,
            plan,
            snapshot,
            None,
            structure=structure,
            subtasks=subtasks,
            dependencies=deps,
            reused=done,
            board=board,
        )
    # --- phase parents: made before the items are planned for good (their `Part of #N`)
    made_parents = 0
    if structure is not None and structure.creates and req.direction != "pull":
        # Paced, budgeted and under the ceiling; saves the lock (the journaled parents).
        made_parents = create_nodes(
            forge, store, structure, cfg.apply, reporter, listed=snapshot.server_time
        )
        lock = store.load()
        state = lock.state(forge.identity)
        pcfg = parents_in(pcfg, cfg, forge, docs, state, snapshot)
        plan = make_plan(req.direction, docs, snapshot, state, pcfg, kept)
        structure = structure_plan(cfg, forge, docs, plan, snapshot, state, req, pcfg)
        subtasks = plan_subtasks(cfg.parse, forge.kind, docs, plan.entries, snapshot, state)
        deps = plan_links(cfg, forge, docs, plan, snapshot, state, req)
    # --- end of phase parents
    _log.debug(
        "plan: %d issue action(s), %d document edit(s), %d conflict(s), %d note(s)",
        len(plan.issues),
        len(plan.documents),
        len(plan.conflicts),
        len(plan.notes),
    )
    pin = unsettled_since(plan, snapshot, state, cfg.render)
    recorded = False
    settled = None
    quiet = all(p is None or p.empty for p in (structure, subtasks, deps, board))
    if inputs is not None and pin is None and quiet and settles(req, docs, plan, state):
        settled = settled_digest(inputs, snapshot)
    if context is not None and pin is None and req.direction == "sync":
        documents = records(
            read, docs, reused, plan, state, snapshot, context, cfg.render, forge.issue_url
        )
        if documents != state.documents:
            state = replace(state, documents=documents)
            lock = lock.with_state(forge.identity, state)
            recorded = True
    if quiet and not made_parents and idle(plan, snapshot, state, store):
        # Nothing changed on either side since the last run: the lock stays as it is, byte
        # for byte, so that a scheduled job has nothing to commit (unless this is the first
        # run to find these inputs settled, or to find documents it need not parse again).
        # Keeping `synced_at` costs nothing: this listing from it was empty, so the next one
        # shows only later changes.
        if (settled is not None and settled != state.settled) or recorded:
            state = replace(state, settled=settled or state.settled)
            store.save(lock.with_state(forge.identity, state))
        return RunResult(docs, plan, snapshot, Outcome(), reused=done)
    options = cfg.apply
    if options.max_writes is not None:
        options = replace(options, max_writes=max(0, options.max_writes - made_parents))
    applier = Applier(
        forge,
        store,
        lock,
        plan,
        docs,
        cfg.render,
        root,
        options,
        listed=snapshot.server_time,
        complete=snapshot.complete,
        reporter=reporter,
        settled=settled,
        structure=structure if req.direction != "pull" else None,
        subtasks=subtasks if req.direction != "pull" else None,
        dependencies=deps if req.direction != "pull" else None,
    )
    outcome = applier.run({t: m.id for t, m in snapshot.milestones_by_title().items()})
    outcome.writes += made_parents
    if outcome.parents is not None:
        outcome.parents.created += made_parents
    if board is not None and outcome.error is None:
        board_step(forge, store, board.config, docs, outcome, whole, snapshot.complete, cfg.apply)
    result = RunResult(
        docs,
        plan,
        snapshot,
        outcome,
        structure=structure,
        subtasks=subtasks,
        dependencies=deps,
        reused=done,
        board=board,
    )
    if outcome.error is None:
        if pin is not None and pin < snapshot.server_time:
            rewind(store, forge.identity, pin)
    elif issue_gone(result):
        rewind(store, forge.identity, None)
    return result


def _vouched(forge: Forge, snapshot: Snapshot, state: ForgeState, adopt: bool) -> frozenset[str]:
    """Authors of listed marker-bearing issues (every listed issue's, with `--adopt`) that
    the forge says may steer the plan, asked only about those neither the lock nor the
    listing vouches for (none, in the steady state: no request). A forge that will not say
    is taken as vouching for nobody."""
    candidates = marker_authors_to_check(
        snapshot.issues, state.by_issue(), state.creators, every=adopt
    )
    if not candidates:
        return frozenset()
    try:
        vouched = forge.trusted_authors(candidates)
        _log.debug(
            "asked the forge who may steer the plan: %s of %s", sorted(vouched), sorted(candidates)
        )
        return vouched
    except (PermissionDenied, NotFound):
        return frozenset()
