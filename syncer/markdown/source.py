"""A document's bytes, its decoded text and the map between markdown-it lines and bytes.

markdown-it-py works on `str` and normalises `\\r\\n` and a lone `\\r` to `\\n` before it
splits lines, so its `Token.map` line numbers count every one of those as a line break.
`Source` splits the original bytes by the same rule once, so that a token's line number
gives the byte offset of that line in the file as it is on disk (byte-order mark included).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

BOM = b"\xef\xbb\xbf"

# The same line-break rule as markdown-it's `normalize` core rule (`\r\n?|\n`).
_EOL = re.compile(rb"\r\n|\r|\n")
# Blanks that end a line's content; the line terminator itself is never part of a line span.
_TRAILING_BLANKS = b" \t\v\f"
_LEADING_MARKERS = re.compile(rb"[ \t]*(?:(?:[-*+]|[0-9]{1,9}[.)])[ \t]+|>[ \t]*)*")


# Inline rules that only shape rendered HTML. phasesync reads block structure and the raw
# `content` of inline tokens, which the block parser fills in before any inline rule runs,
# so turning these off changes no block token and saves a fifth of the tokenize time.
_RENDER_ONLY_INLINE_RULES = [
    "newline",
    "escape",
    "backticks",
    "emphasis",
    "link",
    "image",
    "autolink",
    "html_inline",
    "entity",
    "balance_pairs",
    "fragments_join",
]
# The tasklists plugin's own test for a task item's text (GFM whitespace after the box).
_TASK_TEXT = re.compile(r"\[[ xX]\][ \t\n\v\f\r]+")


def _mark_task_items(state: StateCore) -> None:
    """The tasklists plugin's core rule, minus its cost: one pass, no backward search.

    mdit_py_plugins' rule looks backwards from every task item for its enclosing list,
    which is quadratic in the length of a list (31 x the tokenize time on one list of
    10,000 items). This rule marks the same tokens with the same classes, using a stack of
    open lists; it leaves the inline children alone, since phasesync never renders HTML.
    """
    tokens = state.tokens
    lists: list[Token] = []
    for i, tok in enumerate(tokens):
        kind = tok.type
        if kind == "bullet_list_open" or kind == "ordered_list_open":
            lists.append(tok)
        elif kind == "bullet_list_close" or kind == "ordered_list_close":
            lists.pop()
        elif (
            kind == "inline"
            and i >= 2
            and tokens[i - 1].type == "paragraph_open"
            and tokens[i - 2].type == "list_item_open"
            and _TASK_TEXT.match(tok.content)
        ):
            tokens[i - 2].attrSet("class", "task-list-item")
            if lists:
                lists[-1].attrSet("class", "contains-task-list")


@cache
def markdown_parser(*, render_inline: bool = False) -> MarkdownIt:
    """The configured parser: CommonMark, tables, front matter, task lists.

    The tasklists plugin is installed, and its core rule then replaced by `_mark_task_items`
    (same tokens marked, linear time). `render_inline=True` keeps every inline rule and the
    plugin's own rule (tests compare block structure with it). Built once: `MarkdownIt.parse`
    keeps no state between calls, so one instance serves every document.
    """
    md = MarkdownIt("commonmark").enable("table").use(front_matter_plugin).use(tasklists_plugin)
    if render_inline:
        return md
    md.core.ruler.at("github-tasklists", _mark_task_items)
    # Nothing reads inline children: the core "inline" rule (a quarter of the parse time on
    # a large plan) is off, and the block parser's `content` of each inline token is used.
    md.core.ruler.disable("inline")
    return md.disable(_RENDER_ONLY_INLINE_RULES)


class Source:
    """One document's bytes, decoded once, with the byte offset of every line.

    `line_starts[n]` is the byte offset of 0-based line `n` as markdown-it numbers lines.
    Line 0 starts after the byte-order mark, so a regex run from a line start never sees it.
    """

    __slots__ = ("bom", "data", "decode_error", "line_starts", "text")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.bom = len(BOM) if data.startswith(BOM) else 0
        body = data[self.bom :]
        self.decode_error: int | None = None
        try:
            self.text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            # Invalid bytes become U+FFFD; line breaks are ASCII, so line numbering and the
            # byte offsets computed from `data` are unaffected.
            self.decode_error = self.bom + exc.start
            self.text = body.decode("utf-8", errors="replace")
        starts = [self.bom]
        starts.extend(m.end() for m in _EOL.finditer(data, self.bom))
        self.line_starts = starts

    def tokens(self) -> list[Token]:
        """markdown-it's block token stream for the whole document (inline rules included)."""
        return markdown_parser().parse(self.text)

    @property
    def line_count(self) -> int:
        return len(self.line_starts)

    def line_span(self, line: int) -> tuple[int, int]:
        """Byte span `[start, end)` of 0-based `line`, without its line terminator."""
        start = self.line_starts[line]
        if line + 1 >= len(self.line_starts):
            return start, len(self.data)
        end = self.line_starts[line + 1]
        if self.data[end - 2 : end] == b"\r\n" and end - 2 >= start:
            return start, end - 2
        return start, end - 1

    def content_end(self, start: int, end: int) -> int:
        """Offset just past the last non-blank byte in `[start, end)` (or `start`)."""
        while end > start and self.data[end - 1] in _TRAILING_BLANKS:
            end -= 1
        return end

    def decode(self, start: int, end: int) -> str:
        return self.data[start:end].decode("utf-8", errors="replace")

    def line_of_offset(self, offset: int) -> int:
        """0-based line that holds byte `offset`."""
        return max(bisect_right(self.line_starts, offset) - 1, 0)

    def col(self, offset: int) -> int:
        """1-based column (in characters) of byte `offset` on its line."""
        start = self.line_starts[self.line_of_offset(offset)]
        return len(self.decode(start, offset)) + 1

    def text_col(self, line: int) -> int:
        """1-based column where a line's text starts, after indentation and list markers."""
        start, end = self.line_span(line)
        m = _LEADING_MARKERS.match(self.data, start, end)
        return self.col(m.end() if m else start)
