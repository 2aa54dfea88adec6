"""Byte-exact edits of a document: tick or untick a box, append an issue link, rename,
rewrite a requirement's description.

Everything here is a pure function on bytes. `apply_edits` checks its own result before
returning it: every byte outside the edited spans must be where it was, unchanged, or
nothing is written (`EditError`). Line endings, the byte-order mark, trailing blanks and a
missing final newline survive because nothing but the edited spans is ever rebuilt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from syncer.errors import EditError
from syncer.model import IssueLink, SourcePos

_BOX_STATES = (b" ", b"x", b"X")


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace `data[start:end]` with `text` (`start == end` inserts).

    `expect`, when set, is what `data[start:end]` must hold for the edit to apply, so that
    an edit computed from a stale parse is refused instead of landing on the wrong bytes.
    """

    start: int
    end: int
    text: bytes
    expect: bytes | None = None


def apply_edits(data: bytes, edits: Sequence[Edit], *, path: str = "<document>") -> bytes:
    """`data` with `edits` applied (in any order; they must not overlap).

    Raises `EditError` when an edit is out of range, edits overlap, an `expect` does not
    hold, or the result differs from `data` anywhere outside the edited spans.
    """
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    previous_end = 0
    previous_insert_at = -1
    for edit in ordered:
        if not 0 <= edit.start <= edit.end <= len(data):
            raise EditError(path, f"edit {edit.start}..{edit.end} is outside the document")
        if edit.start < previous_end:
            raise EditError(path, f"edits overlap at byte {edit.start}")
        # Two insertions at one offset have no defined order: refuse rather than guess.
        if edit.start == edit.end == previous_insert_at:
            raise EditError(path, f"two insertions at byte {edit.start}")
        if edit.expect is not None and data[edit.start : edit.end] != edit.expect:
            raise EditError(
                path,
                f"byte {edit.start} holds {data[edit.start : edit.end]!r}, "
                f"expected {edit.expect!r}; the document changed since it was parsed",
            )
        previous_end = edit.end
        previous_insert_at = edit.start if edit.start == edit.end else -1

    pieces: list[bytes] = []
    cursor = 0
    for edit in ordered:
        pieces.append(data[cursor : edit.start])
        pieces.append(edit.text)
        cursor = edit.end
    pieces.append(data[cursor:])
    result = b"".join(pieces)
    _verify(data, result, ordered, path)
    return result


def _verify(before: bytes, after: bytes, ordered: Sequence[Edit], path: str) -> None:
    """Walk both sides span by span: untouched spans equal, edited spans hold their text."""
    old = memoryview(before)
    new = memoryview(after)
    shift = 0
    cursor = 0
    for edit in ordered:
        if old[cursor : edit.start] != new[cursor + shift : edit.start + shift]:
            raise EditError(path, f"bytes {cursor}..{edit.start} would change")
        placed = new[edit.start + shift : edit.start + shift + len(edit.text)]
        if placed != edit.text:
            raise EditError(path, f"edit at byte {edit.start} did not land as intended")
        shift += len(edit.text) - (edit.end - edit.start)
        cursor = edit.end
    if old[cursor:] != new[cursor + shift :] or len(after) != len(before) + shift:
        raise EditError(path, f"bytes after {cursor} would change")


def box_edit(pos: SourcePos, checked: bool, data: bytes | None = None) -> Edit:
    """Set the box at `pos` to `checked`: `x` to tick, a space to untick.

    With the document's `data`, the edit also insists that the box is still a box, and a
    box already in the wanted state is left as it is (an `X` stays an `X`).
    """
    want = b"x" if checked else b" "
    if data is None:
        return Edit(pos.box, pos.box + 1, want)
    current = data[pos.box : pos.box + 1]
    if current not in _BOX_STATES:
        raise EditError(pos.file, f"line {pos.line}: no box at byte {pos.box}")
    if (current != b" ") == checked:
        want = current
    return Edit(pos.box, pos.box + 1, want, expect=current)


def link_edit(pos: SourcePos, number: int, url: str, replaces: IssueLink | None = None) -> Edit:
    """Append ` ([#N](url))` to the end of the item's first line, or put it in place of
    the link `replaces` that ends the line."""
    if any(c in url for c in "()\r\n \t"):
        raise EditError(pos.file, f"line {pos.line}: cannot write the link {url!r}")
    if replaces is not None:
        old = f"([#{replaces.number}]({replaces.url}))".encode()
        new = f"([#{number}]({url}))".encode()
        return Edit(pos.line_end - len(old), pos.line_end, new, expect=old)
    return Edit(pos.line_end, pos.line_end, f" ([#{number}]({url}))".encode())


def title_edit(pos: SourcePos, new_title: str, encoding: str = "utf-8") -> Edit:
    """Replace the title span of the item at `pos` with `new_title`."""
    if "\n" in new_title or "\r" in new_title:
        raise EditError(pos.file, f"line {pos.line}: a title must fit on one line")
    return Edit(pos.title_start, pos.title_end, new_title.encode(encoding))


def description_edit(pos: SourcePos, new_description: str, encoding: str = "utf-8") -> Edit:
    """Replace the one-line description of the requirement at `pos` with `new_description`."""
    if "\n" in new_description or "\r" in new_description:
        raise EditError(pos.file, f"line {pos.line}: a description must fit on one line")
    if pos.desc_end <= pos.title_end:
        raise EditError(pos.file, f"line {pos.line}: no description span on this line")
    return Edit(pos.desc_start, pos.desc_end, new_description.encode(encoding))
