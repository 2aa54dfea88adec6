"""Renames of the labels and milestones phasesync manages: in place, one write each.

The lock remembers each managed label and milestone under a lasting name (`priority/high`,
`phase-2`, `phase-2/registration-live`) with its forge id. A new label format or colour, a
new `milestone_title` or a renamed phase then renames (or recolours) the thing in place, and
every issue that carries it carries the new name without a write of its own. A milestone a
person renamed or closed on the forge is found by its id and restored, never duplicated.

The planner sees the listed issues through `Names`: an old label name or milestone title
reads as the new one, so an issue that only carries renamed names needs no write; and the
lock's hashes, made under the old names, are compared under those names.

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from syncer.forges.base import LabelSpec, RemoteIssue, RemoteLabel, Snapshot
from syncer.model import Document, Requirement, Task, slugify
from syncer.sync.actions import DeleteLabel, Note, RenameLabel
from syncer.sync.lock import ForgeState, ManagedLabel
from syncer.sync.plan_changes import ARROW
from syncer.sync.render import RenderConfig, milestone_title


def wanted_labels(cfg: RenderConfig, docs: Sequence[Document]) -> dict[str, LabelSpec]:
    """Every label the documents' items carry, by lasting name (`priority/high`)."""
    out: dict[str, LabelSpec] = {}
    for doc in docs:
        phase = doc.phase
        if phase is None:
            continue
        for item in phase.items:
            pairs = [
                ("phase", cfg.phase_label, {"number": phase.number}),
                ("type", cfg.type_label, {"kind": item.kind.value}),
            ]
            if isinstance(item, Requirement) and item.priority:
                value = item.priority.casefold()
                if value in ("high", "medium", "low"):
                    pairs.append(("priority", cfg.priority_label, {"priority": value}))
            if isinstance(item, Task):
                pairs.append(("week", cfg.week_label, {"week": str(item.week)}))
            for family, fmt, values in pairs:
                lasting = f"{family}/{next(iter(values.values()))}"
                if lasting not in out:
                    out[lasting] = LabelSpec(fmt.name.format(**values), fmt.color.lower())
    return out


def wanted_milestones(cfg: RenderConfig, docs: Sequence[Document]) -> dict[str, str]:
    """Lasting name -> title: `phase-2` for the phase, `phase-2/<slug>` for a key milestone."""
    out: dict[str, str] = {}
    for doc in docs:
        phase = doc.phase
        if phase is None:
            continue
        out[f"phase-{phase.key_phase}"] = milestone_title(cfg, phase)
        for m in phase.milestones:
            if not m.is_completion:
                out[f"phase-{phase.key_phase}/{slugify(m.name)}"] = milestone_title(
                    cfg, phase, m.name
                )
    return out


@dataclass(frozen=True, slots=True)
class Names:
    """Old names -> the names wanted now, and back to the lock's names."""

    labels: Mapping[str, str] = field(default_factory=dict)  # casefolded old -> new
    base_labels: Mapping[str, str] = field(default_factory=dict)  # casefolded new -> locked
    milestones: Mapping[str, str] = field(default_factory=dict)  # old title -> new
    base_milestones: Mapping[str, str] = field(default_factory=dict)  # new -> locked
    retired: frozenset[str] = frozenset()  # casefolded labels phasesync no longer uses

    def view_labels(self, labels: Iterable[str]) -> tuple[str, ...]:
        """An issue's labels as they read once the renames are made (retired ones gone)."""
        out = []
        for name in labels:
            folded = name.casefold()
            if folded in self.retired:
                continue
            out.append(self.labels.get(folded, name))
        return tuple(dict.fromkeys(out))

    def view_milestone(self, title: str | None) -> str | None:
        return self.milestones.get(title, title) if title is not None else None

    def base_view(self, labels: Sequence[str], milestone: str | None) -> tuple[list[str], str]:
        """Wanted labels and milestone under the names the lock's hashes were made with."""
        return (
            [self.base_labels.get(x.casefold(), x) for x in labels],
            self.base_milestones.get(milestone or "", milestone or ""),
        )

    @property
    def any(self) -> bool:
        return bool(self.base_labels or self.base_milestones)


