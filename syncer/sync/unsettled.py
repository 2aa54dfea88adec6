"""Where the next incremental listing must start so that no forge change is lost."""

from __future__ import annotations

from datetime import datetime

from syncer.forges.base import Snapshot
from syncer.sync.actions import Plan, UpdateIssue
from syncer.sync.lock import ForgeState, LockEntry
from syncer.sync.render import RenderConfig, remote_hash


def unsettled_since(
    plan: Plan, snapshot: Snapshot, base: ForgeState, render: RenderConfig
) -> datetime | None:
    """The oldest `updated_at` of a listed issue that the lock will not describe once `plan`
    is applied, or None when the lock will describe every listed issue.

    An incremental listing trusts the lock for every issue it does not show, so the lock may
    only stop showing an issue's forge side when it records it. It does not when the plan
    leaves the two apart: a conflict (the base is kept so that it is reported again), a push
    that leaves a close on the forge for the next pull, a pull that leaves a forge edit for
    the next push, an item of a document outside the run's PATHs or with errors. The next
    incremental listing must start no later than the oldest of those changes (the engine
    moves `synced_at` back to it), or they would never be seen again.
    """
    items: dict[str, LockEntry] = dict(base.items)
    for key, entry in plan.entries.items():  # the lock as apply will write it
        old = plan.renamed.get(key)
        if old is not None and old != key:
            items.pop(old, None)
        if entry is None or entry.issue == 0:
            items.pop(key, None)
        else:
            items[key] = entry
    after = {entry.issue: entry for entry in items.values()}
    writes = {a.number: a for a in plan.issues if isinstance(a, UpdateIssue)}
    oldest: datetime | None = None
    for issue in snapshot.issues:
        entry = after.get(issue.number)
        if entry is None:
            continue  # not managed after this run: nothing is trusted about it
        write = writes.get(issue.number)
        if write is not None and write.rendered is not None:
            content = write.rendered.hash
        else:
            content = remote_hash(render, issue.title, issue.body, issue.labels, issue.milestone)
        closed = issue.state == "closed"
        if write is not None and write.state is not None:
            closed = write.state == "closed"
        if (content, closed) != (entry.hash, entry.checked):
            oldest = issue.updated_at if oldest is None else min(oldest, issue.updated_at)
    return oldest
