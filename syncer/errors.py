"""phasesync's errors: data until the edge.

Each error carries fields, not pre-formatted prose; `cli.py` turns them into messages and
exit codes. No error ever carries the token: adapters build errors from status codes and
the server's message only.
"""

from __future__ import annotations

from dataclasses import dataclass


class PhasesyncError(Exception):
    """Base of every error phasesync raises on purpose. `exit_code` is what the CLI exits with."""

    exit_code: int = 1

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:
        return self.__class__.__name__


# --- configuration and usage (exit 2) -------------------------------------------------------


@dataclass(eq=False)
class ConfigError(PhasesyncError):
    """A configuration value is missing, unknown or of the wrong type."""

    message: str
    key: str | None = None
    source: str | None = None

    exit_code = 2

    def describe(self) -> str:
        where = f"{self.source}: " if self.source else ""
        what = f"{self.key}: " if self.key else ""
        return f"{where}{what}{self.message}"


# --- documents and lock (exit 1) ------------------------------------------------------------


@dataclass(eq=False)
class DocumentError(PhasesyncError):
    """A document cannot be read, has validation errors, or changed on disk during the run."""

    path: str
    message: str
    line: int | None = None

    def describe(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass(eq=False)
class EditError(PhasesyncError):
    """An edit would have changed bytes outside the intended spans; nothing was written."""

    path: str
    message: str

    def describe(self) -> str:
        return f"{self.path}: refusing to write: {self.message}"


@dataclass(eq=False)
class LockFileError(PhasesyncError):
    """`phasesync.lock` is unreadable or corrupted."""

    path: str
    message: str

    def describe(self) -> str:
        return (
            f"{self.path}: {self.message}. Move it aside and run `phasesync sync` again: "
            "phasesync rebuilds the lock from the key markers in the issues."
        )


@dataclass(eq=False)
class BusyError(PhasesyncError):
    """Another phasesync run holds the lock on these documents."""

    path: str

    def describe(self) -> str:
        return f"another phasesync run is working on {self.path}; try again when it ends"


# --- forge (exit 1) -------------------------------------------------------------------------


@dataclass(eq=False)
class ForgeError(PhasesyncError):
    """The forge refused or failed a request. `status` is the HTTP status when there was one."""

    forge: str
    operation: str
    message: str
    status: int | None = None

    def describe(self) -> str:
        code = f" (HTTP {self.status})" if self.status else ""
        return f"{self.forge}: {self.operation} failed{code}: {self.message}"


class AuthError(ForgeError):
    """401: the token is missing, wrong or expired."""


class PermissionDenied(ForgeError):
    """403 (not a rate limit): the token may not do this."""


class NotFound(ForgeError):
    """404: the repository or project does not exist, or the token cannot see it."""


class ValidationFailed(ForgeError):
    """422 (GitHub) or 400/409 (GitLab): the forge rejected what was sent."""


class TransientError(ForgeError):
    """5xx, timeout or dropped connection after the retries: a write may or may not have
    taken effect, so the caller must look before it writes again."""


@dataclass(eq=False)
class RateLimited(ForgeError):
    """A rate limit whose wait is longer than `--max-wait`: the run stops cleanly."""

    wait_seconds: float = 0.0


@dataclass(eq=False)
class WriteBudgetExhausted(PhasesyncError):
    """`--max-writes` was reached; the run stopped cleanly and the next one carries on."""

    writes: int

    exit_code = 0

    def describe(self) -> str:
        return f"stopped after {self.writes} writes (--max-writes); the next run carries on"


@dataclass(eq=False)
class CeilingReached(PhasesyncError):
    """The forge's write ceiling (GitHub: 500 content-generating requests an hour) is
    reached for longer than the run may wait; it stopped cleanly and the next carries on."""

    writes: int
    wait_seconds: float
    limit: str

    exit_code = 0

    def describe(self) -> str:
        minutes = max(1, round(self.wait_seconds / 60))
        return (
            f"stopped after {self.writes} writes at the forge's write limit ({self.limit}); "
            f"room again in about {minutes} min: the next run carries on"
        )


@dataclass(eq=False)
class MassCloseRefused(PhasesyncError):
    """The run would close more than half of the managed issues."""

    closing: int
    managed: int

    def describe(self) -> str:
        return (
            f"refusing to close {self.closing} of {self.managed} managed issues: a moved folder "
            "or a glob that matches nothing looks like this. Check `paths`, or pass "
            "--allow-mass-close if the plan is right"
        )
