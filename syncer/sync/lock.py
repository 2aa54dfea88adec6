"""`phasesync.lock`: the last synced state, the common base of the three-way decision.

The file is JSON with sorted keys and one item per line, so that git merges two branches'
locks cleanly. State is kept per forge identity (`github:github.com/o/r`), so one document
set can sync to several forges.

This module is the records and their JSON (`loads`, `dumps`); `syncer.sync.lock_store`
reads and writes the file, its journal and the run lock.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from syncer.errors import LockFileError

VERSION = 1


@dataclass(frozen=True, slots=True)
class LockEntry:
    """What phasesync last agreed with the forge about one item."""

    issue: int
    file: str
    title: str
    hash: str
    checked: bool  # the done state both sides had at the last sync (ticked == closed)
    milestone: str | None = None
    # Whether the issue had text of people's below the managed block, or labels added by
    # hand, when phasesync last saw it; True when not known (a lock that predates it).
    # Without either, a content update of an issue the listing did not show needs no read.
    extra: bool = True
    # A digest of a requirement's one-line description as both sides last had it
    # (`syncer.sync.content_edits.digest`): the base of the description's three-way
    # decision. None for a task, or in a lock that predates it.
    desc: str | None = None

    def __repr__(self) -> str:
        # The dataclass's own, spelled out (the digests of `settled` and `reuse` hash it for
        # every item of a run): the generated one guards against recursion, at twice the cost.
        return (
            f"LockEntry(issue={self.issue!r}, file={self.file!r}, title={self.title!r}, "
            f"hash={self.hash!r}, checked={self.checked!r}, milestone={self.milestone!r}, "
            f"extra={self.extra!r}, desc={self.desc!r})"
        )

    def to_json(self) -> dict[str, Any]:
        # Spelled out: `dataclasses.asdict` deep-copies each field, a third of a second for
        # a lock of 10,000 items.
        return {
            "issue": self.issue,
            "file": self.file,
            "title": self.title,
            "hash": self.hash,
            "checked": self.checked,
            "milestone": self.milestone,
            "extra": self.extra,
            "desc": self.desc,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LockEntry:
        return cls(
            issue=int(data["issue"]),
            file=str(data["file"]),
            title=str(data["title"]),
            hash=str(data["hash"]),
            checked=bool(data["checked"]),
            milestone=None if data.get("milestone") is None else str(data["milestone"]),
            extra=bool(data.get("extra", True)),
            desc=None if data.get("desc") is None else str(data["desc"]),
        )


@dataclass(frozen=True, slots=True)
class ManagedLabel:
    """A label phasesync made or manages, under its lasting name (`priority/high`)."""

    name: str
    color: str
    id: int | None = None  # GitLab needs it to rename; GitHub renames by name

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "color": self.color, "id": self.id}


@dataclass(frozen=True, slots=True)
class ManagedMilestone:
    """A milestone phasesync made, under its lasting name (`phase-2`, `phase-2/beta`)."""

    id: int
    title: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title}


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """What one document contributed to the last plan that parsed it and found nothing of
    its to do (`syncer.sync.reuse`): a later run whose inputs for it are the same need not
    parse it. `digest` covers its bytes, its items' lock entries, the settings, the managed
    labels and milestones and the lists below; the lists are what other documents' plans
    depend on (its item keys are those of the lock entries that name its file)."""

    digest: str
    phases: tuple[str, ...] = ()  # the phase numbers it describes
    labels: tuple[str, ...] = ()  # the labels its items want, by lasting name
    milestones: tuple[str, ...] = ()  # the milestones its phases want, by lasting name

    def to_json(self) -> dict[str, Any]:
        return {
            "digest": self.digest,
            "phases": list(self.phases),
            "labels": list(self.labels),
            "milestones": list(self.milestones),
        }


@dataclass(frozen=True, slots=True)
class ForgeState:
    """The lock's record for one forge and repository."""

    items: Mapping[str, LockEntry] = field(default_factory=dict)
    listed_at: datetime | None = None  # server time of the last complete listing
    synced_at: datetime | None = None  # server time of the last listing of any kind
    # Digest of the inputs of the last sync that had nothing to do (`syncer.sync.settled`).
    settled: str | None = None
    # Who the issues phasesync created were opened by (the token's user): a key marker in
    # an issue of theirs binds an item even with the lock lost; a stranger's does not.
    creators: tuple[str, ...] = ()
    # When the writes of the last hour were sent (epoch seconds), for the forge's write
    # ceiling (`syncer.sync.ceiling`): successive runs share one budget.
    recent_writes: tuple[float, ...] = ()
    # The labels and milestones phasesync manages, by lasting name: what a new label format
    # or milestone title renames in place, and what a person's rename on the forge restores.
    labels: Mapping[str, ManagedLabel] = field(default_factory=dict)
    milestones: Mapping[str, ManagedMilestone] = field(default_factory=dict)
    # `phase_parents` (`syncer.sync.structure`): each parent issue by its key, as a JSON
    # object `syncer.sync.structure_record` reads (issue, hash, closed state, the children
    # it linked); and
    # what the forge offers for relations, probed once.
    structure: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    capabilities: Mapping[str, str] = field(default_factory=dict)
    # `dependencies = "links"` (`syncer.sync.dependencies`): each blocked issue by its item
    # (or parent) key, as a JSON object `syncer.sync.dependencies_record` reads.
    dependencies: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # `project` (`syncer.sync.board`): each item's board item id and the digests of the
    # field values written, by item key, as JSON objects `board.Record` reads.
    board: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # Per document (as the run names it): what its last plan with nothing to do for it
    # contributed, so that a later run reuses it unparsed (`syncer.sync.reuse`).
    documents: Mapping[str, DocumentRecord] = field(default_factory=dict)

    def by_issue(self) -> dict[int, str]:
        return {e.issue: key for key, e in self.items.items()}


