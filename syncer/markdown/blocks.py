"""One walk over markdown-it's token stream: headings, list items, paragraphs and boxes.

The walk decides what is a task-list item from the tokens alone (the tasklists plugin marks
`list_item_open` with the `task-list-item` class), so lines inside code fences, indented
code, HTML blocks, tables and front matter can never become items. Items inside block
quotes (and Obsidian/GitHub callouts, which are block quotes) are boxes as GitHub renders
them; they are marked `quoted`, and the phase builder decides what they are. Both
`parse_document` and `find_boxes` use this walk, so they agree on what a box is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markdown_it.token import Token

from syncer.markdown.itemline import locate_box
from syncer.markdown.source import Source


@dataclass(frozen=True, slots=True)
class Box:
    """A real task-list box: `offset` is the byte inside the brackets, `line` is 1-based."""

    offset: int
    line: int
    checked: bool
    quoted: bool = False


@dataclass(slots=True, eq=False)
class Heading:
    """A top-level heading; `parent` is the nearest enclosing heading of a lower level."""

    level: int
    text: str
    line: int  # 0-based
    parent: Heading | None

    def within(self, casefolded: str) -> bool:
        """True when this heading or one of its ancestors has exactly this (casefolded) text."""
        heading: Heading | None = self
        while heading is not None:
            if heading.text.casefold() == casefolded:
                return True
            heading = heading.parent
        return False


@dataclass(slots=True, eq=False)
class Entry:
    """One list item (in a block quote too, then `quoted`).

    `line` is the 0-based line of the item's first paragraph (of the item itself when it
    does not start with a paragraph); `text` is that paragraph's inline content as written,
    lines joined by `\\n` (a task item's text starts with its box). `box` is set for
    task-list items only.
    """

    line: int
    text: str
    heading: Heading | None
    parent: Entry | None
    box: Box | None
    quoted: bool = False  # inside a block quote or callout


@dataclass(slots=True, eq=False)
class Paragraph:
    """A top-level paragraph (not in a list or a quote)."""

    line: int
    text: str
    heading: Heading | None


@dataclass(slots=True, eq=False)
class Table:
    """A top-level table: its header cells and its rows, as inline text."""

    line: int  # 0-based
    header: list[str]
    rows: list[list[str]]
    heading: Heading | None


@dataclass(slots=True)
class Outline:
    """What the walk found, in document order."""

    headings: list[Heading] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    # 0-based lines of task items whose box the line scan could not place; never expected,
    # reported rather than guessed at.
    unlocated: list[int] = field(default_factory=list)


def outline(source: Source) -> Outline:
    """Tokenize `source` once and collect its headings, list items, paragraphs and boxes."""
    tokens = source.tokens()
    result = Outline()
    heading_stack: list[Heading] = []
    current: Heading | None = None
    # One slot per open list item.
    items: list[Entry] = []
    quotes = 0
    for i, tok in enumerate(tokens):
        kind = tok.type
        if kind == "list_item_open":
            entry = _entry(
                source, tokens, i, current, items[-1] if items else None, result, quotes > 0
            )
            items.append(entry)
            result.entries.append(entry)
        elif kind == "list_item_close":
            items.pop()
        elif kind == "blockquote_open":
            quotes += 1
        elif kind == "blockquote_close":
            quotes -= 1
        elif kind == "heading_open" and tok.level == 0 and tok.map:
            # level 0: not inside a list item or a quote, where a heading does not open a
            # section of the plan.
            level = int(tok.tag[1:])
            while heading_stack and heading_stack[-1].level >= level:
                heading_stack.pop()
            text = tokens[i + 1].content.strip()
            parent = heading_stack[-1] if heading_stack else None
            current = Heading(level, text, tok.map[0], parent)
            heading_stack.append(current)
            result.headings.append(current)
        elif kind == "paragraph_open" and tok.level == 0 and tok.map:
            result.paragraphs.append(Paragraph(tok.map[0], tokens[i + 1].content, current))
        elif kind == "table_open" and tok.level == 0 and tok.map:
            result.tables.append(Table(tok.map[0], [], [], current))
        elif (
            kind == "tr_open"
            and result.tables
            and tok.level == 2
            and tokens[i - 1].type == "thead_open"
        ):
            result.tables[-1].header = _cells(tokens, i)
        elif kind == "tr_open" and result.tables and tok.level == 2:
            result.tables[-1].rows.append(_cells(tokens, i))
    return result


def _cells(tokens: list[Token], i: int) -> list[str]:
    """The inline text of each cell of the table row opened at `tokens[i]`."""
    cells: list[str] = []
    for tok in tokens[i + 1 :]:
        if tok.type == "tr_close":
            break
        if tok.type == "inline":
            cells.append(tok.content.strip())
    return cells


def _entry(
    source: Source,
    tokens: list[Token],
    i: int,
    heading: Heading | None,
    parent: Entry | None,
    result: Outline,
    quoted: bool,
) -> Entry:
    tok = tokens[i]
    line = tok.map[0] if tok.map else 0
    text = ""
    para = tokens[i + 1] if i + 1 < len(tokens) else None
    if para is not None and para.type == "paragraph_open" and para.map:
        line = para.map[0]
        text = tokens[i + 2].content
    box = None
    css = tok.attrs.get("class")
    if isinstance(css, str) and css.startswith("task-list-item"):
        offset = locate_box(source, line)
        if offset is None:
            result.unlocated.append(line)
        else:
            box = Box(offset, line + 1, source.data[offset] != 0x20, quoted)
            result.boxes.append(box)
    return Entry(line, text, heading, parent, box, quoted)
