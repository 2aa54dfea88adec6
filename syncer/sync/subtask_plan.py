"""Sub-tasks as sub-issues (`subtasks = "issues"`): what the relations between each task
and its sub-tasks need (pure: documents, lock and listing in, a `SubtaskPlan` out).

With the setting, the parser makes each nested box under a task an item of its own
(`Task.parent`, keyed under its task: `phase-3/week-1/invitation-tokens.token-expiry-job`),
so everything an item has comes from the item pipeline unchanged: its issue, its link
written into its line, ticks both ways, labels and milestone (its task's week and phase).
The task's issue no longer carries the checklist: GitHub shows its sub-issues natively,
GitLab its linked issues. This module and `subtask_run` add the relation:

* GitHub: the sub-task's issue is a sub-issue of its task's issue (`POST .../sub_issues`,
  `Relations.link_child`). With `phase_parents` the task stays the phase parent's sub-issue
  and the sub-task is the task's (three levels of GitHub's eight): sub-tasks are not the
  phase parent's children (`structure_layout` leaves them out). A task takes at most 100
  sub-issues: the first 100 sub-tasks in document order are related and the rest named in
  a note, never chunked (a sub-task cannot have two parents, and an intermediate issue
  would be one nobody wrote).
* GitLab: a `relates_to` link, and a `Part of #N` line in the sub-task's body naming its
  task (`part_of`). A sub-task created in the same run as its task gets the line at its
  create (`subtask_run.fill_part_of`): one write per issue and one per relation, never a
  second write of the sub-task.

Decisions, and why:

* The relations phasesync made are recorded in the lock's `structure` table under
  `subtasks:<task key>` (issue, the children it related, and on GitHub the sub-issue
  count the forge shows after its writes), journaled at every write as phase parents'
  are, so the idle sync reads nothing more than its three lists; the phase parents' code
  reads only its own records (`structure_record.records`).
* A person's removal of a relation is restored when a listing shows it: on GitHub the
  task's `sub_issues_summary.total` differs from the count recorded; on GitLab (no count
  in the payload) the complete listing, once a day, reads each task's links (one GET per
  task with sub-tasks). Relations of people's are kept.
* A task the lock knows that has no record yet (the setting turned on for an existing plan,
  a lost lock) has its relations read first, so nothing is related twice.
* Switching back to `checklist` is the safe path: the sub-tasks' issues and relations are
  left as they are (never closed: the work is still planned, now as checklist lines) and
  forgotten by the lock, and the plan says so (`plan_removal` keeps them, with a note).
  Turning `issues` on again finds each sub-task's issue by the link left on its line.
* A task whose document has errors, or that is outside the run's PATHs, is left as it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from syncer.forges.base import Snapshot
from syncer.model import Document, ParseOptions, Task
from syncer.sync.lock import ForgeState, LockEntry

if TYPE_CHECKING:  # `apply_types` imports the run, which imports this module
    from syncer.sync.apply_types import Outcome

PREFIX = "subtasks:"  # a record's key in the lock's `structure` table: `subtasks:<task key>`
MAX_CHILDREN = 100  # GitHub: sub-issues per parent


@dataclass(frozen=True, slots=True)
class SubRecord:
    """The lock's record of one task's relations to its sub-tasks."""

    issue: int  # the task's issue
    children: tuple[int, ...] = ()  # the sub-tasks' issues phasesync related to it
    seen: int | None = None  # GitHub: the sub-issue count the forge shows after our writes

    def to_json(self) -> dict[str, Any]:
        return {"issue": self.issue, "children": sorted(set(self.children)), "seen": self.seen}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> SubRecord | None:
        """None for what is not one (hand-edited): its relations are then read again."""
        issue, children, seen = raw.get("issue"), raw.get("children", []), raw.get("seen")
        if isinstance(issue, bool) or not isinstance(issue, int) or issue <= 0:
            return None
        if not isinstance(children, list) or not all(
            isinstance(c, int) and not isinstance(c, bool) for c in children
        ):
            return None
        if seen is not None and (isinstance(seen, bool) or not isinstance(seen, int)):
            return None
        return cls(issue, tuple(children), seen)


def describe_subtasks(kind: str) -> str:
    """Which mapping of sub-tasks is in force: one line for `plan` and `doctor`."""
    if kind == "github":
        return "sub-tasks: issues of their own, sub-issues of their task's issue (100 per task)"
    return (
        "sub-tasks: issues of their own, `relates_to` links of their task's issue and a "
        "`Part of #N` line (GitLab has no sub-issues on issues)"
    )


def sub_records(state: ForgeState) -> dict[str, SubRecord]:
    """Task key -> its record, from the lock's `structure` table."""
    out: dict[str, SubRecord] = {}
    for key, raw in state.structure.items():
        if key.startswith(PREFIX):
            rec = SubRecord.from_json(raw)
            if rec is not None:
                out[key.removeprefix(PREFIX)] = rec
    return out


