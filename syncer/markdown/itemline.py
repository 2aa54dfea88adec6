"""Byte positions on the first line of a task-list item.

These regexes only ever run on one source line of a token that markdown-it already
recognised as a task-list item (the tasklists plugin marked it), to turn "this item's box"
into "this byte". They never decide what is an item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from syncer.markdown.source import Source
from syncer.model import IssueLink

# Indentation, then the block-quote marks and list markers that open on this line
# (`- 1. [ ]` nests two lists, `> > - [ ]` a list in a quote in a quote), then the box. The
# first paragraph of a task item starts with its box, so the leftmost box on that line is
# the item's.
_BOX = re.compile(rb"[ \t]*(?:(?:[-*+]|[0-9]{1,9}[.)])[ \t]+|>[ \t]*)*\[([ xX])\]")
_BLANKS = re.compile(rb"[ \t\v\f]*")
# ` ([#42](https://github.com/o/r/issues/42))`, GitLab `…/-/issues/42`, at the line's end.
_LINK = re.compile(rb"[ \t]*\(\[#([0-9]{1,9})\]\((https?://[^\s()]+/issues/([0-9]{1,9}))\)\)$")
# `**Title**:` (the template) or `**Title:**` at the start of a requirement's text.
_REQUIREMENT = re.compile(rb"\*\*([^\s*](?:.*?[^\s*])?)[ \t]*(?::\*\*|\*\*[ \t]*:)")


def locate_box(source: Source, line: int) -> int | None:
    """Byte offset of the character inside the box on 0-based `line`, or None."""
    start, end = source.line_span(line)
    m = _BOX.match(source.data, start, end)
    return m.start(1) if m else None


@dataclass(frozen=True, slots=True)
class ItemLine:
    """The first line of a task item, cut into byte spans.

    `text_start`/`text_end`: the text after the box, without a trailing issue link or blanks.
    `line_end`: just past the last non-blank byte of the line (the link's end when there is one).
    """

    box: int
    text_start: int
    text_end: int
    line_end: int
    link: IssueLink | None


def split_item_line(source: Source, line: int, box: int) -> ItemLine:
    """Cut the item line holding the box at byte `box` into text, link and end spans."""
    data = source.data
    _, end = source.line_span(line)
    line_end = source.content_end(box + 2, end)
    blanks = _BLANKS.match(data, box + 2, line_end)
    text_start = blanks.end() if blanks else box + 2
    text_end = line_end
    link = None
    # Cheap test first: only a line ending in `))` can carry a link.
    if data[line_end - 2 : line_end] == b"))":
        m = _LINK.search(data, text_start, line_end)
        if m and m.group(1) == m.group(3):
            link = IssueLink(int(m.group(1)), m.group(2).decode("ascii"))
            text_end = source.content_end(text_start, m.start())
    return ItemLine(box, text_start, text_end, line_end, link)


@dataclass(frozen=True, slots=True)
class RequirementSpans:
    """`**Title**: description` on a requirement's first line, as byte spans."""

    title_start: int
    title_end: int
    description_start: int


def split_requirement(source: Source, item: ItemLine) -> RequirementSpans | None:
    """The `**Title**:` spans of a requirement line, or None when the text has no such title."""
    m = _REQUIREMENT.match(source.data, item.text_start, item.text_end)
    if m is None:
        return None
    blanks = _BLANKS.match(source.data, m.end(), item.text_end)
    return RequirementSpans(m.start(1), m.end(1), blanks.end() if blanks else m.end())
