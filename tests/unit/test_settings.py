"""Settings: precedence, sources, CI and git detection, and errors that never show the token."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

from syncer.errors import ConfigError
from syncer.remote import Remote, parse_remote_url
from syncer.settings import Settings
from syncer.settings_load import load_settings
from syncer.settings_reference import SETTINGS_REFERENCE, describe_settings

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = REPO_ROOT / "config" / "phasesync.example.toml"
TOKEN = "ghp_s3cr3tT0kenValue0123456789abcdefXYZ"


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True)


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    """An empty git checkout with no remote, so that nothing around the test leaks in."""
    git(tmp_path, "init", "-q")
    return tmp_path


def with_origin(cwd: Path, url: str) -> Path:
    git(cwd, "remote", "add", "origin", url)
    return cwd


def write(cwd: Path, name: str, text: str) -> Path:
    path = cwd / name
    path.write_text(text, encoding="utf-8")
    return path


def load(cwd: Path, env: dict[str, str] | None = None, **kwargs: object) -> Settings:
    return load_settings(cwd=cwd, env=env or {}, **kwargs)  # type: ignore[arg-type]


def config_error(cwd: Path, env: dict[str, str] | None = None, **kwargs: object) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load(cwd, env, **kwargs)
    return info.value


# --- defaults and precedence -----------------------------------------------------------------


def test_defaults_in_an_empty_checkout(cwd: Path) -> None:
    settings = load(cwd)
    assert settings.forge == "github"
    assert settings.repo is None
    assert settings.base_url is None
    assert settings.token is None
    assert settings.token_value() is None
    assert settings.paths == ("docs/phases/**/*.md",)
    assert settings.lock_file == "phasesync.lock"
    assert settings.write_links is True
    assert settings.write_interval == 1.0
    assert settings.max_writes is None
    assert settings.max_wait == 900.0
    assert settings.on_removed == "close"
    assert settings.mentions == "escape"
    assert settings.labels.phase.name == "phase:{number}"
    assert settings.labels.week.color == "0e8a16"
    assert settings.milestone_title == "Phase {number}: {name}"
    assert settings.source_of("write_interval") == "default"


@pytest.mark.parametrize(
    ("key", "file_value", "env_value", "flag_value", "expected"),
    [
        # expected: what (file, env, flag) give when the layers above them are present
        ("write_interval", "2.5", "0.5", 0.0, (2.5, 0.5, 0.0)),
        ("lock_file", '"from-file.lock"', "from-env.lock", "from-flag.lock", None),
        ("max_writes", "10", "20", 30, (10, 20, 30)),
        ("repo", '"file/repo"', "env/repo", "flag/repo", None),
        ("on_removed", '"keep"', "close", "keep", None),
        ("write_links", "false", "true", False, (False, True, False)),
    ],
)
def test_flag_beats_env_beats_file_beats_default(
    cwd: Path,
    key: str,
    file_value: str,
    env_value: str,
    flag_value: object,
    expected: tuple[object, object, object] | None,
) -> None:
    from_file, from_env, from_flag = expected or (
        tomllib.loads(f"v = {file_value}")["v"],
        env_value,
        flag_value,
    )
    default = Settings.model_fields[key].default
    env = {f"PHASESYNC_{key.upper()}": env_value}

    assert getattr(load(cwd), key) == default
    write(cwd, "phasesync.toml", f"{key} = {file_value}\n")
    assert getattr(load(cwd), key) == from_file
    assert load(cwd).source_of(key) == "phasesync.toml"
    assert getattr(load(cwd, env), key) == from_env
    assert load(cwd, env).source_of(key) == f"environment variable PHASESYNC_{key.upper()}"
    assert getattr(load(cwd, env, overrides={key: flag_value}), key) == from_flag
    assert load(cwd, env, overrides={key: flag_value}).source_of(key) == "command line"


def test_overrides_with_none_are_not_given(cwd: Path) -> None:
    write(cwd, "phasesync.toml", 'repo = "file/repo"\nmax_writes = 5\n')
    settings = load(cwd, overrides={"repo": None, "max_writes": None, "forge": "github"})
    assert settings.repo == "file/repo"
    assert settings.max_writes == 5


def test_empty_environment_variables_count_as_unset(cwd: Path) -> None:
    # What an Actions input left empty looks like.
    write(cwd, "phasesync.toml", 'forge = "gitlab"\nrepo = "g/p"\n')
    settings = load(cwd, {"PHASESYNC_FORGE": "", "PHASESYNC_TOKEN": "", "PHASESYNC_PATHS": ""})
    assert settings.forge == "gitlab"
    assert settings.token is None
    assert settings.paths == ("docs/phases/**/*.md",)


def test_paths_from_env_as_json_or_one_glob_per_line(cwd: Path) -> None:
    json_env = {"PHASESYNC_PATHS": '["a/*.md", "b/**/*.md"]'}
    assert load(cwd, json_env).paths == ("a/*.md", "b/**/*.md")
    lines_env = {"PHASESYNC_PATHS": "a/*.md\n  b/**/*.md  \n\n"}
    assert load(cwd, lines_env).paths == ("a/*.md", "b/**/*.md")


def test_a_bare_string_is_not_a_list_of_paths(cwd: Path) -> None:
    write(cwd, "phasesync.toml", 'paths = "docs/*.md"\n')
    error = config_error(cwd)
    assert (error.key, error.source) == ("paths", "phasesync.toml")
    assert "list of globs" in error.message


# --- files -----------------------------------------------------------------------------------


def test_pyproject_tool_table(cwd: Path) -> None:
    write(cwd, "pyproject.toml", '[project]\nname = "x"\n\n[tool.phasesync]\nmax_writes = 7\n')
    settings = load(cwd)
    assert settings.max_writes == 7
    assert settings.source_of("max_writes") == "pyproject.toml [tool.phasesync]"


def test_pyproject_without_the_table_is_ignored(cwd: Path) -> None:
    write(cwd, "pyproject.toml", '[project]\nname = "x"\n\n[tool.ruff]\nline-length = 99\n')
    assert load(cwd).max_writes is None


def test_phasesync_toml_wins_over_pyproject(cwd: Path) -> None:
    write(cwd, "pyproject.toml", "[tool.phasesync]\nmax_writes = 7\nmentions = 'keep'\n")
    write(cwd, "phasesync.toml", "max_writes = 8\n")
    settings = load(cwd)
    assert settings.max_writes == 8
    # The files are alternatives, not layers: nothing is taken from pyproject.toml.
    assert settings.mentions == "escape"


def test_config_option_names_another_file(cwd: Path) -> None:
    write(cwd, "phasesync.toml", "max_writes = 8\n")
    (cwd / "ci").mkdir()
    write(cwd, "ci/sync.toml", "max_writes = 9\n")
    settings = load(cwd, config=Path("ci/sync.toml"))
    assert settings.max_writes == 9
    assert settings.source_of("max_writes") == "ci/sync.toml"
    assert load(cwd, config=cwd / "ci" / "sync.toml").max_writes == 9


def test_missing_config_file_is_an_error(cwd: Path) -> None:
    error = config_error(cwd, config=Path("nope.toml"))
    assert error.source == "nope.toml"
    assert error.exit_code == 2


def test_unknown_key_in_file_names_key_and_file(cwd: Path) -> None:
    write(cwd, "phasesync.toml", "write_link = false\n")
    error = config_error(cwd)
    assert (error.key, error.source) == ("write_link", "phasesync.toml")
    assert "unknown key" in error.message
    assert "write_links" in error.message  # the list of keys shows the right spelling
    assert str(error).startswith("phasesync.toml: write_link: unknown key")


def test_unknown_nested_key_in_pyproject(cwd: Path) -> None:
    write(cwd, "pyproject.toml", "[tool.phasesync.labels.phase]\ncolour = 'ff0000'\n")
    error = config_error(cwd)
    assert (error.key, error.source) == ("labels.phase.colour", "pyproject.toml [tool.phasesync]")


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('write_interval = "fast"', "write_interval"),
        ("write_links = 3", "write_links"),
        ('forge = "bitbucket"', "forge"),
        ("max_writes = 0", "max_writes"),
        ("max_wait = -1", "max_wait"),
        ("paths = []", "paths"),
        ("labels = 5", "labels"),
        ('base_url = "ftp://example.com"', "base_url"),
    ],
)
def test_wrong_type_in_file_names_key_and_file(cwd: Path, line: str, key: str) -> None:
    write(cwd, "phasesync.toml", line + "\n")
    error = config_error(cwd)
    assert (error.key, error.source) == (key, "phasesync.toml")
    assert "Traceback" not in str(error) and "pydantic" not in str(error)


@pytest.mark.parametrize(
    "url",
    [
        "http://gitlab.example.com",
        "http://ghe.example.com/api/v3",
        "http://10.0.0.7:8080",
        "http://localhost.example.com",
        "http://[::ffff:10.0.0.1]",
    ],
)
def test_plain_http_base_url_off_this_machine_is_refused(cwd: Path, url: str) -> None:
    """The token travels in a header: over http:// anyone on the way could read it."""
    write(cwd, "phasesync.toml", f'base_url = "{url}"\n')
    error = config_error(cwd, {"PHASESYNC_TOKEN": TOKEN})
    assert (error.key, error.source) == ("base_url", "phasesync.toml")
    assert "must be https://" in error.message and "localhost" in error.message
    assert url not in str(error) and TOKEN not in str(error)