@dataclass(frozen=True, slots=True)
class Lock:
    forges: Mapping[str, ForgeState] = field(default_factory=dict)

    def state(self, identity: str) -> ForgeState:
        return self.forges.get(identity, ForgeState())

    def with_state(self, identity: str, state: ForgeState) -> Lock:
        return Lock({**self.forges, identity: state})


def _time(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"a time is {type(value).__name__}, not an ISO 8601 string")
    when = datetime.fromisoformat(value)
    # Written by phasesync always with an offset; a hand-edited one without is taken as UTC.
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _digest(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"`settled` is {type(value).__name__}, not a string")
    return value


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("`creators` is not a list of names")
    return tuple(sorted(set(value)))


def _times(value: Any) -> tuple[float, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value
    ):
        raise ValueError("`recent_writes` is not a list of times")
    return tuple(sorted(float(v) for v in value))


def _label(key: str, raw: Any) -> ManagedLabel:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise ValueError(f"label {key!r} has no name")
    if not isinstance(raw.get("color"), str):
        raise ValueError(f"label {key!r}: color must be a string")
    ident = raw.get("id")
    if ident is not None and (isinstance(ident, bool) or not isinstance(ident, int)):
        raise ValueError(f"label {key!r}: id must be a whole number or null")
    return ManagedLabel(raw["name"], raw["color"], ident)


def _milestone(key: str, raw: Any) -> ManagedMilestone:
    if not isinstance(raw, dict) or not isinstance(raw.get("title"), str):
        raise ValueError(f"milestone {key!r} has no title")
    ident = raw.get("id")
    if isinstance(ident, bool) or not isinstance(ident, int):
        raise ValueError(f"milestone {key!r}: id must be a whole number")
    return ManagedMilestone(ident, raw["title"])


