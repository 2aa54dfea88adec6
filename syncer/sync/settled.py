"""The settled digest: how a scheduled run with nothing to do skips parsing and planning.

Parsing and planning 10,000 items takes seconds; listing that nothing changed on the forge
takes three requests. A run whose plan is a pure function of inputs it has already seen
need not compute that plan again, so the lock keeps, per forge, one digest of the inputs of
the last sync that had nothing to do (`ForgeState.settled`), and a later run with the same
inputs ends right after its listing.

What the plan depends on
------------------------
On an incremental listing that shows no issue, `make_plan` sees nothing of the forge's
issues but the lock's entries (they stand in for every issue not listed; see `engine`), so
its result is a function of:

* the documents: the list of files the configured globs find, and every byte of each;
* the lock's items for this forge;
* the labels and milestones the forge lists (names, colours, descriptions, titles, due
  dates, states, ids);
* the settings that shape a plan (label formats and colours, milestone titles, mention
  escaping, links, what happens to removed items, the globs), the forge's identity and the
  address its issues live at;
* phasesync itself: `__version__` and `EPOCH`, so that a release that plans or renders
  differently never trusts a digest written by another.

`inputs_digest` hashes all of these but the listing; `settled_digest` adds the listing's
labels and milestones. The digest is recorded only by a sync (push and pull leave half of
the work to the other) that ran on the configured globs, found no document with errors,
planned nothing at all (no action, conflict, rename or problem, every lock entry as it
was; notes, which are only said, do not count) and left no listed issue different from its
lock entry. A later run whose digest is equal, whose listing is incremental and shows no
issue, and that has no journal of a dead run to fold in, would plan exactly that empty plan
again: it reports "nothing to do" and leaves every file as it is, without reading the
documents' Markdown.

The digest is a memo, never a source of truth: a changed byte in any document, a hand edit
of the lock, a label renamed on the forge, a new setting or a new phasesync release all
change it, and the run parses and plans as always (and records the new digest when that
plan is empty). A run on explicit PATHs, a `--full` run and the daily complete listing never
take the shortcut, and neither does a run whose listing shows an issue.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from syncer import __version__
from syncer.forges.base import Snapshot
from syncer.sync.lock import LockEntry
from syncer.sync.render import RenderConfig

# Raise when the planner or the renderer changes what they make of the same inputs without
# a version change (a development build, say).
EPOCH = 2  # 2: any Markdown file is a plan (issue 12)
_SEP = b"\x1e"


def inputs_digest(
    *,
    documents: Iterable[tuple[str, bytes]],
    items: Mapping[str, LockEntry],
    render: RenderConfig,
    settings: Iterable[object],
    identity: str,
    issue_base: str,
) -> str:
    """The digest of everything a plan depends on but the forge's listing.

    `documents` are (path as shown, bytes) in run order; `settings` are the other values of
    the configuration that shape a plan, in a fixed order.
    """
    h = hashlib.sha256()
    for part in (f"phasesync {__version__} epoch {EPOCH}", identity, issue_base, repr(render)):
        h.update(part.encode("utf-8") + _SEP)
    for value in settings:
        h.update(repr(value).encode("utf-8") + _SEP)
    for path, data in documents:
        h.update(path.encode("utf-8") + b"\x1f" + hashlib.sha256(data).digest() + _SEP)
    h.update(b"items" + _SEP)
    for key in sorted(items):
        h.update(key.encode("utf-8") + b"\x1f" + repr(items[key]).encode("utf-8") + _SEP)
    return h.hexdigest()


def settled_digest(inputs: str, snapshot: Snapshot) -> str:
    """`inputs` plus what the listing says of labels and milestones (sorted: the order a
    forge lists them in is not part of the state)."""
    h = hashlib.sha256(inputs.encode("ascii") + _SEP)
    for label in sorted(snapshot.labels, key=lambda lbl: (lbl.name, lbl.color)):
        h.update(repr(label).encode("utf-8") + _SEP)
    for milestone in sorted(snapshot.milestones, key=lambda m: (m.id, m.title)):
        h.update(repr(milestone).encode("utf-8") + _SEP)
    return h.hexdigest()
