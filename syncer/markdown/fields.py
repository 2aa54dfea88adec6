"""The small text conventions of the phase template, one function each.

Everything here works on the text of one line or one paragraph that the token walk already
placed in its section; nothing here scans a document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# `# Phase 2: User Authentication`, `# Phase 2.5: Hardening`.
_TITLE = re.compile(r"Phase\s+([0-9]+(?:\.[0-9]+)*)\s*:\s*(.*?)\s*", re.IGNORECASE)
# `**Key**: value` or `**Key:** value` (overview lines, milestones).
_BOLD_FIELD = re.compile(r"\*\*(.+?)\s*(?::\*\*|\*\*\s*:)\s*(.*?)\s*", re.DOTALL)
# `Priority: High`, `**Priority**: High`, `**Priority:** High` under a requirement.
_ITEM_FIELD = re.compile(
    r"(\*\*)?(acceptance criteria|priority|estimate)\s*(?(1)(?::\*\*|\*\*\s*:)|:)\s*(.*?)\s*",
    re.IGNORECASE | re.DOTALL,
)
# `Week 2: Sessions`, `Week 2 - Sessions`, `Week 2`.
_WEEK = re.compile(r"Week\s+([0-9]{1,4})\b\s*(?:[:\-–—]\s*(.*?))?\s*", re.IGNORECASE)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A whole text that is one bracketed template hole: `[Task 3]`, `**[Requirement 1]**`.
_PLACEHOLDER = re.compile(r"[*_]*\[[^\[\]]+\][*_]*")
_MILESTONE_SPLIT = re.compile(r"\s+[-–—]\s+")

PRIORITIES = {"high": "High", "medium": "Medium", "low": "Low"}


def is_placeholder(text: str) -> bool:
    """True when `text` is still an unfilled template hole such as `[Task 3]`.

    A Markdown link (`[docs](https://…)`) is text followed by a URL, so it never matches.
    """
    return _PLACEHOLDER.fullmatch(text.strip()) is not None


@dataclass(frozen=True, slots=True)
class PhaseTitle:
    number: str
    name: str


def parse_title(text: str) -> PhaseTitle | None:
    """`Phase 2: User Authentication` -> ("2", "User Authentication"); None otherwise."""
    m = _TITLE.fullmatch(text.strip())
    return PhaseTitle(m.group(1), m.group(2)) if m else None


def parse_bold_field(line: str) -> tuple[str, str] | None:
    """`**Key**: value` -> (key, value), keys and values stripped; None otherwise."""
    m = _BOLD_FIELD.fullmatch(line.strip())
    return (m.group(1).strip(), m.group(2)) if m else None


def parse_item_field(text: str) -> tuple[str, str] | None:
    """`Priority: High` -> ("priority", "High"); the field name casefolded."""
    m = _ITEM_FIELD.fullmatch(text.strip())
    if m is None:
        return None
    return m.group(2).casefold(), " ".join(m.group(3).split())


def parse_week(text: str) -> tuple[int, str] | None:
    """`Week 2: Sessions` -> (2, "Sessions")."""
    m = _WEEK.fullmatch(text.strip())
    return (int(m.group(1)), m.group(2) or "") if m else None


def normalise_priority(text: str) -> str | None:
    """`high` -> `High`; None when it is not High, Medium or Low."""
    return PRIORITIES.get(text.strip().casefold())


def parse_date(text: str) -> tuple[date | None, str | None]:
    """(`date`, None) for an existing ISO date, else (None, why it is not one)."""
    text = text.strip()
    if not _ISO_DATE.fullmatch(text):
        return None, f"`{text}` is not a date; write it as YYYY-MM-DD"
    try:
        return date.fromisoformat(text), None
    except ValueError:
        return None, f"`{text}` is not a date that exists"


def split_milestone(text: str) -> tuple[str, str]:
    """`Registration live - New users can …` -> (name, description)."""
    parts = _MILESTONE_SPLIT.split(text.strip(), maxsplit=1)
    return parts[0].strip(), (parts[1].strip() if len(parts) > 1 else "")


# --- plans as people write them -----------------------------------------------------------

# `Phase 13c: Name`, `Phase 2 — Auth`, `PHASE 1: Name ✅ COMPLETED`, `Phase 11 Windows Test
# Procedure`, `Phase 3.0: Name (Weeks 9-10)`: the word, a number (digits, dotted parts, a
# letter suffix), then an optional separator and the name. Leading emoji and bold are
# stripped by the caller (`plain_text`).
_PHASE_HEADING = re.compile(
    r"phase\s+([0-9]+[a-z]?(?:\.[0-9]+[a-z]?)*)(?!\w|\.[0-9])\s*(?:[:\-–—.)|]\s*)?(.*)",
    re.IGNORECASE | re.DOTALL,
)
# `Phase two: Auth`, `Phase: Auth`: names a phase without a number.
_PHASE_WORD = re.compile(r"phase\b\s*(\S.*)?", re.IGNORECASE | re.DOTALL)
# What people append to a heading or an item once it is done: a mark, `(done)`, or a word in
# capitals (`✅ COMPLETE`); `Documentation complete` keeps its last word.
_DONE_MARKS = "✅✔☑✓✔️🎉"
_DONE_TAIL = re.compile(
    r"(?:\s*(?:[" + _DONE_MARKS + r"]\ufe0f?|\((?i:complete|completed|done|finished)\)"
    r"|\b(?:COMPLETE|COMPLETED|DONE|FINISHED)\b(?!\))))+\s*$"
)
_LEADING_SYMBOLS = re.compile(r"^[^\w\[(`]+", re.UNICODE)
# A date next to a phase: `Target: 2025-06-20`, `(completed 2025-11-02)`, `Due 2025-06-20`.
_PHASE_DATE = re.compile(
    r"\b(?:target(?:\s+date)?|due(?:\s+date)?|deadline|eta|completed|done|finished|delivered)"
    r"\b\**\s*(?:on\s+|by\s+)?[:=\-–—]?\**\s*\**\s*([0-9]{4}-[0-9]{2}-[0-9]{2})\b",
    re.IGNORECASE,
)


def plain_text(text: str) -> str:
    """Markdown inline text as a reader sees it: emphasis marks and link syntax dropped
    (`**Phase 1** - [docs](u)` -> `Phase 1 - docs`), code spans kept with their backticks,
    line breaks as spaces. Parsed by markdown-it's inline rules, not by pattern."""
    if not any(c in text for c in "*_[]`<&\\!\n"):
        return text.strip()
    from syncer.markdown.source import markdown_parser  # the configured parser, built once

    tokens = markdown_parser(render_inline=True).parseInline(text)
    out: list[str] = []
    for tok in tokens[0].children or () if tokens else ():
        if tok.type in ("text", "html_inline"):
            out.append(tok.content)
        elif tok.type == "code_inline":
            out.append(f"{tok.markup}{tok.content}{tok.markup}")
        elif tok.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif tok.type == "image":
            out.append(tok.content)
    return " ".join("".join(out).split())


