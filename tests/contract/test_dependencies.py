"""`dependencies = "links"`: the dependencies a plan states become native "blocked by"
relations, on both forges (and both GitLab tiers).

GitHub: issue dependencies. GitLab Premium: `is_blocked_by` links; GitLab Free:
`relates_to` links. On GitLab the blocked item's body also says `Blocked by #N`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from syncer.forges.emulator.github import GitHubEmulator
from syncer.forges.emulator.gitlab import GitLabEmulator
from syncer.sync.dependencies import describe_dependencies
from syncer.sync.lock_store import LockStore
from tests.contract.conftest import Harness

PHASE2 = "phase-2-authentication.md"
SIGN_IN = "phase-2/functional/password-sign-in"
REGISTRATION = "phase-2/functional/account-registration"
OAUTH = "phase-2/functional/github-oauth-sign-in"
RESET = "phase-2/functional/password-reset"


@pytest.fixture(params=["free", "premium"])
def h(request: pytest.FixtureRequest, harness: Harness) -> Iterator[Harness]:
    """Each forge, GitLab on both tiers (GitHub has one); `dependencies = "links"`."""
    if request.param == "premium":
        if harness.kind != "gitlab":
            pytest.skip("GitHub has no tiers")
        harness.emulator.tier = "premium"  # type: ignore[attr-defined]
    harness.config = replace(harness.config, dependencies="links")
    yield harness


def say(h: Harness, after: str, words: str, name: str = PHASE2) -> int:
    """Insert `words` as a sub-bullet below the item line containing `after`; its line."""
    path = h.doc(name)
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if after in line and "[" in line)
    lines.insert(at + 1, f"  - {words}")
    path.write_text("\n".join(lines), encoding="utf-8")
    return at + 1  # the item's own line, 1-based


def unsay(h: Harness, words: str, name: str = PHASE2) -> None:
    path = h.doc(name)
    text = path.read_text(encoding="utf-8")
    assert f"  - {words}\n" in text
    path.write_text(text.replace(f"  - {words}\n", "", 1), encoding="utf-8")


def blockers(h: Harness, n: int) -> set[int]:
    """The issues blocking `n` as the forge has them (GitLab Free: related to it)."""
    if isinstance(h.emulator, GitHubEmulator):
        return set(h.emulator.blocked_by(n))
    assert isinstance(h.emulator, GitLabEmulator)
    project = h.emulator.project()
    if h.emulator.tier == "premium":
        return {o for o, t in h.emulator.links.typed(project, n) if t == "is_blocked_by"}
    # `relates_to` has no direction: the links made from the blocked issue.
    me = (project.id, n)
    return {o[1] for link, o, t in h.emulator.links.of(project, n) if link.source == me}


def person_unblocks(h: Harness, blocked: int, blocking: int) -> None:
    if isinstance(h.emulator, GitHubEmulator):
        h.emulator.remove_blocked_by(blocked, blocking)
    else:
        h.emulator.unlink(blocked, blocking)  # type: ignore[attr-defined]


def person_blocks(h: Harness, blocked: int, blocking: int) -> None:
    if isinstance(h.emulator, GitHubEmulator):
        h.emulator.add_blocked_by(blocked, blocking)
    else:
        assert isinstance(h.emulator, GitLabEmulator)
        if h.emulator.tier == "premium":
            h.emulator.links.link(h.emulator.project(), blocking, blocked, "blocks")
        else:
            h.emulator.links.link(h.emulator.project(), blocked, blocking)


def table(h: Harness) -> dict[str, Any]:
    state = LockStore(h.root / "phasesync.lock").load().state(h.forge.identity)
    return {k: dict(v) for k, v in state.dependencies.items()}


def ok(h: Harness, direction: str = "push", **request: Any) -> None:
    result = h.run(direction, **request)
    assert result.outcome is not None and result.outcome.error is None, result.outcome.error


def test_first_push_makes_each_stated_relation_once(h: Harness) -> None:
    say(h, "**Password sign-in**", "Depends on: Account registration")
    say(h, "**Password reset**", "Blocked by: **password sign-in**.")  # any case, bold
    planned = h.run("push", dry_run=True)
    lines = 2 if h.kind == "gitlab" else 0  # GitLab: each blocked item's `Blocked by #N`
    assert planned.dependencies is not None and planned.dependencies.writes == 2 + lines
    assert "new issue [phase-2/functional/password-sign-in] blocked by new issue" in "\n".join(
        planned.dependencies.lines()
    )
    writes = h.writes()
    ok(h)
    n = h.number_of
    assert blockers(h, n(SIGN_IN)) == {n(REGISTRATION)}
    assert blockers(h, n(RESET)) == {n(SIGN_IN)}
    assert table(h)[SIGN_IN]["blocked_by"] == [n(REGISTRATION)]
    made = h.writes() - writes
    # One write per item, label and milestone as without dependencies, one per relation,
    # and on GitLab the two blocked items' `Blocked by #N` lines (named once both exist).
    assert made == planned.plan.forge_writes + planned.dependencies.writes  # as planned
    if h.kind == "gitlab":
        assert f"Blocked by #{n(REGISTRATION)}" in h.issue(n(SIGN_IN)).body
        assert f"Blocked by #{n(SIGN_IN)}" in h.issue(n(RESET)).body
        assert "Blocked by" not in h.issue(n(OAUTH)).body
    else:
        assert not any("Blocked by" in i.body for i in h.issues())
    # The second push sends nothing; the idle sync costs three requests.
    writes = h.writes()
    ok(h)
    assert h.writes() == writes
    assert h.idle_sync() == (3, 0)


def test_an_issue_reference_or_url_names_the_blocking_item_and_plan_says_where(
    h: Harness,
) -> None:
    ok(h)
    n = h.number_of
    say(h, "**Account registration**", "Unrelated: #99999 and issue #0")  # no item's: none
    line = say(h, "**GitHub OAuth sign-in**", f"Needs #{n(SIGN_IN)} first")
    say(h, "**Password reset**", f"See {h.forge.issue_url(n(REGISTRATION))}")
    result = h.run("push", dry_run=True)
    assert result.dependencies is not None
    text = "\n".join(result.dependencies.lines())
    assert f"#{n(OAUTH)} blocked by #{n(SIGN_IN)} (docs/phases/{PHASE2}:{line})" in text
    caps = LockStore(h.root / "phasesync.lock").load().state(h.forge.identity).capabilities
    assert text.splitlines()[0] == describe_dependencies(h.kind, caps)
    ok(h)
    assert blockers(h, n(OAUTH)) == {n(SIGN_IN)}
    assert blockers(h, n(RESET)) == {n(REGISTRATION)}
    assert blockers(h, n(REGISTRATION)) <= {n(RESET)}  # GitLab Free: the pair's one link
    writes = h.writes()
    ok(h)
    assert h.writes() == writes


def test_removing_the_words_removes_only_phasesyncs_relation(h: Harness) -> None:
    say(h, "**Password reset**", "Depends on: Password sign-in")
    ok(h)
    n = h.number_of
    person_blocks(h, n(RESET), n(OAUTH))  # a person's own extra relation
    unsay(h, "Depends on: Password sign-in")
    writes = h.writes()
    ok(h)
    assert blockers(h, n(RESET)) == {n(OAUTH)}  # ours gone, the person's kept
    assert RESET not in table(h)
    body_writes = 1 if h.kind == "gitlab" else 0  # its `Blocked by #N` line goes
    assert h.writes() - writes == 1 + body_writes
    writes = h.writes()
    ok(h, "sync", full=True)
    ok(h)
    assert h.writes() == writes and blockers(h, n(RESET)) == {n(OAUTH)}


def test_a_persons_removal_is_restored_by_the_complete_listing(h: Harness) -> None:
    say(h, "**Password reset**", "Depends on: Password sign-in")
    ok(h)
    ok(h, "sync")
    n = h.number_of
    person_unblocks(h, n(RESET), n(SIGN_IN))
    writes = h.writes()
    ok(h, "sync", full=True)  # what the daily complete listing does
    assert blockers(h, n(RESET)) == {n(SIGN_IN)}
    assert h.writes() - writes == 1
    writes = h.writes()
    ok(h, "sync", full=True)
    assert h.writes() == writes


def test_ambiguous_and_unknown_titles_are_warned_never_guessed(h: Harness) -> None:
    say(h, "Invitation tokens", "Depends on: Write tests", "phase-3-workspaces.md")
    say(h, "Workspace switcher", "Blocked by: No such item", "phase-3-workspaces.md")
    result = h.run("push", dry_run=True)
    assert result.dependencies is not None
    codes = sorted(d.code for d in result.dependencies.warnings)
    assert codes == ["dependency-ambiguous", "dependency-unknown"]
    assert result.dependencies.writes == 0
    assert any("2 items are titled 'Write tests'" in line for line in result.dependencies.lines())
    ok(h)
    assert not table(h)


def test_a_relation_whose_answer_was_lost_is_looked_up_not_doubled(h: Harness) -> None:
    ok(h)
    say(h, "**Password reset**", "Depends on: Password sign-in")
    path = r"/dependencies/blocked_by$" if h.kind == "github" else r"/links$"
    h.emulator.apply_then_fail(method="POST", path_regex=path)  # type: ignore[attr-defined]
    ok(h)
    n = h.number_of
    assert blockers(h, n(RESET)) == {n(SIGN_IN)}
    assert table(h)[RESET]["blocked_by"] == [n(SIGN_IN)]
    h.emulator.reset_log()
    ok(h)
    assert h.writes() == 0


def test_a_run_stopped_among_the_relations_converges(h: Harness) -> None:
    ok(h)
    words = [
        ("**Password sign-in**", "Depends on: Account registration"),
        ("**GitHub OAuth sign-in**", "Depends on: Account registration"),
        ("**Password reset**", "Depends on: Password sign-in"),
    ]
    for after, text in words:
        say(h, after, text)
    planned = h.run("push", dry_run=True).plan.forge_writes  # GitLab: the three lines
    h.config = replace(h.config, apply=replace(h.config.apply, max_writes=planned + 1))
    writes = h.writes()
    stopped = h.run("push")
    assert stopped.outcome is not None and stopped.outcome.error is not None
    assert h.writes() - writes == planned + 1
    h.config = replace(h.config, apply=replace(h.config.apply, max_writes=None))
    ok(h)
    assert h.writes() - writes == planned + 3  # as one clean run: each relation once
    n = h.number_of
    assert blockers(h, n(SIGN_IN)) == {n(REGISTRATION)}
    assert blockers(h, n(OAUTH)) == {n(REGISTRATION)}
    assert blockers(h, n(RESET)) == {n(SIGN_IN)}
    # A lock that lost its records (a run that died before it journaled): made twice is
    # harmless, the forge's answer says they are there.
    path = h.root / "phasesync.lock"
    data = json.loads(path.read_text())
    del data["forges"][h.forge.identity]["dependencies"]
    path.write_text(json.dumps(data))
    ok(h)
    assert set(table(h)) == {SIGN_IN, OAUTH, RESET}
    writes = h.writes()
    ok(h)
    assert h.writes() == writes


def test_phases_named_in_dependencies_block_each_other_through_their_parents(
    h: Harness,
) -> None:
    h.config = replace(h.config, phase_parents=True)
    result = h.run("push", dry_run=True)
    assert result.dependencies is not None
    # Phase 3 names Phase 1 (no document describes it: a warning) and Phase 2.
    assert [d.code for d in result.dependencies.warnings] == [
        "dependency-unknown",
        "dependency-unknown",
    ]
    ok(h)
    state = LockStore(h.root / "phasesync.lock").load().state(h.forge.identity)
    parent = {k: int(v["issue"]) for k, v in state.structure.items()}
    found = blockers(h, parent["phase-3/parent"])
    if h.kind == "gitlab" and h.emulator.tier == "free":  # type: ignore[attr-defined]
        found -= set(h.lock_items()[k].issue for k in h.lock_items())  # its children's links
    assert found == {parent["phase-2/parent"]}
    assert table(h)["phase-3/parent"]["blocked_by"] == [parent["phase-2/parent"]]
    writes = h.writes()
    ok(h)
    assert h.writes() == writes
    assert h.idle_sync() == (3, 0)  # parents and dependencies on: still three requests


def test_turned_on_for_an_existing_plan_costs_one_write_per_relation(h: Harness) -> None:
    h.config = replace(h.config, dependencies="text")
    say(h, "**Password reset**", "Depends on: Password sign-in")
    ok(h)
    assert not table(h)
    h.config = replace(h.config, dependencies="links")
    writes = h.writes()
    ok(h)
    n = h.number_of
    assert blockers(h, n(RESET)) == {n(SIGN_IN)}
    assert h.writes() - writes == 1 + (1 if h.kind == "gitlab" else 0)  # + its line
    if h.kind == "gitlab":
        caps = LockStore(h.root / "phasesync.lock").load().state(h.forge.identity)
        tier = h.emulator.tier  # type: ignore[attr-defined]
        assert caps.capabilities["tier"] == tier
        assert ("Premium detected" in describe_dependencies("gitlab", caps.capabilities)) == (
            tier == "premium"
        )
        assert re.search(rf"Blocked by #{n(SIGN_IN)}\b", h.issue(n(RESET)).body)


def test_a_blocker_that_never_gets_an_issue_is_no_relation_left_to_make(h: Harness) -> None:
    """With `done_items = "skip"` a ticked item stays in the document only: naming it as a
    blocker makes no relation, and the plan settles after the push instead of saying
    "blocked by new issue" on every run."""
    h.config = replace(h.config, done_items="skip")
    say(h, "**Password sign-in**", "Depends on: Account registration")  # ticked: skipped
    say(h, "**Password reset**", "Depends on: Password sign-in")
    ok(h)
    n = h.number_of
    assert REGISTRATION not in h.lock_items()
    assert blockers(h, n(SIGN_IN)) == set()
    assert blockers(h, n(RESET)) == {n(SIGN_IN)}
    dry = h.run("push", dry_run=True)
    assert dry.dependencies is not None and dry.dependencies.empty, dry.dependencies.lines()
    writes = h.writes()
    ok(h)
    assert h.writes() == writes


def test_the_daily_complete_listing_probes_the_tier_again(harness: Harness) -> None:
    """A GitLab project moved from Free to Premium: the next complete listing sees it (one
    GET), and relations made from then on are `is_blocked_by` links; those made before keep
    the way they were made (`via`), so each is removed the way it was made."""
    if harness.kind != "gitlab":
        pytest.skip("GitHub has no tiers")
    h = harness
    h.config = replace(h.config, dependencies="links")
    say(h, "**Password reset**", "Depends on: Password sign-in")
    ok(h)
    n = h.number_of

    def state() -> Any:
        return LockStore(h.root / "phasesync.lock").load().state(h.forge.identity)

    assert state().capabilities["tier"] == "free"
    assert table(h)[RESET]["via"] == "relates_to"
    h.emulator.tier = "premium"  # type: ignore[attr-defined]
    ok(h, "sync")  # incremental: the tier is not asked again
    assert state().capabilities["tier"] == "free"
    ok(h, "sync", full=True)
    assert state().capabilities["tier"] == "premium"
    say(h, "**GitHub OAuth sign-in**", "Depends on: Password sign-in")
    ok(h)
    assert table(h)[OAUTH]["via"] == "is_blocked_by"
    assert table(h)[RESET]["via"] == "relates_to"
    assert blockers(h, n(OAUTH)) == {n(SIGN_IN)}
