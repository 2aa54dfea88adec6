"""The planner's three-way table, one case per test. Pure: no forge, no files."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from syncer.forges.base import RemoteIssue, RemoteLabel, RemoteMilestone, Snapshot
from syncer.markdown.parse import parse_document
from syncer.model import Document, Item
from syncer.sync.actions import CreateIssue, EditDocument, Plan, UpdateIssue
from syncer.sync.compose import final_body, final_labels
from syncer.sync.lock import ForgeState, LockEntry
from syncer.sync.plan import make_plan
from syncer.sync.plan_state import PlanConfig
from syncer.sync.render import DEFAULT_RENDER, render_item

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
URL = "https://github.com/o/r/issues/{}"
CFG = PlanConfig(render=DEFAULT_RENDER, issue_url=URL.format)

DOC = """# Phase 2: Auth

### Functional Requirements
- [ ] **Sign in**: Users sign in with a password.
  - Priority: High
- [ ] **Sign out**: Users sign out.

## Implementation Plan
#### Week 1: Accounts
- [x] Create tables
"""

SIGN_IN = "phase-2/functional/sign-in"
SIGN_OUT = "phase-2/functional/sign-out"
TABLES = "phase-2/week-1/create-tables"


def doc(text: str = DOC) -> Document:
    d = parse_document("docs/p2.md", text.encode())
    assert d.phase is not None and not d.has_errors, d.diagnostics
    return d


def item(d: Document, key: str) -> Item:
    assert d.phase is not None
    return next(i for i in d.phase.items if str(i.key) == key)


def remote(d: Document, key: str, number: int, **changes: object) -> RemoteIssue:
    """The issue exactly as phasesync would have left it for `key`, with `changes`."""
    assert d.phase is not None
    it = item(d, key)
    r = render_item(DEFAULT_RENDER, d.phase, it)
    issue = RemoteIssue(
        number=number,
        title=r.title,
        body=r.block,
        state="closed" if it.checked else "open",
        labels=r.labels,
        milestone=r.milestone,
        url=URL.format(number),
        updated_at=NOW,
        author="phasesync-bot",
        author_trusted=True,  # opened with write access: its marker counts
    )
    return replace(issue, **changes)  # type: ignore[arg-type]


def entry(d: Document, key: str, number: int, **changes: object) -> LockEntry:
    assert d.phase is not None
    it = item(d, key)
    r = render_item(DEFAULT_RENDER, d.phase, it)
    e = LockEntry(number, "docs/p2.md", r.title, r.hash, it.checked, r.milestone)
    return replace(e, **changes)  # type: ignore[arg-type]


def synced(d: Document) -> tuple[list[RemoteIssue], ForgeState]:
    """Forge and lock as a clean run leaves them for `d`."""
    keys = [SIGN_IN, SIGN_OUT, TABLES]
    issues = [remote(d, k, n) for n, k in enumerate(keys, 1)]
    state = ForgeState(items={k: entry(d, k, n) for n, k in enumerate(keys, 1)})
    return issues, state


def snap(issues: list[RemoteIssue], complete: bool = True) -> Snapshot:
    labels = tuple(
        RemoteLabel(n, "ededed")
        for n in ("phase:2", "type:functional", "type:task", "priority:high", "week:1")
    )
    ms = (RemoteMilestone(1, "Phase 2: Auth", "", None),)
    return Snapshot(labels, ms, tuple(issues), NOW, since=None if complete else NOW)


def plan_for(
    d: Document,
    issues: list[RemoteIssue],
    state: ForgeState,
    direction: str = "sync",
    cfg: PlanConfig = CFG,
) -> Plan:
    return make_plan(direction, [d], snap(issues), state, cfg)  # type: ignore[arg-type]


def updates(p: Plan) -> dict[int, UpdateIssue]:
    return {a.number: a for a in p.issues if isinstance(a, UpdateIssue)}


def edits(p: Plan) -> list[tuple[str, str]]:
    return [(e.what, e.key) for e in p.documents]


# --- identity -------------------------------------------------------------------------------


def test_first_run_creates_every_item_and_closes_the_ticked_ones() -> None:
    d = doc()
    empty = Snapshot((), (), (), NOW)
    p = make_plan("sync", [d], empty, ForgeState(), CFG)
    creates = [a for a in p.issues if isinstance(a, CreateIssue)]
    assert [c.key for c in creates] == [SIGN_IN, SIGN_OUT, TABLES]
    assert [c.close for c in creates] == [False, False, True]
    assert all(c.link for c in creates)
    assert {lbl.spec.name for lbl in p.labels} == {
        "phase:2",
        "type:functional",
        "type:task",
        "priority:high",
        "week:1",
    }
    assert [m.spec.title for m in p.milestones] == ["Phase 2: Auth"]


def test_no_lock_entry_finds_the_issue_by_its_marker_instead_of_creating() -> None:
    d = doc()
    issues, _ = synced(d)
    p = plan_for(d, issues, ForgeState())
    assert not [a for a in p.issues if isinstance(a, CreateIssue)]
    assert p.entries[SIGN_IN] is not None and p.entries[SIGN_IN].issue == 1
    # Links are added to lines that lack them.
    assert ("link", SIGN_IN) in edits(p)


def test_second_run_after_a_clean_sync_plans_nothing() -> None:
    # unchanged on both sides -> nothing
    text = DOC.replace("password.", "password. ([#1](https://github.com/o/r/issues/1))")
    d = doc(
        text.replace("sign out.", "sign out. ([#2](https://github.com/o/r/issues/2))").replace(
            "Create tables", "Create tables ([#3](https://github.com/o/r/issues/3))"
        )
    )
    issues, state = synced(d)
    p = plan_for(d, issues, state)
    assert p.empty, p


# --- done state -----------------------------------------------------------------------------


def test_ticked_in_the_document_only_closes_the_issue() -> None:
    d = doc(DOC.replace("- [ ] **Sign in**", "- [x] **Sign in**"))
    issues, state = synced(doc())
    p = plan_for(d, issues, state, cfg=replace(CFG, write_links=False))
    u = updates(p)[1]
    assert u.state == "closed" and u.state_reason == "completed" and u.rendered is None
    assert p.entries[SIGN_IN] is not None and p.entries[SIGN_IN].checked


def test_unticked_in_the_document_only_reopens_the_issue() -> None:
    d = doc(DOC.replace("- [x] Create tables", "- [ ] Create tables"))
    issues, state = synced(doc())
    p = plan_for(d, issues, state, cfg=replace(CFG, write_links=False))
    assert updates(p)[3].state == "open"


def test_closed_on_the_forge_only_ticks_the_box() -> None:
    d = doc()
    issues, state = synced(d)
    issues[0] = replace(issues[0], state="closed")
    p = plan_for(d, issues, state, cfg=replace(CFG, write_links=False))
    assert edits(p) == [("tick", SIGN_IN)]
    assert not p.issues


def test_reopened_on_the_forge_only_unticks_the_box() -> None:
    d = doc()
    issues, state = synced(d)
    issues[2] = replace(issues[2], state="open")
    p = plan_for(d, issues, state, cfg=replace(CFG, write_links=False))
    assert edits(p) == [("untick", TABLES)]


def test_changed_on_both_sides_to_the_same_value_is_recorded() -> None:
    d = doc(DOC.replace("- [ ] **Sign in**", "- [x] **Sign in**"))
    issues, state = synced(doc())
    issues[0] = replace(issues[0], state="closed")
    p = plan_for(d, issues, state, cfg=replace(CFG, write_links=False))
    assert not p.issues and not p.documents
    assert p.entries[SIGN_IN] is not None and p.entries[SIGN_IN].checked


def test_without_a_base_a_closed_issue_of_an_open_box_is_a_conflict_not_a_guess() -> None:
    d = doc()
    issues, _ = synced(d)
    issues[0] = replace(issues[0], state="closed")
    p = plan_for(d, issues, ForgeState(), cfg=replace(CFG, write_links=False))
    assert ("tick", SIGN_IN) not in edits(p)
    assert 1 not in updates(p)
    assert [c.key for c in p.conflicts] == [SIGN_IN]
    assert SIGN_IN not in p.entries  # no base is invented: the next run asks again


def test_without_a_base_a_reopened_issue_of_a_ticked_box_is_a_conflict_not_closed() -> None:
    # The lock is lost and a person reopened the issue: closing it again would undo them.
    d = doc()
    issues, _ = synced(d)
    issues[2] = replace(
        issues[2], state="open", created_at=NOW - timedelta(days=3), state_reason="reopened"
    )
    p = plan_for(d, issues, ForgeState(), cfg=replace(CFG, write_links=False))
    assert 3 not in updates(p)
    assert ("untick", TABLES) not in edits(p)
    assert [c.key for c in p.conflicts] == [TABLES]


@pytest.mark.parametrize("prefer", ["document", "forge"])
def test_without_a_base_prefer_settles_the_done_state(prefer: str) -> None:
    d = doc()
    issues, _ = synced(d)
    issues[2] = replace(issues[2], state="open", created_at=NOW - timedelta(days=3))
    cfg = replace(CFG, write_links=False, prefer=prefer)
    p = plan_for(d, issues, ForgeState(), cfg=cfg)
    assert not p.conflicts
    if prefer == "document":
        assert updates(p)[3].state == "closed"
    else:
        assert ("untick", TABLES) in edits(p)


def test_without_a_base_an_untouched_new_issue_of_a_ticked_box_is_closed() -> None:
    # A run created it and died before the close (and its journal line): nobody acted.
    d = doc()
    issues, _ = synced(d)
    issues[2] = replace(issues[2], state="open", created_at=NOW)
    p = plan_for(d, issues, ForgeState(), cfg=replace(CFG, write_links=False))
    assert updates(p)[3].state == "closed"
    assert not p.conflicts


def test_push_never_undoes_a_close_made_on_the_forge() -> None:
    d = doc()
    issues, state = synced(d)
    issues[0] = replace(issues[0], state="closed")
    p = plan_for(d, issues, state, "push", cfg=replace(CFG, write_links=False))
    assert p.empty
    # The base stays, so that a later pull still sees the close.
    assert p.entries[SIGN_IN] is not None and not p.entries[SIGN_IN].checked


def test_pull_never_writes_to_the_forge() -> None:
    d = doc(DOC.replace("- [ ] **Sign in**", "- [x] **Sign in**").replace("sign out.", "log out."))
    issues, state = synced(doc())
    issues[2] = replace(issues[2], state="open")
    p = plan_for(d, issues, state, "pull")
    assert not p.issues and not p.labels and not p.milestones
    assert edits(p) == [("untick", TABLES)]
    # The document's tick is not agreed yet: a later push still closes the issue.
    assert p.entries[SIGN_IN] is not None and not p.entries[SIGN_IN].checked


# --- content --------------------------------------------------------------------------------


def test_changed_in_the_document_updates_the_issue() -> None:
    d = doc(DOC.replace("Users sign out.", "Users sign out everywhere."))
    issues, state = synced(doc())
    p = plan_for(d, issues, state, cfg=replace(CFG, write_links=False))
    u = updates(p)[2]
    assert u.rendered is not None and "everywhere" in u.rendered.block
    assert u.reasons == ("changed in the document",)
    assert u.state is None


def test_a_title_changed_on_the_forge_only_goes_into_the_document_labels_are_restored() -> None:
    d = doc()
    issues, state = synced(d)
    issues[1] = replace(issues[1], title="Log out", labels=("phase:2",))
    p = plan_for(d, issues, state, cfg=replace(CFG, write_links=False))
    u = updates(p)[2]
    assert u.rendered is not None and u.rendered.title == "Log out"
    assert u.reasons == (
        "title taken from the forge: 'Sign out' -> 'Log out'",
        "labels restored (the forge had 'phase:2', the document says 'phase:2, type:functional')",
    )
    assert [(e.what, e.title) for e in p.documents] == [("retitle", "Log out")]
    assert p.renamed == {"phase-2/functional/log-out": SIGN_OUT}
    assert "phase-2/functional/log-out" in u.rendered.block  # the key marker follows


def test_with_forge_edits_restore_the_forge_title_is_restored_and_named() -> None:
    d = doc()
    issues, state = synced(d)
    issues[1] = replace(issues[1], title="Log out", labels=("phase:2",))
    p = plan_for(d, issues, state, cfg=replace(CFG, write_links=False, forge_edits="restore"))
    u = updates(p)[2]
    assert u.rendered is not None and u.rendered.title == "Sign out"
    assert u.reasons[0] == "title restored (the forge had 'Log out')"
    assert not p.documents


def test_title_changed_on_both_sides_is_a_conflict_and_the_rest_proceeds() -> None:
    d = doc(
        DOC.replace("**Sign out**", "**Log out**").replace(
            "- [x] Create tables", "- [ ] Create tables"
        )
    )
    issues, state = synced(doc())
    issues[1] = replace(issues[1], title="Sign off")
    # The renamed line carries its link, so the item keeps issue 2.
    d = doc(
        d.data.decode().replace("sign out.", "sign out. ([#2](https://github.com/o/r/issues/2))")
    )
    p = plan_for(d, issues, state, cfg=replace(CFG, write_links=False))
    assert [(c.document, c.forge) for c in p.conflicts] == [("Log out", "Sign off")]
    assert 2 not in updates(p)
    assert updates(p)[3].state == "open"  # another item still proceeds


def test_prefer_forge_writes_the_forge_title_into_the_document() -> None:
    d = doc(
        DOC.replace(
            "**Sign out**: Users sign out.",
            "**Log out**: Users sign out. ([#2](https://github.com/o/r/issues/2))",
        )
    )
    issues, state = synced(doc())
    issues[1] = replace(issues[1], title="Sign off")
    p = plan_for(d, issues, state, cfg=replace(CFG, write_links=False, prefer="forge"))
    assert not p.conflicts
    retitle = [e for e in p.documents if e.what == "retitle"]
    assert [e.title for e in retitle] == ["Sign off"]
    assert "phase-2/functional/sign-off" in p.entries


def test_prefer_document_sends_the_document_title() -> None:
    d = doc(
        DOC.replace(
            "**Sign out**: Users sign out.",
            "**Log out**: Users sign out. ([#2](https://github.com/o/r/issues/2))",
        )
    )
    issues, state = synced(doc())
    issues[1] = replace(issues[1], title="Sign off")
    p = plan_for(d, issues, state, cfg=replace(CFG, write_links=False, prefer="document"))
    u = updates(p)[2]
    assert u.rendered is not None and u.rendered.title == "Log out"


def test_rename_of_a_linked_item_retitles_the_same_issue() -> None:
    d = doc(
        DOC.replace(
            "**Sign out**: Users sign out.",
            "**Log out**: Users sign out. ([#2](https://github.com/o/r/issues/2))",
        )
    )
    issues, state = synced(doc())
    p = plan_for(d, issues, state, cfg=replace(CFG, write_links=False))
    assert not [a for a in p.issues if isinstance(a, CreateIssue)]
    assert updates(p)[2].rendered is not None
    assert p.renamed == {"phase-2/functional/log-out": SIGN_OUT}
    assert 2 not in {u.number for u in p.issues if isinstance(u, UpdateIssue) and u.state}


def test_people_text_below_the_block_and_hand_labels_are_kept() -> None:
    d = doc(DOC.replace("Users sign out.", "Users sign out now."))
    issues, state = synced(doc())
    issues[1] = replace(
        issues[1],
        body=issues[1].body + "\n\nNotes from the team.",
        labels=(*issues[1].labels, "bug"),
    )
    p = plan_for(d, issues, state, cfg=replace(CFG, write_links=False))
    u = updates(p)[2]
    assert final_body(u, issues[1].body).endswith("\n\nNotes from the team.")
    assert "now" in final_body(u, issues[1].body)
    assert "bug" in final_labels(u, DEFAULT_RENDER, issues[1].labels)


# --- removal --------------------------------------------------------------------------------


def test_removed_item_closes_its_issue_as_not_planned_with_a_comment() -> None:
    d = doc(DOC.replace("- [ ] **Sign out**: Users sign out.\n", ""))
    issues, state = synced(doc())
    p = plan_for(d, issues, state, cfg=replace(CFG, write_links=False))
    u = updates(p)[2]
    assert u.state == "closed" and u.state_reason == "not_planned" and u.comment
    assert p.entries[SIGN_OUT] is None
    assert p.removal_closes == 1 and p.managed == 3


def test_removed_item_reopened_on_the_forge_is_a_conflict_not_a_close() -> None:
    d = doc(DOC.replace("- [x] Create tables\n", ""))
    issues, state = synced(doc())
    issues[2] = replace(issues[2], state="open")
    p = plan_for(d, issues, state, cfg=replace(CFG, write_links=False))
    assert [c.key for c in p.conflicts] == [TABLES]
    assert 3 not in updates(p)


def test_removed_item_retitled_on_the_forge_is_a_conflict() -> None:
    d = doc(DOC.replace("- [ ] **Sign out**: Users sign out.\n", ""))
    issues, state = synced(doc())
    issues[1] = replace(issues[1], title="Sign off")
    p = plan_for(d, issues, state, cfg=replace(CFG, write_links=False))
    assert [c.key for c in p.conflicts] == [SIGN_OUT]


def test_items_of_a_document_outside_the_run_are_not_removed() -> None:
    d = doc(DOC.replace("- [ ] **Sign out**: Users sign out.\n", ""))
    issues, state = synced(doc())
    state = ForgeState(
        items={
            k: replace(e, file="docs/other.md") if k == SIGN_OUT else e
            for k, e in state.items.items()
        }
    )
    p = plan_for(
        d, issues, state, cfg=replace(CFG, write_links=False, scope=frozenset({"docs/p2.md"}))
    )
    assert 2 not in updates(p)
    assert p.entries[SIGN_OUT] is not None


def test_a_document_with_errors_is_not_synced_and_its_issues_stay() -> None:
    broken = parse_document(
        "docs/p2.md",
        DOC.replace("# Phase 2: Auth", "# Phase 2: Auth\n## Phase Overview\n**Phase Number**: 3")
        .replace("- [ ] **Sign in**", "- [x] **Sign in**")
        .encode(),
    )
    assert broken.blocked
    issues, state = synced(doc())
    p = make_plan("sync", [broken], snap(issues), state, CFG)
    assert not p.issues and not p.documents


def test_an_error_on_one_item_leaves_the_rest_syncing() -> None:
    text = DOC.replace("Priority: High", "Priority: Urgent").replace(
        "- [ ] **Sign in**", "- [x] **Sign in**"
    )
    d = parse_document("docs/p2.md", text.encode())
    assert d.has_errors and not d.blocked
    issues, state = synced(doc())
    p = make_plan("sync", [d], snap(issues), state, CFG)
    assert any(u.state == "closed" for u in updates(p).values())


# --- incremental listing --------------------------------------------------------------------


def test_an_issue_absent_from_an_incremental_listing_is_trusted_from_the_lock() -> None:
    d = doc(DOC.replace("- [ ] **Sign in**", "- [x] **Sign in**"))
    _, state = synced(doc())
    p = make_plan("sync", [d], snap([], complete=False), state, replace(CFG, write_links=False))
    u = updates(p)[1]
    assert u.state == "closed" and u.remote_body is None
    assert not [a for a in p.issues if isinstance(a, CreateIssue)]


def test_a_label_name_over_50_characters_is_a_problem_before_any_write() -> None:
    long = DOC.replace("# Phase 2: Auth", "# Phase 2: Auth").replace("Week 1", "Week 1")
    d = doc(long)
    render = replace(
        DEFAULT_RENDER, type_label=replace(DEFAULT_RENDER.type_label, name="type:{kind}" + "x" * 50)
    )
    p = make_plan("push", [d], snap([]), ForgeState(), replace(CFG, render=render))
    assert p.problems and "50" in p.problems[0].message


def test_edit_document_positions_point_at_the_items() -> None:
    d = doc()
    issues, state = synced(d)
    issues[0] = replace(issues[0], state="closed")
    p = plan_for(d, issues, state, cfg=replace(CFG, write_links=False))
    (e,) = p.documents
    assert isinstance(e, EditDocument) and d.data[e.pos.box : e.pos.box + 1] == b" "


def test_validate_names_both_lines_that_link_one_issue() -> None:
    from syncer.sync.identity import with_shared_link_errors

    linked = DOC.replace("password.", "password. ([#1](https://github.com/o/r/issues/1))")
    copy = linked.replace("Phase 2", "Phase 3").replace("phase-2", "phase-3")
    a = parse_document("docs/p2.md", linked.encode())
    b = parse_document("docs/p3.md", copy.encode())
    out = with_shared_link_errors([a, b])
    found = [(d.file, d.code) for doc in out for d in doc.diagnostics if d.code == "shared-link"]
    assert found == [("docs/p2.md", "shared-link"), ("docs/p3.md", "shared-link")]
    message = next(d.message for d in out[1].diagnostics if d.code == "shared-link")
    assert "#1" in message and "docs/p2.md:" in message and "remove the copied link" in message
    assert all(doc.has_errors for doc in out)
    assert not with_shared_link_errors([a])[0].has_errors


def test_a_body_over_the_limit_with_people_text_skips_only_its_item() -> None:
    d = doc(DOC.replace("Users sign out.", "Users sign out now.").replace("password.", "pass."))
    issues, state = synced(doc())
    issues[1] = replace(issues[1], body="Above.\n\n" + issues[1].body + "x" * 65_536)
    p = plan_for(d, issues, state, cfg=replace(CFG, write_links=False))
    (skipped,) = p.skipped
    assert (skipped.file, skipped.line) == ("docs/p2.md", 6)
    assert "people's text on the forge included" in skipped.message
    assert not p.problems  # nothing blocks the run
    assert set(updates(p)) == {1}  # sign in is still updated
    assert SIGN_OUT not in p.entries  # its lock entry stays as it was
