"""Keep the token out of every log line, whoever logs it (urllib3, PyGithub, python-gitlab)."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

MASK = "***"
# Authorization-style headers as HTTP clients print them in debug logs.
_AUTH = re.compile(
    r"(?i)((?:authorization|private-token|job-token)['\"]?\s*[:=]\s*['\"]?)(?:(?:token|bearer)\s+)?[^\s'\",}]+"
)


class RedactingFilter(logging.Filter):
    """Replaces each secret, and any Authorization header value, in a record's message."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return _AUTH.sub(lambda m: m.group(1) + MASK, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        # A logged exception is formatted after the filters ran: format it now, redacted;
        # `Formatter.format` uses a record's `exc_text` as it finds it.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


_active: RedactingFilter | None = None
_base_factory: Callable[..., logging.LogRecord] | None = None


def _redacted_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
    assert _base_factory is not None
    record = _base_factory(*args, **kwargs)
    if _active is not None:
        # A malformed call (bad %-args) is left for logging to report when it is shown.
        with contextlib.suppress(TypeError, ValueError):
            _active.filter(record)
    return record


def install_redaction(secrets: Iterable[str]) -> RedactingFilter:
    """Redact every log record as it is made, whoever logs it and whichever handler shows
    it: a library may add a handler of its own (PyGithub puts a `StreamHandler` on the
    `github` logger when imported), which no filter on the root's handlers would see.
    The filter is also attached to the root's handlers, for records made before this."""
    global _active, _base_factory
    flt = RedactingFilter(secrets)
    _active = flt
    if _base_factory is None:
        _base_factory = logging.getLogRecordFactory()
        logging.setLogRecordFactory(_redacted_record)
    root = logging.getLogger()
    for handler in root.handlers:
        for old in [f for f in handler.filters if isinstance(f, RedactingFilter)]:
            handler.removeFilter(old)
        handler.addFilter(flt)
    return flt
