"""Field safety on both forges: document text never becomes markup, people's text around
the block is kept, titles and bodies over the forge's limits never block the other items."""

from __future__ import annotations

from dataclasses import replace

from syncer.sync.body import END, split_body
from syncer.sync.text_safety import MAX_TITLE_GITHUB, MAX_TITLE_GITLAB
from tests.contract.conftest import Harness

P2 = "phase-2-authentication.md"
SIGN_IN = "phase-2/functional/password-sign-in"
RESET = "phase-2/functional/password-reset"
SIGN_IN_LINE = b"Users sign in with e-mail and password and receive a session cookie."
RESET_LINE = b"A user who forgot the password gets a reset link valid for 30 minutes."


def _edit(h: Harness, old: bytes, new: bytes) -> None:
    path = h.doc(P2)
    data = path.read_bytes()
    assert data.count(old) == 1, old
    path.write_bytes(data.replace(old, new))


def _later(h: Harness) -> None:
    h.emulator.advance(15 * 60)  # type: ignore[attr-defined]


def test_an_end_marker_in_a_description_no_longer_grows_the_body(harness: Harness) -> None:
    _edit(harness, SIGN_IN_LINE, SIGN_IN_LINE + b" " + END.encode())
    harness.run("push")
    n = harness.number_of(SIGN_IN)
    before = harness.issue(n).body
    for _ in range(3):
        _later(harness)
        harness.emulator.reset_log()
        harness.run("push")
        assert harness.writes() == 0
    assert harness.issue(n).body == before


def test_a_key_marker_in_a_description_does_not_take_another_items_issue(
    harness: Harness,
) -> None:
    # Account registration is issue #1, older than Password sign-in's: before, its forged
    # marker won the lookup, Password sign-in took #1 and its own issue was left a duplicate.
    harness.config = replace(harness.config, write_links=False)  # identity from markers alone
    line = b"the address is confirmed by a one-time link."
    _edit(harness, line, line + f" <!-- phasesync:key={SIGN_IN} -->".encode())
    harness.run("push")
    numbers = {k: e.issue for k, e in harness.lock_items().items()}
    (harness.root / "phasesync.lock").unlink()  # lost: identity comes from the markers
    harness.emulator.reset_log()
    result = harness.run("sync")
    assert result.outcome is not None and result.outcome.error is None
    assert harness.writes() == 0 and len(harness.issues()) == 36
    assert {k: e.issue for k, e in harness.lock_items().items()} == numbers
    assert not [n for n in result.plan.notes if "duplicates" in n.message]


def test_people_text_above_and_below_the_block_survives_updates(harness: Harness) -> None:
    harness.run("push")
    n = harness.number_of(SIGN_IN)
    head, tail = "Context from the kick-off:\r\n\r\n> quoted\r\n\r\n", "\n\n---\nNotes below."
    harness.set_body(n, head + harness.issue(n).body + tail)
    line = SIGN_IN_LINE
    for word in (b" Again.", b" And again."):
        _edit(harness, line, line + word)
        line += word
        _later(harness)
        result = harness.run("push")
        assert result.outcome is not None and n in result.outcome.updated
        parts = split_body(harness.issue(n).body)
        assert (parts.head, parts.tail) == (head, tail)
        assert word.decode().strip() in (parts.block or "")
    _later(harness)
    harness.emulator.reset_log()
    harness.run("push")
    assert harness.writes() == 0


def test_a_title_over_the_forge_limit_is_shortened_and_blocks_nothing(harness: Harness) -> None:
    limit = MAX_TITLE_GITHUB if harness.kind == "github" else MAX_TITLE_GITLAB
    render = replace(harness.config.render, max_title=limit)
    harness.config = replace(harness.config, render=render)
    long = " ".join(["Password"] * 40) + " sign-in"  # 368 characters
    _edit(harness, b"**Password sign-in**", f"**{long}**".encode())
    result = harness.run("push")
    assert result.outcome is not None and result.outcome.error is None
    assert len(harness.issues()) == 36  # every item, the long one included
    key = next(k for k in harness.lock_items() if k.startswith("phase-2/functional/password-p"))
    issue = harness.issue(harness.number_of(key))
    assert len(issue.title) <= limit and issue.title.endswith("Password…")
    assert f"**Title:** {long}" in issue.body
    _later(harness)
    harness.emulator.reset_log()
    harness.run("push")
    assert harness.writes() == 0


def test_a_body_over_the_limit_with_people_text_skips_that_item_only(harness: Harness) -> None:
    harness.run("push")
    n = harness.number_of(SIGN_IN)
    big = harness.issue(n).body + "\n\n" + "people's notes " * 4400  # 66,000 characters
    harness.set_body(n, big)
    _edit(harness, SIGN_IN_LINE, SIGN_IN_LINE + b" Edited.")
    _edit(harness, RESET_LINE, RESET_LINE + b" Edited.")
    _later(harness)
    result = harness.run("push")
    assert result.outcome is not None and result.outcome.error is None
    (problem,) = result.plan.skipped
    assert problem.file.endswith(P2) and problem.line == 32
    assert "people's text on the forge included" in problem.message
    assert harness.issue(n).body == big  # nothing sent for it
    assert "Edited." in harness.issue(harness.number_of(RESET)).body  # the rest proceeds


def test_a_body_over_the_limit_found_when_apply_reads_it_skips_that_item_only(
    harness: Harness,
) -> None:
    harness.run("push")
    n = harness.number_of(SIGN_IN)
    big = harness.issue(n).body + "\n\n" + "people's notes " * 4400
    harness.set_body(n, big)
    _later(harness)
    harness.run("sync")  # the lock learns the issue has people's text
    _later(harness)
    _later(harness)
    # The issue is not in the next (incremental) listing: apply reads its body, and finds
    # the whole body too long when it composes it.
    _edit(harness, SIGN_IN_LINE, SIGN_IN_LINE + b" Edited.")
    _edit(harness, RESET_LINE, RESET_LINE + b" Edited.")
    result = harness.run("push")
    assert result.snapshot.since is not None and not result.plan.skipped
    assert result.outcome is not None and result.outcome.error is None
    (problem,) = result.outcome.problems
    assert f"#{n}" in problem.message and problem.file.endswith(P2)
    assert harness.issue(n).body == big
    assert "Edited." in harness.issue(harness.number_of(RESET)).body
    # The item stays unsynced (its lock entry is the old one): the next run says so again.
    _later(harness)
    again = harness.run("push")
    assert again.outcome is not None
    assert again.plan.skipped or again.outcome.problems