def test_plain_http_base_url_from_the_environment_is_refused(cwd: Path) -> None:
    env = {"PHASESYNC_BASE_URL": "http://gitlab.example.com", "PHASESYNC_FORGE": "gitlab"}
    error = config_error(cwd, env)
    assert (error.key, error.source) == ("base_url", "environment variable PHASESYNC_BASE_URL")


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8080",
        "http://LOCALHOST",
        "http://127.0.0.1:3000/api/v3",
        "http://127.8.9.10",
        "http://[::1]:8080",
        "https://gitlab.example.com",
    ],
)
def test_https_or_a_loopback_base_url_is_accepted(cwd: Path, url: str) -> None:
    write(cwd, "phasesync.toml", f'base_url = "{url}"\n')
    assert load(cwd).base_url == url.rstrip("/")


def test_wrong_type_in_env_names_the_variable(cwd: Path) -> None:
    write(cwd, "phasesync.toml", "write_interval = 2\n")
    error = config_error(cwd, {"PHASESYNC_WRITE_INTERVAL": "soon"})
    assert error.key == "write_interval"
    assert error.source == "environment variable PHASESYNC_WRITE_INTERVAL"


def test_bad_json_in_env(cwd: Path) -> None:
    error = config_error(cwd, {"PHASESYNC_LABELS": "{phase: 1}"})
    assert error.source == "environment variable PHASESYNC_LABELS"
    assert "JSON object" in error.message


