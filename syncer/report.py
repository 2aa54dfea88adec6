"""What phasesync shows people and machines: diagnostics, document JSON, status.

Functions here either return lines / JSON-ready dicts, or write to the `rich` Console they
are given; nothing below `cli.py` and this module prints.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress_bar import ProgressBar
from rich.table import Table

from syncer.model import (
    Diagnostic,
    Document,
    Item,
    Milestone,
    Phase,
    Requirement,
    Severity,
    Task,
)

# Control characters and bidirectional overrides from documents never reach a terminal or a
# job summary as they are: `\x1b[31m` in a title is shown as the text `\x1b[31m`.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    r"""`text` with control characters (but tab and newline) and bidirectional overrides
    shown as escapes (`\x1b`, `\u202e`), so that a document cannot drive a terminal."""
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(
        lambda m: (
            f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 0x100 else f"\\u{ord(m.group(0)):04x}"
        ),
        text,
    )


# --- validate: diagnostics ------------------------------------------------------------------


def _diagnostics(docs: Iterable[Document], errors_only: bool = False) -> list[Diagnostic]:
    found = [
        d
        for doc in docs
        for d in doc.diagnostics
        if not errors_only or d.severity == Severity.ERROR
    ]
    found.sort(key=lambda d: (d.file, d.line, d.col))
    return found


def render_diagnostics_text(docs: Iterable[Document], errors_only: bool = False) -> list[str]:
    """One `file:line:col: error|warning: message [code]` line per diagnostic, by file and line
    (errors alone with `errors_only`)."""
    return [printable(d.format()) for d in _diagnostics(docs, errors_only)]


def _escape_data(text: str) -> str:
    # GitHub's workflow-command escaping (actions/toolkit, command.ts).
    text = printable(text)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_diagnostics_github(docs: Iterable[Document], errors_only: bool = False) -> list[str]:
    """GitHub Actions annotations: `::error file=…,line=…,col=…::message [code]`."""
    return [
        f"::{d.severity.value} file={_escape_property(d.file)},line={d.line},col={d.col}"
        f"::{_escape_data(f'{d.message} [{d.code}]')}"
        for d in _diagnostics(docs, errors_only)
    ]


def _item_json(item: Item) -> dict[str, Any]:
    return {
        "key": str(item.key),
        "kind": item.kind.value,
        "title": item.title,
        "checked": item.checked,
        "line": item.pos.line,
        "week": item.week if isinstance(item, Task) else None,
        "priority": item.priority if isinstance(item, Requirement) else None,
        "estimate": item.estimate if isinstance(item, Requirement) else None,
    }


def _milestone_json(m: Milestone) -> dict[str, Any]:
    return {"name": m.name, "date": m.date.isoformat(), "line": m.line}


def render_coverage(docs: Iterable[Document]) -> list[str]:
    """`validate`'s last lines: per document what became of its boxes
    (`plan.md: 398 boxes: 395 items, 3 sub-tasks, 0 document-only`), then, for any box that
    does not reach the forge, why and where."""
    out = []
    for doc in docs:
        cov = doc.coverage
        line = f"{doc.path}: {cov.summary()}"
        if doc.blocked:
            line += "; not synced: the document has errors that block it (above)"
        out.append(line)
        by_reason: dict[str, list[int]] = {}
        for u in cov.unsynced:
            by_reason.setdefault(u.reason, []).append(u.line)
        for reason, lines in by_reason.items():
            shown = ", ".join(str(n) for n in lines[:8]) + (", ..." if len(lines) > 8 else "")
            where = "line" if len(lines) == 1 else "lines"
            out.append(f"  {len(lines)} document-only: {reason} ({where} {shown})")
    return out


def done_left(docs: Iterable[Document], known: Collection[str]) -> dict[str, list[int]]:
    """`done_items = "skip"`: per document, the lines of ticked items with no issue as far
    as the documents and the lock tell (no link, no lock entry under any forge), which a
    push leaves in the document. An issue that carries the item's key marker on the forge
    binds it all the same: only a push's listing can tell."""
    out: dict[str, list[int]] = {}
    for doc in docs:
        lines = [
            i.pos.line
            for i in doc.items
            if i.checked and i.link is None and str(i.key) not in known
        ]
        if lines:
            out[doc.path] = lines
    return out


