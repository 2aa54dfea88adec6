"""Where `init` tells CI to install phasesync from: PEP 610 `direct_url.json` of the running one."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from syncer import __version__
from syncer.init import ensure_gitignored, render_workflow
from syncer.install_source import PLACEHOLDER, current_install_source, install_source

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def test_index_install_pins_the_version() -> None:
    source = install_source(None, "1.2.3")
    assert (source.kind, source.requirement, source.line) == (
        "index",
        "phasesync==1.2.3",
        "phasesync==1.2.3",
    )


def test_vcs_install_pins_the_commit() -> None:
    direct = {
        "url": "https://github.com/acme/phasesync.git",
        "vcs_info": {"vcs": "git", "commit_id": COMMIT, "requested_revision": "main"},
    }
    source = install_source(json.dumps(direct))
    assert source.kind == "vcs"
    assert source.requirement == f"phasesync @ git+https://github.com/acme/phasesync.git@{COMMIT}"


def test_vcs_install_keeps_the_subdirectory_and_drops_credentials() -> None:
    direct = {
        "url": "https://x-access-token:ghs_secret@github.com/acme/mono",
        "vcs_info": {"vcs": "git", "commit_id": COMMIT},
        "subdirectory": "tools/phasesync",
    }
    source = install_source(json.dumps(direct))
    assert source.requirement == (
        f"phasesync @ git+https://github.com/acme/mono@{COMMIT}#subdirectory=tools/phasesync"
    )
    assert "ghs_secret" not in source.advice


def test_ssh_user_git_is_kept() -> None:
    direct = {
        "url": "ssh://git@github.com/acme/phasesync",
        "vcs_info": {"vcs": "git", "commit_id": COMMIT},
    }
    assert install_source(json.dumps(direct)).requirement == (
        f"phasesync @ git+ssh://git@github.com/acme/phasesync@{COMMIT}"
    )


def test_archive_on_a_web_server_is_installed_from_there() -> None:
    url = "https://files.example.com/phasesync-0.1.0-py3-none-any.whl"
    source = install_source(json.dumps({"url": url, "archive_info": {"hash": "sha256=00"}}))
    assert (source.kind, source.requirement) == ("url", f"phasesync @ {url}")


@pytest.mark.parametrize(
    "direct",
    [
        {"url": "file:///home/me/phasesync", "dir_info": {"editable": True}},
        {"url": "file:///home/me/phasesync", "dir_info": {}},
        {"url": "file:///tmp/dist/phasesync-0.1.0-py3-none-any.whl", "archive_info": {}},
        # a VCS install without a commit cannot be reproduced
        {"url": "https://github.com/acme/phasesync", "vcs_info": {"vcs": "git"}},
        # a URL that could not go between double quotes in YAML and a shell
        {"url": 'https://example.com/a"b', "archive_info": {}},
    ],
)
def test_local_installs_get_a_placeholder_and_advice(direct: dict[str, object]) -> None:
    source = install_source(json.dumps(direct))
    assert source.kind == "local"
    assert source.requirement is None
    assert source.line == PLACEHOLDER
    assert PLACEHOLDER in source.advice and f"phasesync=={__version__}" in source.advice


@pytest.mark.parametrize("text", ["", "not json", "[]", '{"url": 3}'])
def test_unreadable_direct_url_is_treated_as_local(text: str) -> None:
    assert install_source(text).kind == "local"


@pytest.mark.parametrize("forge", ["github", "gitlab"])
def test_the_requirement_lands_in_valid_yaml(forge: str) -> None:
    requirement = f"phasesync @ git+https://github.com/acme/mono@{COMMIT}#subdirectory=tools/x"
    text = render_workflow(forge, requirement)  # type: ignore[arg-type]
    document = yaml.safe_load(text)
    scripts = json.dumps(document)
    assert (
        f'python -m pip install{" --quiet" if forge == "gitlab" else ""} \\"{requirement}\\"'
        in (scripts)
    )


# --- the running distribution, through a fake dist-info on sys.path ----------------------------


@pytest.fixture
def fake_distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    info = tmp_path / f"phasesync-{__version__}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: phasesync\nVersion: {__version__}\n", encoding="utf-8"
    )
    (info / "INSTALLER").write_text("pip\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield info


def test_current_install_source_reads_the_installed_direct_url(fake_distribution: Path) -> None:
    assert current_install_source().requirement == f"phasesync=={__version__}"
    (fake_distribution / "direct_url.json").write_text(
        json.dumps(
            {
                "url": "https://github.com/acme/phasesync",
                "vcs_info": {"vcs": "git", "commit_id": COMMIT},
            }
        ),
        encoding="utf-8",
    )
    assert current_install_source().requirement == (
        f"phasesync @ git+https://github.com/acme/phasesync@{COMMIT}"
    )
    # Metadata no installer wrote (a source tree's *.egg-info) says nothing of an index.
    (fake_distribution / "direct_url.json").unlink()
    (fake_distribution / "INSTALLER").unlink()
    assert current_install_source().kind == "local"


# --- `phasesync init` says what it wrote, and when it could not ------------------------------


def _init(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "syncer", "init", "--yes", *args],
        cwd=root,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_init_from_this_editable_checkout_writes_a_placeholder_and_says_so(tmp_path: Path) -> None:
    # The test suite runs from `pip install -e .`: a local path no CI runner can install.
    assert current_install_source().kind == "local"
    done = _init(tmp_path, "--forge", "github", "--repo", "acme/roadmap")
    assert done.returncode == 0, done.stderr
    assert "cannot write the install line" in done.stderr and PLACEHOLDER in done.stderr
    workflow = (tmp_path / ".github/workflows/phasesync.yml").read_text(encoding="utf-8")
    assert f'pip install "{PLACEHOLDER}"' in workflow
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8").endswith("phasesync.lock.lock\n")


def test_init_warns_when_it_cannot_tell_the_forge(tmp_path: Path) -> None:
    done = _init(tmp_path, "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["forge"] == "github"
    assert any("does not tell the forge" in w for w in data["warnings"])
    told = tmp_path / "told"
    told.mkdir()
    done = _init(told, "--forge", "gitlab", "--json")
    assert done.returncode == 0, done.stderr
    assert not any("forge" in w for w in json.loads(done.stdout)["warnings"])


def test_gitignore_is_appended_once_and_kept(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_bytes(b"node_modules/\r\n*.log")
    assert ensure_gitignored(tmp_path) == ["phasesync.lock.lock"]
    text = (tmp_path / ".gitignore").read_bytes()
    assert text.startswith(b"node_modules/\r\n*.log\n")
    assert text.endswith(b"phasesync.lock.lock\n")
    assert ensure_gitignored(tmp_path) == []
    assert (tmp_path / ".gitignore").read_bytes() == text


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_flag_prints_the_one_version(flag: str) -> None:
    from importlib.metadata import version

    done = subprocess.run(
        [sys.executable, "-m", "syncer", flag], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    # pyproject.toml reads its version from syncer.__version__: the two cannot disagree.
    assert done.stdout == f"phasesync {__version__}\n"
    assert version("phasesync") == __version__
