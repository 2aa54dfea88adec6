"""`push --adopt`: a repository that already tracks the plan by hand, on GitHub and GitLab.

Half of the examples' items get a hand-made issue first (no marker; the same title, with
case and spacing changed for some; in the phase's milestone or with its `phase:N` label).
A push with `--adopt` must link those, create the rest and make no duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from syncer.forges.base import IssueSpec, MilestoneSpec
from syncer.markdown.parse import parse_document
from syncer.model import Item, Phase
from syncer.sync.actions import CreateIssue, UpdateIssue
from syncer.sync.body import BEGIN, END
from tests.contract.conftest import Harness

DOCS = ("phase-2-authentication.md", "phase-3-workspaces.md", "phase-4-billing.md")


@dataclass(frozen=True)
class HandMade:
    key: str
    number: int
    notes: str  # the text a person wrote in the issue


def _items(h: Harness) -> list[tuple[Phase, Item]]:
    found = []
    for name in DOCS:
        doc = parse_document(f"docs/phases/{name}", h.doc(name).read_bytes())
        assert doc.phase is not None and not doc.has_errors
        found += [(doc.phase, item) for item in doc.phase.items]
    return found


def _by_hand(h: Harness) -> list[HandMade]:
    """Hand-made issues for every other item; the other half has none."""
    milestones: dict[str, int] = {}
    made = []
    for index, (phase, item) in enumerate(_items(h)):
        if index % 2:
            continue
        title = item.issue_title
        if index % 4 == 0:
            # People do not type titles exactly: case and spacing do not matter.
            title = "  " + title.upper().replace(" ", "   ") + " "
        if index % 8 < 4:
            # in the phase's milestone, no phase label
            name = f"Phase {phase.number}: {phase.name}"
            if name not in milestones:
                milestones[name] = h.forge.create_milestone(MilestoneSpec(name, "", None)).id
            spec = IssueSpec(title, "", (), milestones[name])
        else:
            # with the phase label, no milestone
            spec = IssueSpec(title, "", (f"phase:{phase.number}", "from-standup"), None)
        notes = f"Notes written by hand for {item.issue_title}.\n\nSecond paragraph."
        issue = h.forge.create_issue(IssueSpec(spec.title, notes, spec.labels, spec.milestone_id))
        made.append(HandMade(str(item.key), issue.number, notes))
    return made


def test_push_adopt_links_hand_made_issues_and_creates_the_rest(harness: Harness) -> None:
    made = _by_hand(harness)
    items = _items(harness)
    # Same title, wrong phase: neither in the milestone nor labelled for it. Never adopted.
    _, first = items[0]
    decoy = harness.forge.create_issue(
        IssueSpec(first.issue_title, "someone else's", ("phase:99",), None)
    ).number
    assert len(made) == len(items) // 2 == 18

    plan = harness.run("push", dry_run=True, adopt=True).plan
    adopting = {n.key: n.message for n in plan.notes if n.message.startswith("adopting")}
    # The plan shows each match, and creates only what has no issue yet.
    assert adopting == {
        m.key: f"adopting #{m.number} (same title, opened by phasesync-bot)" for m in made
    }
    created = {a.key for a in plan.issues if isinstance(a, CreateIssue)}
    assert created == {str(item.key) for _, item in items} - {m.key for m in made}
    updated = {a.number for a in plan.issues if isinstance(a, UpdateIssue)}
    assert updated == {m.number for m in made}
    assert decoy not in updated
    harness.emulator.reset_log()
    assert harness.writes() == 0

    result = harness.run("push", adopt=True)
    assert result.outcome is not None and result.outcome.error is None

    issues = harness.issues()
    assert len(issues) == len(items) + 1  # 18 adopted + 18 created + the decoy
    lock = harness.lock_items()
    assert len(lock) == len(items)
    assert len({e.issue for e in lock.values()}) == len(items)  # no issue claimed twice
    managed = [i for i in issues if "<!-- phasesync:key=" in i.body]
    assert len(managed) == len(items)  # every item has exactly one issue with its marker
    assert decoy not in {e.issue for e in lock.values()}
    assert harness.issue(decoy).body == "someone else's"

    for m in made:
        assert lock[m.key].issue == m.number
        issue = harness.issue(m.number)
        assert f"<!-- phasesync:key={m.key} -->" in issue.body
        # The hand-written text is kept, below the managed block.
        assert issue.body.startswith(BEGIN)
        tail = issue.body.split(END, 1)[1]
        assert m.notes in tail
        assert issue.body.count(m.notes) == 1

    # Labels people added are kept; the milestone is the phase's.
    by_number = {i.number: i for i in issues}
    for m in made:
        phase_number = m.key.split("/")[0].removeprefix("phase-")
        assert f"phase:{phase_number}" in by_number[m.number].labels
        assert (by_number[m.number].milestone or "").startswith(f"Phase {phase_number}: ")
    assert any("from-standup" in by_number[m.number].labels for m in made)

    # Each document line now links to its issue, adopted or created.
    for name in DOCS:
        doc = parse_document(f"docs/phases/{name}", harness.doc(name).read_bytes())
        assert doc.phase is not None and not doc.has_errors
        for item in doc.phase.items:
            assert item.link is not None
            assert item.link.number == lock[str(item.key)].issue

    # Ticked boxes closed their adopted issues too.
    ticked = {str(item.key) for _, item in items if item.checked}
    for m in made:
        assert harness.issue(m.number).closed == (m.key in ticked)

    # And it is done: a second push, with or without --adopt, sends nothing.
    harness.emulator.reset_log()
    again = harness.run("push", adopt=True)
    assert again.plan.empty
    assert harness.writes() == 0
    harness.run("push")
    assert harness.writes() == 0


@pytest.mark.parametrize("adopt", [False, True])
def test_hand_made_issue_is_adopted_only_when_asked(harness: Harness, adopt: bool) -> None:
    phase, item = _items(harness)[1]
    label = f"phase:{phase.number}"
    number = harness.forge.create_issue(IssueSpec(item.issue_title, "", (label,), None)).number
    plan = harness.run("push", dry_run=True, adopt=adopt).plan
    creates = {a.key for a in plan.issues if isinstance(a, CreateIssue)}
    assert (str(item.key) in creates) is not adopt
    notes = [n for n in plan.notes if n.key == str(item.key)]
    assert [n.message for n in notes] == (
        [f"adopting #{number} (same title, opened by phasesync-bot)"] if adopt else []
    )
