"""When a run has nothing to do, and what it leaves for the next one.

The engine's small decisions about cost (`syncer.sync.engine` has the design): whether the
settled shortcut may be taken (`memo_applies`) and what it digests (`inputs_of`), whether a
plan changes nothing (`unchanged`, `idle`, `settles`), what reading unlisted issues would
cost against a complete listing (`unread`, `pages`), and how the lock's listing times are
moved back when a run must be listed again (`issue_gone`, `rewind`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from syncer.errors import ForgeError, NotFound
from syncer.forges.base import Forge, Snapshot
from syncer.model import Document
from syncer.sync.actions import Plan, UpdateIssue
from syncer.sync.engine_types import EngineConfig, RunRequest, RunResult
from syncer.sync.lock import ForgeState
from syncer.sync.lock_store import LockStore
from syncer.sync.settled import inputs_digest

PAGE = 100  # issues per listing page on both forges


def memo_applies(req: RunRequest, store: LockStore, since: datetime | None) -> bool:
    """Whether this run may take the settled shortcut or record a digest: it runs on the
    configured globs, lists incrementally, and has no dead run's creations to fold in."""
    return not req.paths and since is not None and not store.journal.exists()


def inputs_of(
    read: Sequence[tuple[str, bytes]], cfg: EngineConfig, forge: Forge, state: ForgeState
) -> str:
    """The settled digest's inputs; with no documents and an empty state, the settings."""
    return inputs_digest(
        documents=read,
        items=state.items,
        render=cfg.render,
        settings=(
            cfg.paths,
            cfg.write_links,
            cfg.on_removed,
            cfg.parse.sync_checklists,
            cfg.forge_edits,
            *(("phase_parents",) if cfg.phase_parents else ()),
            *(("subtask_issues",) if cfg.parse.subtask_issues else ()),
            *(("dependencies=links",) if cfg.dependencies == "links" else ()),
            *((("project", cfg.project),) if cfg.project else ()),
            # Only when set: the default leaves the digests of existing locks as they were.
            *((cfg.done_items,) if cfg.done_items != "create" else ()),
        ),
        identity=forge.identity,
        issue_base=forge.issue_url(1),
    )


def settles(req: RunRequest, docs: Sequence[Document], plan: Plan, state: ForgeState) -> bool:
    """Whether a sync found nothing at all to do: its inputs may be recorded as settled."""
    return (
        req.direction == "sync"
        and all(not d.has_errors for d in docs)
        and not plan.needs_full_listing
        and unchanged(plan, state)
    )


def idle(plan: Plan, snapshot: Snapshot, state: ForgeState, store: LockStore) -> bool:
    """Whether applying `plan` would change nothing but the lock's `synced_at`."""
    return (
        not snapshot.complete
        and not snapshot.issues
        and unchanged(plan, state)
        and not store.journal.exists()  # a dead run's creations are still to be folded in
    )


def unchanged(plan: Plan, state: ForgeState) -> bool:
    """Whether `plan` writes nothing and leaves every lock entry as it is."""
    return (
        plan.empty
        and not plan.renamed
        and all(state.items.get(key) == entry for key, entry in plan.entries.items())
        and (plan.direction == "pull" or dict(plan.managed_labels) == dict(state.labels))
        and (plan.direction == "pull" or dict(plan.managed_milestones) == dict(state.milestones))
    )


def unread(plan: Plan) -> int:
    """Content updates of issues the listing did not show: each costs a GET in apply."""
    return sum(
        1
        for a in plan.issues
        if isinstance(a, UpdateIssue)
        and a.rendered is not None
        and a.remote_body is None
        and not a.plain
    )


def pages(state: ForgeState) -> int:
    """Pages a complete listing of the managed issues costs."""
    return max(1, math.ceil(len(state.items) / PAGE))


def issue_gone(result: RunResult) -> bool:
    """Whether the run stopped on a write to an issue the forge no longer has."""
    error = result.outcome.error if result.outcome else None
    return isinstance(error, NotFound) or (isinstance(error, ForgeError) and error.status == 410)


def rewind(store: LockStore, identity: str, synced_at: datetime | None) -> None:
    """Move the lock's `synced_at` back to `synced_at`, or with None, forget the complete
    listing so that the next run lists completely."""
    lock = store.load()
    state = lock.state(identity)
    if synced_at is None:
        state = replace(state, listed_at=None)
    elif state.synced_at is None or synced_at < state.synced_at:
        state = replace(state, synced_at=synced_at)
    else:
        return
    store.save(lock.with_state(identity, state))
