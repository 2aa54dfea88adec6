"""Where the running phasesync was installed from, as a pip requirement for CI to install.

`phasesync init` writes a CI definition that installs phasesync. Until a release is on
PyPI, `phasesync==VERSION` would fail there, so the line names where *this* phasesync came
from, read from the installed distribution's PEP 610 `direct_url.json`:

- no `direct_url.json` (installed from an index): `phasesync==VERSION`;
- a VCS URL with a commit (`pip install git+https://...`): `phasesync @ git+URL@COMMIT`;
- an archive on a web server (`pip install https://.../phasesync-0.1.0.whl`): that URL;
- a local path (a clone installed with `pip install -e .`, a wheel built here): nothing a
  CI runner could install. `requirement` is None and `advice` says what to write instead;
  `init` then writes `PLACEHOLDER` in the install line, which pip refuses with its own name.

Credentials in a URL (`https://user:token@host/...`) are never copied into the line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import metadata
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from syncer import __version__

DISTRIBUTION = "phasesync"
#: What `init` writes in the install line when it has no requirement to write.
PLACEHOLDER = "REPLACE-ME-phasesync-install-source"

#: Characters a requirement may hold to go between double quotes in YAML and in a shell.
_SAFE = re.compile(r"[A-Za-z0-9._~:/?#@!&'()*+,;=%\[\] -]+")

SourceKind = Literal["index", "vcs", "url", "local"]


@dataclass(frozen=True, slots=True)
class InstallSource:
    """How CI should install the phasesync that is running now."""

    kind: SourceKind
    requirement: str | None  # a pip requirement, or None for a local install
    advice: str  # one sentence for the user: where the requirement came from, or what to do

    @property
    def line(self) -> str:
        """What goes between the quotes of `pip install "..."`."""
        return self.requirement if self.requirement is not None else PLACEHOLDER


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    # `ssh://git@host/...` names the ssh user, not a secret; anything else may be a token.
    netloc = parts.netloc if userinfo == "git" else host
    return urlunsplit(parts._replace(netloc=netloc))


def _local(url: str) -> InstallSource:
    return InstallSource(
        "local",
        None,
        f"this phasesync runs from a local path ({url}), which a CI runner cannot install: "
        f'replace {PLACEHOLDER} in the install line with "phasesync=={__version__}" once '
        'it is on PyPI, or with "phasesync @ git+https://HOST/OWNER/phasesync@COMMIT" for '
        "a commit that is pushed",
    )


def install_source(direct_url: str | None, version: str = __version__) -> InstallSource:
    """The install source described by the text of a `direct_url.json` (None: there is none)."""
    if direct_url is None:
        return InstallSource(
            "index", f"{DISTRIBUTION}=={version}", f"phasesync {version} from the package index"
        )
    try:
        data = json.loads(direct_url)
        url = data["url"] if isinstance(data, dict) else None
        if not isinstance(url, str):
            raise TypeError("url")
    except (ValueError, KeyError, TypeError):
        return _local("an unreadable direct_url.json")
    if url.startswith("file:") or not _SAFE.fullmatch(url):
        return _local(url)
    clean = _without_credentials(url)
    vcs = data.get("vcs_info")
    if isinstance(vcs, dict):
        kind, commit = vcs.get("vcs"), vcs.get("commit_id")
        if not isinstance(kind, str) or not isinstance(commit, str) or not commit:
            return _local(clean)
        target = f"{kind}+{clean}@{commit}"
        subdirectory = data.get("subdirectory")
        if isinstance(subdirectory, str) and subdirectory:
            target += f"#subdirectory={subdirectory}"
        return InstallSource(
            "vcs", f"{DISTRIBUTION} @ {target}", f"phasesync from {kind} {clean} at {commit}"
        )
    if isinstance(data.get("archive_info"), dict):
        return InstallSource("url", f"{DISTRIBUTION} @ {clean}", f"phasesync from {clean}")
    return _local(clean)


def current_install_source() -> InstallSource:
    """The install source of the phasesync distribution this code is running from."""
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return _local("a source tree that is not installed")
    direct_url = dist.read_text("direct_url.json")
    if direct_url is None and dist.read_text("INSTALLER") is None:
        # Not installed by an installer at all: `*.egg-info` metadata of a source tree
        # that happens to be on sys.path (running from a clone's working directory).
        return _local("a source tree's own metadata")
    return install_source(direct_url, dist.version)
