"""Diagnostics as text and GitHub annotations, documents as JSON, and status."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

from rich.console import Console

from syncer.markdown.parse import parse_document
from syncer.model import Document
from syncer.report import (
    documents_json,
    print_status,
    render_diagnostics_github,
    render_diagnostics_text,
    status_json,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "syncer" / "data" / "examples"


def load(path: Path) -> Document:
    return parse_document(path.name, path.read_bytes())


def examples() -> list[Document]:
    return [load(p) for p in sorted(EXAMPLES.glob("*.md"))]


def broken() -> Document:
    return load(ROOT / "tests" / "data" / "invalid" / "phase-5-broken.md")


def test_text_diagnostics() -> None:
    lines = render_diagnostics_text([broken()])
    assert lines[0] == (
        "phase-5-broken.md:4:1: error: **Phase Number** is 6 but the title says Phase 5 "
        "[phase-number-mismatch]"
    )
    assert [line.split(":")[1] for line in lines] == ["4", "11", "13", "22", "23"]
    assert render_diagnostics_text(examples())[0].startswith(
        "phase-3-workspaces.md:29:9: warning: `[Requirement 4]` is an unfilled placeholder"
    )


def test_github_annotations_escape() -> None:
    lines = render_diagnostics_github([broken()])
    assert lines[0] == (
        "::error file=phase-5-broken.md,line=4,col=1::**Phase Number** is 6 but the title "
        "says Phase 5 [phase-number-mismatch]"
    )
    weird = parse_document("a,b:c.md", b"# Phase 1: X\n## Phase Overview\n**Phase Number**: 2\n")
    (line,) = render_diagnostics_github([weird])
    assert line.startswith("::error file=a%2Cb%3Ac.md,line=3,col=1::")
    warnings = render_diagnostics_github(examples())
    assert warnings[0].startswith("::warning file=phase-3-workspaces.md,line=29,col=9::")


def test_errors_only_leaves_out_warnings_and_keeps_every_error() -> None:
    docs = [*examples(), broken()]
    every = render_diagnostics_text(docs)
    assert any(": warning: " in line for line in every)
    errors = render_diagnostics_text(docs, errors_only=True)
    # A repeated title is a warning now (the second gets its own key), the other four errors.
    assert errors == [line for line in every if ": error: " in line] and len(errors) == 4
    github = render_diagnostics_github(docs, errors_only=True)
    assert len(github) == 4 and all(line.startswith("::error ") for line in github)


def test_documents_json_shape() -> None:
    out = documents_json([*examples(), broken()])
    json.dumps(out)  # JSON-ready
    assert set(out) == {"phases", "diagnostics", "coverage"}
    first = out["phases"][0]
    assert set(first) == {"file", "number", "name", "title", "due", "items", "milestones"}
    assert first["title"] == "Phase 2: User Authentication"
    assert out["coverage"][0] == {
        "file": "phase-2-authentication.md",
        "boxes": 29,
        "items": 23,
        "subtasks": 0,
        "document_only": [
            {"line": n, "reason": "in a section kept document-only"}
            for n in (110, 111, 112, 125, 126)
        ]
        + [{"line": 129, "reason": "in a block quote of a phase-template document"}],
        "blocked": False,
    }
    assert (first["file"], first["number"], first["due"]) == (
        "phase-2-authentication.md",
        "2",
        "2026-03-20",
    )
    assert first["items"][0] == {
        "key": "phase-2/functional/account-registration",
        "kind": "functional",
        "title": "Account registration",
        "checked": True,
        "line": 27,
        "week": None,
        "priority": "High",
        "estimate": "3 days",
    }
    task = first["items"][14]
    assert (task["kind"], task["week"], task["priority"]) == ("task", 1, None)
    assert first["milestones"][0] == {"name": "Registration live", "date": "2026-03-06", "line": 80}
    assert len(first["items"]) == 23
    billing = out["phases"][2]
    assert billing["due"] is None and billing["milestones"] == []
    diag = out["diagnostics"][0]
    assert set(diag) == {"file", "line", "severity", "code", "message"}
    assert [d["code"] for d in out["diagnostics"]].count("placeholder") == 3


def test_documents_json_of_a_plan_that_is_not_on_the_template() -> None:
    out = documents_json([parse_document("README.md", b"# Readme\n\n- [ ] one\n")])
    (group,) = out["phases"]
    assert (group["number"], group["title"]) == ("readme", "Readme")
    assert [i["key"] for i in group["items"]] == ["phase-readme/tasks/one"]
    assert out["diagnostics"] == []
    assert out["coverage"][0]["items"] == 1
    empty = documents_json([parse_document("notes.md", b"# Notes\n")])
    assert empty["phases"] == [] and empty["coverage"][0]["boxes"] == 0


def test_status_json_counts_missed_and_overdue() -> None:
    docs = examples()
    before = status_json(docs, date(2026, 3, 1))
    auth = before["phases"][0]
    assert auth["requirements"] == {"done": 2, "total": 14}
    assert auth["tasks"] == {"done": 2, "total": 9}
    assert auth["checklist"] == {"done": 0, "total": 5}
    assert [m["missed"] for m in auth["milestones"]] == [False, False, False]
    assert auth["overdue"] == []
    after = status_json(docs, date(2026, 3, 21))["phases"][0]
    assert [m["missed"] for m in after["milestones"]] == [True, True, True]
    assert len(after["overdue"]) == 14 - 2 + 9 - 2
    assert after["overdue"][0] == {
        "key": "phase-2/functional/password-sign-in",
        "title": "Password sign-in",
        "line": 32,
    }
    billing = status_json(docs, date(2030, 1, 1))["phases"][2]
    assert billing["overdue"] == []  # no due date, nothing is overdue


def test_print_status_writes_to_the_console() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, color_system=None)
    print_status(console, examples(), date(2026, 3, 14))
    out = buffer.getvalue()
    assert "Phase 2: User Authentication, due 2026-03-20" in out
    assert "2/14" in out and "2/9" in out
    assert "2026-03-06  Registration live missed" in out
    assert "2026-03-20  Phase Completion\n" in out
    assert "Phase 3: Team Workspaces — Ελληνικά & 日本語" in out
    assert "past the due date" not in out
    buffer.truncate(0)
    buffer.seek(0)
    print_status(console, examples(), date(2026, 3, 21))
    assert "19 open items past the due date" in buffer.getvalue()
    assert "phase-2-authentication.md:32  Password sign-in" in buffer.getvalue()


def test_print_status_escapes_markup_and_handles_no_phases() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, color_system=None)
    print_status(console, [parse_document("x.md", b"# nothing")], date(2026, 1, 1))
    assert buffer.getvalue() == "no phase documents\n"
    doc = parse_document(
        "x.md",
        b"# Phase 1: [bold]Not markup[/bold]\n### Key Milestones\n- **2026-01-01**: [red]m[/red]\n",
    )
    print_status(console, [doc], date(2026, 6, 1))
    assert "[bold]Not markup[/bold]" in buffer.getvalue()
    assert "[red]m[/red]" in buffer.getvalue()
