"""phasesync's configuration: one frozen `Settings`, loaded by `load_settings`.

Precedence, highest first (PRODUCT.md, "The command line"):

1. explicit overrides (the command line's flags; a `None` value means "not given");
2. `PHASESYNC_<KEY>` environment variables;
3. `phasesync.toml` in the working directory (or the file named by `--config`), else the
   `[tool.phasesync]` table of `pyproject.toml` there (`phasesync.toml` wins when both exist,
   as `ruff.toml` wins over `pyproject.toml` for ruff);
4. the defaults below.

Then what is still missing is filled from the surroundings: the token from `GITHUB_TOKEN` /
`GH_TOKEN` (GitHub) or `GITLAB_TOKEN` (GitLab); inside GitHub Actions the repository and API
URL from `GITHUB_REPOSITORY` / `GITHUB_API_URL`, inside GitLab CI from `CI_PROJECT_PATH` /
`CI_SERVER_URL`; elsewhere from the `origin` remote of the git checkout.

Environment variables: every key is `PHASESYNC_<KEY>` upper-cased (`PHASESYNC_WRITE_INTERVAL`).
`PHASESYNC_PATHS` is a JSON array or one glob per line; `PHASESYNC_LABELS` is a JSON object, or
one leaf at a time as `PHASESYNC_LABELS__PHASE__COLOR`. Empty variables count as unset (an
Actions input left empty arrives as an empty string). A `PHASESYNC_*` variable that names no
key is an error, like an unknown key in the file: a typo such as `PHASESYNC_TOKNE` must not
silently fall back to another token.

Loading is done here rather than by pydantic-settings' default sources so that the
environment can be passed in (tests never see the developer's real variables) and so that
every value's origin is known: an error names the file or the variable that gave the bad
value, and never shows the value itself (it may be the token).
"""

from __future__ import annotations

import json
import os
import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Self, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from syncer.errors import ConfigError
from syncer.remote import Forge, read_origin

ENV_PREFIX = "PHASESYNC_"
CONFIG_FILE = "phasesync.toml"
PYPROJECT_FILE = "pyproject.toml"
GITHUB_PUBLIC_API = "https://api.github.com"
GITLAB_PUBLIC_URL = "https://gitlab.com"

_HEX6 = re.compile(r"[0-9a-fA-F]{6}")


# --- label families --------------------------------------------------------------------------


def _check_format(template: str, allowed: frozenset[str], required: str, what: str) -> str:
    """Accept `template` only if it names nothing but `allowed` fields and names `required`.

    Positional (`{}`) and attribute/index fields (`{name.upper}`) are refused: the first is
    ambiguous, the second would let a configuration file reach into Python objects.
    """
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"{what} is not a valid format string: {exc}") from None
    names = {field for _, field, _, _ in parts if field is not None}
    unknown = sorted(names - allowed)
    if unknown:
        shown = ", ".join("{" + n + "}" for n in unknown)
        allowed_text = " and ".join("{" + n + "}" for n in sorted(allowed))
        raise ValueError(f"{what} may only use {allowed_text}, not {shown}")
    if required not in names:
        # Without it every phase (or kind...) would get the same label or milestone.
        raise ValueError(f"{what} must contain {{{required}}}")
    sample = dict.fromkeys(allowed, "1")
    try:
        template.format(**sample)
    except (ValueError, KeyError, IndexError) as exc:
        raise ValueError(f"{what} is not a valid format string: {exc}") from None
    return template


def _check_color(value: str) -> str:
    # GitHub wants six hex digits without '#', GitLab with it: keep the bare form here and
    # let each adapter add what its forge wants. People copy colours with the '#'.
    bare = value.removeprefix("#")
    if not _HEX6.fullmatch(bare):
        raise ValueError(f"colour {value!r} is not six hex digits such as 'd73a4a'")
    return bare.lower()


class LabelFamily(BaseModel):
    """One family of labels: the name format and the colour given to labels it creates.

    Each subclass names the one placeholder its name format must use.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    placeholder: ClassVar[str] = ""

    name: str
    color: str

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _check_format(
            value, frozenset({cls.placeholder}), cls.placeholder, "the label name format"
        )

    @field_validator("color")
    @classmethod
    def _color(cls, value: str) -> str:
        return _check_color(value)


class PhaseLabel(LabelFamily):
    placeholder = "number"


class TypeLabel(LabelFamily):
    placeholder = "kind"


class PriorityLabel(LabelFamily):
    placeholder = "priority"


class WeekLabel(LabelFamily):
    placeholder = "week"


class Labels(BaseModel):
    """The label families. Colours are fixed so that a label created twice looks the same."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    phase: PhaseLabel = Field(
        default_factory=lambda: PhaseLabel(name="phase:{number}", color="5319e7"),
        description="`{number}`: the phase number",
    )
    type: TypeLabel = Field(
        default_factory=lambda: TypeLabel(name="type:{kind}", color="1d76db"),
        description="`{kind}`: functional, non-functional, technical or task",
    )
    priority: PriorityLabel = Field(
        default_factory=lambda: PriorityLabel(name="priority:{priority}", color="d93f0b"),
        description="`{priority}`: the item's priority, lower case",
    )
    week: WeekLabel = Field(
        default_factory=lambda: WeekLabel(name="week:{week}", color="0e8a16"),
        description="`{week}`: the task's week number",
    )