def test_unknown_phasesync_variable_is_an_error(cwd: Path) -> None:
    error = config_error(cwd, {"PHASESYNC_TOKNE": TOKEN})
    assert error.source == "environment variable PHASESYNC_TOKNE"
    assert "token" in error.message
    # Nested variables exist only for the `labels` table.
    error = config_error(cwd, {"PHASESYNC_REPO__OWNER": "x"})
    assert error.source == "environment variable PHASESYNC_REPO__OWNER"


def test_invalid_toml_names_file_and_line(cwd: Path) -> None:
    write(cwd, "phasesync.toml", 'forge = "github"\nrepo = o/r\n')
    error = config_error(cwd)
    assert error.source == "phasesync.toml"
    assert "line 2" in error.message


def test_model_level_error_names_key_and_source(cwd: Path) -> None:
    write(cwd, "phasesync.toml", 'repo = "group/sub/project"\n')
    error = config_error(cwd)
    assert (error.key, error.source) == ("repo", "phasesync.toml")
    assert "OWNER/NAME" in error.message
    # The same path is a fine GitLab project.
    assert load(cwd, {"PHASESYNC_FORGE": "gitlab"}).repo == "group/sub/project"


# --- labels and milestone titles -------------------------------------------------------------


def test_label_colours_accept_a_hash_and_case(cwd: Path) -> None:
    write(cwd, "phasesync.toml", '[labels.priority]\ncolor = "#B60205"\n')
    settings = load(cwd)
    assert settings.labels.priority.color == "b60205"
    # Only the colour was given: the family keeps its default name.
    assert settings.labels.priority.name == "priority:{priority}"
    assert settings.source_of("labels.priority.color") == "phasesync.toml"