def render_done_left(left: Mapping[str, list[int]]) -> list[str]:
    """`validate`'s lines for `done_left`, after the coverage."""
    out = []
    for path, lines in left.items():
        shown = ", ".join(str(n) for n in lines[:8]) + (", ..." if len(lines) > 8 else "")
        where = "line" if len(lines) == 1 else "lines"
        out.append(
            f"{path}: {len(lines)} done item(s) without an issue stay in the document "
            f"(done_items = skip; {where} {shown})"
        )
    return out


def _coverage_json(doc: Document) -> dict[str, Any]:
    cov = doc.coverage
    return {
        "file": doc.path,
        "boxes": cov.boxes,
        "items": cov.items,
        "subtasks": cov.subtasks,
        "document_only": [{"line": u.line, "reason": u.reason} for u in cov.unsynced],
        "blocked": doc.blocked,
    }


def documents_json(docs: Sequence[Document]) -> dict[str, Any]:
    """`validate --json`: every phase with its items and milestones, every diagnostic and
    each document's coverage."""
    phases = [
        {
            "file": doc.path,
            "number": phase.number,
            "name": phase.name,
            "title": phase.title,
            "due": phase.due.isoformat() if phase.due else None,
            "items": [_item_json(item) for item in phase.items],
            "milestones": [_milestone_json(m) for m in phase.milestones],
        }
        for doc in docs
        for phase in doc.phases
    ]
    diagnostics = [
        {
            "file": d.file,
            "line": d.line,
            "severity": d.severity.value,
            "code": d.code,
            "message": d.message,
        }
        for d in _diagnostics(docs)
    ]
    coverage = [_coverage_json(doc) for doc in docs]
    return {"phases": phases, "diagnostics": diagnostics, "coverage": coverage}


# --- status ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _PhaseStatus:
    phase: Phase
    requirements_done: int
    tasks_done: int
    checklist_done: int
    # A milestone has no box of its own, so the document cannot say which items it needs:
    # a milestone in the past counts as missed while its phase still has open items.
    missed: tuple[Milestone, ...]
    # Open items of a phase whose due date has passed.
    overdue: tuple[Item, ...]


def _status(phase: Phase, today: date) -> _PhaseStatus:
    requirements_done = sum(r.checked for r in phase.requirements)
    tasks_done = sum(t.checked for t in phase.tasks)
    open_items = [i for i in phase.items if not i.checked]
    due = phase.due
    return _PhaseStatus(
        phase=phase,
        requirements_done=requirements_done,
        tasks_done=tasks_done,
        checklist_done=sum(c.checked for c in phase.checklist),
        missed=tuple(m for m in phase.milestones if m.date < today and open_items),
        overdue=tuple(open_items) if due is not None and due < today else (),
    )


def _phases(docs: Iterable[Document]) -> list[Phase]:
    return [phase for doc in docs for phase in doc.phases]


def status_json(docs: Sequence[Document], today: date) -> dict[str, Any]:
    """`status --json`: per phase, done/total counts, milestones and overdue items."""
    phases = []
    for phase in _phases(docs):
        s = _status(phase, today)
        phases.append(
            {
                "file": phase.file,
                "number": phase.number,
                "name": phase.name,
                "due": phase.due.isoformat() if phase.due else None,
                "requirements": {"done": s.requirements_done, "total": len(phase.requirements)},
                "tasks": {"done": s.tasks_done, "total": len(phase.tasks)},
                "checklist": {"done": s.checklist_done, "total": len(phase.checklist)},
                "milestones": [
                    {**_milestone_json(m), "missed": m in s.missed} for m in phase.milestones
                ],
                "overdue": [
                    {"key": str(i.key), "title": i.title, "line": i.pos.line} for i in s.overdue
                ],
            }
        )
    return {"today": today.isoformat(), "phases": phases}


def _progress_row(table: Table, label: str, done: int, total: int) -> None:
    bar = ProgressBar(total=max(total, 1), completed=done if total else 0, width=30)
    percent = f"{100 * done // total}%" if total else "–"
    table.add_row(label, f"{done}/{total}", bar, percent)


