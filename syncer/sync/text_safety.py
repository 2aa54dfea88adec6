"""Text safety: document text made safe to show on the forge, and forge text made safe to
write into a document.

Document text can never become phasesync's markup: every `<!--` rendered from a document is
broken with a zero-width space (`neutralise`), so the only HTML comments in a block are the
ones phasesync writes. Mentions are made code (`escape_mentions`) so that a push notifies
nobody; titles lose control characters and bidirectional overrides and fit the forge's
limit (`forge_title`); a title from the forge is escaped into document text (`escape_title`,
the inverse of `plain_title`).
"""

from __future__ import annotations

import bisect
import functools
import html
import re
from collections.abc import Callable
from dataclasses import replace

from syncer.model import Diagnostic, Document, Severity

# `<!--` in document text, broken by a zero-width space: shown as `<!--` on the forge, never
# an HTML comment, never a marker.
_COMMENT_OPEN = "<!--"
_COMMENT_BROKEN = "<\u200b!--"
# Issue titles: C0 and C1 controls become spaces; bidirectional embeddings, overrides and
# isolates are removed (they reorder what a reader sees).
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# CommonMark backslash escapes (`\*`) and character references (`&#42;`, `&lt;`), outside
# code spans: an issue title shows the text the document's Markdown reads as.
_TITLE_ESCAPE = re.compile(
    r"\\([!-/:-@\[-`{-~])|&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)
# Forge limits on titles, in characters: GitHub 256, GitLab 255.
MAX_TITLE_GITHUB = 256
MAX_TITLE_GITLAB = 255
# Every form of `@name` that GitHub or GitLab turn into a notification: the sign itself, its
# character references, the full-width and small forms, after a backslash, inside emphasis
# (`_@a_`, `*@a*`) and link text (`[@a](u)`), after any punctuation (`/@a`, `.@a`), and
# `@org/team`. Not an e-mail address (`a@b.com`: a letter before the sign) nor a URL.
_AT = r"(?:@|\uff20|\ufe6b|&#0*64;|&#[xX]0*40;|&commat;)"
_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:/[A-Za-z0-9][\w.-]*)?"
# A run of backslashes before the sign is part of the match (an odd run escapes the sign,
# which still notifies); `@a@b` is one match, so that no `@b` starts a text of its own.
_MENTION = re.compile(
    r"(?<!\\)(\\*)(" + _AT + _NAME + r"(?:(?:\\(?:\\\\)*)?" + _AT + _NAME + r")*)"
)
_TICKS = re.compile(r"`+")
_BLANK_LINE = re.compile(r"\n[ \t]*(?:\r?\n|$)")
# Where a sign is no mention: URLs (GitHub links them), link destinations, autolinks.
_URL = re.compile(
    r"(?:https?://|www\.|mailto:)[^\s<>()\[\]`]*|\]\([^)\s]*\)?|<[A-Za-z][\w+.-]*:[^\s<>]*>"
)
# Code that `escape_mentions` leaves alone: fenced blocks (``` or ~~~) and code spans.
# A backtick fence's info string holds no backtick; a fence closes on a run at least as long.
_FENCE = re.compile(
    r"^ {0,3}(?:(`{3,})[^`\n]*$(?:.|\n)*?(?:^ {0,3}\1`*[ \t]*$|\Z)"
    r"|(~{3,})[^\n]*$(?:.|\n)*?(?:^ {0,3}\2~*[ \t]*$|\Z))",
    re.M,
)


def escape_mentions(text: str) -> str:
    """`@alice` becomes `` `@alice` `` so that a push does not notify everyone in a plan.

    Every form that notifies is caught (`&#64;alice`, `＠alice`, `_@alice_`, `[@alice](u)`,
    `@org/team`); e-mail addresses and code (spans and fenced blocks) are left as they are.
    """
    if not any(c in text for c in "@&\uff20\ufe6b"):
        return text
    regions = _code_regions(text)
    ends = [0, *(e for _, e in regions)]
    starts = [*(s for s, _ in regions), len(text)]
    if not any(_mentions(text, e, s) for e, s in zip(ends, starts, strict=True)):
        return text
    out: list[str] = []
    at = 0
    for start, end in regions:
        out.append(_mentions_in(text, at, start))
        out.append(text[start:end])
        at = end
    out.append(_mentions_in(text, at, len(text)))
    return "".join(out)


def _mentions_in(text: str, start: int, end: int) -> str:
    """`text[start:end]` (not code) with every mention made code."""
    out: list[str] = []
    at = start
    for m, kept in _mentions(text, start, end):
        out.append(_literal_ticks(text[at : m.start()]))
        # A code span's backtick just before or after would join the new span's into a
        # longer run: a zero-width space keeps them apart.
        before = "\u200b" if not kept and m.start() > 0 and text[m.start() - 1] == "`" else ""
        after = "\u200b" if m.end() < len(text) and text[m.end()] == "`" else ""
        shown = html.unescape(re.sub(r"\\+(?=[@&\uff20\ufe6b])", "", m.group(2)))
        out.append(f"{kept}{before}`{shown}`{after}")
        at = m.end()
    out.append(_literal_ticks(text[at:end]))
    return "".join(out)


