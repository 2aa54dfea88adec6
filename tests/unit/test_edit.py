"""Byte-exact edits: boxes, links, titles, and the self-check of `apply_edits`."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncer.errors import EditError
from syncer.markdown.edit import Edit, _verify, apply_edits, box_edit, link_edit, title_edit
from syncer.markdown.parse import parse_document
from syncer.model import Document, Phase, SourcePos

EXAMPLES = Path(__file__).resolve().parents[2] / "syncer" / "data" / "examples"


def example(name: str) -> Document:
    return parse_document(name, (EXAMPLES / name).read_bytes())


def phase(doc: Document) -> Phase:
    assert doc.phase is not None
    return doc.phase


def diff_offsets(a: bytes, b: bytes) -> list[int]:
    assert len(a) == len(b)
    return [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]


def test_apply_edits_any_order_and_insertions() -> None:
    data = b"0123456789"
    edits = [Edit(8, 10, b"XY"), Edit(0, 0, b">"), Edit(3, 5, b""), Edit(5, 5, b"+")]
    assert apply_edits(data, edits) == b">012+567XY"
    assert apply_edits(data, []) == data


@pytest.mark.parametrize(
    "edits",
    [
        [Edit(2, 5, b"a"), Edit(4, 6, b"b")],  # overlap
        [Edit(3, 3, b"a"), Edit(3, 3, b"b")],  # two insertions at one point
        [Edit(5, 11, b"a")],  # out of range
        [Edit(-1, 0, b"a")],
        [Edit(4, 3, b"a")],
        [Edit(0, 1, b"x", expect=b"9")],  # the span no longer holds what the parse saw
    ],
)
def test_apply_edits_refuses(edits: list[Edit]) -> None:
    with pytest.raises(EditError):
        apply_edits(b"0123456789", edits, path="doc.md")


@pytest.mark.parametrize(
    "after",
    [b">012+567XZ", b">012+5 67XY", b"?012+567XY", b">012+567X", b">012-567XY"],
)
def test_verification_catches_any_stray_byte(after: bytes) -> None:
    """The self-check compares both sides span by span, including the edited spans."""
    edits = sorted(
        [Edit(8, 10, b"XY"), Edit(0, 0, b">"), Edit(3, 5, b""), Edit(5, 5, b"+")],
        key=lambda e: (e.start, e.end),
    )
    _verify(b"0123456789", b">012+567XY", edits, "doc.md")
    with pytest.raises(EditError):
        _verify(b"0123456789", after, edits, "doc.md")


def test_adjacent_edits_are_fine() -> None:
    assert apply_edits(b"abc", [Edit(1, 2, b"B"), Edit(2, 2, b"!"), Edit(2, 3, b"C")]) == b"aB!C"


def test_box_edits_change_one_byte_each_on_crlf_bom_document() -> None:
    doc = example("phase-3-workspaces.md")
    data = doc.data
    items = phase(doc).items
    ticked = apply_edits(data, [box_edit(i.pos, True, data) for i in items])
    changed = diff_offsets(data, ticked)
    assert changed == sorted(i.pos.box for i in items if not i.checked)
    assert all(ticked[o : o + 1] == b"x" for o in changed)
    # The uppercase X of an already-ticked item stays.
    assert ticked[items[0].pos.box : items[0].pos.box + 1] == b"X"
    reparsed = phase(parse_document(doc.path, ticked))
    assert all(i.checked for i in reparsed.items)
    restored = apply_edits(ticked, [box_edit(i.pos, i.checked, ticked) for i in items])
    assert restored == data


def test_box_edit_without_data_and_on_a_non_box() -> None:
    pos = SourcePos("d.md", 1, 3, 10, 6, 10)
    assert box_edit(pos, True) == Edit(3, 4, b"x")
    assert box_edit(pos, False) == Edit(3, 4, b" ")
    with pytest.raises(EditError):
        box_edit(pos, True, b"- [?] nope")


def test_link_edit_appends_at_line_end_and_reparses_as_link() -> None:
    doc = example("phase-2-authentication.md")
    req = phase(doc).requirements[1]
    url = "https://github.com/o/r/issues/42"
    out = apply_edits(doc.data, [link_edit(req.pos, 42, url)])
    line_end = req.pos.line_end
    suffix = b" ([#42](https://github.com/o/r/issues/42))"
    assert out == doc.data[:line_end] + suffix + doc.data[line_end:]
    again = phase(parse_document(doc.path, out)).requirements[1]
    assert again.link is not None and (again.link.number, again.link.url) == (42, url)
    assert (again.key, again.title, again.description) == (req.key, req.title, req.description)
    assert again.pos.line_end == line_end + len(suffix)
    with pytest.raises(EditError):
        link_edit(req.pos, 1, "https://x/(y)")


def test_title_edit_renames_only_the_title() -> None:
    doc = example("phase-2-authentication.md")
    req = phase(doc).requirements[1]
    out = apply_edits(doc.data, [title_edit(req.pos, "Password log-in ✓", "utf-8")])
    again = phase(parse_document(doc.path, out)).requirements[1]
    assert again.title == "Password log-in ✓"
    assert again.description == req.description
    assert out.replace("Password log-in ✓".encode(), b"Password sign-in", 1) == doc.data
    with pytest.raises(EditError):
        title_edit(req.pos, "two\nlines")


def test_edits_preserve_missing_final_newline_and_trailing_blanks() -> None:
    data = b"# Phase 1: T\n## Implementation Plan\n#### Week 1: W\n- [ ] a \t\n- [ ] b"
    doc = parse_document("d.md", data)
    a, b = phase(doc).tasks
    out = apply_edits(data, [box_edit(b.pos, True, data), link_edit(a.pos, 3, "https://h/i/3")])
    assert out == data.replace(b"- [ ] a", b"- [ ] a ([#3](https://h/i/3))").replace(
        b"- [ ] b", b"- [x] b"
    )
    assert out.endswith(b"[x] b")
