"""Arbitrary input to the settings loader, the lock reader, the parser and the editor: only
phasesync's own errors or diagnostics come out, never another exception."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from syncer.errors import ConfigError, EditError, LockFileError
from syncer.markdown.edit import apply_edits, box_edit, link_edit, title_edit
from syncer.markdown.parse import parse_document
from syncer.settings import Settings
from syncer.settings_load import load_settings
from syncer.sync.lock import Lock, LockEntry, dumps, loads
from syncer.sync.lock_store import LockStore

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EXAMPLE = (Path(__file__).parents[2] / "syncer" / "data" / "examples").glob("*.md")
DOCS = [p.read_bytes() for p in sorted(EXAMPLE)]

# --- settings --------------------------------------------------------------------------------

KEYS = [*Settings.model_fields, "pathz", "labels.phase", "labels.phase.name", "labels.bogus"]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["github", "gitlab", "phase:{number}", "{}", "{name.upper}", "#d73a4a"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _toml_value(value: Any) -> str:
    """A TOML rendering where TOML has one, else something TOML will reject."""
    if value is None:
        return "nan"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if value == value else "nan"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"


def _load(tmp: Path, text: str, env: dict[str, str] | None = None) -> None:
    (tmp / "phasesync.toml").write_text(text, encoding="utf-8")
    try:
        loaded = load_settings(cwd=tmp, env=env or {})
    except ConfigError as exc:
        assert exc.describe()
        return
    assert isinstance(loaded, Settings)


@FUZZ
@given(st.dictionaries(st.sampled_from(KEYS), values, max_size=4))
def test_settings_from_arbitrary_values(tmp_path_factory: Any, table: dict[str, Any]) -> None:
    tmp = tmp_path_factory.mktemp("cfg")
    text = "\n".join(
        f"{json.dumps(k) if '.' not in k else k} = {_toml_value(v)}" for k, v in table.items()
    )
    _load(tmp, text)


@FUZZ
@given(st.text(max_size=200))
def test_settings_from_arbitrary_text(tmp_path_factory: Any, text: str) -> None:
    _load(tmp_path_factory.mktemp("cfg"), text)


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(
            [f"PHASESYNC_{k.upper()}" for k in Settings.model_fields]
            + ["PHASESYNC_LABELS__PHASE__COLOR", "PHASESYNC_NOPE"]
        ),
        st.text(max_size=20),
        max_size=3,
    )
)
def test_settings_from_arbitrary_environment(tmp_path_factory: Any, env: dict[str, str]) -> None:
    _load(tmp_path_factory.mktemp("cfg"), "", env)


def test_the_toml_renderer_makes_toml() -> None:
    assert tomllib.loads("a = " + _toml_value({"x": [1, 2.5, "s", True]}))


# --- the lock --------------------------------------------------------------------------------

entry = st.builds(
    LockEntry,
    issue=st.integers(1, 10**6),
    file=st.text(max_size=20),
    title=st.text(max_size=20),
    hash=st.text("0123456789abcdef", max_size=16),
    checked=st.booleans(),
    milestone=st.none() | st.text(max_size=10),
)
VALID = dumps(
    Lock(
        {
            "github:github.com/o/r": __import__(
                "syncer.sync.lock", fromlist=["ForgeState"]
            ).ForgeState(
                items={"phase-2/functional/a": LockEntry(3, "docs/p.md", "A", "ab12", True, "M")}
            )
        }
    )
)


def _read(text: str) -> None:
    try:
        lock = loads(text)
    except LockFileError as exc:
        assert "rebuilds the lock" in exc.describe()
        return
    assert isinstance(lock, Lock)
    assert loads(dumps(lock)) == lock  # what it read, it writes back the same


@FUZZ
@given(st.text(max_size=300))
def test_lock_from_arbitrary_text(text: str) -> None:
    _read(text)


@FUZZ
@given(st.integers(0, len(VALID) - 1), st.integers(0, 40), st.text(max_size=12))
def test_lock_from_a_mutated_valid_lock(at: int, cut: int, insert: str) -> None:
    _read(VALID[:at] + insert + VALID[at + cut :])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


@FUZZ
@given(
    json_values,
    st.sampled_from(
        ["issue", "file", "title", "hash", "checked", "milestone", "items", "version", "listed_at"]
    ),
)
@example(float("inf"), "issue")
@example(True, "issue")
@example(-3, "issue")
@example("2026-03-01T10:00:00", "listed_at")
@example(5, "listed_at")
def test_lock_with_any_value_in_any_field(value: Any, field: str) -> None:
    data = json.loads(VALID)
    state = data["forges"]["github:github.com/o/r"]
    item = state["items"]["phase-2/functional/a"]
    if field in item:
        item[field] = value
    elif field == "version":
        data["version"] = value
    else:
        state[field] = value
    _read(json.dumps(data))


@FUZZ
@given(
    st.lists(
        st.binary(max_size=60)
        | st.builds(
            lambda e: json.dumps({"forge": "f", "key": "k", "entry": e.to_json()}).encode(), entry
        ),
        max_size=5,
    )
)
def test_journal_of_arbitrary_lines(tmp_path_factory: Any, lines: list[bytes]) -> None:
    tmp = tmp_path_factory.mktemp("lock")
    store = LockStore(tmp / "phasesync.lock")
    store.journal.write_bytes(b"\n".join(lines))
    assert isinstance(store.load(), Lock)


def test_a_time_without_offset_is_read_as_utc() -> None:
    data = json.loads(VALID)
    data["forges"]["github:github.com/o/r"]["listed_at"] = "2026-03-01T10:00:00"
    listed = loads(json.dumps(data)).state("github:github.com/o/r").listed_at
    assert listed is not None and listed.utcoffset() is not None


def test_a_deeply_nested_lock_is_an_error_not_a_crash() -> None:
    _read("[" * 100_000 + "]" * 100_000)


# --- the parser and the editor ---------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=400))
def test_parser_on_arbitrary_bytes(data: bytes) -> None:
    doc = parse_document("x.md", data)
    assert doc.data == data


@FUZZ
@given(st.sampled_from(DOCS), st.integers(0, 10**5), st.integers(0, 60), st.binary(max_size=20))
def test_parser_on_a_mutated_example(doc: bytes, at: int, cut: int, insert: bytes) -> None:
    at %= len(doc)
    data = doc[:at] + insert + doc[at + cut :]
    parsed = parse_document("x.md", data)
    assert parsed.data == data
    if parsed.phase is None:
        return
    # Every edit phasesync would make to any item either lands exactly or is refused.
    for item in parsed.phase.items:
        for edit in (
            box_edit(item.pos, True, data),
            link_edit(item.pos, 7, "https://example.com/o/r/issues/7"),
            title_edit(item.pos, "A new title"),
        ):
            try:
                out = apply_edits(data, [edit])
            except EditError:
                continue
            assert out[: edit.start] == data[: edit.start]
            assert out[edit.start + len(edit.text) :] == data[edit.end :]