def test_label_from_nested_env_variable(cwd: Path) -> None:
    write(cwd, "phasesync.toml", '[labels.week]\nname = "sprint-{week}"\ncolor = "000000"\n')
    settings = load(cwd, {"PHASESYNC_LABELS__WEEK__COLOR": "ffffff"})
    assert (settings.labels.week.name, settings.labels.week.color) == ("sprint-{week}", "ffffff")


@pytest.mark.parametrize("color", ["red", "#12345", "1234567", "##123456", "12345g"])
def test_bad_label_colour(cwd: Path, color: str) -> None:
    write(cwd, "phasesync.toml", f'[labels.type]\ncolor = "{color}"\n')
    error = config_error(cwd)
    assert (error.key, error.source) == ("labels.type.color", "phasesync.toml")
    assert "six hex digits" in error.message


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("phase", "must contain {number}"),
        ("phase:{number}:{kind}", "not {kind}"),
        ("phase:{}", "not {}"),
        ("phase:{number.real}", "not {number.real}"),
        ("phase:{number", "not a valid format string"),
    ],
)
def test_label_name_must_use_its_placeholder(cwd: Path, name: str, fragment: str) -> None:
    write(cwd, "phasesync.toml", f'[labels.phase]\nname = "{name}"\n')
    error = config_error(cwd)
    assert error.key == "labels.phase.name"
    assert fragment in error.message


@pytest.mark.parametrize(
    ("title", "fragment"),
    [
        ("{name}", "must contain {number}"),
        ("Phase {number}: {title}", "not {title}"),
        ("Phase {0}", "not {0}"),
        ("Phase {number!z}", "not a valid format string"),
    ],
)
def test_milestone_title_format_is_checked(cwd: Path, title: str, fragment: str) -> None:
    error = config_error(cwd, {"PHASESYNC_MILESTONE_TITLE": title})
    assert error.key == "milestone_title"
    assert error.source == "environment variable PHASESYNC_MILESTONE_TITLE"
    assert fragment in error.message


def test_milestone_title_may_reorder_and_format(cwd: Path) -> None:
    settings = load(cwd, overrides={"milestone_title": "{name} (phase {number:>2})"})
    assert settings.milestone_title.format(number="3", name="Billing") == "Billing (phase  3)"


# --- token -----------------------------------------------------------------------------------


def test_phasesync_token_beats_forge_token(cwd: Path) -> None:
    settings = load(cwd, {"PHASESYNC_TOKEN": "mine", "GITHUB_TOKEN": "actions"})
    assert settings.token_value() == "mine"


@pytest.mark.parametrize(
    ("forge", "env", "expected"),
    [
        ("github", {"GITHUB_TOKEN": "a", "GH_TOKEN": "b"}, "a"),
        ("github", {"GH_TOKEN": "b"}, "b"),
        ("github", {"GITLAB_TOKEN": "c"}, None),
        ("gitlab", {"GITLAB_TOKEN": "c", "GITHUB_TOKEN": "a"}, "c"),
        ("gitlab", {"GITHUB_TOKEN": "a", "GH_TOKEN": "b"}, None),
    ],
)
def test_token_falls_back_to_the_forge_variable(
    cwd: Path, forge: str, env: dict[str, str], expected: str | None
) -> None:
    settings = load(cwd, env, overrides={"forge": forge})
    assert settings.token_value() == expected
    if expected is not None:
        assert settings.source_of("token").startswith("environment variable ")


def test_token_is_hidden_from_repr_and_dumps(cwd: Path) -> None:
    settings = load(cwd, {"PHASESYNC_TOKEN": TOKEN})
    assert settings.token_value() == TOKEN
    for text in (
        repr(settings),
        str(settings),
        settings.model_dump_json(),
        str(settings.model_dump()),
    ):
        assert TOKEN not in text


