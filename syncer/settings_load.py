"""Loading the settings layer over layer: flags, `PHASESYNC_*` variables, the file, the
defaults, then the surroundings (see `syncer.settings` for the precedence)."""

from __future__ import annotations

import difflib
import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from syncer.errors import ConfigError
from syncer.remote import read_origin
from syncer.settings import (
    CONFIG_FILE,
    ENV_PREFIX,
    GITHUB_PUBLIC_API,
    GITLAB_PUBLIC_URL,
    PYPROJECT_FILE,
    Settings,
)
from syncer.settings_labels import Labels

_KEYS = frozenset(Settings.model_fields)
# The keys whose environment value is structured text rather than one scalar.
_LIST_KEYS = frozenset({"paths", "project_status"})
_TABLE_KEYS = frozenset({"labels"})
_T = TypeVar("_T")

KeyPath = tuple[str, ...]


class _Layers:
    """Values merged layer over layer, remembering which layer gave each leaf."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.origins: dict[KeyPath, str] = {}

    def add(self, values: Mapping[str, Any], origin: str, prefix: KeyPath = ()) -> None:
        target = self.values
        for part in prefix:
            target = target[part]
        for key, value in values.items():
            path = (*prefix, key)
            if isinstance(value, Mapping) and isinstance(target.get(key), dict):
                # Tables merge key by key: `[labels.phase] color = ...` keeps the default name.
                self.add(value, origin, path)
                continue
            target[key] = _plain(value)
            for inner in [p for p in self.origins if p[: len(path)] == path]:
                del self.origins[inner]
            self.origins[path] = origin

    def origin_of(self, loc: KeyPath) -> str | None:
        for end in range(len(loc), 0, -1):
            if loc[:end] in self.origins:
                return self.origins[loc[:end]]
        return None

    def has(self, key: str) -> bool:
        return (key,) in self.origins and self.origins[(key,)] != _DEFAULT


_DEFAULT = "default"


def _plain(value: Any) -> Any:
    """A copy with every mapping a plain dict, so that later layers can merge into it."""
    if isinstance(value, Mapping):
        return {key: _plain(inner) for key, inner in value.items()}
    return value


def _read_file_layer(cwd: Path, config: Path | None) -> tuple[dict[str, Any], str] | None:
    """The file layer and how to name it in messages, or None when there is no file."""
    if config is not None:
        path = config if config.is_absolute() else cwd / config
        if not path.is_file():
            raise ConfigError("no such configuration file", source=str(config))
        return _read_toml(path, str(config)), str(config)
    own = cwd / CONFIG_FILE
    if own.is_file():
        return _read_toml(own, CONFIG_FILE), CONFIG_FILE
    pyproject = cwd / PYPROJECT_FILE
    if not pyproject.is_file():
        return None
    name = f"{PYPROJECT_FILE} [tool.phasesync]"
    tool = _read_toml(pyproject, PYPROJECT_FILE).get("tool")
    section = tool.get("phasesync") if isinstance(tool, dict) else None
    if section is None:
        return None
    if not isinstance(section, dict):
        raise ConfigError("must be a table", source=name)
    return section, name


def _read_toml(path: Path, name: str) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        # The decoder's message gives line and column, never the text of the line.
        raise ConfigError(f"not valid TOML: {exc}", source=name) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", source=name) from None


def _env_values(env: Mapping[str, str]) -> list[tuple[dict[str, Any], str]]:
    """One (nested value, origin) per `PHASESYNC_*` variable, in a stable order."""
    found = []
    for name, raw in sorted(env.items()):
        if not name.upper().startswith(ENV_PREFIX) or raw == "":
            continue
        origin = f"environment variable {name}"
        parts = name[len(ENV_PREFIX) :].lower().split("__")
        key = parts[0]
        if key not in _KEYS or (len(parts) > 1 and key not in _TABLE_KEYS):
            raise ConfigError(
                f"unknown setting{_did_you_mean(key, ENV_PREFIX)}; the variables are "
                f"{ENV_PREFIX}<KEY> for the keys " + ", ".join(sorted(_KEYS)),
                source=origin,
            )
        value: Any = raw
        if len(parts) == 1 and key in _LIST_KEYS:
            value = _decode_list(raw, origin)
        elif len(parts) == 1 and key in _TABLE_KEYS:
            value = _decode_json(raw, origin, dict, "a JSON object")
        for part in reversed(parts[1:]):
            value = {part: value}
        found.append(({key: value}, origin))
    return found


def _decode_list(raw: str, origin: str) -> list[Any]:
    if raw.lstrip().startswith("["):
        return _decode_json(raw, origin, list, "a JSON array")
    # Otherwise one glob per line: what a multi-line Actions input or CI variable gives.
    return [line.strip() for line in raw.splitlines() if line.strip()]


def _decode_json(raw: str, origin: str, kind: type[_T], what: str) -> _T:
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"not {what}: {exc.msg} at column {exc.colno}", source=origin) from None
    if not isinstance(value, kind):
        raise ConfigError(f"not {what}", source=origin)
    return value


def _fill_from_surroundings(layers: _Layers, cwd: Path, env: Mapping[str, str]) -> bool:
    """Fill what no layer gave from CI variables or the git remote.

    Returns whether GitLab's CI job token is the only token around, for `require_forge`.
    """

    def fill(key: str, value: str | None, origin: str) -> None:
        if value and not layers.has(key):
            layers.add({key: value}, origin)

    in_actions = env.get("GITHUB_ACTIONS", "").lower() == "true"
    in_gitlab = env.get("GITLAB_CI", "").lower() == "true"
    # Asking git costs a process; inside CI the variables are authoritative anyway.
    remote = None if in_actions or in_gitlab else read_origin(cwd)

    if in_gitlab:
        fill("forge", "gitlab", "GITLAB_CI")
    elif in_actions:
        fill("forge", "github", "GITHUB_ACTIONS")
    elif remote is not None:
        fill("forge", remote.forge, "git remote origin")
    forge = layers.values.get("forge", "github")

    if in_actions and forge == "github":
        fill("repo", env.get("GITHUB_REPOSITORY"), "GITHUB_REPOSITORY")
        api = env.get("GITHUB_API_URL", "").rstrip("/")
        if api != GITHUB_PUBLIC_API:
            fill("base_url", api, "GITHUB_API_URL")
    elif in_gitlab and forge == "gitlab":
        fill("repo", env.get("CI_PROJECT_PATH"), "CI_PROJECT_PATH")
        server = env.get("CI_SERVER_URL", "").rstrip("/")
        if server != GITLAB_PUBLIC_URL:
            fill("base_url", server, "CI_SERVER_URL")
    elif (
        remote is not None
        and forge in ("github", "gitlab")
        and remote.forge in (None, forge)
        and not layers.has("repo")
    ):
        # Host and path describe one remote: take the base URL from it only together with
        # the repository, or a configured github.com repository would be sent to whatever
        # host `origin` happens to be on.
        fill("repo", remote.path, "git remote origin")
        fill("base_url", remote.base_url(forge), "git remote origin")

    fallbacks = ("GITHUB_TOKEN", "GH_TOKEN") if forge == "github" else ("GITLAB_TOKEN",)
    for name in fallbacks:
        fill("token", env.get(name), f"environment variable {name}")
    return forge == "gitlab" and bool(env.get("CI_JOB_TOKEN")) and not layers.has("token")


def _describe_error(error: Mapping[str, Any]) -> tuple[str, str]:
    """(dotted key, message) for one pydantic error, never quoting the input value."""
    loc = [str(part) for part in error["loc"]]
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key"
        if len(loc) == 1:
            message += _did_you_mean(loc[0]) + "; the keys are " + ", ".join(sorted(_KEYS))
    if not loc:
        # A model-level check names its key at the start of its message.
        key, _, message = message.partition(": ")
        return key, message
    return ".".join(loc), message


def check_values(values: Mapping[str, Any], *, source: str) -> Settings:
    """Settings from `values` alone (no environment, no defaults filled from git or CI).

    For checking a configuration before it is written (`phasesync init`). Raises
    `ConfigError` naming the key and `source`.
    """
    try:
        return Settings(**values)
    except ValidationError as exc:
        key, message = _describe_error(exc.errors(include_input=False, include_url=False)[0])
        raise ConfigError(message, key=key, source=source) from None


def load_settings(
    *,
    cwd: Path,
    config: Path | None = None,
    overrides: Mapping[str, object] | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Load the settings for a run in `cwd` (see the module doc for the precedence).

    `overrides` are the command line's values; keys with a `None` value are ignored. `env`
    defaults to `os.environ`. Raises `ConfigError` naming the key and the file or variable
    that gave a bad value; the value itself is never in the message.
    """
    env = os.environ if env is None else env
    layers = _Layers()
    layers.add({"labels": Labels().model_dump()}, _DEFAULT)
    file_layer = _read_file_layer(cwd, config)
    if file_layer is not None:
        layers.add(*file_layer)
    for value, origin in _env_values(env):
        layers.add(value, origin)
    layers.add({k: v for k, v in (overrides or {}).items() if v is not None}, "command line")
    job_token_only = _fill_from_surroundings(layers, cwd, env)

    try:
        settings = Settings(**layers.values)
    except ValidationError as exc:
        key, message = _describe_error(exc.errors(include_input=False, include_url=False)[0])
        source = layers.origin_of(tuple(key.split("."))) or _DEFAULT
        raise ConfigError(message, key=key, source=source) from None

    settings._job_token_seen = job_token_only
    settings._sources = {
        ".".join(path): origin for path, origin in layers.origins.items() if origin != _DEFAULT
    }
    return settings


def _did_you_mean(key: str, prefix: str = "") -> str:
    """`; did you mean write_links?` for a near miss of a key, else nothing."""
    close = difflib.get_close_matches(key.lower(), sorted(_KEYS), n=1, cutoff=0.75)
    return f"; did you mean {prefix}{close[0].upper() if prefix else close[0]}?" if close else ""
