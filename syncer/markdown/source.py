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
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

BOM = b"\xef\xbb\xbf"

# The same line-break rule as markdown-it's `normalize` core rule (`\r\n?|\n`).
_EOL = re.compile(rb"\r\n|\r|\n")
# Blanks that end a line's content; the line terminator itself is never part of a line span.
_TRAILING_BLANKS = b" \t\v\f"
_LEADING_MARKERS = re.compile(rb"[ \t]*(?:(?:[-*+]|[0-9]{1,9}[.)])[ \t]+)*")


# Inline rules that only shape rendered HTML. phasesync reads block structure and the raw
# `content` of inline tokens, which the block parser fills in before any inline rule runs,
# so turning these off changes no block token and saves a fifth of the tokenize time.
# The tasklists plugin still gets its inline children: the `text` rule stays on.
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


@cache
def markdown_parser(*, render_inline: bool = False) -> MarkdownIt:
    """The configured parser: CommonMark, tables, front matter, task lists.

    `render_inline=True` keeps every inline rule (tests compare block structure with it).
    Built once: `MarkdownIt.parse` keeps no state between calls, so one instance serves
    every document.
    """
    md = MarkdownIt("commonmark").enable("table").use(front_matter_plugin).use(tasklists_plugin)
    return md if render_inline else md.disable(_RENDER_ONLY_INLINE_RULES)


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