@pytest.mark.parametrize(
    ("file_text", "env"),
    [
        # token of the wrong type, given in the file
        (f'token = ["{TOKEN}"]\n', {}),
        # a broken file that contains the token
        (f'token = "{TOKEN}\nrepo = "o/r"\n', {}),
        # an unknown key whose value is the token
        (f'tokne = "{TOKEN}"\n', {}),
        # another key wrong while the token is set
        ("write_interval = 'x'\n", {"PHASESYNC_TOKEN": TOKEN}),
        # the token pasted into a URL
        ("", {"PHASESYNC_BASE_URL": f"https://x:{TOKEN}@ghe.example.com/api/v3"}),
        # the token pasted into the wrong variable
        ("", {"PHASESYNC_TOKNE": TOKEN}),
        ("", {"PHASESYNC_LABELS": TOKEN}),
        ("", {"PHASESYNC_MAX_WRITES": TOKEN}),
        ("", {"PHASESYNC_FORGE": TOKEN}),
    ],
)
def test_token_never_in_error_text(cwd: Path, file_text: str, env: dict[str, str]) -> None:
    if file_text:
        write(cwd, "phasesync.toml", file_text)
    error = config_error(cwd, env)
    for text in (str(error), repr(error), error.describe(), *map(str, vars(error).values())):
        assert TOKEN not in text
    # No chained pydantic error either: a traceback would print its input.
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__


