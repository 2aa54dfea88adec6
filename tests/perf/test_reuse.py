"""Per-document reuse: a run parses only the documents whose inputs changed.

On GitHub and GitLab (the contract `Harness`), a forge clock moved 15 minutes between runs.
`RunResult.docs` are the documents parsed, `RunResult.reused` those that were not; each
test checks both, the requests, and that the run did what the change needed.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from syncer.errors import LockFileError
from syncer.markdown.parse import parse_documents
from syncer.sync.engine import RunResult
from syncer.sync.lock import DocumentRecord, dumps, loads
from syncer.sync.lock_store import LockStore
from syncer.sync.renames import wanted_labels
from syncer.sync.render import DEFAULT_RENDER, LabelFamily
from syncer.sync.reuse import label_spec
from tests.contract.conftest import Harness
from tests.perf.conftest import scheduled, settle, state

P2 = "docs/phases/phase-2-authentication.md"
P3 = "docs/phases/phase-3-workspaces.md"
P4 = "docs/phases/phase-4-billing.md"
ALL = (P2, P3, P4)
SIGN_IN = "phase-2/functional/password-sign-in"
WEBHOOK = "phase-4/week-1/stripe-webhook-handler"


def recorded(h: Harness) -> None:
    """Pushed, listed once more, and one idle sync: every document is recorded."""
    settle(h)
    first = scheduled(h, "sync")
    assert first.plan.empty and first.reused == ()
    assert set(state(h).documents) == set(ALL)


def parsed(result: RunResult) -> list[str]:
    return [d.path for d in result.docs]


def replace_in(h: Harness, path: str, old: bytes, new: bytes) -> None:
    file = h.root / path
    data = file.read_bytes()
    assert data.count(old) == 1, old
    file.write_bytes(data.replace(old, new))


def test_a_tick_parses_only_its_document(harness: Harness) -> None:
    recorded(harness)
    replace_in(harness, P2, b"- [ ] **Password sign-in**", b"- [x] **Password sign-in**")
    result = scheduled(harness, "sync")
    assert parsed(result) == [P2] and result.reused == (P3, P4)
    assert (harness.reads(), harness.writes()) == (3, 1)
    assert harness.issue(harness.number_of(SIGN_IN)).closed
    # Its document had something to do: not recorded until a run finds nothing for it.
    assert P2 not in state(harness).documents
    again = scheduled(harness, "sync")
    assert again.plan.empty and parsed(again) == [P2] and again.reused == (P3, P4)
    assert set(state(harness).documents) == set(ALL)
    assert scheduled(harness, "sync").settled


def test_an_issue_closed_on_the_forge_parses_its_document(harness: Harness) -> None:
    recorded(harness)
    harness.close(harness.number_of(WEBHOOK))
    result = scheduled(harness, "sync")
    assert parsed(result) == [P4] and result.reused == (P2, P3)
    assert b"- [x] Stripe webhook handler" in (harness.root / P4).read_bytes()
    assert harness.writes() == 0


def test_a_pull_and_a_push_reuse_too(harness: Harness) -> None:
    recorded(harness)
    harness.close(harness.number_of(WEBHOOK))
    pulled = scheduled(harness, "pull")
    assert (
        parsed(pulled) == [P4]
        and b"- [x] Stripe webhook handler" in (harness.root / P4).read_bytes()
    )
    replace_in(harness, P2, b"- [ ] **Password sign-in**", b"- [x] **Password sign-in**")
    pushed = scheduled(harness, "push")
    assert parsed(pushed) == [P2, P4] and pushed.reused == (P3,)
    assert harness.issue(harness.number_of(SIGN_IN)).closed


def test_a_copied_link_parses_the_document_it_was_copied_from(harness: Harness) -> None:
    """The conflict names the original line: its document must be parsed to say so."""
    recorded(harness)
    number = harness.number_of(SIGN_IN)
    line = next(
        x for x in (harness.root / P2).read_bytes().splitlines() if f"/{number})".encode() in x
    )
    file = harness.root / P4
    file.write_bytes(file.read_bytes().rstrip(b"\n") + b"\n\n" + line + b"\n")
    result = scheduled(harness, "sync")
    assert set(parsed(result)) == {P2, P4} and result.reused == (P3,)
    (conflict,) = result.plan.conflicts
    assert conflict.file == P4 and f"{P2}:" in conflict.message


def test_a_phase_renumbered_into_another_documents_parses_both(harness: Harness) -> None:
    recorded(harness)
    file = harness.root / P3
    data = file.read_bytes().replace(b"Phase 3", b"Phase 4")
    file.write_bytes(data.replace(b"**Phase Number**: 3", b"**Phase Number**: 4"))
    result = scheduled(harness, "sync")
    assert set(parsed(result)) == {P3, P4} and result.reused == (P2,)
    assert any(d.code == "duplicate-phase" for d in result.broken[0].diagnostics)


@pytest.mark.parametrize("change", ["setting", "lock entry", "version"])
def test_a_changed_context_or_lock_entry_parses_again(harness: Harness, change: str) -> None:
    recorded(harness)
    if change == "setting":
        render = replace(DEFAULT_RENDER, week_label=LabelFamily("week:{week}", "123456"))
        harness.config = replace(harness.config, render=render)
        expected: set[str] = set(ALL)
    elif change == "lock entry":
        store = LockStore(harness.root / "phasesync.lock")
        lock = store.load()
        s = lock.state(harness.forge.identity)
        entry = s.items[WEBHOOK]
        items = {**s.items, WEBHOOK: replace(entry, title="Edited by hand")}
        store.save(lock.with_state(harness.forge.identity, replace(s, items=items)))
        expected = {P4}
    else:  # a record another release wrote (its digest is another)
        store = LockStore(harness.root / "phasesync.lock")
        lock = store.load()
        s = lock.state(harness.forge.identity)
        rec = s.documents[P2]
        docs = {**s.documents, P2: DocumentRecord("0" * 64, rec.phases, rec.labels, rec.milestones)}
        # (and no settled digest: the whole run would stop before any record is read)
        s = replace(s, documents=docs, settled=None)
        store.save(lock.with_state(harness.forge.identity, s))
        expected = {P2}
    result = scheduled(harness, "sync")
    assert set(parsed(result)) >= expected
    assert not set(result.reused) & expected


def without_reuse(h: Harness) -> RunResult:
    """The plan the next run makes without reuse (a dry run: nothing is written)."""
    saved = h.config
    h.config = replace(saved, reuse=False)
    try:
        return h.run("sync", dry_run=True)
    finally:
        h.config = saved


def forge_labels(h: Harness) -> dict[str, Any]:
    place: Any = h.emulator.repo() if h.kind == "github" else h.emulator.project()  # type: ignore[attr-defined]
    return {x.name: x for x in place.labels.values()}


def forge_milestone(h: Harness, lasting: str) -> Any:
    place: Any = h.emulator.repo() if h.kind == "github" else h.emulator.project()  # type: ignore[attr-defined]
    title = state(h).milestones[lasting].title
    return next(m for m in place.milestones.values() if m.title == title)


@pytest.mark.parametrize(
    "change", ["someone's label", "phase label recoloured", "milestone retitled", "label renamed"]
)
def test_labels_and_milestones_parse_only_the_documents_that_want_them(
    harness: Harness, change: str
) -> None:
    """A label or milestone changed on the forge parses the documents that want it, and
    the run's plan is the plan of the same run without reuse."""
    h = harness
    recorded(h)
    h.emulator.advance(60)
    if change == "someone's label":  # on a new issue of theirs: nobody's documents
        h.open_issue("unrelated", "text", labels=("someone's label",))
        expected: set[str] = set()
    elif change == "phase label recoloured":  # phase:4 is wanted by phase 4's items only
        forge_labels(h)["phase:4"].color = "123456" if h.kind == "github" else "#123456"
        expected = {P4}
    elif change == "milestone retitled":
        lasting = next(k for k in state(h).milestones if k.startswith("phase-3"))
        forge_milestone(h, lasting).title = "Retitled on the forge"
        expected = {P3}
    else:
        if h.kind != "github":
            pytest.skip("GitLab renames a label on its issues too: a listing shows them")
        forge_labels(h)["phase:2"].name = "renamed on the forge"
        expected = {P2}
    twin = without_reuse(h)
    result = h.run("sync")
    assert set(parsed(result)) == expected and set(result.reused) == set(ALL) - expected
    assert result.plan == twin.plan
    again = scheduled(h, "sync")
    assert again.plan.empty and h.writes() == 0


