"""Keep an emulator's forge state in a JSON file, so that `phasesync emulator --state FILE`
survives a restart with its issues, labels, milestones and comments.

Only the forge's records are kept (and the token that was printed for them, so that the
exported `PHASESYNC_TOKEN` stays valid): not the request log, the faults or the clock. The
file is JSON, not pickle: loading it runs no code, and only the emulator's own record types
can be named in it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from syncer.forges.emulator import github_model, github_projects, gitlab_state
from syncer.forges.emulator.core import EmulatorBase
from syncer.forges.emulator.github import GitHubEmulator
from syncer.forges.emulator.gitlab import GitLabEmulator
from syncer.forges.emulator.revision import Revision

FORMAT = 1
_RECORDS: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        github_model.User,
        github_model.Label,
        github_model.Milestone,
        github_model.Comment,
        github_model.Issue,
        github_model.Repo,
        github_projects.Boards,
        github_projects.Project,
        github_projects.BoardField,
        github_projects.BoardItem,
        github_projects.Option,
        github_projects.Iteration,
        gitlab_state.GLLabel,
        gitlab_state.GLMilestone,
        gitlab_state.GLNote,
        gitlab_state.GLIssue,
        gitlab_state.GLProject,
    )
}


class StateFileError(ValueError):
    """The state file cannot be read back (not ours, another forge, or damaged)."""


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if _RECORDS.get(name) is not type(value):
            raise TypeError(f"not an emulator record: {name}")
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"$record": name, "fields": fields}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, dict):
        return {"$map": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, set | frozenset):
        return {"$set": sorted(_encode(v) for v in value)}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot keep a {type(value).__name__} in the state file")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$record" in value:
        cls = _RECORDS.get(value["$record"])
        if cls is None:
            raise StateFileError(f"unknown record type {value['$record']!r}")
        return cls(**{k: _decode(v) for k, v in value["fields"].items()})
    if "$datetime" in value:
        return datetime.fromisoformat(value["$datetime"])
    if "$date" in value:
        return date.fromisoformat(value["$date"])
    if "$set" in value:
        return {_decode(v) for v in value["$set"]}
    if "$map" in value:
        return {_decode(k): _decode(v) for k, v in value["$map"]}
    raise StateFileError("unexpected object in the state file")


def forge_of(emulator: EmulatorBase) -> str:
    if isinstance(emulator, GitHubEmulator):
        return "github"
    if isinstance(emulator, GitLabEmulator):
        return "gitlab"
    raise TypeError(f"no state file for {type(emulator).__name__}")


def snapshot(emulator: EmulatorBase, token: str) -> dict[str, Any]:
    """The emulator's forge records as a JSON-ready dict."""
    with emulator.lock:
        if isinstance(emulator, GitHubEmulator):
            records: dict[str, Any] = {
                "user": emulator.user,
                "users": emulator._users,
                "repos": emulator.repos,
                "ids": emulator._ids,
                "boards": emulator.boards,
            }
        elif isinstance(emulator, GitLabEmulator):
            store = emulator.store
            records = {
                "projects": store.projects,
                "group_milestones": store.group_milestones,
                "users": store.users,
                "members": store.members,
                "ids": store._ids,
            }
        else:
            raise TypeError(f"no state file for {type(emulator).__name__}")
        return {
            "format": FORMAT,
            "forge": forge_of(emulator),
            "token": token,
            "records": _encode(records),
        }


def restore(emulator: EmulatorBase, data: dict[str, Any]) -> None:
    """Replace the emulator's forge records with those of `data` (from `snapshot`)."""
    if data.get("format") != FORMAT:
        raise StateFileError(f"not a phasesync emulator state file (format {FORMAT})")
    if data.get("forge") != forge_of(emulator):
        raise StateFileError(f"holds a {data.get('forge')} forge, not {forge_of(emulator)}")
    records = _decode(data["records"])
    with emulator.lock:
        if isinstance(emulator, GitHubEmulator):
            emulator.user = records["user"]
            emulator._users = records.get("users", {})
            emulator.repos = records["repos"]
            emulator._ids = records["ids"]
            emulator.boards = records.get("boards", emulator.boards)
        elif isinstance(emulator, GitLabEmulator):
            emulator.store.projects = records["projects"]
            emulator.store.group_milestones = records["group_milestones"]
            emulator.store.users.update(records.get("users", {}))
            emulator.store.members = records.get("members", emulator.store.members)
            emulator.store._ids = records["ids"]
        Revision.bump()  # no listing kept from before is of these records


def save(path: Path, emulator: EmulatorBase, token: str) -> None:
    """Write the state atomically: a run killed while saving leaves the previous file."""
    text = json.dumps(snapshot(emulator, token), indent=1, sort_keys=True) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(path: Path) -> dict[str, Any]:
    """The JSON of a state file; `StateFileError` when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise StateFileError(f"cannot read it ({exc})") from None
    if (
        not isinstance(data, dict)
        or data.get("format") != FORMAT
        or not isinstance(data.get("token"), str)
        or "records" not in data
    ):
        raise StateFileError(f"not a phasesync emulator state file (format {FORMAT})")
    return data
