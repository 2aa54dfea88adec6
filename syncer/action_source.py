"""Which phasesync action a workflow can name (`uses: OWNER/REPO@REF`), from where the running
phasesync came from.

`phasesync init` writes, for GitHub, a workflow whose job is a checkout and phasesync's
action: the action installs phasesync from its own source at the ref the workflow names, so
that ref must exist. It is read from the installed distribution's PEP 610
`direct_url.json`, as `syncer.install_source` reads the install line:

- a git URL on github.com with a commit (`pip install git+https://github.com/o/r@...`):
  `o/r@COMMIT` (`o/r/SUBDIR@COMMIT` for a `#subdirectory=`), the very code that runs now;
- no `direct_url.json` (installed from an index): the project's GitHub repository named in
  the package metadata (`[project.urls]`) at the major tag (`v0`) that each release moves;
- a local path, an archive URL, a git URL on another host: nothing a workflow can name
  (`uses:` names repositories on GitHub). `uses` is None and `reason` says why; `init` then
  writes the workflow that installs and runs phasesync in steps of its own.

A guessed ref (the clone's `origin` at a commit that may not be pushed, a tag that may not
exist yet) is never written: a workflow would fail on it at its first scheduled run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from urllib.parse import urlsplit

from syncer import __version__
from syncer.install_source import DISTRIBUTION

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_SUBDIR = re.compile(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*")
GITHUB_HOSTS = frozenset({"github.com", "www.github.com"})
#: The labels of `[project.urls]` that name the source repository, in order of preference.
REPOSITORY_LABELS = ("repository", "source", "source code", "code", "homepage")


@dataclass(frozen=True, slots=True)
class ActionSource:
    """The `uses:` value of phasesync's action for the phasesync running now, or why none."""

    uses: str | None  # `OWNER/REPO@REF` (or `OWNER/REPO/DIR@REF`), None: no action to name
    reason: str  # one line for the user: where `uses` came from, or why there is none


def github_repository(url: str) -> str | None:
    """`owner/repo` of a github.com URL (https, http, ssh, git; `.git` or not), else None."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if host not in GITHUB_HOSTS:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 2:
        return None
    owner, repo = segments[0], segments[1].removesuffix(".git")
    if not (_NAME.fullmatch(owner) and _NAME.fullmatch(repo)):
        return None
    if len(segments) > 2 and segments[2] not in ("tree", "blob"):
        return None  # a page of the repository that is not its root
    return f"{owner}/{repo}"


def _from_metadata(version: str, project_urls: Sequence[str]) -> ActionSource:
    named: dict[str, str] = {}
    for entry in project_urls:
        label, _, url = entry.partition(",")
        named.setdefault(label.strip().casefold(), url.strip())
    for label in REPOSITORY_LABELS:
        repository = github_repository(named.get(label, ""))
        if repository is not None:
            major = version.split(".", 1)[0]
            tag = f"v{major}" if major.isdigit() else None
            if tag is None:
                break
            return ActionSource(
                f"{repository}@{tag}",
                f"phasesync {version} came from the package index; {tag} is the tag each "
                f"{major}.x release of {repository} moves",
            )
    return ActionSource(
        None,
        f"phasesync {version} came from a package index whose metadata names no GitHub repository",
    )


def action_source(
    direct_url: str | None, version: str = __version__, project_urls: Sequence[str] = ()
) -> ActionSource:
    """The action for a distribution with this `direct_url.json` text (None: there is none,
    an index install), version and `Project-URL` metadata entries (`label, url`)."""
    if direct_url is None:
        return _from_metadata(version, project_urls)
    try:
        data = json.loads(direct_url)
        url = data["url"] if isinstance(data, dict) else None
        if not isinstance(url, str):
            raise TypeError("url")
    except (ValueError, KeyError, TypeError):
        return ActionSource(None, "its direct_url.json cannot be read")
    if url.startswith("file:"):
        return ActionSource(None, "phasesync runs from a local path, which no workflow can name")
    vcs = data.get("vcs_info")
    if not isinstance(vcs, dict):
        return ActionSource(
            None, "phasesync came from an archive URL, which names no repository and commit"
        )
    repository = github_repository(url)
    host = urlsplit(url).hostname or "an unknown host"
    if vcs.get("vcs") != "git" or repository is None:
        return ActionSource(
            None,
            f"phasesync came from {vcs.get('vcs', 'a VCS')} on {host}, and a workflow's "
            "`uses:` names actions in repositories on github.com",
        )
    commit = vcs.get("commit_id")
    if not isinstance(commit, str) or not _COMMIT.fullmatch(commit):
        return ActionSource(None, f"phasesync came from {repository} at no known commit")
    path = repository
    subdirectory = data.get("subdirectory")
    if isinstance(subdirectory, str) and subdirectory.strip("/"):
        if not _SUBDIR.fullmatch(subdirectory.strip("/")):
            return ActionSource(None, f"its subdirectory {subdirectory!r} is no action path")
        path += "/" + subdirectory.strip("/")
    return ActionSource(
        f"{path}@{commit}", f"phasesync was installed from git {repository} at {commit}"
    )


def current_action_source() -> ActionSource:
    """The action for the phasesync distribution this code is running from."""
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return ActionSource(None, "phasesync runs from a source tree that is not installed")
    direct_url = dist.read_text("direct_url.json")
    if direct_url is None and dist.read_text("INSTALLER") is None:
        return ActionSource(None, "phasesync runs from a source tree's own metadata")
    urls = dist.metadata.get_all("Project-URL") or []
    return action_source(direct_url, dist.version, [str(u) for u in urls])
