"""How plans and runs are shown: rich tables, Markdown for pull requests, JSON, progress."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from syncer.forges.retry import wait_message
from syncer.report import printable
from syncer.sync.actions import CreateIssue, EditDocument, Plan, UpdateIssue
from syncer.sync.apply_types import Outcome
from syncer.sync.ceiling import Ceiling, describe_estimate
from syncer.sync.structure import StructurePlan


def plan_rows(plan: Plan) -> Iterator[tuple[str, str, str]]:
    """(action, what, why) for every action, conflict, problem and note, in run order."""
    for label in plan.labels:
        yield "create label", label.spec.name, f"#{label.spec.color}"
    for rename in plan.renames:
        yield "update label", rename.current, rename.reason
    for ms in plan.milestones:
        due = ms.spec.due.isoformat() if ms.spec.due else "no due date"
        yield (
            ("create milestone" if ms.existing_id is None else "update milestone"),
            ms.spec.title,
            "; ".join((*ms.reasons, due)),
        )
    for a in plan.issues:
        if isinstance(a, CreateIssue):
            verb = "create + close" if a.close else "create issue"
            yield verb, a.rendered.title, a.key
        else:
            yield _update_verb(a), f"#{a.number}", "; ".join(a.reasons)
    for gone in plan.deletes:
        yield (
            "delete label",
            gone.name,
            "made by phasesync, no longer used, on no issue of people's",
        )
    for d in plan.documents:
        yield _doc_verb(d), f"{d.pos.file}:{d.pos.line}", _doc_detail(d)
    for c in plan.conflicts:
        where = f"{c.file}:{c.line}" if c.line else c.file
        yield (
            "CONFLICT",
            c.key,
            f"{c.message} ({where}): document {c.document!r}, forge {c.forge!r}",
        )
    for p in (*plan.problems, *plan.skipped):
        yield "ERROR", f"{p.file}:{p.line}", p.message
    for n in plan.notes:
        yield "note", n.key, n.message
    if plan.done_left:
        yield "note", f"{len(plan.done_left)} item(s)", done_left_text(len(plan.done_left))


def done_left_text(n: int) -> str:
    return f"{n} done item{'' if n == 1 else 's'} left in the document (done_items = skip)"


def _update_verb(a: UpdateIssue) -> str:
    parts = []
    if a.rendered is not None:
        parts.append("update")
    if a.comment:
        parts.append("comment")
    if a.state == "closed":
        parts.append("close" if a.state_reason != "not_planned" else "close (not planned)")
    elif a.state == "open":
        parts.append("reopen")
    return " + ".join(parts) or "update"


def _doc_verb(d: EditDocument) -> str:
    return {
        "tick": "tick box",
        "untick": "untick box",
        "link": "add link",
        "retitle": "retitle",
        "describe": "rewrite description",
    }[d.what]


def _doc_detail(d: EditDocument) -> str:
    if d.what == "link":
        return f"#{d.number}"
    if d.what == "retitle":
        return f"title from the forge: {d.title}"
    if d.what == "describe":
        return f"description from the forge: {d.title}"
    return d.key


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
    rows = list(plan_rows(plan))
    if rows:
        table = Table(title=f"phasesync {plan.direction} plan", show_lines=False)
        table.add_column("action", style="bold")
        table.add_column("item")
        table.add_column("detail", overflow="fold")
        for verb, what, why in rows:
            style = "red" if verb in ("CONFLICT", "ERROR") else None
            # Text, not markup: a title such as `[bold]x` is shown as written.
            cells = (Text(printable(verb)), Text(printable(what)), Text(printable(why)))
            table.add_row(*cells, style=style)
        console.print(table)
    console.print(summary(plan, write_interval, ceiling, refused))


def plan_markdown(
    plan: Plan, write_interval: float, ceiling: Ceiling | None = None, refused: int = 0
) -> str:
    """The plan as a Markdown table, for a pull-request comment or a job summary."""
    lines = [f"### phasesync {plan.direction} plan", ""]
    rows = list(plan_rows(plan))
    if rows:
        lines += ["| action | item | detail |", "| --- | --- | --- |"]
        lines += [f"| {_md(v)} | {_md(w)} | {_md(d)} |" for v, w, d in rows]
        lines.append("")
    lines.append(summary(plan, write_interval, ceiling, refused))
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return printable(text).replace("|", "\\|").replace("\n", " ")


def plan_json(plan: Plan) -> dict[str, Any]:
    return {
        "direction": plan.direction,
        "writes": plan.forge_writes,
        "actions": [{"action": v, "item": w, "detail": d} for v, w, d in plan_rows(plan)],
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
    ):
        if count:
            parts.append(f"{count} {what}")
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
        """One line per wait, whoever waits (`syncer.forges.retry.wait_message`)."""
        if not self.quiet:
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