def test_a_new_phase_leaves_the_other_documents_records_standing(harness: Harness) -> None:
    """Its labels and milestone are made, listed from then on, and wanted by it alone: the
    other documents are reused in the run that makes them and in every run after."""
    h = harness
    recorded(h)
    new = "docs/phases/phase-5-reports.md"
    (h.root / new).write_bytes(
        b"# Phase 5: Reports\n\n## Phase Overview\n**Phase Number**: 5\n\n"
        b"## Tasks\n### Week 1\n- [ ] Export to CSV\n- [ ] Export to PDF\n"
    )
    made = scheduled(h, "sync")  # its issues, labels and milestone made
    assert parsed(made) == [new] and set(made.reused) == set(ALL) and h.writes() > 2
    again = scheduled(h, "sync")  # they are listed once more: it is parsed, and recorded
    assert parsed(again) == [new] and set(again.reused) == set(ALL) and h.writes() == 0
    assert new in state(h).documents
    replace_in(h, P2, b"- [ ] **Password sign-in**", b"- [x] **Password sign-in**")
    tick = scheduled(h, "sync")
    assert parsed(tick) == [P2] and set(tick.reused) == {P3, P4, new}


def test_a_document_with_errors_is_never_recorded(harness: Harness) -> None:
    recorded(harness)
    replace_in(harness, P3, b"**Phase Number**: 3", b"**Phase Number**: 9")
    first = scheduled(harness, "sync")
    assert parsed(first) == [P3] and first.broken and P3 not in state(harness).documents
    assert P3 in parsed(scheduled(harness, "sync")) and P3 not in state(harness).documents


