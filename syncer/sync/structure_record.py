"""The lock's record of a phase parent (`ForgeState.structure`), read and written as JSON."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from syncer.sync.lock import ForgeState


@dataclass(frozen=True, slots=True)
class Record:
    issue: int
    hash: str
    closed: bool
    children: tuple[int, ...] = ()  # the issues phasesync related to it, by number
    seen: int | None = None  # GitHub: the sub-issue count the forge shows after our writes

    def to_json(self) -> dict[str, Any]:
        return {
            "issue": self.issue,
            "hash": self.hash,
            "closed": self.closed,
            "children": sorted(set(self.children)),
            "seen": self.seen,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Record | None:
        """None for a record that is not one (hand-edited): the parent is then found again
        by its key marker."""
        issue, digest, closed = raw.get("issue"), raw.get("hash"), raw.get("closed")
        children, seen = raw.get("children", []), raw.get("seen")
        if isinstance(issue, bool) or not isinstance(issue, int) or issue <= 0:
            return None
        if not isinstance(digest, str) or not isinstance(closed, bool):
            return None
        if not isinstance(children, list) or not all(
            isinstance(c, int) and not isinstance(c, bool) for c in children
        ):
            return None
        if seen is not None and (isinstance(seen, bool) or not isinstance(seen, int)):
            return None
        return cls(issue, digest, closed, tuple(children), seen)


def records(state: ForgeState) -> dict[str, Record]:
    out: dict[str, Record] = {}
    for key, raw in state.structure.items():
        if key.startswith("subtasks:"):
            continue  # a task's sub-task relations (`syncer.sync.subtask_plan`)
        rec = Record.from_json(raw)
        if rec is not None:
            out[key] = rec
    return out
