"""The structure of an issue body: phasesync's managed block between its markers, and the
text people wrote around it.

The issue body holds a managed block between two markers; anything people write above the
begin marker or below the end marker is theirs and is kept, byte for byte, on every update.
The block's structure is read from phasesync's own marker lines alone (`split_body`): the
document text inside it holds no `<!--` (`syncer.sync.text_safety.neutralise`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

BEGIN = "<!-- phasesync:begin -->"
END = "<!-- phasesync:end -->"
# The end of a block as phasesync writes it: the key line, the file line and the end marker,
# each on a line of its own. Document text inside the block holds no `<!--` (`neutralise`),
# so the first such trailer after a begin line is phasesync's own, whatever the text says.
_TRAILER = re.compile(
    r"\r?\n<!-- phasesync:key=(\S+?) -->\r?\n<!-- phasesync:file=([^\r\n]*?) -->\r?\n"
    + re.escape(END)
)
_BEGIN_LINE = re.compile(re.escape(BEGIN) + r"(?=\r?\n)")


@dataclass(frozen=True, slots=True)
class BodyParts:
    """An issue body cut where phasesync's block is: people's text above and below it."""

    head: str
    block: str | None  # markers included; None when the body has no block of phasesync's
    tail: str
    key: str | None = None
    file: str | None = None


def split_body(body: str) -> BodyParts:
    """The managed block as phasesync wrote it, and the text people wrote around it.

    The block ends at the first of phasesync's own trailers (key line, file line, end marker)
    and begins at the last begin marker before that trailer (the block's own text holds no
    `<!--`, see `neutralise`); a look-alike marker in people's text does not count.
    `head + block + tail == body`, byte for byte. Without a block, the whole body is people's
    text (`tail`).
    """
    trailer = _TRAILER.search(body)
    begin = None
    if trailer is not None:
        for m in _BEGIN_LINE.finditer(body, 0, trailer.start()):
            begin = m  # the last one: the block's own text holds no marker
    if trailer is None or begin is None:
        return BodyParts("", None, body)
    return BodyParts(
        body[: begin.start()],
        body[begin.start() : trailer.end()],
        body[trailer.end() :],
        trailer.group(1),
        unquote(trailer.group(2)),
    )


def compose_body(head: str, block: str, tail: str) -> str:
    """The new body: people's text above, the managed block, people's text below."""
    return head + block + tail


def key_of(body: str | None) -> str | None:
    """The item key from the trailer of an issue body's managed block, if phasesync wrote one."""
    if not body or BEGIN not in body:
        return None
    return split_body(body).key


def file_of(body: str | None) -> str | None:
    """The document path from the trailer of an issue body's managed block."""
    if not body or BEGIN not in body:
        return None
    return split_body(body).file
