"""What an update sends: the body with people's text kept, the labels with people's kept,
and the hidden line of a removal comment."""

from __future__ import annotations

from collections.abc import Sequence

from syncer.sync.actions import UpdateIssue
from syncer.sync.render import RenderConfig, compose_body, key_of, split_body


def removal_marker(key: str) -> str:
    """The hidden line of a removal comment: how a rerun knows it was posted already."""
    return f"<!-- phasesync:removed={key} -->"


def final_body(action: UpdateIssue, remote_body: str) -> str:
    """The body to send for a content update: new managed block, people's text kept."""
    assert action.rendered is not None
    _, tail = split_body(remote_body)
    if key_of(remote_body) is None and tail:
        # An adopted issue: its whole old body is people's text; keep it below the block.
        tail = "\n\n" + tail.lstrip("\n")
    return compose_body(action.rendered.block, tail)


def final_labels(
    action: UpdateIssue, cfg: RenderConfig, remote_labels: Sequence[str]
) -> tuple[str, ...]:
    """Managed labels as rendered, plus every label people added by hand."""
    assert action.rendered is not None
    hand = [lbl for lbl in remote_labels if not cfg.managed_label(lbl)]
    return tuple(sorted({*action.rendered.labels, *hand}))
