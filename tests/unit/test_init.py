"""`phasesync init`: forge detection from the origin remote and the files it writes."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from syncer import __version__
from syncer.errors import ConfigError
from syncer.init import (
    detect_remote,
    first_document_path,
    init_files,
    render_config,
    render_first_document,
    render_workflow,
)
from syncer.install_source import install_source
from syncer.settings_load import load_settings

DEFAULT_PATHS = ["docs/phases/**/*.md"]


def git_checkout(path: Path, origin: str | None) -> Path:
    subprocess.run(["git", "-C", str(path), "init", "-q"], check=True)
    if origin is not None:
        subprocess.run(["git", "-C", str(path), "remote", "add", "origin", origin], check=True)
    return path


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        ("git@github.com:acme/roadmap.git", ("github", "acme/roadmap", None)),
        (
            "https://github.example.com/acme/roadmap",
            ("github", "acme/roadmap", "https://github.example.com/api/v3"),
        ),
        ("https://gitlab.com/acme/platform/roadmap.git", ("gitlab", "acme/platform/roadmap", None)),
        (
            "ssh://git@gitlab.example.org:2222/acme/roadmap.git",
            ("gitlab", "acme/roadmap", "https://gitlab.example.org"),
        ),
        # a host that does not say which forge it runs: the command has to ask
        ("git@git.example.net:acme/roadmap.git", None),
        (None, None),
    ],
)
def test_detect_remote(tmp_path: Path, origin: str | None, expected: object) -> None:
    assert detect_remote(git_checkout(tmp_path, origin)) == expected


def test_detect_remote_outside_a_checkout(tmp_path: Path) -> None:
    assert detect_remote(tmp_path) is None


def test_init_for_github_writes_three_files(tmp_path: Path) -> None:
    written = init_files(
        tmp_path,
        forge="github",
        repo="acme/roadmap",
        base_url=None,
        paths=DEFAULT_PATHS,
        force=False,
        source=install_source(None),
    )
    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        "phasesync.toml",
        "docs/phases/phase-1.md",
        ".github/workflows/phasesync.yml",
    ]
    settings = load_settings(cwd=tmp_path, env={})
    assert (settings.forge, settings.repo, settings.base_url) == ("github", "acme/roadmap", None)
    assert settings.paths == tuple(DEFAULT_PATHS)
    assert settings.source_of("repo") == "phasesync.toml"

    document = (tmp_path / "docs/phases/phase-1.md").read_text(encoding="utf-8")
    assert document.startswith("# Phase 1: [Phase Name]\n")
    assert "**Phase Number**: 1\n" in document
    assert "### Functional Requirements" in document
    workflow = (tmp_path / ".github/workflows/phasesync.yml").read_text(encoding="utf-8")
    assert f'"phasesync=={__version__}"' in workflow
    assert "@INSTALL@" not in workflow


def test_init_for_self_hosted_gitlab(tmp_path: Path) -> None:
    init_files(
        tmp_path,
        forge="gitlab",
        repo="acme/platform/roadmap",
        base_url="https://gitlab.example.org",
        paths=["plans/*.md", "archive/**/*.md"],
        force=False,
    )
    assert (tmp_path / ".gitlab/phasesync.gitlab-ci.yml").is_file()
    # No pipeline existed: one is started that includes phasesync's job.
    assert "local: .gitlab/phasesync.gitlab-ci.yml" in (tmp_path / ".gitlab-ci.yml").read_text()
    assert not (tmp_path / ".github").exists()
    assert (tmp_path / "plans/phase-1.md").is_file()
    settings = load_settings(cwd=tmp_path, env={})
    assert settings.forge == "gitlab"
    assert settings.repo == "acme/platform/roadmap"
    assert settings.base_url == "https://gitlab.example.org"
    assert settings.paths == ("plans/*.md", "archive/**/*.md")


def test_init_never_overwrites_without_force(tmp_path: Path) -> None:
    (tmp_path / "phasesync.toml").write_text("# mine\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        init_files(
            tmp_path, forge="github", repo=None, base_url=None, paths=DEFAULT_PATHS, force=False
        )
    assert info.value.source == "phasesync.toml"
    assert "--force" in info.value.message
    # Nothing at all was written: no half-done init.
    assert (tmp_path / "phasesync.toml").read_text(encoding="utf-8") == "# mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["phasesync.toml"]


def test_init_names_every_existing_file(tmp_path: Path) -> None:
    (tmp_path / ".gitlab").mkdir()
    (tmp_path / ".gitlab/phasesync.gitlab-ci.yml").write_text("mine: {}\n", encoding="utf-8")
    (tmp_path / "docs/phases").mkdir(parents=True)
    (tmp_path / "docs/phases/phase-1.md").write_text("# Phase 1: Mine\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        init_files(
            tmp_path, forge="gitlab", repo="a/b", base_url=None, paths=DEFAULT_PATHS, force=False
        )
    assert info.value.source == "docs/phases/phase-1.md, .gitlab/phasesync.gitlab-ci.yml"
    assert not (tmp_path / "phasesync.toml").exists()


def test_init_for_gitlab_leaves_an_existing_pipeline_alone(tmp_path: Path) -> None:
    (tmp_path / ".gitlab-ci.yml").write_text("stages: [test]\n", encoding="utf-8")
    written = init_files(
        tmp_path, forge="gitlab", repo="a/b", base_url=None, paths=DEFAULT_PATHS, force=False
    )
    assert (tmp_path / ".gitlab-ci.yml").read_text(encoding="utf-8") == "stages: [test]\n"
    assert tmp_path / ".gitlab/phasesync.gitlab-ci.yml" in written


def test_init_with_force_replaces(tmp_path: Path) -> None:
    (tmp_path / "phasesync.toml").write_text("# mine\n", encoding="utf-8")
    init_files(tmp_path, forge="github", repo="a/b", base_url=None, paths=DEFAULT_PATHS, force=True)
    assert 'repo = "a/b"' in (tmp_path / "phasesync.toml").read_text(encoding="utf-8")


def test_init_refuses_invalid_values_before_writing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        init_files(
            tmp_path, forge="github", repo="a/b/c", base_url=None, paths=DEFAULT_PATHS, force=False
        )
    assert info.value.key == "repo"
    assert list(tmp_path.iterdir()) == []


def test_config_without_repo_leaves_detection_on(tmp_path: Path) -> None:
    text = render_config(forge="github", repo=None, base_url=None, paths=DEFAULT_PATHS)
    assert "repo" not in tomllib.loads(text)
    assert "token" not in tomllib.loads(text)


def test_config_quotes_awkward_globs() -> None:
    globs = [
        'plans/"quoted"/*.md',
        "C:\\plans\\*.md",
        "tab\there/*.md",
        "del\x7f/*.md",
        "日本/*.md",
    ]
    text = render_config(forge="github", repo=None, base_url=None, paths=globs)
    assert tomllib.loads(text)["paths"] == globs


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        (["docs/phases/**/*.md"], "docs/phases/phase-1.md"),
        (["plans/*.md"], "plans/phase-1.md"),
        (["*.md"], "phase-1.md"),
        (["docs/phase-[0-9]/*.md"], "docs/phase-1.md"),
        (["a/b/c/phase-*.md", "x/*.md"], "a/b/c/phase-1.md"),
    ],
)
def test_first_document_goes_where_the_first_glob_looks(paths: list[str], expected: str) -> None:
    assert first_document_path(paths) == expected


def test_first_document_is_the_packaged_template() -> None:
    template = Path(__file__).resolve().parents[2] / "syncer/data/templates/phase-template.md"
    lines = render_first_document().splitlines()
    original = template.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(original, lines, strict=True) if a != b]
    assert changed == [
        ("# Phase X: [Phase Name]", "# Phase 1: [Phase Name]"),
        ("**Phase Number**: [X]", "**Phase Number**: 1"),
    ]


@pytest.mark.parametrize("forge", ["github", "gitlab"])
def test_workflow_pins_the_given_version(forge: str) -> None:
    text = render_workflow(forge, "phasesync==9.8.7")  # type: ignore[arg-type]
    assert '"phasesync==9.8.7"' in text
    assert "@" + "INSTALL@" not in text


def test_github_workflow_runs_on_pushes_to_the_configured_documents(tmp_path: Path) -> None:
    init_files(
        tmp_path,
        forge="github",
        repo=None,
        base_url=None,
        paths=["plans/**/*.md", "roadmap-*.md"],
        force=False,
    )
    workflow = yaml.safe_load((tmp_path / ".github/workflows/phasesync.yml").read_text("utf-8"))
    # YAML 1.1 reads the key `on` as true.
    assert workflow[True]["push"]["paths"] == ["plans/**", "roadmap-*.md"]
