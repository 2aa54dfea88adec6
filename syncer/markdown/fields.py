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