# --- the settings ----------------------------------------------------------------------------

Seconds = Annotated[float, Field(ge=0)]


class Settings(BaseSettings):
    """Everything a run is configured with. Build it with `load_settings`.

    `Settings(...)` itself takes keyword values only and reads no environment or file: other
    modules and tests can build one without the machine's variables leaking in.
    """

    model_config = SettingsConfigDict(
        frozen=True, extra="forbid", env_prefix=ENV_PREFIX, validate_default=True
    )

    forge: Forge = Field(
        default="github",
        description="The forge the issues live on.",
        json_schema_extra={"display_type": "`github` | `gitlab`"},
    )
    repo: str | None = Field(
        default=None,
        description=(
            "`OWNER/NAME` on GitHub; the full project path (`group/sub/project`) on GitLab. "
            "Default: from CI variables or the `origin` remote."
        ),
        json_schema_extra={"display_type": "string", "display_default": "detected"},
    )
    base_url: str | None = Field(
        default=None,
        description=(
            "API root for GitHub Enterprise (`https://host/api/v3`) or a self-hosted GitLab "
            "(`https://host`). Default: the public forge, or detected."
        ),
        json_schema_extra={"display_type": "URL", "display_default": "public forge"},
    )
    token: SecretStr | None = Field(
        default=None,
        description=(
            "Access token. Falls back to `GITHUB_TOKEN` / `GH_TOKEN` (GitHub) or `GITLAB_TOKEN` "
            "(GitLab). Keep it out of files: use the environment."
        ),
        json_schema_extra={"display_type": "secret string", "display_default": "none"},
    )
    paths: tuple[str, ...] = Field(
        default=("docs/phases/**/*.md",),
        min_length=1,
        description="Globs of the phase documents, relative to the working directory.",
        json_schema_extra={"display_type": "list of globs"},
    )
    lock_file: str = Field(
        default="phasesync.lock",
        min_length=1,
        description="The sync state file, relative to the working directory.",
        json_schema_extra={"display_type": "path"},
    )
    write_links: bool = Field(
        default=True,
        description="Append `([#42](url))` to an item's line once its issue exists.",
        json_schema_extra={"display_type": "boolean"},
    )
    write_interval: Seconds = Field(
        default=1.0,
        description="Seconds between two write requests (GitHub asks for 1; 0 for emulators).",
        json_schema_extra={"display_type": "seconds"},
    )
    max_writes: int | None = Field(
        default=None,
        ge=1,
        description="Stop cleanly after this many write requests; the next run carries on.",
        json_schema_extra={"display_type": "integer", "display_default": "unlimited"},
    )
    max_wait: Seconds = Field(
        default=900.0,
        description="The longest rate-limit wait to sit out; a longer one stops the run.",
        json_schema_extra={"display_type": "seconds"},
    )
    on_removed: Literal["close", "keep"] = Field(
        default="close",
        description="What happens to the issue of an item deleted from the documents.",
        json_schema_extra={"display_type": "`close` | `keep`"},
    )
    mentions: Literal["escape", "keep"] = Field(
        default="escape",
        description="Neutralise `@mentions` in issue bodies so a push notifies nobody.",
        json_schema_extra={"display_type": "`escape` | `keep`"},
    )
    labels: Labels = Field(
        default_factory=Labels,
        description=(
            "Label families `phase`, `type`, `priority`, `week`, each `{name, color}`; "
            "`color` is six hex digits."
        ),
        json_schema_extra={
            "display_type": "table",
            "display_default": "`phase:{number}`, `type:{kind}`, `priority:{priority}`, "
            "`week:{week}`",
        },
    )
    milestone_title: str = Field(
        default="Phase {number}: {name}",
        description="Format of milestone titles; may use `{number}` and `{name}`.",
        json_schema_extra={"display_type": "format string"},
    )

    # Where each value came from ("default", a file, a variable...), for `doctor` and for
    # messages; and whether GitLab's CI job token was seen, to explain why it is not used.
    _sources: dict[str, str] = PrivateAttr(default_factory=dict)
    _job_token_seen: bool = PrivateAttr(default=False)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Only keyword values: `load_settings` gathers the layers itself (see module doc).
        return (init_settings,)

    @field_validator("paths", mode="before")
    @classmethod
    def _paths_list(cls, value: object) -> object:
        # A bare string would otherwise be iterated into one "glob" per character.
        if isinstance(value, str):
            raise ValueError('must be a list of globs, such as ["docs/phases/**/*.md"]')
        return value

    @field_validator("paths")
    @classmethod
    def _paths_not_blank(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not glob.strip() for glob in value):
            raise ValueError("a glob is empty")
        return value

    @field_validator("token")
    @classmethod
    def _token_not_blank(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip():
            return None
        return value

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http(s) URL such as https://github.example.com/api/v3")
        if parts.username or parts.password:
            # A credential in a URL ends up in logs; the token has its own key.
            raise ValueError("must not contain a user name or password; use `token`")
        return value.rstrip("/")

    @field_validator("milestone_title")
    @classmethod
    def _milestone_title(cls, value: str) -> str:
        return _check_format(
            value, frozenset({"number", "name"}), "number", "the milestone title format"
        )

    @model_validator(mode="after")
    def _repo_shape(self) -> Self:
        if self.repo is None:
            return self
        parts = self.repo.split("/")
        if any(not part.strip() for part in parts):
            raise ValueError("repo: has an empty part; write OWNER/NAME")
        if self.forge == "github" and len(parts) != 2:
            raise ValueError("repo: a GitHub repository is OWNER/NAME")
        if self.forge == "gitlab" and len(parts) < 2:
            raise ValueError("repo: a GitLab project is its full path, GROUP/NAME or deeper")
        return self

    def token_value(self) -> str | None:
        """The token in clear, for the forge client only. Never print or log it."""
        return self.token.get_secret_value() if self.token is not None else None

    def source_of(self, key: str) -> str:
        """Where `key`'s value came from: `default`, a file, a variable, `command line`..."""
        return self._sources.get(key, "default")

    def require_forge(self) -> None:
        """Check that a forge command has what it needs: a repository and a token.

        Raises `ConfigError` saying how to supply what is missing.
        """
        if self.repo is None:
            example = "OWNER/NAME" if self.forge == "github" else "GROUP/PROJECT"
            raise ConfigError(
                f"no repository: pass --repo {example}, set PHASESYNC_REPO or `repo` in "
                f"{CONFIG_FILE}, or run inside a git checkout whose `origin` is on {self.forge}",
                key="repo",
            )
        if self.token is not None:
            return
        if self.forge == "github":
            raise ConfigError(
                "no token: set PHASESYNC_TOKEN, GITHUB_TOKEN or GH_TOKEN to a token that may "
                "write issues (in Actions: `GITHUB_TOKEN: ${{ github.token }}` with "
                "`permissions: issues: write`)",
                key="token",
            )
        if self._job_token_seen:
            raise ConfigError(
                "only CI_JOB_TOKEN is available, and the CI job token cannot create issues, "
                "labels or milestones: create a project access token with the `api` scope and "
                "put it in a masked CI/CD variable GITLAB_TOKEN or PHASESYNC_TOKEN",
                key="token",
            )
        raise ConfigError(
            "no token: set PHASESYNC_TOKEN or GITLAB_TOKEN to a project or personal access "
            "token with the `api` scope",
            key="token",
        )


# --- the reference table ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SettingInfo:
    """One row of the configuration reference (README, `phasesync doctor`)."""

    key: str
    type: str
    default: str
    env: str
    description: str


def _display_default(name: str) -> str:
    field = Settings.model_fields[name]
    extra = field.json_schema_extra
    if isinstance(extra, dict) and isinstance(extra.get("display_default"), str):
        return str(extra["display_default"])
    value = field.get_default(call_default_factory=True)
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, tuple):
        return "[" + ", ".join(f"`{item}`" for item in value) + "]"
    return f"`{value}`"


def _build_reference() -> tuple[SettingInfo, ...]:
    rows = []
    for name, field in Settings.model_fields.items():
        extra = field.json_schema_extra
        display_type = extra.get("display_type") if isinstance(extra, dict) else None
        rows.append(
            SettingInfo(
                key=name,
                type=str(display_type or field.annotation),
                default=_display_default(name),
                env=ENV_PREFIX + name.upper(),
                description=field.description or "",
            )
        )
    return tuple(rows)


SETTINGS_REFERENCE: tuple[SettingInfo, ...] = _build_reference()


def describe_settings() -> str:
    """The configuration reference as a Markdown table, one row per key."""
    lines = [
        "| key | type | default | environment variable | description |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in SETTINGS_REFERENCE:
        cells = (f"`{row.key}`", row.type, row.default, f"`{row.env}`", row.description)
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


# --- loading ---------------------------------------------------------------------------------

_KEYS = frozenset(Settings.model_fields)
# The keys whose environment value is structured text rather than one scalar.
_LIST_KEYS = frozenset({"paths"})
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
                f"unknown setting; the variables are {ENV_PREFIX}<KEY> for the keys "
                + ", ".join(sorted(_KEYS)),
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
            message += "; the keys are " + ", ".join(sorted(_KEYS))
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
