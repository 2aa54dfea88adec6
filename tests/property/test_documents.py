"""Generated phase documents: box edits touch exactly their bytes and round-trip; any input
parses without raising."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncer.markdown.edit import Edit, apply_edits, box_edit
from syncer.markdown.parse import find_boxes, parse_document
from syncer.model import SourcePos

MARKERS = ["-", "*", "+", "1."]
INDENTS = ["  ", "    ", "\t"]
WORDS = st.sampled_from(["alpha", "beta", "Ελληνικά", "日本語", "`code`", "*em*", "a [b](c)"])


@dataclass(frozen=True)
class Generated:
    data: bytes
    states: list[bool]  # every real box, in document order
    requirements: int
    tasks: int


@st.composite
def documents(draw: st.DrawFn) -> Generated:
    lines: list[str] = []
    states: list[bool] = []
    counter = iter(range(10_000))

    def box() -> str:
        checked = draw(st.booleans())
        states.append(checked)
        return draw(st.sampled_from(["x", "X"])) if checked else " "

    def words() -> str:
        return " ".join(draw(st.lists(WORDS, min_size=1, max_size=3)))

    def noise() -> None:
        # Box-looking lines that are not items: code, tables, legends (not boxes at all) and
        # quotes (boxes as GitHub renders them, but citations in a phase-template document).
        kind = draw(st.sampled_from(["none", "fence", "indented", "quote", "table", "legend"]))
        if kind == "fence":
            lines.extend(["", "```", "- [ ] in a fence", "```", ""])
        elif kind == "indented":
            # A paragraph first ends any open list, else the indented line would nest in it.
            lines.extend(["", "Some text.", "", "    - [x] indented code", ""])
        elif kind == "quote":
            lines.extend(["", "> - [ ] quoted", ""])
        elif kind == "table":
            lines.extend(["", "| a | b |", "|---|---|", "| [ ] | - [x] |", ""])
        elif kind == "legend":
            lines.extend(["", "- [P] parallel", ""])

    lines.append(f"# Phase {draw(st.integers(1, 99))}: {words()}")
    requirements = 0
    for section in draw(st.lists(st.sampled_from(["Functional", "Technical"]), max_size=2)):
        lines.extend(["", f"### {section} Requirements"])
        for _ in range(draw(st.integers(0, 3))):
            marker = draw(st.sampled_from(MARKERS))
            n = next(counter)
            lines.append(f"{marker} [{box()}] **Requirement {n}**: {words()}")
            lines.append("  - Priority: High")
            requirements += 1
        noise()
    tasks = 0
    lines.extend(["", "## Implementation Plan"])
    for week in range(1, draw(st.integers(0, 3)) + 1):
        lines.extend(["", f"#### Week {week}: {words()}"])
        for _ in range(draw(st.integers(0, 3))):
            marker = draw(st.sampled_from(MARKERS))
            lines.append(f"{marker} [{box()}] Task {next(counter)} {words()}")
            tasks += 1
            indent = draw(st.sampled_from(INDENTS))
            width = len(marker) + 1 if indent != "\t" else 0
            for _ in range(draw(st.integers(0, 2))):
                pad = indent if indent == "\t" else " " * max(len(indent), width)
                lines.append(f"{pad}- [{box()}] sub {next(counter)}")
        noise()
    lines.extend(["", "## Success Criteria"])
    for _ in range(draw(st.integers(0, 3))):
        lines.append(f"- [{box()}] criterion {next(counter)}")
    noise()
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    text = eol.join(lines) + (eol if draw(st.booleans()) else "")
    data = (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + text.encode()
    return Generated(data, states, requirements, tasks)


def _pos(offset: int) -> SourcePos:
    return SourcePos("gen.md", 1, offset, offset + 2, 0, 0)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents(), data=st.data())
def test_setting_boxes_changes_exactly_those_bytes(doc: Generated, data: st.DataObject) -> None:
    boxes = find_boxes(doc.data)
    assert [b.checked for b in boxes if not b.quoted] == doc.states
    assert sum(b.quoted for b in boxes) == doc.data.count(b"> - [ ] quoted")
    parsed = parse_document("gen.md", doc.data)
    assert parsed.phase is not None
    assert len(parsed.phase.requirements) == doc.requirements
    assert len(parsed.phase.tasks) == doc.tasks

    wanted = data.draw(st.lists(st.booleans(), min_size=len(boxes), max_size=len(boxes)))
    edits = [
        box_edit(_pos(b.offset), want, doc.data) for b, want in zip(boxes, wanted, strict=True)
    ]
    changed = apply_edits(doc.data, edits)
    assert len(changed) == len(doc.data)
    diff = [i for i, (a, b) in enumerate(zip(doc.data, changed, strict=True)) if a != b]
    assert diff == [b.offset for b, want in zip(boxes, wanted, strict=True) if b.checked != want]
    assert [b.checked for b in find_boxes(changed)] == wanted

    # Setting every box back to its old state restores the original bytes; the original
    # byte is written back so that an uppercase `X` stays an `X`.
    back = apply_edits(
        changed, [Edit(b.offset, b.offset + 1, doc.data[b.offset : b.offset + 1]) for b in boxes]
    )
    assert back == doc.data
    # With box_edit, a box that went X -> unticked -> ticked comes back as a lowercase `x`.
    expected = bytearray(doc.data)
    for b, want in zip(boxes, wanted, strict=True):
        if b.checked != want and expected[b.offset] == ord("X"):
            expected[b.offset] = ord("x")
    toggled_back = [box_edit(_pos(b.offset), b.checked, changed) for b in boxes]
    assert apply_edits(changed, toggled_back) == bytes(expected)


MARKDOWN_BITS = st.sampled_from(
    [
        "- [ ] ",
        "* [x] ",
        "1. [X] ",
        "# Phase 1: x\n",
        "## Implementation Plan\n",
        "#### Week 1: w\n",
        "### Functional Requirements\n",
        "### Key Milestones\n- **2026-02-30**: m\n",
        "**Priority**: ",
        "```\n",
        "~~~",
        "> ",
        "\r",
        "\n",
        "\r\n",
        "\t",
        "    ",
        "**",
        "[",
        "]",
        "(",
        ")",
        "([#1](https://h/o/r/issues/1))",
        "|",
        "---\n",
        "\ufeff",
        "\x00",
        "<div>\n",
        "é",
        "a",
    ]
)


@settings(max_examples=200, deadline=None)
@given(text=st.lists(MARKDOWN_BITS, max_size=40).map("".join))
def test_markdown_like_text_never_raises(text: str) -> None:
    data = text.encode()
    doc = parse_document("any.md", data)
    for box in find_boxes(data):
        assert data[box.offset : box.offset + 1] in (b" ", b"x", b"X")
    if doc.phase is not None:
        for item in doc.phase.items:
            assert data[item.pos.box - 1 : item.pos.box + 2] in (b"[ ]", b"[x]", b"[X]")
            assert item.pos.title_start <= item.pos.title_end <= item.pos.line_end


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=300) | st.text(max_size=200).map(str.encode))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    doc = parse_document("any.md", data)
    assert doc.data == data
    find_boxes(data)