def print_status(console: Console, docs: Sequence[Document], today: date) -> None:
    """Per phase: done/total with a progress bar, milestone dates, missed and overdue items."""
    phases = _phases(docs)
    if not phases:
        console.print("no phase documents")
        return
    for phase in phases:
        s = _status(phase, today)
        due = f", due {phase.due.isoformat()}" if phase.due else ""
        title = escape(printable(phase.title))
        shown = escape(printable(phase.file))
        console.print(f"[bold]{title}[/bold]{due}  [dim]{shown}[/dim]")
        table = Table(show_header=False, box=None, padding=(0, 1))
        _progress_row(table, "requirements", s.requirements_done, len(phase.requirements))
        _progress_row(table, "tasks", s.tasks_done, len(phase.tasks))
        if phase.checklist:
            _progress_row(table, "checklist", s.checklist_done, len(phase.checklist))
        console.print(table)
        for m in phase.milestones:
            mark = "[red]missed[/red]" if m in s.missed else ""
            console.print(
                f"  {m.date.isoformat()}  {escape(printable(m.name))} {mark}".rstrip(),
                highlight=False,
            )
        if s.overdue:
            console.print(f"  [red]{len(s.overdue)} open items past the due date:[/red]")
            for item in s.overdue:
                where = escape(printable(f"{phase.file}:{item.pos.line}"))
                console.print(f"    {where}  {escape(printable(item.title))}", highlight=False)
        console.print()


# --- status as Markdown (job summary, wiki page) --------------------------------------------

_BAR_WIDTH = 20
_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|#"})


def md_text(text: str) -> str:
    """Text shown literally in Markdown: emphasis, links, HTML and table pipes escaped."""
    return printable(text).translate(_MD_SPECIAL)


def text_bar(done: int, total: int, width: int = _BAR_WIDTH) -> str:
    """`████████░░░░░░░░░░░░ 40%`: a progress bar in plain characters, for Markdown."""
    if total <= 0:
        return "░" * width + " –"
    filled = round(width * done / total)
    return "█" * filled + "░" * (width - filled) + f" {100 * done // total}%"


def status_markdown(docs: Sequence[Document], today: date) -> str:
    """`status --format markdown`: per phase a progress table with text bars, the key
    milestones (missed ones marked) and the open items past the phase's due date."""
    phases = _phases(docs)
    if not phases:
        return "_No phase documents._\n"
    items = [i for p in phases for i in p.items]
    done = sum(i.checked for i in items)
    out = [
        f"**{len(phases)} phase(s), {done}/{len(items)} items done** (as of {today.isoformat()})",
        "",
    ]
    for phase in phases:
        s = _status(phase, today)
        out.append(f"### {md_text(phase.title)}")
        out.append("")
        due = f" · due {phase.due.isoformat()}" if phase.due else ""
        out.append(f"`{printable(phase.file)}`{due}")
        out.append("")
        out.append("| | done | progress |")
        out.append("| --- | ---: | --- |")
        rows = [
            ("requirements", s.requirements_done, len(phase.requirements)),
            ("tasks", s.tasks_done, len(phase.tasks)),
        ]
        if phase.checklist:
            rows.append(("checklist", s.checklist_done, len(phase.checklist)))
        for label, n, total in rows:
            out.append(f"| {label} | {n}/{total} | `{text_bar(n, total)}` |")
        out.append("")
        if phase.milestones:
            out.append("**Milestones**")
            out.append("")
            for m in phase.milestones:
                missed = " — **missed**" if m in s.missed else ""
                passed = " ✓" if m.date < today and m not in s.missed else ""
                out.append(f"- {m.date.isoformat()} {md_text(m.name)}{passed}{missed}")
            out.append("")
        if s.overdue:
            assert phase.due is not None
            out.append(f"**Overdue**: {len(s.overdue)} open item(s) past {phase.due.isoformat()}")
            out.append("")
            for item in s.overdue:
                out.append(f"- {md_text(item.title)} (`{printable(phase.file)}:{item.pos.line}`)")
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
