"""The forge's ceiling on writes: GitHub's content-creation limit, shared across runs.

GitHub allows at most 80 content-generating requests a minute and 500 an hour per user,
counted across REST, GraphQL and the web; beyond them it answers with a secondary rate
limit, and integrations that keep hitting those "may be banned". phasesync counts every
write request it sends (creates, edits, closes, comments: the safe reading of "content-
generating") in rolling windows, records the times in the lock (so that the scheduled
runs of one repository share one budget), and

* waits, within the run, when the next write fits again soon (the minute window);
* stops cleanly, as `--max-writes` does, when it would not fit for longer than
  `longest_wait` (the hour window): the next scheduled run carries on.

So a first push of any size never meets a secondary limit, and takes the ceiling's
minimum time: 1,100 writes at 500 an hour are three hourly runs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

GITHUB_LIMITS: tuple[tuple[int, float], ...] = ((80, 60.0), (500, 3600.0))


@dataclass(frozen=True, slots=True)
class Ceiling:
    """At most `count` writes in any `window` seconds, for each (count, window)."""

    limits: tuple[tuple[int, float], ...] = ()
    # The longest in-run wait for room; a longer one stops the run for the next to carry on.
    longest_wait: float = 120.0

    def describe(self) -> str:
        """`80 per minute, 500 per hour`."""
        names = {60.0: "minute", 3600.0: "hour"}
        return ", ".join(f"{n} per {names.get(w, f'{w:g} s')}" for n, w in self.limits)

    @property
    def horizon(self) -> float:
        """How far back writes matter (the longest window)."""
        return max((window for _, window in self.limits), default=0.0)

    def wait(self, recent: Sequence[float], now: float) -> float:
        """Seconds until one more write fits every window, given the times of the writes
        made so far (sorted, oldest first)."""
        wait = 0.0
        for count, window in self.limits:
            inside = [t for t in recent if t > now - window]
            if len(inside) >= count:
                # The write that frees a slot is the (len - count + 1)th oldest in the window.
                frees_at = inside[len(inside) - count] + window
                wait = max(wait, frees_at - now)
        return max(wait, 0.0)

    def keep(self, recent: Iterable[float], now: float) -> tuple[float, ...]:
        """The write times still inside the longest window, oldest first (for the lock)."""
        horizon = self.horizon
        return tuple(sorted(t for t in recent if t > now - horizon))

    def estimate(self, writes: int, interval: float) -> tuple[float, int]:
        """(seconds, runs): how long `writes` take at the ceiling from an empty budget,
        one write every `interval` seconds, and over how many hourly scheduled runs."""
        if writes <= 0:
            return 0.0, 0
        seconds = (writes - 1) * interval
        for count, window in self.limits:
            full_windows = (writes - 1) // count
            seconds = max(seconds, full_windows * window + ((writes - 1) % count) * interval)
        return seconds, max(1, math.floor(seconds / 3600.0) + 1)


def ceiling_of(forge: str, per_minute: int | None, per_hour: int | None) -> Ceiling:
    """The ceiling the settings name, else the forge's own (GitHub's; GitLab sets none
    unless an administrator did). 0 means no limit for that window."""
    defaults = dict((window, count) for count, window in GITHUB_LIMITS) if forge == "github" else {}
    chosen = {60.0: per_minute, 3600.0: per_hour}
    limits = []
    for window in (60.0, 3600.0):
        count = chosen[window] if chosen[window] is not None else defaults.get(window)
        if count:
            limits.append((int(count), window))
    return Ceiling(tuple(limits))


def describe_estimate(writes: int, ceiling: Ceiling, interval: float) -> str | None:
    """`1,100 writes: at most 500 an hour, about 2 h 1 min over 3 hourly runs`, or None
    when the ceiling does not slow them down."""
    if not ceiling.limits or writes <= 0:
        return None
    seconds, runs = ceiling.estimate(writes, interval)
    if runs <= 1 and seconds <= 3600:
        return None
    hourly = next((count for count, window in ceiling.limits if window == 3600.0), None)
    rate = f"at most {hourly} an hour" if hourly else "at the forge's write limits"
    hours, rest = divmod(int(seconds), 3600)
    span = f"{hours} h {rest // 60} min" if hours else f"{rest // 60} min"
    return f"{writes:,} writes: {rate}, about {span} over {runs} hourly runs"
