"""Whatever the document says, its text never becomes phasesync's markup, and whatever
people write around the managed block on the forge is theirs.

Generated documents carry markers, comments, backticks, mentions, control characters and
CRLF in item titles, descriptions and sub-tasks. Pushed to the emulator (GitHub and GitLab,
through the real clients), every body is a fixed point after one push: a second push sends
no write, and the key read back from each body is the item's own. Text written above and
below the block survives every later update, byte for byte.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import responses
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from syncer.forges import open_forge
from syncer.forges.emulator.core import mount
from syncer.markdown.parse import parse_document
from syncer.sync.body import BEGIN, END, key_of, split_body
from tests.contract.conftest import API, REPO, TOKEN, Harness, make_emulator

DOC = "phase-7-safety.md"

# Pieces that have broken phasesync's structure, or could: its markers, comments, code.
TRICKS = [
    "<!-- phasesync:end -->",
    "<!-- phasesync:begin -->",
    "<!-- phasesync:key=phase-7/functional/other -->",
    "<!-- phasesync:file=elsewhere.md -->",
    "<!--",
    "-->",
    "<!-- a comment -->",
    "`",
    "```",
    "`<!-- phasesync:end -->`",
    "@alice",
    "&#64;bob",
    "_@carol_",
    "**",
    "[x](y)",
    "\\",
    "\x1b[31m",
    "\u202e",
    "…",
    "日本語",
]
WORD = st.one_of(
    st.sampled_from(TRICKS),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=8),
)


def line_text(draw: st.DrawFn, min_words: int = 1) -> str:
    words = draw(st.lists(WORD, min_size=min_words, max_size=5))
    # One line of the document: line breaks would start another block.
    text = " ".join(words).replace("\r", " ").replace("\n", " ")
    return " ".join(text.split(" "))


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    title = line_text(draw)
    description = line_text(draw)
    # A description may run on over a second line (CRLF or LF).
    if draw(st.booleans()):
        description += "\n  " + line_text(draw)
    task = line_text(draw)
    subtasks = [line_text(draw) for _ in range(draw(st.integers(0, 2)))]
    lines = [
        "# Phase 7: Safety",
        "",
        "### Functional Requirements",
        f"- [ ] **{title}**: {description}",
        f"  - Acceptance Criteria: {line_text(draw)}",
        "",
        "## Implementation Plan",
        "",
        f"#### Week 1: {line_text(draw)}",
        f"- [ ] {task}",
        *(f"  - [{' x'[i % 2]}] {s}" for i, s in enumerate(subtasks)),
        "",
    ]
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    return eol.join(lines).encode("utf-8")


@contextmanager
def harness(kind: str, data: bytes) -> Iterator[Harness]:
    root = Path(tempfile.mkdtemp(prefix="phasesync-safety-"))
    folder = root / "docs" / "phases"
    folder.mkdir(parents=True)
    (folder / DOC).write_bytes(data)
    try:
        with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
            emulator = make_emulator(kind)
            mount(emulator, rsps, API[kind])
            forge = open_forge(kind, REPO, TOKEN, API[kind], sleep=lambda s: None)
            yield Harness(kind, emulator, forge, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _items(data: bytes) -> dict[str, str]:
    """key -> title of the generated document's items; skips documents that do not parse
    into exactly the two items (a generated title may be empty or a placeholder)."""
    doc = parse_document(DOC, data)
    assume(doc.phase is not None and not doc.has_errors and len(doc.phase.items) == 2)
    assert doc.phase is not None
    return {str(i.key): i.issue_title for i in doc.phase.items}


SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.mark.parametrize("kind", ["github", "gitlab"])
@SETTINGS
@given(data=documents())
def test_a_body_is_a_fixed_point_after_one_push_whatever_the_text(kind: str, data: bytes) -> None:
    items = _items(data)
    with harness(kind, data) as h:
        first = h.run("push")
        assert first.outcome is not None and first.outcome.error is None
        assert not first.plan.skipped
        bodies = {i.number: i.body for i in h.issues()}
        assert len(bodies) == len(items)
        for key in items:
            body = bodies[h.number_of(key)]
            assert key_of(body) == key  # the item's own key, whatever its text says
            parts = split_body(body)
            assert parts.block == body and parts.head == parts.tail == ""
            assert body.count(BEGIN) == 1 and body.count(END) == 1
        h.emulator.reset_log()
        h.emulator.advance(15 * 60)
        second = h.run("push")
        assert second.outcome is not None and second.outcome.error is None
        assert h.writes() == 0, second.plan
        assert {i.number: i.body for i in h.issues()} == bodies


PEOPLE = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40
) | st.sampled_from(
    [
        "Notes from the call:\r\n\r\n- ask legal\r\n",
        "<!-- phasesync:begin -->\n",  # look-alike markers, alone
        "x<!-- phasesync:begin -->",
        "<!-- phasesync:end -->\n",
        "see above <!-- a comment -->\n\n",
        "\n\n",
    ]
)


@pytest.mark.parametrize("kind", ["github", "gitlab"])
@SETTINGS
@given(data=documents(), head=PEOPLE, tail=PEOPLE, edits=st.integers(1, 3))
def test_text_around_the_block_survives_every_update(
    kind: str, data: bytes, head: str, tail: str, edits: int
) -> None:
    items = _items(data)
    with harness(kind, data) as h:
        h.run("push")
        key = next(iter(items))
        n = h.number_of(key)
        h.set_body(n, head + h.issue(n).body + tail)
        path = h.doc(DOC)
        for round_ in range(edits):
            # The document changes, and someone edits inside the block on the forge: the
            # block is rewritten, people's text around it stays.
            text = path.read_bytes()
            marker = b"Acceptance Criteria: "
            path.write_bytes(text.replace(marker, marker + f"v{round_} ".encode(), 1))
            body = h.issue(n).body
            h.set_body(n, body.replace("Managed by phasesync", "Managed by hand", 1))
            h.emulator.advance(15 * 60)
            result = h.run("push")
            assert result.outcome is not None and result.outcome.error is None
            assert n in result.outcome.updated
            parts = split_body(h.issue(n).body)
            assert parts.head == head and parts.tail == tail
            assert parts.key == key and "Managed by phasesync" in (parts.block or "")
        h.emulator.reset_log()
        h.emulator.advance(15 * 60)
        h.run("push")
        assert h.writes() == 0
