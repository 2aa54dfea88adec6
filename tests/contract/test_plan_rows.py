"""The plan's rows read the same for every action, on both forges (`syncer.report_rows`):
the issue as `#N title` (the title alone for a create), the place as `file:line`, and the
detail as what changes — a create's labels and milestone, an update's `title: a → b`,
`labels: +x −y`, `milestone: A → B`, `body`, `state: open → closed`, a box's `[ ] → [x]`.
Each kind of row is made by a real change on the emulator or in a document."""

from __future__ import annotations

import io
import re
from dataclasses import replace

from rich.console import Console

from syncer.forges.base import IssueChange
from syncer.report_rows import PlanRow, plan_rows
from syncer.report_sync import plain_row, plan_json, print_plan
from syncer.sync.render import LabelFamily
from tests.contract.conftest import Harness

DOC = "phase-2-authentication.md"
PLACE = re.compile(r"^docs/phases/phase-\d-[a-z-]+\.md:\d+$")
ISSUE = re.compile(r"^#\d+ \S")
SIGN_IN = "phase-2/functional/password-sign-in"
RESET = "phase-2/functional/password-reset"


def rows(h: Harness, direction: str = "sync") -> list[PlanRow]:
    return list(plan_rows(h.run(direction, dry_run=True).plan))


def of(found: list[PlanRow], action: str) -> list[PlanRow]:
    return [r for r in found if r.action == action]


def edit(h: Harness, old: str, new: str) -> None:
    path = h.doc(DOC)
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def assert_issue_shape(row: PlanRow) -> None:
    assert ISSUE.match(row.item), row
    assert row.item == f"#{row.number} {row.title}"
    assert PLACE.match(row.place), row
    assert row.place == f"{row.file}:{row.line}"
    assert row.detail.startswith("; ".join(row.changes)), row


def test_creates_show_title_place_labels_and_milestone(harness: Harness) -> None:
    found = rows(harness, "push")
    creates = of(found, "create issue")
    assert len(creates) + len(of(found, "create + close issue")) == 36
    for row in creates:
        assert row.number is None and row.item == row.title
        assert PLACE.match(row.place), row
        labels, milestone = row.changes
        assert re.match(r"^labels: phase:\d, ", labels) and "type:" in labels
        assert milestone.startswith("milestone: Phase ")
        assert row.detail == f"{labels}; {milestone}"
    (sign_in,) = [r for r in creates if r.title == "Password sign-in"]
    assert sign_in.place == f"docs/phases/{DOC}:32"
    assert sign_in.detail == (
        "labels: phase:2, priority:high, type:functional; milestone: Phase 2: User Authentication"
    )
    (done,) = [r for r in of(found, "create + close issue") if r.title == "Account registration"]
    assert done.changes[-1] == "state: open → closed"
    assert done.detail.endswith("(ticked in the document)")
    assert {r.action for r in found} >= {"create label", "create milestone"}
    assert all(r.place == "" for r in found if r.action.endswith(("label", "milestone")))


def test_updates_say_what_changes(harness: Harness) -> None:
    h = harness
    h.run("push")
    edit(h, "**Password sign-in**", "**Password login**")
    edit(h, "  - Priority: Medium\n  - Estimate: 1 day", "  - Priority: Low\n  - Estimate: 1 day")
    edit(h, "- [ ] **Performance**", "- [x] **Performance**")
    found = rows(h, "push")
    for row in found:
        if row.action.endswith("issue"):
            assert_issue_shape(row)
    (login,) = [r for r in found if r.title == "Password sign-in"]
    assert login.action == "update issue"
    assert login.changes == ("title: Password sign-in → Password login", "body")
    assert login.detail == (
        "title: Password sign-in → Password login; body (changed in the document)"
    )
    (reset,) = [r for r in found if r.title == "Password reset"]
    assert reset.changes == ("labels: +priority:low −priority:medium", "body")
    (performance,) = of(found, "close issue")
    assert performance.title == "Performance"
    assert performance.changes == ("state: open → closed",)
    assert performance.detail == "state: open → closed (ticked in the document)"


def test_a_milestone_moved_on_the_forge_is_shown_moving_back(harness: Harness) -> None:
    h = harness
    h.run("push")
    number = h.number_of(SIGN_IN)
    other = next(m for m in h.forge.snapshot().milestones if m.title.startswith("Phase 3: "))
    h.forge.update_issue(number, IssueChange(milestone_id=other.id))
    (row,) = [r for r in rows(h, "push") if r.number == number]
    assert_issue_shape(row)
    assert row.action == "update issue"
    assert f"milestone: {other.title} → Phase 2: User Authentication" in row.changes


def test_forge_side_changes_become_document_rows(harness: Harness) -> None:
    h = harness
    h.run("push")
    sign_in, reset = h.number_of(SIGN_IN), h.number_of(RESET)
    registration = h.number_of("phase-2/functional/account-registration")
    h.close(sign_in)
    h.reopen(registration)
    h.set_title(reset, "Reset a forgotten password")
    found = rows(h)
    for row in found:
        assert_issue_shape(row)
    (tick,) = of(found, "tick box")
    assert (tick.number, tick.title) == (sign_in, "Password sign-in")
    assert tick.detail == "box: [ ] → [x] (closed on the forge)"
    (untick,) = of(found, "untick box")
    assert untick.number == registration
    assert untick.detail == "box: [x] → [ ] (reopened on the forge)"
    (retitle,) = of(found, "retitle item")
    assert (retitle.number, retitle.title, retitle.place) == (
        reset,
        "Password reset",
        f"docs/phases/{DOC}:42",
    )
    assert retitle.changes == ("title: Password reset → Reset a forgotten password",)


