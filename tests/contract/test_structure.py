"""`phase_parents`: a parent issue per phase, its items related to it, on both forges.

GitHub: the items are the parent's sub-issues (per-section parents past 100 items).
GitLab: `relates_to` links and a `Part of #N` line in each item's body.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from typing import Any

import pytest

from benchmarks.docset import write_docset
from syncer.forges.emulator.github import GitHubEmulator
from syncer.sync.lock_store import LockStore
from syncer.sync.structure import describe_mode
from tests.contract.conftest import Harness

PROGRESS = re.compile(r"\*\*Progress:\*\* (\d+) of (\d+) done")


def parents_on(h: Harness) -> Harness:
    h.config = replace(h.config, phase_parents=True)
    return h


def structure(h: Harness) -> dict[str, Any]:
    state = LockStore(h.root / "phasesync.lock").load().state(h.forge.identity)
    return dict(state.structure)


def capabilities(h: Harness) -> dict[str, str]:
    state = LockStore(h.root / "phasesync.lock").load().state(h.forge.identity)
    return dict(state.capabilities)


def children(h: Harness, parent: int) -> set[int]:
    """The issues related to `parent` as the forge has them."""
    if h.kind == "github":
        assert isinstance(h.emulator, GitHubEmulator)
        return set(h.emulator.sub_issues(parent))
    return set(h.emulator.related(parent))  # type: ignore[attr-defined]


def unrelate(h: Harness, parent: int, child: int) -> None:
    """A person takes the relation off on the forge."""
    if h.kind == "github":
        h.emulator.remove_sub_issue(parent, child)  # type: ignore[attr-defined]
    else:
        h.emulator.unlink(parent, child)  # type: ignore[attr-defined]


def phase_items(h: Harness, phase: str) -> dict[str, int]:
    return {k: e.issue for k, e in h.lock_items().items() if k.startswith(f"phase-{phase}/")}


def test_first_push_makes_a_parent_per_phase_with_its_items_related(harness: Harness) -> None:
    h = parents_on(harness)
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None
    table = structure(h)
    assert sorted(table) == ["phase-2/parent", "phase-3/parent", "phase-4/parent"]
    milestones = set(h.milestones())
    for key, rec in table.items():
        phase = key.split("/")[0].removeprefix("phase-")
        parent = h.issue(rec["issue"])
        assert parent.title in milestones  # titled like its milestone
        assert f"<!-- phasesync:key={key} -->" in parent.body
        items = phase_items(h, phase)
        assert children(h, rec["issue"]) == set(items.values())
        assert sorted(rec["children"]) == sorted(items.values())
        done = sum(1 for n in items.values() if h.issue(n).closed)
        match = PROGRESS.search(parent.body)
        assert match is not None and match.groups() == (str(done), str(len(items)))
        assert parent.closed == (done == len(items))
        assert parent.milestone is None and not parent.labels  # counts stay the items'
        if h.kind == "gitlab":
            for n in items.values():
                assert f"Part of #{rec['issue']}" in h.issue(n).body
        else:
            assert not any("Part of #" in h.issue(n).body for n in items.values())
    assert "Objective" in h.issue(table["phase-2/parent"]["issue"]).body


def test_writes_of_a_first_push_are_one_per_parent_and_per_relation(harness: Harness) -> None:
    h = harness
    without = h.run("push", dry_run=True).plan.forge_writes  # the items, labels, milestones
    parents_on(h)
    before = h.writes()
    h.run("push")
    with_parents = h.writes() - before
    table = structure(h)
    items = len(h.lock_items())
    closes = sum(1 for rec in table.values() if rec["closed"])
    assert with_parents - without == len(table) + items + closes
    # The second push sends nothing, structure included.
    before = h.writes()
    h.run("push")
    assert h.writes() == before


def test_idle_sync_costs_three_requests_with_parents(harness: Harness) -> None:
    h = parents_on(harness)
    h.run("push")
    assert h.idle_sync() == (3, 0)


def test_parent_closes_with_its_last_item_and_reopens_with_one(harness: Harness) -> None:
    h = parents_on(harness)
    h.run("push")
    parent = structure(h)["phase-3/parent"]["issue"]
    items = phase_items(h, "3")
    for n in items.values():
        if not h.issue(n).closed:
            h.close(n)
    h.run("sync")
    assert h.issue(parent).closed
    assert f"{len(items)} of {len(items)} done" in h.issue(parent).body
    first = min(items.values())
    h.reopen(first)
    h.run("sync")
    assert not h.issue(parent).closed
    assert f"{len(items) - 1} of {len(items)} done" in h.issue(parent).body
    # A person's close of the parent is put back: the items decide.
    h.close(parent)
    h.run("sync")
    assert not h.issue(parent).closed
    writes = h.writes()
    h.run("sync")
    assert h.writes() == writes


def test_a_removed_relation_comes_back_with_the_complete_listing(harness: Harness) -> None:
    h = parents_on(harness)
    h.run("push")
    h.run("sync")
    parent = structure(h)["phase-2/parent"]["issue"]
    child = min(phase_items(h, "2").values())
    unrelate(h, parent, child)
    assert child not in children(h, parent)
    writes = h.writes()
    h.run("sync", full=True)  # what the daily complete listing does
    assert child in children(h, parent)
    assert h.writes() - writes == 1
    writes = h.writes()
    h.run("sync", full=True)
    assert h.writes() == writes


def test_a_relation_made_twice_is_harmless_and_a_lost_lock_finds_the_parents(
    harness: Harness,
) -> None:
    h = parents_on(harness)
    h.run("push")
    table = structure(h)
    count = len(h.issues())
    # The lock forgets the relations it made (a run that died after its POSTs and before it
    # journaled them): each parent as journaled when it was made.
    path = h.root / "phasesync.lock"
    data = json.loads(path.read_text())
    for rec in data["forges"][h.forge.identity]["structure"].values():
        rec["children"] = []
        rec["seen"] = 0 if h.kind == "github" else None
    path.write_text(json.dumps(data))
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None
    assert structure(h) == table
    # The whole lock lost: the parents are found by their key marker, never made twice.
    path.unlink()
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None
    assert len(h.issues()) == count
    assert {k: v["issue"] for k, v in structure(h).items()} == {
        k: v["issue"] for k, v in table.items()
    }
    writes = h.writes()
    h.run("push")
    assert h.writes() == writes


def test_past_100_items_a_parent_per_section_keeps_within_the_limit(harness: Harness) -> None:
    h = harness
    shutil.rmtree(h.root / "docs")
    write_docset(h.root, 160)
    parents_on(h)
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None
    table = structure(h)
    top = table["phase-1/parent"]
    sections = {k: v for k, v in table.items() if k != "phase-1/parent"}
    assert len(sections) > 1 and all(k.startswith("phase-1/parent.") for k in sections)
    assert children(h, top["issue"]) == {v["issue"] for v in sections.values()}
    parents = {v["issue"] for v in table.values()}  # GitLab's links go both ways
    related = [n for v in sections.values() for n in children(h, v["issue"]) - parents]
    assert sorted(related) == sorted(e.issue for e in h.lock_items().values())
    assert all(len(children(h, v["issue"])) <= 100 for v in table.values())
    assert "Functional Requirements" in " ".join(
        h.issue(v["issue"]).title for v in sections.values()
    )
    writes = h.writes()
    h.run("push")
    assert h.writes() == writes


def test_the_mapping_in_force_is_said_and_probed_once(harness: Harness) -> None:
    h = parents_on(harness)
    result = h.run("push", dry_run=True)
    assert result.structure is not None
    assert result.structure.writes > 0
    assert result.structure.lines()[0] == describe_mode(h.kind, {})
    h.run("push")
    caps = capabilities(h)
    if h.kind == "github":
        assert caps == {"relations": "sub_issues"}
        assert "sub-issues" in describe_mode(h.kind, caps)
    else:
        assert caps == {"relations": "relates_to", "tier": "free"}
        assert "relates_to" in describe_mode(h.kind, caps)
    reads = h.reads()
    h.run("push")
    h.run("push")
    assert capabilities(h) == caps
    assert h.reads() - reads <= 2 * 3 + 10  # no probe again: listings only


@pytest.mark.parametrize("tier", ["free", "premium"])
def test_gitlab_tier_is_detected(tier: str, harness: Harness) -> None:
    if harness.kind != "gitlab":
        pytest.skip("GitLab's tiers")
    h = parents_on(harness)
    h.emulator.tier = tier  # type: ignore[attr-defined]
    h.run("push")
    assert capabilities(h)["tier"] == tier
    text = describe_mode("gitlab", capabilities(h))
    assert ("Premium detected" in text) == (tier == "premium")


def _arm(h: Harness, fault: str, path: str) -> None:
    where = {"method": "POST", "path_regex": path}
    if fault == "dropped-after-apply":
        h.emulator.apply_then_fail(drop=True, **where)  # type: ignore[attr-defined]
    else:
        h.emulator.apply_then_fail(**where)  # type: ignore[attr-defined]


def _relation_posts(h: Harness) -> int:
    path = re.compile(r"/sub_issues$" if h.kind == "github" else r"/links$")
    return sum(1 for r in h.emulator.requests if r.method == "POST" and path.search(r.path))


@pytest.mark.parametrize("fault", ["502-after-apply", "dropped-after-apply"])
def test_a_relation_whose_answer_was_lost_is_looked_up_not_doubled(
    harness: Harness, fault: str
) -> None:
    h = parents_on(harness)
    _arm(h, fault, r"/sub_issues$" if h.kind == "github" else r"/links$")
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None, result.outcome.error
    table = structure(h)
    items = len(h.lock_items())
    assert _relation_posts(h) == items + 1  # the first one twice, refused, looked up
    for rec in table.values():
        assert children(h, rec["issue"]) >= set(rec["children"])
    h.emulator.reset_log()
    h.run("push")
    assert h.writes() == 0


@pytest.mark.parametrize("fault", ["502-after-apply", "dropped-after-apply"])
def test_a_parent_whose_create_lost_its_answer_is_found_by_its_marker(
    harness: Harness, fault: str
) -> None:
    h = parents_on(harness)
    _arm(h, fault, r"/issues$")  # the first issue created is a parent: parents go first
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None, result.outcome.error
    titles = [i.title for i in h.issues()]
    assert titles.count("Phase 2: User Authentication") == 1
    assert sorted(structure(h)) == ["phase-2/parent", "phase-3/parent", "phase-4/parent"]
    h.emulator.reset_log()
    h.run("push")
    assert h.writes() == 0


def test_a_run_stopped_among_the_relations_is_resumed_to_the_same_end(harness: Harness) -> None:
    h = harness
    planned = h.run("push", dry_run=True).plan.forge_writes
    parents_on(h)
    budget = planned + 3 + 5  # the parents, the items, and five relations
    h.config = replace(h.config, apply=replace(h.config.apply, max_writes=budget))
    stopped = h.run("push")
    assert stopped.outcome is not None and stopped.outcome.error is not None
    assert h.writes() == budget
    h.config = replace(h.config, apply=replace(h.config.apply, max_writes=None))
    h.run("push")
    table = structure(h)
    items = len(h.lock_items())
    closes = sum(1 for rec in table.values() if rec["closed"])
    assert h.writes() == planned + len(table) + items + closes  # as one clean run
    for key, rec in table.items():
        phase = key.split("/")[0].removeprefix("phase-")
        assert children(h, rec["issue"]) == set(phase_items(h, phase).values())


def test_turned_on_for_an_existing_plan_then_off(harness: Harness) -> None:
    h = harness
    h.run("push")
    h.run("sync")
    parents_on(h)
    writes = h.writes()
    h.run("pull")  # pull never writes to the forge, parents included
    assert h.writes() == writes and not structure(h)
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None
    table = structure(h)
    items = len(h.lock_items())
    closes = sum(1 for rec in table.values() if rec["closed"])
    rewritten = items if h.kind == "gitlab" else 0  # each item's `Part of #N` line
    assert h.writes() - writes == len(table) + items + closes + rewritten
    writes = h.writes()
    h.run("sync")
    h.run("push")
    assert h.writes() == writes
    # Off again: parents and relations stay as they are; on GitLab each item's body drops
    # its `Part of #N` line (one write each), on GitHub nothing is written.
    h.config = replace(h.config, phase_parents=False)
    h.run("push")
    assert h.writes() - writes == (items if h.kind == "gitlab" else 0)
    assert structure(h) == table
    assert all(children(h, rec["issue"]) for rec in table.values())
    writes = h.writes()
    h.run("push")
    assert h.writes() == writes


def test_a_phase_removed_closes_its_parent_as_not_planned(harness: Harness) -> None:
    h = parents_on(harness)
    h.run("push")
    parent = structure(h)["phase-4/parent"]["issue"]
    h.doc("phase-4-billing.md").unlink()
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None
    assert h.issue(parent).closed and h.state_reason(parent) in (None, "not_planned")
    assert "phase-4/parent" not in structure(h)
    writes = h.writes()
    h.run("push")
    assert h.writes() == writes


def test_with_done_items_skipped_the_plan_settles_after_the_push(harness: Harness) -> None:
    """A ticked item left without an issue (`done_items = "skip"`) is no relation to make:
    after the push the plan is empty (so `plan --detailed-exitcode` says 0), not "relate"
    forever."""
    h = parents_on(harness)
    h.config = replace(h.config, done_items="skip")
    h.run("push")
    skipped = {k for k in ("phase-2/functional/account-registration",) if k not in h.lock_items()}
    assert skipped  # a ticked item of the examples: document-only
    dry = h.run("push", dry_run=True)
    assert dry.structure is not None and dry.structure.empty, dry.structure.lines()
    assert dry.plan.forge_writes == 0
    h.emulator.reset_log()
    h.run("push")
    assert h.writes() == 0
