"""The built-in forge emulators: in-memory forges that answer HTTP like the real ones.

`core` is forge-neutral (request log, clock, faults, `mount` for `responses`, `serve` on
loopback); `github` (and `gitlab`) hold the stateful forges. Import the forge you need from
its module: importing this package loads neither.
"""

from syncer.forges.emulator.core import (
    DropConnection,
    EmulatorBase,
    EmulatorServer,
    Reply,
    Request,
    mount,
    serve,
)

__all__ = [
    "DropConnection",
    "EmulatorBase",
    "EmulatorServer",
    "Reply",
    "Request",
    "mount",
    "serve",
]
