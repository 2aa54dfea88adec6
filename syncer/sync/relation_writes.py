"""Relating a parent's children on the forge, one journaled write each: what phase parents
(`structure_run`) and sub-tasks (`subtask_run`) both do with their records.

A record (`structure_record.Record`, `subtask_plan.SubRecord`) holds the parent's issue, the
children phasesync related to it and, on GitHub, the sub-issue count the forge shows after
phasesync's writes (`seen`, None on GitLab). Each write updates the record and saves it at
once (`save`: into the lock's journal), so a run that dies resumes from there.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any, ClassVar, Protocol, TypeVar

from syncer.errors import NotFound, ValidationFailed
from syncer.forges.base import Relations


class Related(Protocol):
    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def issue(self) -> int: ...

    @property
    def children(self) -> tuple[int, ...]: ...

    @property
    def seen(self) -> int | None: ...


R = TypeVar("R", bound=Related)
Write = Callable[[Callable[[], Any]], Any]


def _moved(seen: int | None, by: int) -> int | None:
    return None if seen is None else max(0, seen + by)


def unrelate(
    forge: Relations, rec: R, wanted: Sequence[int], write: Write, save: Callable[[R], None]
) -> tuple[R, int]:
    """Take off the children phasesync related that are no longer `wanted`; the record
    after, and how many were taken off."""
    done = 0
    for child in sorted(set(rec.children) - set(wanted)):
        with contextlib.suppress(NotFound):  # gone already: what was wanted
            write(partial(forge.unlink_child, rec.issue, child))
        rec = replace(
            rec, children=tuple(c for c in rec.children if c != child), seen=_moved(rec.seen, -1)
        )
        save(rec)
        done += 1
    return rec, done


def relate(
    forge: Relations,
    rec: R,
    wanted: Sequence[int],
    write: Write,
    save: Callable[[R], None],
    refused: Callable[[int, ValidationFailed], None],
) -> tuple[R, int]:
    """Relate every `wanted` child not related yet; the record after, and how many were
    made now (not found made by an earlier attempt). A child the forge refuses (GitHub: it
    has another parent, a person's) stays theirs: `refused` is told, and it is recorded so
    that it is not asked again."""
    made = 0
    for child in wanted:
        if child in rec.children:
            continue
        try:
            new = bool(write(partial(forge.link_child, rec.issue, child)))
            # Made now, or found made by an earlier attempt whose answer was lost: either
            # way the forge counts one more child than the listing showed.
            rec = replace(rec, seen=_moved(rec.seen, 1))
            made += 1 if new else 0
        except ValidationFailed as exc:
            refused(child, exc)
        rec = replace(rec, children=(*rec.children, child))
        save(rec)
    return rec, made
