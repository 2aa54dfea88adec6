"""Which phasesync action `init` can name in a workflow's `uses:`, from PEP 610's
`direct_url.json` and the package metadata (`syncer.action_source`)."""

from __future__ import annotations

import json

import pytest

from syncer.action_source import action_source, github_repository

COMMIT = "0123456789abcdef0123456789abcdef01234567"
URLS = ["Documentation, https://example.org/docs", "Repository, https://github.com/acme/phasesync"]


def vcs(url: str, commit: str = COMMIT, **extra: object) -> str:
    return json.dumps({"url": url, "vcs_info": {"vcs": "git", "commit_id": commit}, **extra})


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/acme/phasesync",
        "https://github.com/acme/phasesync.git",
        "ssh://git@github.com/acme/phasesync.git",
        "https://x-access-token:ghs_secret@github.com/acme/phasesync",
    ],
)
def test_a_git_install_from_github_names_the_action_at_its_commit(url: str) -> None:
    found = action_source(vcs(url))
    assert found.uses == f"acme/phasesync@{COMMIT}"
    assert COMMIT in found.reason and "ghs_secret" not in found.reason


def test_a_subdirectory_is_the_action_path() -> None:
    found = action_source(vcs("https://github.com/acme/mono", subdirectory="tools/phasesync"))
    assert found.uses == f"acme/mono/tools/phasesync@{COMMIT}"


def test_an_index_install_names_the_metadata_repository_at_the_major_tag() -> None:
    found = action_source(None, "0.4.2", URLS)
    assert found.uses == "acme/phasesync@v0"
    assert "package index" in found.reason and "v0" in found.reason
    assert action_source(None, "2.0.0", URLS).uses == "acme/phasesync@v2"


@pytest.mark.parametrize(
    ("direct_url", "urls", "why"),
    [
        (None, ["Homepage, https://example.org"], "names no GitHub repository"),
        (json.dumps({"url": "file:///home/me/phasesync", "dir_info": {}}), URLS, "local path"),
        (vcs("https://gitlab.com/acme/phasesync"), URLS, "gitlab.com"),
        (vcs("https://github.example.com/acme/phasesync"), URLS, "github.example.com"),
        (vcs("https://github.com/acme/phasesync", commit="main"), URLS, "no known commit"),
        (json.dumps({"url": "https://x/p.whl", "archive_info": {}}), URLS, "archive URL"),
        ("{not json", URLS, "cannot be read"),
    ],
)
def test_no_action_when_nothing_names_a_pushed_ref(
    direct_url: str | None, urls: list[str], why: str
) -> None:
    found = action_source(direct_url, "0.1.0", urls)
    assert found.uses is None
    assert why in found.reason


@pytest.mark.parametrize(
    ("url", "repository"),
    [
        ("https://github.com/acme/x", "acme/x"),
        ("https://www.github.com/acme/x/", "acme/x"),
        ("https://github.com/acme/x/tree/main", "acme/x"),
        ("https://github.com/acme", None),
        ("https://github.com/acme/x/issues", None),
        ("https://gitlab.com/acme/x", None),
        ("https://github.com/ac me/x", None),
    ],
)
def test_github_repository(url: str, repository: str | None) -> None:
    assert github_repository(url) == repository
