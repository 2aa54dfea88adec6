"""Waiting and retrying, shared by the forge adapters.

An adapter decides, for each failure, whether the request may be sent again and after how
long (a `Wait`); `Retrier.run` does the rest the same way for every forge: it reports each
wait before sleeping, refuses a wait longer than `max_wait` (`RateLimited`: the run stops
cleanly and the next one carries on), and gives up after `retries` attempts.

What is safe to send again is the adapter's call, and the rule is the same everywhere: a
request the server refused without acting (a rate limit, a connection that never opened)
may always be repeated; a request that may have been applied (5xx, a lost response) only
when it is idempotent. A POST that may have created an issue surfaces as `TransientError`,
so that the apply layer looks for the issue by its key marker before creating it again.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import NoReturn, TypeVar

from syncer.errors import PhasesyncError, RateLimited
from syncer.forges.base import WaitReporter

T = TypeVar("T")
Sleep = Callable[[float], None]
Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class Wait:
    """Send the request again after `seconds`. `reason` says why, for the user; a
    `rate_limit` wait longer than `max_wait` stops the run with `RateLimited`, any other
    wait that long gives up with the failure itself."""

    seconds: float
    reason: str
    rate_limit: bool = False
    status: int | None = None


Decide = Callable[[Exception, int], Wait | None]
"""(failure, attempts so far) -> the wait before the next attempt, or None: give up."""

Fail = Callable[[Exception], PhasesyncError | None]
"""The failure as phasesync's error, raised when there is no (further) retry; None lets an
unexpected exception (a bug, not a forge failure) propagate as it is."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def backoff(attempt: int, *, base: float = 1.0, cap: float = 60.0, jitter: float = 0.5) -> float:
    """Exponential backoff with "equal jitter": between half and all of base·2^attempt,
    so that clients that failed together do not all come back at the same instant."""
    delay = min(cap, base * 2.0**attempt)
    return delay * (1 - jitter * random.random())


def server_date(headers: Mapping[str, object]) -> datetime | None:
    """The `Date` header (any case) as an aware UTC datetime; None when absent or malformed."""
    for name, value in headers.items():
        if name.lower() == "date" and isinstance(value, str):
            try:
                return parsedate_to_datetime(value).astimezone(UTC)
            except (TypeError, ValueError):
                return None
    return None


def retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds asked by a `Retry-After` header: a number of seconds or an HTTP date."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - now).total_seconds())
    except (TypeError, ValueError):
        return None


class Retrier:
    """Runs one request (a callable) with the forge's retry and wait rules."""

    def __init__(
        self,
        *,
        forge: str,
        retries: int = 5,
        max_wait: float = 900.0,
        on_wait: WaitReporter | None = None,
        sleep: Sleep = time.sleep,
        clock: Clock = utc_now,
    ) -> None:
        self.forge = forge
        self.retries = retries
        self.max_wait = max_wait
        self.on_wait = on_wait
        self.sleep = sleep
        self.clock = clock

    def run(self, operation: str, call: Callable[[], T], decide: Decide, fail: Fail) -> T:
        """`call()` until it succeeds, retrying as `decide` says; errors of phasesync's own
        (raised by `call`) pass through untouched."""
        attempt = 0
        while True:
            try:
                return call()
            except PhasesyncError:
                raise
            except Exception as exc:
                wait = decide(exc, attempt)
                if wait is None or attempt >= self.retries:
                    self._give_up(exc, fail)
                if wait.seconds > self.max_wait:
                    if wait.rate_limit:
                        raise RateLimited(
                            forge=self.forge,
                            operation=operation,
                            message=(
                                f"{wait.reason}: the server asks to wait {describe(wait.seconds)}, "
                                f"longer than the {describe(self.max_wait)} allowed (max_wait); "
                                "run again later"
                            ),
                            status=wait.status,
                            wait_seconds=wait.seconds,
                        ) from None
                    self._give_up(exc, fail)
                self.wait(wait)
                attempt += 1

    @staticmethod
    def _give_up(exc: Exception, fail: Fail) -> NoReturn:
        error = fail(exc)
        if error is None:
            raise exc
        # `from None`: the client's exception may carry request details; ours carries
        # only the status and the server's message.
        raise error from None

    def wait(self, wait: Wait) -> None:
        """Report (what is waited for and how long: the reporter words it, once), then
        sleep."""
        if self.on_wait is not None:
            self.on_wait(wait.reason, wait.seconds)
        self.sleep(wait.seconds)


def describe(seconds: float) -> str:
    """`0.4 s`, `12 s`, `90 s`: whole seconds once it is more than a few."""
    return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"


def wait_message(what: str, seconds: float, now: datetime) -> str:
    """The one line every wait prints, whoever waits (a rate limit, a retry's backoff, the
    write ceiling, a lost create): `waiting 30 s (until 12:00:30 UTC): GitHub secondary
    rate limit`. One wait is one line: the clients' own retries are off (see the adapters),
    so no second layer announces the same wait, and nothing repeats while it lasts."""
    until = now + timedelta(seconds=seconds)
    return f"waiting {describe(seconds)} (until {until:%H:%M:%S} UTC): {what}"
