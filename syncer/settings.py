"""phasesync's configuration: one frozen `Settings`, loaded by `settings_load.load_settings`.

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

import ipaddress
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit

from pydantic import (
    Field,
    PrivateAttr,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from syncer.errors import ConfigError
from syncer.remote import Forge
from syncer.settings_labels import Labels, check_format

ENV_PREFIX = "PHASESYNC_"
CONFIG_FILE = "phasesync.toml"
PYPROJECT_FILE = "pyproject.toml"
GITHUB_PUBLIC_API = "https://api.github.com"
GITLAB_PUBLIC_URL = "https://gitlab.com"


def _loopback(host: str) -> bool:
    """Whether `host` names this machine: `localhost`, 127.0.0.0/8 or ::1. Another name
    that happens to resolve there does not count: DNS can change under us."""
    host = host.lower().rstrip(".")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
    writes_per_hour: int | None = Field(
        default=None,
        ge=0,
        description="The forge's ceiling on write requests an hour, shared by successive "
        "runs through the lock: a run that reaches it stops and the next carries on. Default: "
        "GitHub's content-creation limit (500 an hour and 80 a minute); none on GitLab. 0: none.",
        json_schema_extra={"display_type": "integer", "display_default": "forge's own"},
    )
    writes_per_minute: int | None = Field(
        default=None,
        ge=0,
        description="The forge's ceiling on write requests a minute (waited out within the "
        "run). Default: 80 on GitHub, none on GitLab. 0: none.",
        json_schema_extra={"display_type": "integer", "display_default": "forge's own"},
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
    forge_edits: Literal["accept", "restore"] = Field(
        default="accept",
        description=(
            "A title or one-line description edited on the forge alone: written into the "
            "document (`accept`), or restored from it (`restore`: the documents are law)."
        ),
        json_schema_extra={"display_type": "`accept` | `restore`"},
    )
    done_items: Literal["create", "skip"] = Field(
        default="create",
        description=(
            "Items already ticked when phasesync first meets them (no issue yet): created "
            "and closed (`create`: two writes each, the history of finished work on the "
            "forge), or left in the document alone (`skip`: no write). An item ticked once "
            "it has an issue is closed either way; one unticked later is created."
        ),
        json_schema_extra={"display_type": "`create` | `skip`"},
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
    sync_checklists: bool = Field(
        default=False,
        description=(
            "Sync the phase template's own checklists (Success Criteria, Phase Completion "
            "Checklist, Quality Assurance, Testing Strategy, Deployment, Monitoring, "
            "Documentation Requirements, Dependencies and Prerequisites) as issues too."
        ),
        json_schema_extra={"display_type": "boolean"},
    )
    phase_parents: bool = Field(
        default=False,
        description=(
            "A parent issue per phase (its objective and progress), with the phase's items "
            "as its sub-issues on GitHub (per-section parents past 100 items) and as "
            "`relates_to` links plus a `Part of #N` line on GitLab; closed when every item is."
        ),
        json_schema_extra={"display_type": "boolean"},
    )
    subtasks: Literal["checklist", "issues"] = Field(
        default="checklist",
        description=(
            "What a task's nested boxes become: `checklist` lines in the task's issue, or "
            "`issues` of their own (linked in the document, ticks synced both ways), each a "
            "sub-issue of its task's issue on GitHub and a `relates_to` link plus a "
            "`Part of #N` line on GitLab."
        ),
        json_schema_extra={"display_type": "`checklist` | `issues`"},
    )
    dependencies: Literal["text", "links"] = Field(
        default="text",
        description=(
            "`links`: the dependencies the documents state (an item naming `#42`, an issue "
            "URL, or `Depends on:`/`Blocked by:` another item's title; with `phase_parents`, "
            'a phase\'s `**Dependencies**` naming earlier phases) become native "blocked by" '
            "relations: GitHub issue dependencies; GitLab `is_blocked_by` links on Premium, "
            "`relates_to` otherwise, and a `Blocked by #N` line in the item. `text`: left as "
            "text."
        ),
        json_schema_extra={"display_type": "`text` | `links`"},
    )
    project: str = Field(
        default="",
        description=(
            "GitHub only: the URL of a project board (`https://github.com/orgs/ORG/projects/N` "
            "or `.../users/USER/projects/N`). Every managed issue becomes an item of it, with "
            "Status, Phase, Type, Priority, Week, Estimate and Due filled from the document. "
            "Empty: no board."
        ),
        json_schema_extra={"display_type": "URL", "display_default": "empty (no board)"},
    )
    project_status: tuple[str, str] = Field(
        default=("Todo", "Done"),
        description=(
            "With `project`: the board's Status options for an open box and for a ticked "
            "one, in that order."
        ),
        json_schema_extra={"display_type": "two names", "display_default": '["Todo", "Done"]'},
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
        if parts.scheme == "http" and not _loopback(parts.hostname):
            # The token travels in a header: over plain HTTP anyone on the path reads it.
            raise ValueError(
                "must be https:// (plain http:// would send the token unencrypted); "
                "http:// is accepted only for a forge on this machine "
                "(localhost, 127.0.0.0/8, ::1)"
            )
        return value.rstrip("/")

    @field_validator("milestone_title")
    @classmethod
    def _milestone_title(cls, value: str) -> str:
        return check_format(
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

    @model_validator(mode="after")
    def _project_board(self) -> Self:
        from syncer.forges.github_board import setting_problem  # the board's own rules

        problem = setting_problem(self.forge, self.project, self.project_status)
        if problem:
            raise ValueError(problem)
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
