"""Issue 15, point 4: `done_items = "skip"` leaves items ticked before they have an issue in
the document, so that a mature plan's first push costs no create-and-close per done item.
Counted on both forges by the emulators, through the real clients."""

from __future__ import annotations

import shutil
from dataclasses import replace

from syncer.report_sync import plan_json, summary
from syncer.sync.actions import CreateIssue
from syncer.sync.engine import RunResult
from tests.contract.conftest import Harness
from tests.perf.conftest import scheduled, start_clock

DONE, OPEN = 100, 5
DOC = "phase-01-mature.md"


def mature_plan(h: Harness) -> None:
    """One phase of 100 ticked tasks and 5 open ones, in place of the examples."""
    folder = h.root / "docs" / "phases"
    shutil.rmtree(folder)
    folder.mkdir(parents=True)
    lines = [
        "# Phase 1: Mature",
        "",
        "## Phase Overview",
        "**Phase Number**: 1",
        "**Phase Name**: Mature",
        "",
        "## Implementation Plan",
        "",
        "### Phase Breakdown",
        "",
        "#### Week 1: Everything",
    ]
    lines += [f"- [x] Finished task {n}" for n in range(DONE)]
    lines += [f"- [ ] Open task {n}" for n in range(OPEN)]
    (folder / DOC).write_text("\n".join(lines) + "\n", encoding="utf-8")


def skip(h: Harness) -> None:
    h.config = replace(h.config, done_items="skip")


def edit(h: Harness, old: str, new: str) -> None:
    path = h.root / "docs" / "phases" / DOC
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def creates(result: RunResult) -> list[CreateIssue]:
    return [a for a in result.plan.issues if isinstance(a, CreateIssue)]


def first_push(h: Harness) -> tuple[RunResult, int]:
    start_clock(h)
    h.emulator.reset_log()
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None
    return result, h.writes()


def test_by_default_every_done_item_is_created_and_closed(harness: Harness) -> None:
    h = harness
    mature_plan(h)
    result, writes = first_push(h)
    others = len(h.labels()) + len(h.milestones())
    assert writes == 2 * DONE + OPEN + others  # a create and a close per done item
    assert len(h.issues()) == DONE + OPEN and sum(i.closed for i in h.issues()) == DONE
    assert not result.plan.done_left


def test_skip_leaves_done_items_in_the_document_and_saves_two_writes_each(
    harness: Harness,
) -> None:
    h = harness
    mature_plan(h)
    skip(h)
    result, writes = first_push(h)
    others = len(h.labels()) + len(h.milestones())
    assert writes == OPEN + others  # 200 writes fewer than the default's
    assert len(h.issues()) == OPEN and not any(i.closed for i in h.issues())
    assert len(result.plan.done_left) == DONE
    assert all(not c.close for c in creates(result))
    assert len(h.lock_items()) == OPEN  # no lock entry for what stays in the document
    text = (h.root / "docs" / "phases" / DOC).read_text(encoding="utf-8")
    assert text.count("- [x] Finished task") == DONE and "/issues/" not in text.split("Open")[0]
    said = summary(result.plan, 0)
    assert "100 done items left in the document (done_items = skip)" in said, said
    assert len(plan_json(result.plan)["done_left"]) == DONE
    # Nothing more to do on the next run: the skipped items cost nothing again.
    again = scheduled(h, "sync")
    assert h.writes() == 0 and h.reads() == 3
    assert again.plan.empty and len(again.plan.done_left) == DONE
    assert "Nothing to do: documents and forge agree; 100 done items" in summary(again.plan, 0)


def test_skip_an_item_unticked_later_is_created_and_one_ticked_later_is_closed(
    harness: Harness,
) -> None:
    h = harness
    mature_plan(h)
    skip(h)
    first_push(h)
    edit(h, "- [x] Finished task 7\n", "- [ ] Finished task 7\n")  # not done after all
    edit(h, "- [ ] Open task 2 (", "- [x] Open task 2 (")  # done now, with its issue
    result = scheduled(h, "sync")
    assert result.outcome is not None and result.outcome.error is None
    assert [c.rendered.title for c in creates(result)] == ["Finished task 7"]
    assert h.writes() == 2  # one create, one close
    by_title = {i.title: i for i in h.issues()}
    assert not by_title["Finished task 7"].closed and by_title["Open task 2"].closed
    assert len(result.plan.done_left) == DONE - 1
    # Ticked again, task 7 has an issue now: it is closed, not left in the document.
    edit(h, "- [ ] Finished task 7 (", "- [x] Finished task 7 (")
    scheduled(h, "sync")
    assert h.writes() == 1 and h.issue(by_title["Finished task 7"].number).closed


def test_skip_binds_done_items_whose_issues_the_forge_has(harness: Harness) -> None:
    """Found by their key markers (here: the lock was lost), done items are the forge's
    issues as always: nothing is skipped and nothing is written."""
    h = harness
    mature_plan(h)
    first_push(h)  # the default: every item has its issue
    (h.root / "phasesync.lock").unlink()
    skip(h)
    result = scheduled(h, "push")
    assert result.outcome is not None and result.outcome.error is None
    assert not result.plan.done_left and not creates(result)
    assert h.writes() == 0
    assert len(h.lock_items()) == DONE + OPEN