def _mentions(text: str, start: int, end: int) -> list[tuple[re.Match[str], str]]:
    """The mentions in `text[start:end]` (but in URLs), each with the backslashes to keep
    before its code span.

    As GitHub reads them: a sign notifies after a non-word character. A backslash escapes
    `@` (`x\\@a` reads `x@a`: none) and `&` (`\\&#64;a` is text: none), never `＠`.
    """
    found: list[tuple[re.Match[str], str]] = []
    urls: list[tuple[int, int]] | None = None
    for m in _MENTION.finditer(text, start, end):
        run = len(m.group(1))
        sign = m.group(2)[0]
        before = text[m.start() - 1] if m.start() > 0 else ""
        if run % 2 and sign in "@&":
            if sign == "&":
                continue  # `\&#64;` is the text `&#64;`
            kept = m.group(1)[:-1]
            if not kept and before.isalnum() and before.isascii():
                continue  # `x\@a` reads `x@a`
        elif run % 2:
            kept = m.group(1) + "\\"  # literal backslashes, and the span's tick unescaped
        else:
            kept = m.group(1)
            if not run and before.isalnum() and before.isascii():
                continue  # an e-mail address, `a@b.com`
        if urls is None:
            urls = [u.span() for u in _URL.finditer(text, start, end)]
        if any(u0 <= m.start() < u1 for u0, u1 in urls):
            continue
        found.append((m, kept))
    return found


def _literal_ticks(text: str) -> str:
    """Backticks outside code are literal; escaped, they stay literal once spans are added."""
    if "`" not in text:
        return text
    return re.sub(r"(?<!\\)((?:\\\\)*)`", lambda m: m.group(1) + "\\`", text)


def _code_regions(text: str) -> list[tuple[int, int]]:
    """(start, end) of the fenced code blocks and code spans of Markdown `text`, in order."""
    regions: list[tuple[int, int]] = []
    at = 0
    for block in _FENCE.finditer(text):
        regions += [(at + s, at + e) for s, e in _code_spans(text[at : block.start()])]
        regions.append((block.start(), block.end()))
        at = block.end()
    regions += [(at + s, at + e) for s, e in _code_spans(text[at:])]
    return regions


def _outside_spans(text: str, fn: Callable[[str], str]) -> str:
    if "`" not in text:
        return fn(text)
    out: list[str] = []
    at = 0
    for start, end in _code_spans(text):
        out.append(fn(text[at:start]))
        out.append(text[start:end])
        at = end
    out.append(fn(text[at:]))
    return "".join(out)


def _code_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every code span of inline Markdown `text`, as CommonMark finds them:
    a backslash-escaped backtick opens none, a span closes on a run of equal length, and
    never past its paragraph (a blank line). Linear in practice, whatever the text."""
    spans: list[tuple[int, int]] = []
    if "`" not in text:
        return spans
    blanks = [m.start() for m in _BLANK_LINE.finditer(text)]
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
        elif c == "`":
            run = _TICKS.match(text, i)
            assert run is not None
            k = bisect.bisect_left(blanks, run.end())
            stop = blanks[k] if k < len(blanks) else n
            closing = _closing(run.end() - i).search(text, run.end(), stop)
            if closing is None:
                i = run.end()  # literal backticks
            else:
                spans.append((i, closing.end()))
                i = closing.end()
        else:
            i += 1
    return spans


@functools.lru_cache(maxsize=64)
def _closing(width: int) -> re.Pattern[str]:
    return re.compile(f"(?<!`)`{{{width}}}(?!`)")


def neutralise(text: str) -> str:
    """Document text as it may appear in an issue body: `<!--` is broken with a zero-width
    space, so no text can open an HTML comment or pass for one of phasesync's markers."""
    return text.replace(_COMMENT_OPEN, _COMMENT_BROKEN)


def plain_title(text: str) -> str:
    """The text a document's title reads as: backslash escapes and character references
    decoded, code spans as written. `escape_title` is its inverse."""
    if "\\" not in text and "&" not in text:
        return text
    return _outside_spans(text, lambda part: _TITLE_ESCAPE.sub(_unescape, part))


def _unescape(m: re.Match[str]) -> str:
    if m.group(1) is not None:
        return m.group(1)
    return html.unescape(m.group(0))


def escape_title(title: str) -> str:
    """A title from the forge as document text: one line, and no Markdown markup, comment or
    HTML, so that `plain_title(escape_title(t))` is `t` with line breaks as spaces."""
    flat = CONTROL.sub(" ", title)
    out = re.sub(r"[\\`*_\[\]<>&#|~!]", lambda m: "\\" + m.group(0), flat)
    if out.endswith("\\*"):
        # `**Title**:` cannot end its title with an escaped star: use its reference.
        out = out[:-2] + "&#42;"
    if out.startswith("\\*"):
        out = "&#42;" + out[2:]
    return out


def forge_title(text: str, limit: int = MAX_TITLE_GITLAB) -> str:
    """An item's title as the forge shows it: its plain text, without control characters or
    bidirectional overrides, cut at a word with `…` when longer than the forge allows."""
    # The forges strip a title's surrounding spaces: so does phasesync, or a title that
    # ends in a space would look edited on the forge after every push.
    title = CONTROL.sub(" ", BIDI.sub("", plain_title(text))).strip()
    if len(title) <= limit:
        return title
    cut = title[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


def title_warnings(doc: Document, limit: int) -> Document:
    """`doc` with a `long-title` warning for every item whose title the forge would refuse,
    and which is therefore shortened on the forge (for `validate`)."""
    if doc.phase is None:
        return doc
    found = []
    for item in doc.phase.items:
        title = forge_title(item.issue_title, limit)
        if title.endswith("…") and len(plain_title(item.issue_title)) > limit:
            found.append(
                Diagnostic(
                    item.pos.file,
                    item.pos.line,
                    1,
                    Severity.WARNING,
                    "long-title",
                    f"the title is {len(plain_title(item.issue_title))} characters and the "
                    f"forge allows {limit}: the issue shows it cut to {title!r}, and the "
                    "whole title in its body",
                )
            )
    if not found:
        return doc
    diags = sorted((*doc.diagnostics, *found), key=lambda d: (d.line, d.col))
    return replace(doc, diagnostics=tuple(diags))
