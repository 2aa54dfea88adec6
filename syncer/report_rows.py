"""The plan's rows: every action, conflict, problem and note in one shape, for every output.

A row is (action, item, place, detail):

- `item`: the issue as `#N title`, or the title alone when there is no issue yet (a
  create); a label's or milestone's name for theirs; the item's key for a note;
- `place`: `file:line` of the item in its document (`file` alone for an item no document
  has any more); empty for labels and milestones;
- `detail`: what the row changes, worded the same way whatever the action —
  `title: old → new`, `labels: +x −y`, `milestone: A → B`, `body`, `state: open → closed`,
  `box: [ ] → [x]` — then, in parentheses, why. A create says the labels and the milestone
  the issue gets.

The rich table on a terminal, the plain lines in CI logs, the Markdown table and the JSON
(`plan_json`: each row's fields, beside the older `action`/`item`/`detail`) all print
these rows, so an action reads the same wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from syncer.sync.actions import CreateIssue, EditDocument, Plan, UpdateIssue
from syncer.sync.plan_changes import ARROW


@dataclass(frozen=True, slots=True)
class PlanRow:
    action: str
    item: str
    place: str
    detail: str
    number: int | None = None
    title: str | None = None
    file: str | None = None
    line: int | None = None
    changes: tuple[str, ...] = ()


def done_left_text(n: int) -> str:
    return f"{n} done item{'' if n == 1 else 's'} left in the document (done_items = skip)"


def issue_name(number: int | None, title: str) -> str:
    """`#12 Password sign-in`, `#12` when the title is unknown, the title with no issue."""
    if number is None:
        return title
    return f"#{number} {title}" if title else f"#{number}"


def place(file: str | None, line: int | None) -> str:
    if not file:
        return ""
    return f"{file}:{line}" if line else file


def _detail(changes: tuple[str, ...] | list[str], why: str = "") -> str:
    text = "; ".join(changes)
    if why:
        text = f"{text} ({why})" if text else why
    return text


def _update_verb(a: UpdateIssue) -> str:
    state = {"closed": "close", "open": "reopen"}.get(a.state or "")
    if a.rendered is not None:
        return f"update + {state} issue" if state else "update issue"
    return f"{state} issue" if state else "update issue"


def _create_row(a: CreateIssue) -> PlanRow:
    r = a.rendered
    changes = [f"labels: {', '.join(r.labels) or 'none'}", f"milestone: {r.milestone or 'none'}"]
    if a.close:
        changes.append(f"state: open {ARROW} closed")
    return PlanRow(
        "create + close issue" if a.close else "create issue",
        r.title,
        place(a.pos.file, a.pos.line),
        _detail(changes, "ticked in the document" if a.close else ""),
        None,
        r.title,
        a.pos.file,
        a.pos.line,
        tuple(changes),
    )


def _update_row(a: UpdateIssue) -> PlanRow:
    changes = a.changes or (("body",) if a.rendered is not None else ())
    return PlanRow(
        _update_verb(a),
        issue_name(a.number, a.title),
        place(a.file, a.line),
        _detail(changes, "; ".join(a.reasons)),
        a.number,
        a.title or None,
        a.file or None,
        a.line or None,
        tuple(changes),
    )


_DOC_VERBS = {
    "tick": "tick box",
    "untick": "untick box",
    "link": "add link",
    "retitle": "retitle item",
    "describe": "rewrite description",
}


def _document_row(d: EditDocument) -> PlanRow:
    title = d.issue_title
    if d.what == "tick":
        changes, why = (f"box: [ ] {ARROW} [x]",), "closed on the forge"
    elif d.what == "untick":
        changes, why = (f"box: [x] {ARROW} [ ]",), "reopened on the forge"
    elif d.what == "link":
        changes, why = (f"link: #{d.number}",), ""
    elif d.what == "retitle":
        changes, why = (f"title: {title} {ARROW} {d.title}",), "from the forge"
    else:
        changes, why = (f"description: {d.title}",), "from the forge"
    return PlanRow(
        _DOC_VERBS[d.what],
        issue_name(d.number, title),
        place(d.pos.file, d.pos.line),
        _detail(changes, why),
        d.number,
        title or None,
        d.pos.file,
        d.pos.line,
        changes,
    )


def plan_rows(plan: Plan) -> Iterator[PlanRow]:
    """Every action, conflict, problem and note of `plan`, in run order."""
    for label in plan.labels:
        yield PlanRow("create label", label.spec.name, "", f"colour #{label.spec.color}")
    for rename in plan.renames:
        changes = rename.changes or (rename.reason,)
        yield PlanRow("update label", rename.current, "", _detail(changes), changes=changes)
    for ms in plan.milestones:
        due = f"due {ms.spec.due.isoformat()}" if ms.spec.due else "no due date"
        if ms.existing_id is None:
            yield PlanRow("create milestone", ms.spec.title, "", due, changes=(due,))
        else:
            yield PlanRow(
                "update milestone", ms.spec.title, "", _detail(ms.reasons), changes=ms.reasons
            )
    for a in plan.issues:
        yield _create_row(a) if isinstance(a, CreateIssue) else _update_row(a)
    for gone in plan.deletes:
        yield PlanRow(
            "delete label",
            gone.name,
            "",
            "made by phasesync, no longer used, on no issue of people's",
        )
    for d in plan.documents:
        yield _document_row(d)
    for c in plan.conflicts:
        name = issue_name(c.number, c.title) if (c.number or c.title) else c.key
        yield PlanRow(
            "CONFLICT",
            name,
            place(c.file, c.line),
            f"{c.message}: document {c.document!r}, forge {c.forge!r}",
            c.number,
            c.title or None,
            c.file,
            c.line or None,
        )
    for p in (*plan.problems, *plan.skipped):
        yield PlanRow("ERROR", "", place(p.file, p.line), p.message, file=p.file, line=p.line)
    for note in plan.notes:
        yield PlanRow("note", note.key, "", note.message)
    if plan.done_left:
        left = len(plan.done_left)
        yield PlanRow("note", f"{left} item(s)", "", done_left_text(left))
