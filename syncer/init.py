"""`phasesync init`: detect the forge and write a starting configuration.

No prompts and no printing here: the command asks its questions and reports; these
functions detect, render and write, and return what they did.
"""

from __future__ import annotations

import json
import textwrap
import tomllib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path, PurePosixPath

from syncer.action_source import ActionSource, current_action_source
from syncer.errors import ConfigError
from syncer.install_source import InstallSource, current_install_source
from syncer.remote import Forge, read_origin
from syncer.settings import CONFIG_FILE, Settings
from syncer.settings_load import check_values

#: Where each forge's CI definition goes, relative to the repository root. On GitLab it is
#: a file of its own that the project's `.gitlab-ci.yml` includes: most projects have a
#: pipeline already, and init must not replace it.
WORKFLOW_FILES: dict[Forge, str] = {
    "github": ".github/workflows/phasesync.yml",
    "gitlab": ".gitlab/phasesync.gitlab-ci.yml",
}
GITLAB_CI = ".gitlab-ci.yml"
GITLAB_INCLUDE = f"include:\n  - local: {WORKFLOW_FILES['gitlab']}\n"
_WORKFLOW_TEMPLATES: dict[Forge, str] = {
    "github": "github-workflow.yml",
    "gitlab": "gitlab-ci.yml",
}
#: GitHub's workflow when the running phasesync's action can be named (`syncer.action_source`).
_ACTION_TEMPLATE = "github-workflow-action.yml"
#: What the step-based GitHub workflow says when it was asked for by its install line.
GIVEN_INSTALL = ActionSource(None, "an install line was given")
FIRST_DOCUMENT_NAME = "phase-1.md"
DEFAULT_PATHS = tuple(Settings.model_fields["paths"].default)
_GLOB_MAGIC = frozenset("*?[")


def detect_remote(cwd: Path) -> tuple[Forge, str, str | None] | None:
    """(forge, repository path, base URL or None) from the `origin` remote of `cwd`.

    None when there is no checkout or origin, or when its host does not say which forge it
    is (a self-hosted instance not named after GitHub or GitLab): then the command asks.
    """
    remote = read_origin(cwd)
    if remote is None or remote.forge is None:
        return None
    return remote.forge, remote.path, remote.base_url(remote.forge)


def template_text(name: str) -> str:
    """A template shipped in `syncer/data/templates`."""
    return (resources.files("syncer") / "data" / "templates" / name).read_text(encoding="utf-8")


def _fill(template: str, values: dict[str, str]) -> str:
    # `@NAME@` markers rather than str.format or string.Template: the templates are YAML
    # full of `${{ }}` and shell `$VARS` that must pass through untouched.
    for marker, value in values.items():
        if f"@{marker}@" not in template:
            raise RuntimeError(f"template lost its @{marker}@ marker")
        template = template.replace(f"@{marker}@", value)
    return template


def _toml_string(value: str) -> str:
    # A basic TOML string; the escapes are written out rather than borrowed from JSON,
    # whose rules differ (TOML forbids a raw DEL, JSON allows it).
    out = []
    for char in value:
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def render_config(
    *, forge: Forge, repo: str | None, base_url: str | None, paths: Sequence[str]
) -> str:
    """The text of `phasesync.toml`. Raises `ConfigError` if the values are not valid."""
    text = _fill(
        template_text("phasesync.toml"),
        {
            "FORGE": _toml_string(forge),
            "REPO": f"repo = {_toml_string(repo)}" if repo else '# repo = "OWNER/NAME"',
            "BASE_URL": (
                f"base_url = {_toml_string(base_url)}"
                if base_url
                else "# base_url: only for GitHub Enterprise or a self-hosted GitLab"
            ),
            "PATHS": "[" + ", ".join(_toml_string(glob) for glob in paths) + "]",
        },
    )
    # What we write must load: check it the way `load_settings` will read it.
    check_values(tomllib.loads(text), source=CONFIG_FILE)
    return text


def render_workflow(
    forge: Forge,
    install: str | None = None,
    paths: Sequence[str] = DEFAULT_PATHS,
    action: ActionSource | None = None,
) -> str:
    """The CI definition for `forge`.

    On GitHub it is a checkout and phasesync's action at `action.uses` (default: the action
    of the running phasesync, `syncer.action_source`, unless `install` is given); when
    there is none, and on GitLab, it installs phasesync with the pip requirement `install`
    (default: where the running phasesync came from, `syncer.install_source`) and runs it
    in steps of its own. On GitHub a push that touches the documents (`paths`) starts a
    sync as well.
    """
    values: dict[str, str] = {}
    template = _WORKFLOW_TEMPLATES[forge]
    if forge == "github":
        if action is None:
            action = current_action_source() if install is None else GIVEN_INSTALL
        values["PUSH_PATHS"] = "\n".join(
            f"      - {_yaml_string(_push_filter(glob))}" for glob in paths
        )
        if action.uses is not None:
            template = _ACTION_TEMPLATE
            values["ACTION"] = action.uses
            values["WHENCE"] = _comment(action.reason)
        else:
            values["WHY"] = _comment(action.reason)
    if template != _ACTION_TEMPLATE:
        values["INSTALL"] = install if install is not None else current_install_source().line
    return _fill(template_text(template), values)