def test_without_reuse_every_document_is_parsed_and_nothing_recorded(harness: Harness) -> None:
    harness.config = replace(harness.config, reuse=False)
    settle(harness)
    scheduled(harness, "sync")
    replace_in(harness, P2, b"- [ ] **Password sign-in**", b"- [x] **Password sign-in**")
    result = scheduled(harness, "sync")
    assert set(parsed(result)) == set(ALL) and result.reused == ()
    assert not state(harness).documents


def test_records_are_one_line_each_and_round_trip(harness: Harness) -> None:
    recorded(harness)
    text = (harness.root / "phasesync.lock").read_text("utf-8")
    lines = [x for x in text.splitlines() if x.startswith(tuple(json.dumps(p) for p in ALL))]
    assert len(lines) == len(ALL)
    assert dumps(loads(text)) == text
    s = loads(text).state(harness.forge.identity)
    assert s.documents[P4].phases == ("4",)
    assert "phase-4" in s.documents[P4].milestones


@pytest.mark.parametrize(
    "bad",
    [
        '{"digest": 3}',
        '{"digest": "x", "phases": "4"}',
        '{"digest": "x", "labels": [1]}',
        "[]",
    ],
)
def test_a_damaged_record_is_a_lock_error(harness: Harness, bad: str) -> None:
    recorded(harness)
    path = harness.root / "phasesync.lock"
    text = path.read_text("utf-8")
    line = next(x for x in text.splitlines() if x.startswith(json.dumps(P4)))
    comma = "," if line.endswith(",") else ""
    with pytest.raises(LockFileError):
        loads(text.replace(line, f"{json.dumps(P4)}: {bad}{comma}"))


def test_label_spec_is_what_wanted_labels_wants(harness: Harness) -> None:
    render = replace(
        DEFAULT_RENDER,
        phase_label=LabelFamily("P-{number}", "ABCDEF"),
        type_label=LabelFamily("{kind}", "123456"),
        priority_label=LabelFamily("prio {priority}", "654321"),
        week_label=LabelFamily("W{week}", "FFFFFF"),
    )
    docs = parse_documents([(p, (harness.root / p).read_bytes()) for p in ALL])
    for render_cfg in (DEFAULT_RENDER, render):
        wanted = wanted_labels(render_cfg, docs)
        assert len(wanted) > 5
        for lasting, spec in wanted.items():
            assert label_spec(render_cfg, lasting) == spec, lasting
