"""What an update will change on an issue, in words, for the plan's rows.

The planner knows both sides when it decides an update: the document's rendering and the
forge's issue (as listed, or as the lock left it when the listing was incremental). The
changes are worded here, once, as the plan shows them on every output (table, CI lines,
Markdown, JSON):

    title: Sign in → Password sign-in
    labels: +priority:high −priority:low
    milestone: Phase 1: Setup → Phase 2: User Authentication
    body
    state: open → closed (not planned)
    comment

The labels are those apply will send (`compose.final_labels`: the managed labels as
rendered, people's own kept, retired ones dropped), compared with the issue's. An issue not
in this listing has no labels or body to compare (no read is added for a plan's words):
then a content change that is neither its title nor its milestone reads `body or labels`.
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from syncer.forges.base import StateReason
from syncer.sync.content_edits import managed_block
from syncer.sync.render import RenderConfig, Rendered, content_hash

ARROW = "→"
MINUS = "−"  # U+2212, so that `−x` never reads as an option or a Markdown list


def _labels_after(
    cfg: RenderConfig, rendered: Rendered, remote: Sequence[str], drop: Collection[str]
) -> list[str]:
    hand = [lbl for lbl in remote if not cfg.managed_label(lbl)]
    return sorted(x for x in {*rendered.labels, *hand} if x.casefold() not in drop)


def _same_block(a: str, b: str) -> bool:
    # As the content hash compares them: line endings and source-line anchors aside.
    return content_hash("", a, (), None) == content_hash("", b, (), None)


def issue_changes(
    cfg: RenderConfig,
    *,
    rendered: Rendered | None,
    title: str,
    body: str | None,
    labels: Sequence[str] | None,
    milestone: str | None,
    closed: bool,
    state: str | None,
    state_reason: StateReason | None = None,
    comment: bool = False,
    drop: Collection[str] = (),
) -> tuple[str, ...]:
    """The changes of one update: `rendered` None when only the state (or a comment) is
    sent; `title`, `body`, `labels`, `milestone` and `closed` are the issue's now (`body`
    and `labels` None when it was not listed)."""
    out: list[str] = []
    if rendered is not None:
        if rendered.title != title:
            out.append(f"title: {title} {ARROW} {rendered.title}")
        known = labels is not None and body is not None
        if labels is not None:
            after = _labels_after(cfg, rendered, labels, drop)
            now = {x.casefold() for x in labels}
            then = {x.casefold() for x in after}
            added = [f"+{x}" for x in after if x.casefold() not in now]
            removed = [f"{MINUS}{x}" for x in sorted(labels) if x.casefold() not in then]
            if added or removed:
                out.append("labels: " + " ".join((*added, *removed)))
        if (milestone or "") != rendered.milestone:
            out.append(f"milestone: {milestone or 'none'} {ARROW} {rendered.milestone}")
        if body is not None and not _same_block(managed_block(body), rendered.block):
            out.append("body")
        if not known and not out:
            out.append("body or labels")
    if state is not None:
        why = ""
        if state == "closed" and state_reason is not None and state_reason != "completed":
            why = f" ({state_reason.replace('_', ' ')})"
        out.append(f"state: {'closed' if closed else 'open'} {ARROW} {state}{why}")
    if comment:
        out.append("comment")
    return tuple(out)
