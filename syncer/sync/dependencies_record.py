"""The lock's record of a blocked issue (`ForgeState.dependencies`), read and written as JSON.

One record per blocked issue, by its item (or phase parent) key: the issue, the issues
phasesync made it blocked by, how (`via`: GitHub's `blocked_by`, GitLab's `is_blocked_by`
or `relates_to` link, kept so that a relation is removed the way it was made even after the
tier changed), and on GitHub the blocker count the forge showed after phasesync's writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from syncer.sync.lock import ForgeState

VIA = ("blocked_by", "is_blocked_by", "relates_to")


@dataclass(frozen=True, slots=True)
class Blocked:
    issue: int
    via: str
    blocked_by: tuple[int, ...] = ()  # the issues phasesync made it blocked by, by number
    seen: int | None = None  # GitHub: `total_blocked_by` as the forge shows it after our writes

    def to_json(self) -> dict[str, Any]:
        return {
            "issue": self.issue,
            "via": self.via,
            "blocked_by": sorted(set(self.blocked_by)),
            "seen": self.seen,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Blocked | None:
        """None for a record that is not one (hand-edited, or dropped): the relations the
        documents state are then made again, a second make being harmless."""
        issue, via, blocked_by, seen = (
            raw.get("issue"),
            raw.get("via"),
            raw.get("blocked_by", []),
            raw.get("seen"),
        )
        if isinstance(issue, bool) or not isinstance(issue, int) or issue <= 0:
            return None
        if via not in VIA or not isinstance(blocked_by, list):
            return None
        if not all(isinstance(b, int) and not isinstance(b, bool) for b in blocked_by):
            return None
        if seen is not None and (isinstance(seen, bool) or not isinstance(seen, int)):
            return None
        return cls(issue, str(via), tuple(blocked_by), seen)


def blocked_records(state: ForgeState) -> dict[str, Blocked]:
    out: dict[str, Blocked] = {}
    for key, raw in state.dependencies.items():
        rec = Blocked.from_json(raw)
        if rec is not None:
            out[key] = rec
    return out
