"""What an update sends: the body with people's text kept, the labels with people's kept,
and the hidden line of a removal comment. The forge's body limit is checked here, on the
whole body sent."""

from __future__ import annotations

from collections.abc import Sequence

from syncer.sync.actions import UpdateIssue
from syncer.sync.body import compose_body, split_body
from syncer.sync.render import RenderConfig

MAX_BODY = 65_536  # characters, on both forges (GitHub's limit; GitLab allows more)


def removal_marker(key: str) -> str:
    """The hidden line of a removal comment: how a rerun knows it was posted already."""
    return f"<!-- phasesync:removed={key} -->"


def final_body(action: UpdateIssue, remote_body: str) -> str:
    """The body to send for a content update: the new managed block, and people's text
    above and below it as it is, byte for byte."""
    assert action.rendered is not None
    return compose_final(action.rendered.block, remote_body)


def compose_final(block: str, remote_body: str) -> str:
    """`block` in place of the managed block of `remote_body`, people's text kept."""
    parts = split_body(remote_body)
    if parts.block is None and parts.tail:
        # An adopted issue: its whole old body is people's text; keep it below the block.
        return compose_body("", block, "\n\n" + parts.tail.lstrip("\n"))
    return compose_body(parts.head, block, parts.tail)


def body_problem(body: str) -> str | None:
    """Why the forge would refuse `body`, or None."""
    if len(body) > MAX_BODY:
        return (
            f"the issue body would be {len(body)} characters (people's text on the forge "
            f"included); the forge allows {MAX_BODY}"
        )
    return None


def final_labels(
    action: UpdateIssue, cfg: RenderConfig, remote_labels: Sequence[str]
) -> tuple[str, ...]:
    """Managed labels as rendered, plus every label people added by hand."""
    assert action.rendered is not None
    hand = [lbl for lbl in remote_labels if not cfg.managed_label(lbl)]
    return tuple(sorted({*action.rendered.labels, *hand}))