def families(docs: Sequence[Document]) -> dict[str, tuple[Task, tuple[Task, ...]]]:
    """Each task (by key) with its sub-tasks in document order; tasks without any too."""
    tasks: dict[str, Task] = {}
    subs: dict[str, list[Task]] = {}
    for doc in docs:
        for item in doc.items:
            if not isinstance(item, Task):
                continue
            if item.parent is None:
                tasks[str(item.key)] = item
            else:
                subs.setdefault(str(item.parent), []).append(item)
    return {k: (t, tuple(subs.get(k, ()))) for k, t in tasks.items()}


def part_of(docs: Sequence[Document], state: ForgeState) -> dict[str, int]:
    """GitLab: each sub-task's task issue number, for its `Part of #N` line: the lock's, or
    the link on the task's line (a retitled task keeps its issue). A task without an issue
    yet is filled in at the sub-task's create (`subtask_run.fill_part_of`)."""
    out: dict[str, int] = {}
    for key, (task, subs) in families(docs).items():
        entry = state.items.get(key)
        number = entry.issue if entry is not None and entry.issue else None
        if number is None and task.link is not None:
            number = task.link.number
        if number is not None:
            for sub in subs:
                out[str(sub.key)] = number
    return out


def _created(sub: Task, entries: Mapping[str, LockEntry | None]) -> bool:
    entry = entries.get(str(sub.key))
    return entry is not None and not entry.issue


# --- the plan -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FamilyWork:
    task: str  # the task's key
    title: str
    record: SubRecord | None
    children: tuple[str, ...]  # the sub-tasks' keys to relate (at most 100 on GitHub)
    read: bool = False  # read the task's relations first (unknown, or a listing showed a change)
    links: int = 0  # relations to make, as far as the plan can tell
    unlinks: int = 0


@dataclass(frozen=True, slots=True)
class SubtaskPlan:
    mode: str  # "sub_issues" (GitHub) or "relates_to" (GitLab)
    works: tuple[FamilyWork, ...] = ()
    # Records kept as they are: tasks of documents this run does not look at.
    kept: Mapping[str, SubRecord] = field(default_factory=dict)
    # Records forgotten (back to `checklist`, or the task gone): relations left as they are.
    forget: tuple[str, ...] = ()
    # Sub-task key -> its task's key, for sub-tasks whose `Part of #N` is filled at create.
    fill: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def writes(self) -> int:
        return sum(w.links + w.unlinks for w in self.works)

    @property
    def empty(self) -> bool:
        """Nothing to write, read or record."""
        return self.writes == 0 and not self.forget and not any(w.read for w in self.works)

    def lines(self) -> list[str]:
        """What the plan does to the sub-tasks' relations, for `plan`."""
        out = [describe_subtasks("github" if self.mode == "sub_issues" else "gitlab")]
        for w in self.works:
            parts: list[str] = []
            if w.links:
                parts.append(f"relate {w.links} sub-task{'s' if w.links != 1 else ''}")
            if w.unlinks:
                parts.append(f"unrelate {w.unlinks}")
            if w.read:
                parts.append("check its relations")
            if parts:
                out.append(f"  {w.title} [{w.task}]: {', '.join(parts)}")
        out.extend(f"  {n}" for n in self.notes)
        return out

    def text(self) -> str:
        return "\n".join([*self.lines(), f"{self.writes} sub-task relation write(s)."])

    def json(self, outcome: Outcome | None) -> dict[str, Any]:
        """For `--json`; `outcome` is the run's (None on a dry run)."""
        out: dict[str, Any] = {
            "mapping": self.mode,
            "writes": self.writes,
            "actions": [line.strip() for line in self.lines()[1:]],
        }
        done = outcome.subtasks if outcome is not None else None
        if done is not None:
            out["outcome"] = {
                "related": done.related,
                "unrelated": done.unrelated,
                "restored": done.restored,
            }
        return out