@dataclass(frozen=True, slots=True)
class LabelPlan:
    renames: tuple[RenameLabel, ...]
    table: dict[str, ManagedLabel]
    retiring: dict[str, ManagedLabel]  # lasting name -> as the forge has it now
    renamed_to: frozenset[str]  # casefolded names the renames make


def plan_label_renames(
    wanted: Mapping[str, LabelSpec], base: ForgeState, snapshot: Snapshot
) -> tuple[LabelPlan, dict[str, str], dict[str, str]]:
    """Renames and recolours of managed labels, the lock's label table after them, and the
    old -> new (casefolded) and new -> locked name maps."""
    by_id = {lbl.id: lbl for lbl in snapshot.labels if lbl.id is not None}
    by_name = {lbl.name.casefold(): lbl for lbl in snapshot.labels}

    def current(rec: ManagedLabel) -> RemoteLabel | None:
        if rec.id is not None and rec.id in by_id:
            return by_id[rec.id]
        return by_name.get(rec.name.casefold())

    renames: list[RenameLabel] = []
    table: dict[str, ManagedLabel] = {}
    view: dict[str, str] = {}
    to_base: dict[str, str] = {}
    for lasting, spec in sorted(wanted.items()):
        rec = base.labels.get(lasting)
        have = current(rec) if rec is not None else None
        clash = by_name.get(spec.name.casefold())
        if have is None or (clash is not None and clash is not have):
            have = clash  # made by hand or by an earlier version: adopted as it is
        # A new colour in the configuration recolours; a label adopted as it was found (no
        # record) or recoloured by a person keeps its colour.
        recolour = rec is not None and rec.color != spec.color and have is not None
        if have is not None and (have.name != spec.name or recolour):
            # Worded as the plan's rows word a change (`syncer.sync.plan_changes`).
            changes = []
            if have.name != spec.name:
                changes.append(f"name: {have.name} {ARROW} {spec.name}")
            if recolour:
                changes.append(f"colour: #{have.color} {ARROW} #{spec.color}")
            new = spec if recolour else LabelSpec(spec.name, have.color)
            renames.append(RenameLabel(have.name, have.id, new, "; ".join(changes), tuple(changes)))
            view[have.name.casefold()] = spec.name
        if rec is not None and rec.name.casefold() != spec.name.casefold():
            view.setdefault(rec.name.casefold(), spec.name)
            to_base[spec.name.casefold()] = rec.name
        table[lasting] = ManagedLabel(spec.name, spec.color, have.id if have else None)
    retiring: dict[str, ManagedLabel] = {}
    for lasting, rec in base.labels.items():
        if lasting in wanted:
            continue
        have = current(rec)
        if have is None:
            continue  # gone from the forge already
        if have.name.casefold() in {s.name.casefold() for s in wanted.values()}:
            continue  # its name is another lasting label's now
        retiring[lasting] = ManagedLabel(have.name, have.color, have.id)
    renamed_to = frozenset(r.spec.name.casefold() for r in renames)
    return LabelPlan(tuple(renames), table, retiring, renamed_to), view, to_base


def plan_label_deletes(
    retiring: Mapping[str, ManagedLabel],
    snapshot: Snapshot,
    managed_issues: set[int],
    table: dict[str, ManagedLabel],
) -> tuple[list[DeleteLabel], list[Note]]:
    """Labels phasesync no longer uses: deleted when no issue of people's carries them
    (known only from a complete listing; until then they stay in the lock's table), and
    otherwise left to the people who use them."""
    deletes: list[DeleteLabel] = []
    notes: list[Note] = []
    for lasting, rec in sorted(retiring.items()):
        if not snapshot.complete:
            table[lasting] = rec  # decided on the next complete listing
            continue
        users = _people_with(rec.name, snapshot.issues, managed_issues)
        if users:
            notes.append(
                Note(
                    rec.name,
                    f"no longer used by phasesync, but #{users[0]} carries it: left to people",
                )
            )
            continue
        deletes.append(DeleteLabel(rec.name, rec.id))
    return deletes, notes


def _people_with(name: str, issues: Iterable[RemoteIssue], managed: set[int]) -> list[int]:
    folded = name.casefold()
    return sorted(
        i.number
        for i in issues
        if i.number not in managed and any(x.casefold() == folded for x in i.labels)
    )
