"""Answers the adapters cannot read: a 200 that is an HTML page (a proxy, a sign-in
portal), JSON cut short, JSON of another shape, an object without the fields every answer
of that kind has. The record builders check what they take (`text`, `number`, ...); what
reading such an answer raises, in the clients or in the builders, is `READ_ERRORS`, and
`message()` says it in one line for a `ForgeError`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


class Unreadable(ValueError):
    """An answer that is not what the forge's API documents."""


# What reading a malformed answer raises: the JSON decoder and the record builders
# (ValueError, KeyError), and the clients handed a list, a string or None where they
# expect an object (TypeError, AttributeError).
READ_ERRORS: tuple[type[Exception], ...] = (ValueError, TypeError, KeyError, AttributeError)


def text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise Unreadable(f"{what} is not text")
    return value


def number(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Unreadable(f"{what} is not a number")
    return value


def mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise Unreadable(f"{what} is not a JSON object")
    return value


def listing(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise Unreadable(f"{what} is not a JSON list")
    return value


def message(exc: BaseException, *, applied: bool = False) -> str:
    """One line: what could not be read, and what to check. No part of the answer's text is
    repeated (a portal's page could hold anything), only what was wrong with it."""
    if isinstance(exc, Unreadable):
        detail = str(exc)
    elif isinstance(exc, json.JSONDecodeError):
        detail = "the body is not JSON"
    elif isinstance(exc, KeyError):
        detail = f"a field is missing ({exc.args[0]!r})" if exc.args else "a field is missing"
    else:
        detail = f"not the shape the API documents ({type(exc).__name__})"
    after = "; the request may or may not have taken effect" if applied else ""
    return (
        f"unreadable answer: {detail}{after}. Is something other than the forge's API "
        "answering (a proxy, a sign-in page)? Check base_url and run again"
    )