def strip_done_marker(text: str) -> str:
    """`Zero clippy warnings ✅` -> `Zero clippy warnings`: a trailing done marker (✅, ✔,
    `COMPLETE`, `(done)`) is a state, not part of a name; nothing when that is all there is."""
    stripped = _DONE_TAIL.sub("", text).rstrip(" -–—:")
    return stripped if stripped else text


def parse_phase_heading(text: str) -> PhaseTitle | None:
    """A heading (or a bold item title) that names a phase, as people write it; None when
    it does not start with `Phase` and a number."""
    cleaned = _LEADING_SYMBOLS.sub("", plain_text(text))
    m = _PHASE_HEADING.fullmatch(cleaned)
    if m is None:
        return None
    name = strip_done_marker(m.group(2).strip())
    name = _DONE_TAIL.sub("", name).strip() if _DONE_TAIL.fullmatch(name) else name
    return PhaseTitle(m.group(1), name.strip())


def why_not_a_phase(text: str) -> str | None:
    """What is missing from a title that looks like it names a phase, or None when it does
    not look like one at all (`Phase two: Auth` has no number)."""
    cleaned = _LEADING_SYMBOLS.sub("", plain_text(text))
    m = _PHASE_WORD.match(cleaned)
    if m is None or parse_phase_heading(cleaned) is not None:
        return None
    rest = (m.group(1) or "").strip()
    if not rest or rest.startswith(":"):
        return "it has no phase number (`Phase 2: Name`)"
    first = rest.split()[0].rstrip(":")
    return f"`{first}` is not a phase number; write it in digits (`Phase 2: Name`, `Phase 3b`)"


def phase_dates(text: str) -> set[date]:
    """The dates written as a target or a completion in `text` (`Target: 2025-06-20`,
    `(completed 2025-11-02)`)."""
    found = set()
    for m in _PHASE_DATE.finditer(text):
        day, _ = parse_date(m.group(1))
        if day is not None:
            found.add(day)
    return found


def find_phase_date(text: str) -> date | None:
    """The one date written as a target or a completion in `text`; None when there is none,
    or several different ones (ambiguous)."""
    found = phase_dates(text)
    return found.pop() if len(found) == 1 else None


_TABLE_KEY = re.compile(r"phase|milestone|stage", re.IGNORECASE)
_TABLE_DATE = re.compile(
    r"\b(?:date|due|target|deadline|completed|done|finish|finished|end|eta)\b", re.IGNORECASE
)
_TABLE_START = re.compile(r"\bstart", re.IGNORECASE)
# `1. Foundation`, `3b`, `Phase 2: Auth` in a table's phase column.
_LEADING_NUMBER = re.compile(
    r"\s*(?:phase\s+)?([0-9]+[a-z]?(?:\.[0-9]+[a-z]?)*)(?!\w|\.[0-9])", re.IGNORECASE
)


def table_phase_dates(header: list[str], rows: list[list[str]]) -> list[tuple[str, date]]:
    """(phase number, date) from a milestones table: a column naming the phase and one
    column of due, target or completion dates (a start date is not a due date). Empty when
    the table has no such pair of columns, or several date columns (ambiguous)."""
    keys = [n for n, h in enumerate(header) if _TABLE_KEY.search(h)]
    dates = [
        n
        for n, h in enumerate(header)
        if _TABLE_DATE.search(h) and not _TABLE_START.search(h) and n not in keys[:1]
    ]
    if not keys or len(dates) != 1:
        return []
    out = []
    for row in rows:
        if len(row) <= max(keys[0], dates[0]):
            continue
        number = _LEADING_NUMBER.match(plain_text(row[keys[0]]))
        day, _ = parse_date(plain_text(row[dates[0]]))
        if number is not None and day is not None:
            out.append((number.group(1), day))
    return out
