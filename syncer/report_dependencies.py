"""`dependencies = "links"` in the output of `plan`, `push` and `sync`: the mapping in force,
the relations the plan makes or removes (with where the document states them), warnings for
names that resolve to no item or several, and what the run did."""

from __future__ import annotations

from typing import Any

from syncer.sync.apply_types import Outcome
from syncer.sync.dependencies import DependencyPlan


def dependencies_text(dp: DependencyPlan) -> str:
    lines = dp.lines()
    lines.append(f"{dp.writes} dependency write(s) (one per relation made or removed).")
    return "\n".join(lines)


def dependencies_json(dp: DependencyPlan, o: Outcome | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "mapping": dp.description,
        "writes": dp.writes,
        "actions": [line.strip() for line in dp.lines()[1:] if not line.startswith("  warning:")],
        "warnings": [d.format() for d in dp.warnings],
    }
    if o is not None and o.dependencies is not None:
        d = o.dependencies
        out["outcome"] = {
            "related": d.related,
            "unrelated": d.unrelated,
            "restored": d.restored,
            "notes": list(d.notes),
        }
    return out


def dependencies_outcome(o: Outcome) -> str:
    """One clause for the run's summary line, or empty."""
    d = o.dependencies
    if d is None:
        return ""
    parts = [
        f"{n} {what}"
        for n, what in (
            (d.related, "dependency relation(s) made"),
            (d.unrelated, "removed"),
            (d.restored, "restored"),
        )
        if n
    ]
    return "; ".join(parts)