def test_require_forge_without_repo(cwd: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load(cwd, {"GITHUB_TOKEN": TOKEN}).require_forge()
    assert info.value.key == "repo"
    assert "--repo" in info.value.message and "PHASESYNC_REPO" in info.value.message


def test_require_forge_without_token_says_where_to_put_one(cwd: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load(cwd, overrides={"repo": "o/r"}).require_forge()
    assert info.value.key == "token"
    assert "GITHUB_TOKEN" in info.value.message and "PHASESYNC_TOKEN" in info.value.message
    load(cwd, {"GH_TOKEN": TOKEN}, overrides={"repo": "o/r"}).require_forge()


# --- CI and git detection --------------------------------------------------------------------

ACTIONS = {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/roadmap"}
GITLAB_CI = {
    "GITLAB_CI": "true",
    "CI_PROJECT_PATH": "acme/platform/roadmap",
    "CI_SERVER_URL": "https://gitlab.com",
}


def test_github_actions_fills_repo(cwd: Path) -> None:
    settings = load(cwd, {**ACTIONS, "GITHUB_API_URL": "https://api.github.com"})
    assert (settings.forge, settings.repo, settings.base_url) == ("github", "acme/roadmap", None)
    assert settings.source_of("repo") == "GITHUB_REPOSITORY"


def test_github_actions_on_enterprise_fills_base_url(cwd: Path) -> None:
    env = {**ACTIONS, "GITHUB_API_URL": "https://ghe.example.com/api/v3"}
    assert load(cwd, env).base_url == "https://ghe.example.com/api/v3"


def test_configured_repo_wins_over_actions(cwd: Path) -> None:
    write(cwd, "phasesync.toml", 'repo = "acme/plans"\n')
    assert load(cwd, ACTIONS).repo == "acme/plans"


def test_gitlab_ci_fills_forge_and_project(cwd: Path) -> None:
    settings = load(cwd, {**GITLAB_CI, "GITLAB_TOKEN": TOKEN})
    assert settings.forge == "gitlab"
    assert settings.repo == "acme/platform/roadmap"
    assert settings.base_url is None  # gitlab.com is the default
    settings.require_forge()


def test_self_hosted_gitlab_ci_fills_base_url(cwd: Path) -> None:
    env = {**GITLAB_CI, "CI_SERVER_URL": "https://git.example.org"}
    assert load(cwd, env).base_url == "https://git.example.org"


def test_gitlab_job_token_alone_is_explained(cwd: Path) -> None:
    settings = load(cwd, {**GITLAB_CI, "CI_JOB_TOKEN": "job-token"})
    assert settings.token is None
    with pytest.raises(ConfigError) as info:
        settings.require_forge()
    message = info.value.message
    assert "job token cannot create issues" in message
    assert "project access token" in message and "`api` scope" in message
    assert "GITLAB_TOKEN" in message and "PHASESYNC_TOKEN" in message
    assert "job-token" not in message


def test_gitlab_ci_variables_do_not_apply_to_a_github_forge(cwd: Path) -> None:
    settings = load(cwd, {**GITLAB_CI, "PHASESYNC_FORGE": "github"})
    assert settings.forge == "github"
    assert settings.repo is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/acme/roadmap.git", Remote("github.com", "acme/roadmap", "github")),
        ("https://github.com/acme/roadmap", Remote("github.com", "acme/roadmap", "github")),
        (
            "https://x-access-token:abc@github.com/acme/roadmap.git/",
            Remote("github.com", "acme/roadmap", "github"),
        ),
        ("ssh://git@github.com/acme/roadmap.git", Remote("github.com", "acme/roadmap", "github")),
        ("git@github.com:acme/roadmap.git", Remote("github.com", "acme/roadmap", "github")),
        ("git@GitHub.com:acme/roadmap", Remote("github.com", "acme/roadmap", "github")),
        (
            "https://gitlab.com/acme/platform/roadmap.git",
            Remote("gitlab.com", "acme/platform/roadmap", "gitlab"),
        ),
        (
            "git@gitlab.com:acme/platform/sub/roadmap.git",
            Remote("gitlab.com", "acme/platform/sub/roadmap", "gitlab"),
        ),
        (
            "ssh://git@gitlab.example.org:2222/team/roadmap.git",
            Remote("gitlab.example.org", "team/roadmap", "gitlab"),
        ),
        (
            "https://github.example.com/acme/roadmap.git",
            Remote("github.example.com", "acme/roadmap", "github"),
        ),
        ("git@git.example.net:team/roadmap.git", Remote("git.example.net", "team/roadmap", None)),
        ("/srv/git/roadmap.git", None),
        ("file:///srv/git/acme/roadmap.git", None),
        ("../roadmap", None),
        ("https://github.com/acme", None),
        ("https://github.com/acme/roadmap/extra", None),
        ("", None),
    ],
)
def test_parse_remote_url(url: str, expected: Remote | None) -> None:
    assert parse_remote_url(url) == expected


@pytest.mark.parametrize(
    ("remote", "forge", "base_url"),
    [
        (Remote("github.com", "a/b", "github"), "github", None),
        (
            Remote("github.example.com", "a/b", "github"),
            "github",
            "https://github.example.com/api/v3",
        ),
        (Remote("gitlab.com", "a/b/c", "gitlab"), "gitlab", None),
        (Remote("gitlab.example.org", "a/b", "gitlab"), "gitlab", "https://gitlab.example.org"),
    ],
)
def test_remote_base_url(remote: Remote, forge: str, base_url: str | None) -> None:
    assert remote.base_url(forge) == base_url  # type: ignore[arg-type]


def test_origin_remote_fills_repo(cwd: Path) -> None:
    with_origin(cwd, "git@github.com:acme/roadmap.git")
    settings = load(cwd)
    assert (settings.forge, settings.repo, settings.base_url) == ("github", "acme/roadmap", None)
    assert settings.source_of("repo") == "git remote origin"


def test_gitlab_origin_with_subgroups_sets_the_forge(cwd: Path) -> None:
    with_origin(cwd, "https://gitlab.example.org/acme/platform/roadmap.git")
    settings = load(cwd, {"GITLAB_TOKEN": TOKEN})
    assert settings.forge == "gitlab"
    assert settings.repo == "acme/platform/roadmap"
    assert settings.base_url == "https://gitlab.example.org"
    assert settings.token_value() == TOKEN


def test_unknown_host_origin_needs_a_configured_forge(cwd: Path) -> None:
    with_origin(cwd, "git@git.example.net:team/roadmap.git")
    assert load(cwd).repo == "team/roadmap"  # forge defaults to github, host fits
    settings = load(cwd, {"PHASESYNC_FORGE": "gitlab"})
    assert (settings.repo, settings.base_url) == ("team/roadmap", "https://git.example.net")


def test_origin_on_another_forge_is_not_used(cwd: Path) -> None:
    with_origin(cwd, "git@gitlab.com:acme/roadmap.git")
    settings = load(cwd, overrides={"forge": "github"})
    assert settings.repo is None


def test_configured_repo_keeps_the_public_forge(cwd: Path) -> None:
    # origin on an enterprise host must not redirect a configured github.com repository.
    with_origin(cwd, "https://github.example.com/mirror/roadmap.git")
    settings = load(cwd, overrides={"repo": "acme/roadmap"})
    assert (settings.repo, settings.base_url) == ("acme/roadmap", None)


def test_ci_variables_beat_the_origin_remote(cwd: Path) -> None:
    with_origin(cwd, "git@github.com:someone/fork.git")
    assert load(cwd, ACTIONS).repo == "acme/roadmap"


# --- the model itself ------------------------------------------------------------------------


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(ValidationError):
        settings.repo = "x/y"  # type: ignore[misc]


def test_settings_constructor_reads_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHASESYNC_REPO", "env/repo")
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    settings = Settings(write_interval=0)
    assert settings.repo is None and settings.token is None
    assert settings.write_interval == 0


def test_reference_lists_every_key_once() -> None:
    keys = [row.key for row in SETTINGS_REFERENCE]
    assert keys == list(Settings.model_fields)
    for row in SETTINGS_REFERENCE:
        assert row.env == "PHASESYNC_" + row.key.upper()
        assert row.description and row.type and row.default
    table = describe_settings()
    for key in keys:
        assert re.search(rf"^\| `{key}` \|", table, re.MULTILINE), key


def test_reference_defaults_agree_with_the_model() -> None:
    rows = {row.key: row for row in SETTINGS_REFERENCE}
    assert rows["write_interval"].default == "`1.0`"
    assert rows["lock_file"].default == "`phasesync.lock`"
    assert rows["write_links"].default == "`true`"
    assert rows["paths"].default == "[`docs/phases/**/*.md`]"
    assert rows["max_writes"].default == "unlimited"


# --- the example configuration ---------------------------------------------------------------


def _uncommented(text: str) -> str:
    """The example with its commented-out `# key = value` lines switched on."""
    return re.sub(r"^# (\w+ = )", r"\1", text, flags=re.MULTILINE)


def test_example_config_names_every_key() -> None:
    data = tomllib.loads(_uncommented(EXAMPLE.read_text(encoding="utf-8")))
    assert set(data) == set(Settings.model_fields)
    assert set(data["labels"]) == {"phase", "type", "priority", "week"}
    for family in data["labels"].values():
        assert set(family) == {"name", "color"}


def test_example_config_loads_and_states_the_defaults(cwd: Path) -> None:
    write(cwd, "phasesync.toml", EXAMPLE.read_text(encoding="utf-8"))
    assert load(cwd).model_dump() == Settings().model_dump()


def test_example_config_switched_on_is_valid(cwd: Path) -> None:
    text = _uncommented(EXAMPLE.read_text(encoding="utf-8"))
    write(cwd, "phasesync.toml", text)
    settings = load(cwd)
    assert settings.repo == "acme/roadmap" and settings.max_writes == 400


def test_done_items_is_create_or_skip_and_reaches_the_engine(cwd: Path) -> None:
    from syncer.cli_sync import _engine_config

    assert load(cwd).done_items == "create"
    assert _engine_config(load(cwd)).done_items == "create"
    write(cwd, "phasesync.toml", 'done_items = "skip"\n')
    assert _engine_config(load(cwd)).done_items == "skip"
    assert _engine_config(load(cwd, {"PHASESYNC_DONE_ITEMS": "create"})).done_items == "create"
    write(cwd, "phasesync.toml", 'done_items = "close"\n')
    error = config_error(cwd)
    assert (error.key, error.source) == ("done_items", "phasesync.toml")


def test_an_unknown_key_or_variable_names_the_one_meant(tmp_path: Path) -> None:
    write(tmp_path, "phasesync.toml", "write_link = false\n")
    assert "did you mean write_links?" in config_error(tmp_path).message
    (tmp_path / "phasesync.toml").unlink()
    assert "did you mean PHASESYNC_TOKEN?" in str(config_error(tmp_path, {"PHASESYNC_TOKNE": "x"}))
    write(tmp_path, "phasesync.toml", "colour = 1\n")
    assert "did you mean" not in config_error(tmp_path).message