def _comment(text: str) -> str:
    """`text` as the rest of a YAML comment: printable, wrapped onto `# ` lines."""
    words = "".join(c if c.isprintable() else " " for c in text)
    return "\n# ".join(textwrap.wrap(words, width=80, break_long_words=False)) or "-"


def _push_filter(glob: str) -> str:
    # The directory the documents live in, so that a moved or deleted document starts a
    # run too; a glob with no fixed directory is used as it is.
    fixed = _fixed_dirs(glob)
    return f"{fixed}/**" if fixed else glob


def _yaml_string(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(value, ensure_ascii=False)


def render_first_document() -> str:
    """The phase template, numbered as phase 1; its placeholders stay for the author."""
    text = template_text("phase-template.md")
    for old, new in (
        ("# Phase X:", "# Phase 1:"),
        ("**Phase Number**: [X]", "**Phase Number**: 1"),
    ):
        if old not in text:
            raise RuntimeError(f"the phase template no longer contains {old!r}")
        text = text.replace(old, new, 1)
    return text


def _fixed_dirs(glob: str) -> str:
    """The leading wildcard-free directories of `glob` (`docs/phases` of `docs/phases/**/*.md`)."""
    fixed: list[str] = []
    for part in PurePosixPath(glob).parts[:-1]:
        if _GLOB_MAGIC & set(part):
            break
        fixed.append(part)
    return "/".join(fixed)


def first_document_path(paths: Sequence[str]) -> str:
    """Where the first document goes: the fixed directory part of the first glob.

    `docs/phases/**/*.md` gives `docs/phases/phase-1.md`; `*.md` gives `phase-1.md`.
    """
    fixed = _fixed_dirs(paths[0]) if paths else ""
    return f"{fixed}/{FIRST_DOCUMENT_NAME}" if fixed else FIRST_DOCUMENT_NAME


def planned_files(
    *,
    forge: Forge,
    repo: str | None,
    base_url: str | None,
    paths: Sequence[str],
    source: InstallSource | None = None,
    action: ActionSource | None = None,
) -> dict[str, str]:
    """Every file `init` writes, as relative path -> text, in the order they are written."""
    install = (source or current_install_source()).line
    action = action or current_action_source()
    return {
        CONFIG_FILE: render_config(forge=forge, repo=repo, base_url=base_url, paths=paths),
        first_document_path(paths): render_first_document(),
        WORKFLOW_FILES[forge]: render_workflow(forge, install, paths=paths, action=action),
    }


#: Files of a run that never belong in git: the lock's mutex (`phasesync.lock.lock`).
GITIGNORE = ".gitignore"
IGNORED = ("phasesync.lock.lock",)


def ensure_gitignored(cwd: Path, names: Sequence[str] = IGNORED) -> list[str]:
    """Append each of `names` missing from `cwd/.gitignore` (created when missing); returns
    the names added. Existing lines are kept byte for byte."""
    path = cwd / GITIGNORE
    # Bytes, not read_text: its newline translation would rewrite a CRLF file.
    text = path.read_bytes().decode("utf-8", "surrogateescape") if path.exists() else ""
    present = {line.strip() for line in text.splitlines()}
    missing = [name for name in names if name not in present and f"/{name}" not in present]
    if missing:
        if text and not text.endswith("\n"):
            text += "\n"
        text += "# phasesync: the lock's mutex, held while a run works\n"
        text += "".join(f"{name}\n" for name in missing)
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
    return missing


def init_files(
    cwd: Path,
    *,
    forge: Forge,
    repo: str | None,
    base_url: str | None,
    paths: Sequence[str],
    force: bool,
    source: InstallSource | None = None,
    action: ActionSource | None = None,
) -> list[Path]:
    """Write the configuration, a first phase document and the CI definition under `cwd`.

    Without `force`, nothing is written if any of the files exists: `ConfigError` names
    them all. Returns the paths written.
    """
    files = planned_files(
        forge=forge, repo=repo, base_url=base_url, paths=paths, source=source, action=action
    )
    if forge == "gitlab" and not (cwd / GITLAB_CI).exists():
        # No pipeline yet: start one that includes phasesync's job. An existing one is left
        # alone; the command prints the `include:` line to add to it.
        files[GITLAB_CI] = "# The project's pipeline. phasesync's job comes from the include.\n" + (
            GITLAB_INCLUDE
        )
    existing = [name for name in files if (cwd / name).exists()]
    if existing and not force:
        raise ConfigError(
            "already exists; pass --force to replace it"
            if len(existing) == 1
            else "already exist; pass --force to replace them",
            source=", ".join(existing),
        )
    written = []
    for name, text in files.items():
        target = cwd / name
        target.parent.mkdir(parents=True, exist_ok=True)
        # newline="": the templates' "\n" stay "\n" on every platform.
        with target.open("w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        written.append(target)
    return written
