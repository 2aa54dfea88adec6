"""Ten real-world planning documents: parse without raising, flip every box and back.

Line numbers below count line breaks as markdown-it does (`\\r\\n`, `\\r` or `\\n`), which is
also how `find_boxes` numbers lines.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from syncer.markdown.edit import Edit, apply_edits, box_edit
from syncer.markdown.parse import Box, find_boxes, parse_document
from syncer.model import SourcePos

CORPUS = Path(__file__).resolve().parents[2] / "tests" / "data" / "corpus"
FILES = sorted(p.name for p in CORPUS.glob("[0-9]*.md"))
_EOL = re.compile(rb"\r\n|\r|\n")
# What a box line independently looks like: indentation, quote marks and list markers (at
# least one), then the box.
_BOX_LINE = re.compile(rb"(?:[ \t]*>)*[ \t]*(?:(?:[-*+]|[0-9]+[.)])[ \t]+)+\[[ xX]\]")


def lines(name: str) -> list[bytes]:
    return _EOL.split((CORPUS / name).read_bytes())


def box_lines(name: str) -> set[int]:
    return {b.line for b in find_boxes((CORPUS / name).read_bytes())}


def pos(box: Box) -> SourcePos:
    return SourcePos("corpus.md", box.line, box.offset, box.offset + 2, 0, 0)


def test_corpus_is_all_there() -> None:
    assert len(FILES) == 10


@pytest.mark.parametrize("name", FILES)
def test_parses_and_every_box_flips_one_byte_each_way(name: str) -> None:
    data = (CORPUS / name).read_bytes()
    doc = parse_document(name, data)
    assert not doc.blocked
    boxes = find_boxes(data)
    assert boxes
    text_lines = _EOL.split(data)
    for box in boxes:
        assert _BOX_LINE.match(text_lines[box.line - 1])
        flipped = apply_edits(data, [box_edit(pos(box), not box.checked, data)])
        assert len(flipped) == len(data)
        assert [i for i in range(box.offset - 2, box.offset + 3) if flipped[i] != data[i]] == [
            box.offset
        ]
        assert flipped[: box.offset] == data[: box.offset]
        assert flipped[box.offset + 1 :] == data[box.offset + 1 :]
        # Ticking writes `x`; putting the original byte back restores an `X` as well.
        original = data[box.offset : box.offset + 1]
        back = apply_edits(flipped, [Edit(box.offset, box.offset + 1, original)])
        assert back == data
        if original != b"X":
            assert apply_edits(flipped, [box_edit(pos(box), box.checked, flipped)]) == data
    # All at once: a re-parse sees exactly the inverted states at the same places.
    everything = apply_edits(data, [box_edit(pos(b), not b.checked, data) for b in boxes])
    assert [(b.offset, b.line, not b.checked) for b in boxes] == [
        (b.offset, b.line, b.checked) for b in find_boxes(everything)
    ]


def test_02_counts() -> None:
    assert len(box_lines("02-issrc-smart-compression-roadmap.md")) == 73


def test_05_front_matter_and_deep_nesting() -> None:
    name = "05-require-kit-task002-figma-react.md"
    text = lines(name)
    assert text[0] == b"---" and text[69] == b"---"
    found = box_lines(name)
    assert len(found) == 122
    assert min(found) == 96
    assert {96, 97, 98} <= found


def test_06_non_boxes_and_commonmark_paragraph_continuations() -> None:
    name = "06-rs-llmspell-phase03-done.md"
    text = lines(name)
    found = box_lines(name)
    assert len(found) == 1553
    assert "[❌]".encode() in text[2025] and 2026 not in found
    assert "[✅]".encode() in text[3738] and 3739 not in found
    # `13.` cannot interrupt a paragraph in CommonMark, so the indented `- [x]` lines that
    # follow it are paragraph text, on GitHub as here.
    assert text[3158].startswith(b"    - [x] ")
    assert not found & set(range(3158, 3166))
    assert text[3611].startswith(b"11. [x]") and 3612 not in found
    doc = parse_document(name, (CORPUS / name).read_bytes())
    assert doc.phase is not None and doc.phase.number == "3"
    assert not doc.has_errors


def test_08_fenced_lines_are_not_boxes() -> None:
    name = "08-folder-mcp-phase9-epic.md"
    text = lines(name)
    found = box_lines(name)
    assert len(found) == 125
    assert not text[-1].endswith(b"\n")
    fences = [i + 1 for i, line in enumerate(text) if line.lstrip().startswith(b"```")]
    assert fences[:4] == [83, 89, 92, 94]
    assert text[205].startswith(b"- [x] ") and 206 in found  # after a closed fence


def test_11_stray_carriage_returns() -> None:
    name = "11-ga-wsus-roadmap-mixed-eol.md"
    data = (CORPUS / name).read_bytes()
    assert b"checking\r (completed" in data
    found = box_lines(name)
    assert found == {15, 16, 17, 19, 21, 22, 23}
    text = lines(name)
    assert text[17] == b" (completed 2026-02-20)"  # the text after a stray `\r`


def test_14_uppercase_and_legend() -> None:
    name = "14-focusbar-speckit-tasks-upper-x.md"
    data = (CORPUS / name).read_bytes()
    boxes = find_boxes(data)
    assert len(boxes) == 57
    assert all(data[b.offset : b.offset + 1] == b"X" for b in boxes)
    assert lines(name)[11].startswith(b"- **[P]**") and 12 not in {b.line for b in boxes}


def test_17_plus_markers_and_no_final_newline() -> None:
    name = "17-twobot-readme-plus-markers.md"
    text = lines(name)
    found = box_lines(name)
    assert found == set(range(25, 32))
    assert text[24].startswith(b"+ [")
    assert any(text[n - 1].lstrip().startswith(b"- [") for n in found)


def test_18_tab_indented_subtasks() -> None:
    name = "18-justenoughvcs-readme-tab-indent.md"
    text = lines(name)
    found = box_lines(name)
    assert len(found) == 26
    assert text[127].startswith(b"\t- [x]") and 128 in found
    assert set(range(127, 137)) <= found
    assert text[0].startswith(b"<p") and not found & set(range(1, 20))


def test_20_quotes_callouts_and_fences() -> None:
    name = "20-obsidian-tasks-callouts-blockquotes.md"
    text = lines(name)
    quoted = {24, 25, 31, 32, 37, 38, 44, 45}
    boxes = find_boxes((CORPUS / name).read_bytes())
    # Boxes in callouts and block quotes are boxes as GitHub renders them.
    assert {b.line for b in boxes} == {17, 18, 49, 50, 62, 63} | quoted
    assert {b.line for b in boxes if b.quoted} == quoted
    for n in quoted:
        assert text[n - 1].startswith(b">") and b"- [ ]" in text[n - 1]
    assert text[55] == b"```text"
    assert text[56] == b"- [ ] #task Task 1 Vanilla"  # inside the fence
    assert text[53].startswith(b"x - [ ]")  # not a list item
