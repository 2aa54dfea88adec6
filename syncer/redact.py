"""Keep the token out of every log line, whoever logs it (urllib3, PyGithub, python-gitlab)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

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
        return True


def install_redaction(secrets: Iterable[str]) -> RedactingFilter:
    """Attach the filter to every handler of the root logger (filters on loggers do not see
    records that child loggers propagate, filters on handlers do)."""
    flt = RedactingFilter(secrets)
    root = logging.getLogger()
    for handler in root.handlers:
        for old in [f for f in handler.filters if isinstance(f, RedactingFilter)]:
            handler.removeFilter(old)
        handler.addFilter(flt)
    return flt