def _strings(key: str, raw: Any, name: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise ValueError(f"document {key!r}: {name} is not a list of strings")
    return tuple(raw)


def _document(key: str, raw: Any) -> DocumentRecord:
    if not isinstance(raw, dict) or not isinstance(raw.get("digest"), str):
        raise ValueError(f"document {key!r} has no digest")
    return DocumentRecord(
        raw["digest"],
        _strings(key, raw.get("phases", []), "phases"),
        _strings(key, raw.get("labels", []), "labels"),
        _strings(key, raw.get("milestones", []), "milestones"),
    )


def _table(raw: Any, name: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValueError(f"`{name}` is not an object")
    return raw


def parse_entry(key: str, raw: Any) -> LockEntry:
    """One item, checked field by field: a lock is edited by hand and merged by git."""
    # The common case first, in one pass (a lock of 10,000 items is read on every run):
    # every field of the type `to_json` writes. Anything else takes the long way, which
    # says what is wrong.
    if type(raw) is dict:
        issue, file, title, digest, checked = (
            raw.get("issue"), raw.get("file"), raw.get("title"), raw.get("hash"),
            raw.get("checked"),
        )  # fmt: skip
        milestone, extra, desc = raw.get("milestone"), raw.get("extra", True), raw.get("desc")
        if (
            type(issue) is int
            and issue >= 0
            and type(file) is str
            and type(title) is str
            and type(digest) is str
            and type(checked) is bool
            and (milestone is None or type(milestone) is str)
            and type(extra) is bool
            and (desc is None or type(desc) is str)
        ):
            return LockEntry(issue, file, title, digest, checked, milestone, extra, desc)
    if not isinstance(raw, dict):
        raise ValueError(f"item {key!r} is not an object")
    issue = raw.get("issue")
    if isinstance(issue, bool) or not isinstance(issue, int) or issue < 0:
        raise ValueError(f"item {key!r}: issue must be a whole number")
    for name in ("file", "title", "hash"):
        if not isinstance(raw.get(name), str):
            raise ValueError(f"item {key!r}: {name} must be a string")
    if not isinstance(raw.get("checked"), bool):
        raise ValueError(f"item {key!r}: checked must be true or false")
    milestone = raw.get("milestone")
    if milestone is not None and not isinstance(milestone, str):
        raise ValueError(f"item {key!r}: milestone must be a string or null")
    if not isinstance(raw.get("extra", True), bool):
        raise ValueError(f"item {key!r}: extra must be true or false")
    if raw.get("desc") is not None and not isinstance(raw.get("desc"), str):
        raise ValueError(f"item {key!r}: desc must be a string or null")
    return LockEntry.from_json(raw)


def loads(text: str, path: str = "phasesync.lock") -> Lock:
    """Parse a lock file; a corrupted one raises `LockFileError` with the way out."""
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        if data.get("version") != VERSION:
            raise ValueError(f"unknown lock version {data.get('version')!r}")
        raw_forges = data.get("forges", {})
        if not isinstance(raw_forges, dict):
            raise ValueError("`forges` is not an object")
        forges: dict[str, ForgeState] = {}
        for identity, raw in raw_forges.items():
            if not isinstance(raw, dict) or not isinstance(raw.get("items"), dict):
                raise ValueError(f"forge {identity!r} has no `items` object")
            items = {str(k): parse_entry(str(k), v) for k, v in raw["items"].items()}
            forges[str(identity)] = ForgeState(
                items=items,
                listed_at=_time(raw.get("listed_at")),
                synced_at=_time(raw.get("synced_at")),
                settled=_digest(raw.get("settled")),
                creators=_names(raw.get("creators")),
                recent_writes=_times(raw.get("recent_writes")),
                labels={
                    str(k): _label(str(k), v)
                    for k, v in _table(raw.get("labels"), "labels").items()
                },
                milestones={
                    str(k): _milestone(str(k), v)
                    for k, v in _table(raw.get("milestones"), "milestones").items()
                },
                structure={
                    str(k): _table(v, f"structure {k!r}")
                    for k, v in _table(raw.get("structure"), "structure").items()
                },
                capabilities={
                    str(k): str(v)
                    for k, v in _table(raw.get("capabilities"), "capabilities").items()
                },
                dependencies={
                    str(k): _table(v, f"dependencies {k!r}")
                    for k, v in _table(raw.get("dependencies"), "dependencies").items()
                },
                board={
                    str(k): _table(v, f"board {k!r}")
                    for k, v in _table(raw.get("board"), "board").items()
                },
                documents={
                    str(k): _document(str(k), v)
                    for k, v in _table(raw.get("documents"), "documents").items()
                },
            )
        return Lock(forges)
    except RecursionError:
        raise LockFileError(path, "cannot read the lock (nested too deeply)") from None
    except (ValueError, OverflowError) as exc:  # JSONDecodeError is a ValueError
        raise LockFileError(path, f"cannot read the lock ({exc})") from None


# `json.dumps(value, ensure_ascii=False)` of a string, without building an encoder per call.
_string = json.encoder.encode_basestring


def _entry_json(e: LockEntry) -> str:
    """`json.dumps(e.to_json(), sort_keys=True, ensure_ascii=False)`, byte for byte, at a
    fraction of its cost (a lock of 10,000 items is written on every run that changes it)."""
    return (
        f'{{"checked": {"true" if e.checked else "false"}, '
        f'"desc": {"null" if e.desc is None else _string(e.desc)}, '
        f'"extra": {"true" if e.extra else "false"}, '
        f'"file": {_string(e.file)}, "hash": {_string(e.hash)}, "issue": {int(e.issue)}, '
        f'"milestone": {"null" if e.milestone is None else _string(e.milestone)}, '
        f'"title": {_string(e.title)}}}'
    )


def dumps(lock: Lock) -> str:
    """Sorted keys, one item per line: two branches that touched different items merge."""
    out = ["{", f'"version": {VERSION},', '"forges": {']
    identities = sorted(lock.forges)
    for i, identity in enumerate(identities):
        state = lock.forges[identity]
        out.append(f"{json.dumps(identity)}: {{")
        out.append(f'"listed_at": {json.dumps(_iso(state.listed_at))},')
        out.append(f'"synced_at": {json.dumps(_iso(state.synced_at))},')
        if state.settled is not None:
            out.append(f'"settled": {json.dumps(state.settled)},')
        if state.creators:
            out.append(f'"creators": {json.dumps(sorted(set(state.creators)))},')
        if state.recent_writes:
            times = [round(t, 3) for t in state.recent_writes]
            out.append(f'"recent_writes": {json.dumps(times)},')
        if state.capabilities:
            out.append(f'"capabilities": {json.dumps(dict(state.capabilities), sort_keys=True)},')
        tables: tuple[tuple[str, Mapping[str, Any]], ...] = (
            ("labels", {k: v.to_json() for k, v in state.labels.items()}),
            ("milestones", {k: v.to_json() for k, v in state.milestones.items()}),
            ("structure", state.structure),
            ("dependencies", state.dependencies),
            ("board", state.board),
            ("documents", {k: v.to_json() for k, v in state.documents.items()}),
        )
        for name, table in tables:
            if table:
                # One per line, like the items: two branches' locks merge.
                rows = [
                    f"{json.dumps(k, ensure_ascii=False)}: "
                    f"{json.dumps(table[k], sort_keys=True, ensure_ascii=False)}"
                    for k in sorted(table)
                ]
                out.append(f'"{name}": {{')
                out.extend(r + ("," if i < len(rows) - 1 else "") for i, r in enumerate(rows))
                out.append("},")
        out.append('"items": {')
        keys = sorted(state.items)
        for j, key in enumerate(keys):
            entry = _entry_json(state.items[key])
            out.append(f"{_string(key)}: {entry}{',' if j < len(keys) - 1 else ''}")
        out.append("}")
        out.append("}" + ("," if i < len(identities) - 1 else ""))
    out.append("}")
    out.append("}")
    return "\n".join(out) + "\n"
