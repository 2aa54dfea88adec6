"""How plans and runs are shown: rich tables, Markdown for pull requests, JSON, progress."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from syncer.forges.retry import wait_message
from syncer.report import printable
from syncer.report_dependencies import dependencies_outcome
from syncer.report_rows import PlanRow, done_left_text, plan_rows
from syncer.sync.actions import CreateIssue, Plan
from syncer.sync.apply_types import Outcome
from syncer.sync.ceiling import Ceiling, describe_estimate
from syncer.sync.structure import StructurePlan

# Waits shorter than this are not announced: a line per pause of a few hundredths of a
# second (riding a write ceiling) would be noise, and it ends before anyone reads it.
QUIET_WAIT = 1.0


def summary(
    plan: Plan, write_interval: float, ceiling: Ceiling | None = None, refused: int = 0
) -> str:
    """The plan's last line. `refused`: documents left out because of errors; then the
    documents and the forge are never said to agree."""
    writes = plan.forge_writes
    files = len(
        {d.pos.file for d in plan.documents}
        | {a.pos.file for a in plan.issues if isinstance(a, CreateIssue) and a.link}
    )
    left = f"; {done_left_text(len(plan.done_left))}" if plan.done_left else ""
    if plan.empty and refused:
        return (
            f"Nothing to do for the documents that synced; {refused} document(s) not synced "
            f"because of errors{left}."
        )
    if plan.empty:
        return f"Nothing to do: documents and forge agree{left}."
    eta = writes * write_interval
    text = f"{writes} forge write(s), {files} document(s) to change"
    paced = describe_estimate(writes, ceiling, write_interval) if ceiling else None
    if paced is not None:
        text += f"; {paced}"
    elif writes and write_interval:
        text += f"; about {eta:.0f} s at {write_interval:g} s between writes"
    if plan.conflicts:
        text += f"; {len(plan.conflicts)} conflict(s)"
    if refused:
        text += f"; {refused} document(s) not synced because of errors"
    return text + left + "."


def print_plan(
    console: Console,
    plan: Plan,
    write_interval: float,
    ceiling: Ceiling | None = None,
    refused: int = 0,
) -> None:
    """The plan's rows (`syncer.report_rows`) and its summary: a table on a terminal, and
    without one (a CI log, where a table is cut to 80 columns) a plain line per row,
    `action | item | place | detail`."""
    rows = list(plan_rows(plan))
    if rows and console.is_terminal:
        table = Table(title=f"phasesync {plan.direction} plan", show_lines=False)
        table.add_column("action", style="bold")
        table.add_column("item")
        table.add_column("place")
        table.add_column("detail", overflow="fold")
        for row in rows:
            style = "red" if row.action in ("CONFLICT", "ERROR") else None
            # Text, not markup: a title such as `[bold]x` is shown as written.
            cells = (row.action, row.item, row.place, row.detail)
            table.add_row(*(Text(printable(c)) for c in cells), style=style)
        console.print(table)
    elif rows:
        console.print(f"phasesync {plan.direction} plan:", markup=False, highlight=False)
        for row in rows:
            console.print(plain_row(row), markup=False, highlight=False, soft_wrap=True)
    console.print(summary(plan, write_interval, ceiling, refused))


def plain_row(row: PlanRow) -> str:
    """One row as a line of a CI log: `update issue | #12 Sign in | docs/p.md:32 | title: ...`."""
    cells = (row.action, row.item, row.place or "-", row.detail)
    return " | ".join(printable(c).replace("\n", " ") for c in cells)


def plan_markdown(
    plan: Plan, write_interval: float, ceiling: Ceiling | None = None, refused: int = 0
) -> str:
    """The plan as a Markdown table, for a pull-request comment or a job summary."""
    lines = [f"### phasesync {plan.direction} plan", ""]
    rows = list(plan_rows(plan))
    if rows:
        lines += ["| action | item | place | detail |", "| --- | --- | --- | --- |"]
        lines += [
            f"| {_md(r.action)} | {_md(r.item)} | {_md(r.place)} | {_md(r.detail)} |" for r in rows
        ]
        lines.append("")
    lines.append(summary(plan, write_interval, ceiling, refused))
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return printable(text).replace("|", "\\|").replace("\n", " ")


def _row_json(row: PlanRow) -> dict[str, Any]:
    return {
        "action": row.action,
        "item": row.item,
        "detail": row.detail,
        "place": row.place,
        "number": row.number,
        "title": row.title,
        "file": row.file,
        "line": row.line,
        "changes": list(row.changes),
    }


def plan_json(plan: Plan) -> dict[str, Any]:
    return {
        "direction": plan.direction,
        "writes": plan.forge_writes,
        "actions": [_row_json(row) for row in plan_rows(plan)],
        "conflicts": [
            {
                "key": c.key,
                "file": c.file,
                "line": c.line,
                "message": c.message,
                "document": c.document,
                "forge": c.forge,
            }
            for c in plan.conflicts
        ],
        "problems": [{"file": p.file, "line": p.line, "message": p.message} for p in plan.problems],
        "skipped": [{"file": p.file, "line": p.line, "message": p.message} for p in plan.skipped],
        "done_left": list(plan.done_left),
    }


def structure_text(sp: StructurePlan) -> str:
    """`phase_parents`: the mapping in force and why, what the parents need, its writes."""
    lines = sp.lines()
    lines.append(f"{sp.writes} structure write(s) (parents and relations).")
    return "\n".join(lines)


def structure_json(sp: StructurePlan, o: Outcome | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "mapping": sp.mode,
        "why": sp.description,
        "writes": sp.writes,
        "actions": [line.strip() for line in sp.lines()[1:]],
    }
    if o is not None and o.parents is not None:
        p = o.parents
        out["outcome"] = {
            "created": p.created,
            "updated": p.updated,
            "closed": p.closed,
            "reopened": p.reopened,
            "related": p.related,
            "unrelated": p.unrelated,
            "restored": p.restored,
        }
    return out


def outcome_text(o: Outcome) -> str:
    parts = []
    for count, what in (
        (len(o.labels), "label(s) created"),
        (len(o.milestones), "milestone(s) written"),
        (len(o.created), "issue(s) created"),
        (len(o.updated), "updated"),
        (len(o.closed), "closed"),
        (len(o.reopened), "reopened"),
        (o.ticked, "box(es) ticked"),
        (o.unticked, "unticked"),
        (o.linked, "link(s) added"),
        (o.parents.created if o.parents else 0, "phase parent(s) created"),
        (o.parents.related if o.parents else 0, "relation(s) made"),
        (o.parents.restored if o.parents else 0, "relation(s) restored"),
        (o.subtasks.related if o.subtasks else 0, "sub-task(s) related to their task"),
        (o.subtasks.restored if o.subtasks else 0, "sub-task relation(s) restored"),
    ):
        if count:
            parts.append(f"{count} {what}")
    if o.dependencies is not None and (said := dependencies_outcome(o)):
        parts.append(said)
    return ("; ".join(parts) or "nothing changed") + f" ({o.writes} write request(s))."


def outcome_json(o: Outcome) -> dict[str, Any]:
    return {
        "created": o.created,
        "updated": o.updated,
        "closed": o.closed,
        "reopened": o.reopened,
        "labels": o.labels,
        "milestones": o.milestones,
        "files": o.files,
        "ticked": o.ticked,
        "unticked": o.unticked,
        "linked": o.linked,
        "writes": o.writes,
        "error": o.error.describe() if o.error else None,
        "problems": [{"file": p.file, "line": p.line, "message": p.message} for p in o.problems],
    }


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


class RichReporter:
    """Progress on stderr while a run writes; quiet mode shows nothing.

    On a terminal, a progress bar. Without one (CI logs), where a bar is invisible until the
    end, a plain line every `every_steps` steps or `every_seconds` seconds, whichever comes
    first: `progress: 120/1000 (12%), 1.0/s, about 14m40s left`.
    """

    def __init__(
        self,
        console: Console,
        quiet: bool = False,
        *,
        every_steps: int = 50,
        every_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.console = console
        self.quiet = quiet
        self.progress: Progress | None = None
        self.task: Any = None
        self.every_steps = every_steps
        self.every_seconds = every_seconds
        self.clock = clock
        self._plain: tuple[int, float] | None = None  # (total, start time) without a terminal
        self._done = 0
        self._last = (0, 0.0)  # (steps, time) of the last line printed

    def _plain_line(self) -> str:
        total, started = self._plain  # type: ignore[misc]
        elapsed = max(self.clock() - started, 1e-9)
        rate = self._done / elapsed
        left = f", about {_duration((total - self._done) / rate)} left" if rate > 0 else ""
        percent = 100 * self._done // total
        return f"progress: {self._done}/{total} ({percent}%), {rate:.1f}/s{left}"

    def start(self, total: int) -> None:
        if self.quiet or total == 0:
            return
        if not self.console.is_terminal:
            now = self.clock()
            self._plain, self._done, self._last = (total, now), 0, (0, now)
            return
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
        )
        self.progress.start()
        self.task = self.progress.add_task("syncing", total=total)

    def step(self, description: str) -> None:
        if self._plain is not None:
            self._done += 1
            now = self.clock()
            steps, when = self._last
            if self._done - steps >= self.every_steps or now - when >= self.every_seconds:
                self._last = (self._done, now)
                self.console.print(self._plain_line(), markup=False, highlight=False)
            return
        if self.progress is not None:
            self.progress.update(self.task, advance=1, description=description[:60])

    def note(self, message: str) -> None:
        if not self.quiet:
            # Text, not markup: a message may quote the forge's answer.
            self.console.print(Text(printable(message), style="yellow"))

    def wait(self, what: str, seconds: float) -> None:
        """One line per wait, whoever waits (`syncer.forges.retry.wait_message`); a wait
        shorter than `QUIET_WAIT` (pacing under a write ceiling) is too short to report."""
        if not self.quiet and seconds >= QUIET_WAIT:
            line = wait_message(printable(what), seconds, datetime.now(UTC))
            self.console.print(Text(line, style="yellow"))

    def stop(self) -> None:
        if self._plain is not None:
            if self._done > self._last[0]:
                self.console.print(self._plain_line(), markup=False, highlight=False)
            self._plain = None
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
