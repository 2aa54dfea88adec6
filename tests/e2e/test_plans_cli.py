"""Plans as people write them, from the command line: `validate` ends with a coverage line
per document, a refused document is never hidden behind "documents and forge agree", and
`sync_checklists` brings the template's named checklists to the forge."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e.conftest import Loopback

pytestmark = pytest.mark.e2e

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
ROADMAP = "11-ga-wsus-roadmap-mixed-eol.md"


def test_validate_ends_with_coverage_and_names_why_a_box_stays(loopback: Loopback) -> None:
    phases = loopback.cli.root / "docs" / "phases"
    shutil.copyfile(CORPUS / ROADMAP, phases / ROADMAP)
    done = loopback.cli("validate")
    lines = done.stderr.splitlines()
    assert "4 document(s), 43 item(s), 0 error(s)" in lines
    assert lines[-7:] == [
        f"docs/phases/{ROADMAP}: 7 boxes: 7 items, 0 sub-tasks, 0 document-only",
        "docs/phases/phase-2-authentication.md: 29 boxes: 23 items, 0 sub-tasks, 6 document-only",
        "  5 document-only: in a section kept document-only (lines 110, 111, 112, 125, 126)",
        "  1 document-only: in a block quote of a phase-template document (line 129)",
        "docs/phases/phase-3-workspaces.md: 14 boxes: 9 items, 2 sub-tasks, 3 document-only",
        "  3 document-only: an unfilled template placeholder (lines 29, 36, 51)",
        "docs/phases/phase-4-billing.md: 4 boxes: 4 items, 0 sub-tasks, 0 document-only",
    ]

    # The roadmap reaches the forge: one issue per box, one milestone per phase.
    loopback.cli("push", "-q")
    titles = {i.title for i in loopback.harness.issues()}
    assert (
        "Phase 5: WSUS Operations - Online sync with profile selection, air-gap export/import "
        "workflow, and content reset" in titles
    )
    milestones = loopback.harness.milestones()
    assert milestones["Phase 1: Foundation"] is not None
    assert str(milestones["Phase 1: Foundation"]) == "2026-02-19"
    assert milestones["Phase 7: Polish and Distribution"] is None
    assert {
        "Phase 2: Application Shell and Dashboard",
        "Phase 3: Diagnostics and Service Management",
        "Phase 4: Database Operations",
        "Phase 5: WSUS Operations",
        "Phase 6: Installation and Scheduling",
    } <= set(milestones)


def test_a_refused_document_is_never_hidden_behind_nothing_to_do(loopback: Loopback) -> None:
    cli = loopback.cli
    cli("push", "-q")
    assert "Nothing to do: documents and forge agree." in cli("plan").stdout
    doc = cli.root / "docs" / "phases" / "phase-4-billing.md"
    text = doc.read_text("utf-8")
    # The overview contradicts the title: the whole document is refused.
    doc.write_text(
        text.replace(
            "# Phase 4: Billing",
            "# Phase 4: Billing\n\n## Phase Overview\n**Phase Number**: 5\n",
            1,
        ),
        "utf-8",
    )
    plan = cli("plan", check=1)
    assert "Nothing to do: documents and forge agree." not in plan.stdout
    assert "1 document(s) not synced because of errors" in plan.stdout
    assert "phase-number-mismatch" in plan.stderr
    assert "docs/phases/phase-4-billing.md: not synced: fix the errors above" in plan.stderr
    markdown = cli("plan", "--format", "markdown", check=1)
    assert "documents and forge agree" not in markdown.stdout


def test_an_item_error_leaves_the_rest_syncing_and_exits_1(loopback: Loopback) -> None:
    cli = loopback.cli
    doc = cli.root / "docs" / "phases" / "phase-4-billing.md"
    text = doc.read_text("utf-8")
    assert "- [ ] " in text
    doc.write_text(text + "\n### Key Milestones\n- **next week**: Launch - go\n", "utf-8")
    pushed = cli("push", "-q", check=1)
    assert "bad-date" in pushed.stderr
    assert len(loopback.harness.issues()) == 23 + 9 + 4


def test_sync_checklists_brings_the_named_checklists(loopback: Loopback) -> None:
    cli = loopback.cli
    cli("push", "-q")
    before = len(loopback.harness.issues())
    env = {**cli.env, "PHASESYNC_SYNC_CHECKLISTS": "true"}
    from tests.e2e.conftest import Cli

    Cli(cli.root, env)("push", "-q")
    issues = loopback.harness.issues()
    assert len(issues) == before + 5  # 3 test types and 2 functional-success lines
    assert "All acceptance criteria met" in {i.title for i in issues}