def plan_subtasks(
    options: ParseOptions,
    kind: str,
    docs: Sequence[Document],
    entries: Mapping[str, LockEntry | None],
    snapshot: Snapshot,
    state: ForgeState,
) -> SubtaskPlan | None:
    """What the relations need; None when the setting is off (`options.subtask_issues`)
    and the lock has no record. `entries` is the plan's lock after the run (each item's
    issue number, 0 for one this run creates)."""
    on = options.subtask_issues
    known = sub_records(state)
    if not on and not known:
        return None
    mode = "sub_issues" if kind == "github" else "relates_to"
    if not on:
        note = (
            f'subtasks = "checklist": the relations of {len(known)} task(s) to their '
            "sub-tasks' issues are left as they are, and no longer kept up"
        )
        return SubtaskPlan(mode, forget=tuple(sorted(known)), notes=(note,))
    seen = {d.path for d in docs}
    frozen = {d.path for d in docs if d.has_errors or d.blocked}

    def number(key: str) -> int | None:
        entry = entries.get(key) or state.items.get(key)
        return entry.issue if entry is not None and entry.issue else None

    by_number = {i.number: i for i in snapshot.issues}
    works: list[FamilyWork] = []
    kept: dict[str, SubRecord] = {}
    fill: dict[str, str] = {}
    notes: list[str] = []
    wanted: set[str] = set()
    for key, (task, subs) in families(docs).items():
        rec = known.get(key)
        if task.pos.file in frozen:
            if rec is not None:
                kept[key] = rec
            continue
        if not subs and rec is None:
            continue
        wanted.add(key)
        if mode == "sub_issues" and len(subs) > MAX_CHILDREN:
            notes.append(
                f"{key}: {len(subs)} sub-tasks, GitHub relates {MAX_CHILDREN} to a task: "
                f"the last {len(subs) - MAX_CHILDREN} stay issues without a parent"
            )
            subs = subs[:MAX_CHILDREN]
        parent = number(key)
        if parent is None and mode == "relates_to":
            fill.update({str(s.key): key for s in subs if number(str(s.key)) is None})
        if rec is not None and parent is not None and rec.issue != parent:
            rec = None  # the task has another issue now: its old record says nothing
        read = rec is None and parent is not None  # relations made before the lock knew
        if rec is not None:
            found = by_number.get(rec.issue)
            if found is not None:
                count = found.children
                read = count != rec.seen if count is not None else snapshot.complete
        related = set(rec.children) if rec is not None else set()
        numbers = [number(str(s.key)) for s in subs]
        # A sub-task without an issue counts when this run creates it (`done_items = "skip"`
        # leaves a ticked one without any: nothing to relate, and the idle sync stays idle).
        links = sum(
            1
            for s, n in zip(subs, numbers, strict=True)
            if (n is not None and n not in related) or (n is None and _created(s, entries))
        )
        unlinks = len(related - {n for n in numbers if n is not None})
        children = tuple(str(s.key) for s in subs)
        works.append(FamilyWork(key, task.title, rec, children, read, links, unlinks))
    forget: list[str] = []
    for key, rec in known.items():
        if key in wanted or key in kept:
            continue
        entry = entries.get(key) or state.items.get(key)
        if entry is not None and (entry.file not in seen or entry.file in frozen):
            kept[key] = rec  # a document this run does not look at
        else:
            forget.append(key)  # the task is gone: its issue's removal is the plan's
    return SubtaskPlan(mode, tuple(works), kept, tuple(sorted(forget)), fill, tuple(notes))