def test_a_removed_item_and_a_lost_link(harness: Harness) -> None:
    h = harness
    h.run("push")
    number = h.number_of(RESET)
    path = h.doc(DOC)
    lines = path.read_text("utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if "**Password reset**" in line)
    del lines[start : start + 4]  # the item and its three fields
    sign_in = next(i for i, line in enumerate(lines) if "**Password sign-in**" in line)
    lines[sign_in] = re.sub(r" \(\[#\d+\]\([^)]*\)\)", "", lines[sign_in])
    path.write_text("".join(lines), "utf-8")
    found = rows(h, "push")
    (close,) = of(found, "close issue")
    assert (close.number, close.title) == (number, "Password reset")
    assert close.item == f"#{number} Password reset"
    assert close.place == f"docs/phases/{DOC}"  # no line: no document has it any more
    assert close.changes == ("state: open → closed (not planned)", "comment")
    assert close.detail.endswith("(removed from the document)")
    (link,) = of(found, "add link")
    assert_issue_shape(link)
    assert link.title == "Password sign-in"
    assert link.detail == f"link: #{h.number_of(SIGN_IN)}"


def test_a_conflict_names_the_issue_and_its_place(harness: Harness) -> None:
    h = harness
    h.run("push")
    number = h.number_of(SIGN_IN)
    h.set_title(number, "Sign in (forge)")
    edit(h, "**Password sign-in**", "**Sign in (document)**")
    found = rows(h)
    (conflict,) = of(found, "CONFLICT")
    assert conflict.item == f"#{number} Sign in (document)"
    assert conflict.place == f"docs/phases/{DOC}:32"
    assert conflict.detail.startswith("title changed in the document and on the forge: ")


def test_every_output_prints_the_same_rows(harness: Harness) -> None:
    h = harness
    h.run("push")
    h.close(h.number_of(SIGN_IN))
    plan = h.run("sync", dry_run=True).plan
    (row,) = of(list(plan_rows(plan)), "tick box")
    assert plain_row(row) == (
        f"tick box | {row.item} | docs/phases/{DOC}:32 | box: [ ] → [x] (closed on the forge)"
    )
    (entry,) = [a for a in plan_json(plan)["actions"] if a["action"] == "tick box"]
    assert entry == {
        "action": "tick box",
        "item": row.item,
        "detail": row.detail,
        "place": row.place,
        "number": row.number,
        "title": "Password sign-in",
        "file": f"docs/phases/{DOC}",
        "line": 32,
        "changes": ["box: [ ] → [x]"],
    }


def test_an_unticked_box_reopens_its_issue(harness: Harness) -> None:
    h = harness
    h.run("push")
    edit(h, "- [x] **Account registration**", "- [ ] **Account registration**")
    (row,) = of(rows(h, "push"), "reopen issue")
    assert_issue_shape(row)
    assert row.title == "Account registration"
    assert row.detail == "state: closed → open (unticked in the document)"


def test_the_terminal_table_has_the_same_columns(harness: Harness) -> None:
    h = harness
    h.run("push")
    h.close(h.number_of(SIGN_IN))
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=300, color_system=None)
    print_plan(console, h.run("sync", dry_run=True).plan, 0)
    text = out.getvalue()
    header = next(line for line in text.splitlines() if "action" in line)
    assert re.search(r"action\s+┃\s+item\s+┃\s+place\s+┃\s+detail", header), header
    row = next(line for line in text.splitlines() if "tick box" in line)
    assert re.search(
        rf"tick box\s+│ #\d+ Password sign-in\s+│ docs/phases/{DOC}:32\s+│ box: \[ \] → \[x\]",
        row,
    ), row


def test_label_and_milestone_updates_say_what_changes(harness: Harness) -> None:
    h = harness
    h.run("push")
    h.config = replace(
        h.config,
        render=replace(
            h.config.render,
            priority_label=LabelFamily("P-{priority}", "123456"),
            milestone_title="P{number} - {name}",
        ),
    )
    found = rows(h)
    high = next(r for r in of(found, "update label") if r.item == "priority:high")
    assert high.changes == ("name: priority:high → P-high", "colour: #d93f0b → #123456")
    assert high.detail == "name: priority:high → P-high; colour: #d93f0b → #123456"
    phase2 = next(r for r in of(found, "update milestone") if r.item == "P2 - User Authentication")
    assert phase2.changes == ("title: Phase 2: User Authentication → P2 - User Authentication",)
    assert phase2.place == ""


def test_an_issue_not_in_an_incremental_listing_says_what_is_known(harness: Harness) -> None:
    # No read is added for a row's words: an issue the listing did not show has no labels
    # or body to compare, and its row says so rather than guess.
    h = harness
    h.run("push")
    h.emulator.advance(3600)  # past the listing's margin: the next listings skip the issues
    h.run("sync")
    edit(h, "  - Priority: Medium\n  - Estimate: 1 day", "  - Priority: Low\n  - Estimate: 1 day")
    h.emulator.reset_log()
    (row,) = [r for r in rows(h, "push") if r.title == "Password reset"]
    assert row.changes == ("body or labels",)
    assert row.detail == "body or labels (changed in the document)"
    assert h.reads() == 3  # the idle cost: the rows cost no request
