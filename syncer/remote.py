"""Which forge and repository a git checkout's `origin` remote points at.

Used to fill `repo` and `base_url` outside CI, and by `phasesync init` to pick the forge.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

Forge = Literal["github", "gitlab"]


@dataclass(frozen=True, slots=True)
class Remote:
    """A git remote URL taken apart. `forge` is None when the host name does not tell."""

    host: str
    path: str  # OWNER/NAME or group/sub/project, without `.git`
    forge: Forge | None

    def base_url(self, forge: Forge) -> str | None:
        """The API root for `forge` on this host; None for the public forges."""
        if forge == "github":
            return None if self.host == "github.com" else f"https://{self.host}/api/v3"
        return None if self.host == "gitlab.com" else f"https://{self.host}"


_SCP_FORM = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>(?!//).+)$")


def _forge_of_host(host: str) -> Forge | None:
    # Self-hosted instances are usually named after their software (github.corp.example,
    # gitlab.example.org); any other host needs `forge` to be configured.
    if host == "github.com" or "github" in host.split(".")[0]:
        return "github"
    if host == "gitlab.com" or "gitlab" in host.split(".")[0]:
        return "gitlab"
    return None


def parse_remote_url(url: str) -> Remote | None:
    """Parse an https, ssh or scp-style (`git@host:owner/name.git`) remote URL.

    Credentials and ports are dropped: the port of an ssh URL is not the web port. Returns
    None for anything that is not a remote on a host (a local path, a `file://` URL).
    """
    url = url.strip()
    if "://" in url:
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http", "ssh", "git", "git+ssh", "ssh+git"):
            return None
        host = parts.hostname or ""
        path = parts.path
    else:
        match = _SCP_FORM.match(url)
        if match is None:
            return None
        host, path = match["host"], match["path"]
    path = path.strip("/").removesuffix(".git").strip("/")
    segments = path.split("/")
    if not host or len(segments) < 2 or any(not s for s in segments):
        return None
    forge = _forge_of_host(host.lower())
    if forge == "github" and len(segments) != 2:
        return None
    return Remote(host=host.lower(), path=path, forge=forge)


def read_origin(cwd: Path) -> Remote | None:
    """The `origin` remote of the checkout at `cwd`; None without git, checkout or origin."""
    try:
        done = subprocess.run(
            ["git", "-C", str(cwd), "config", "--get", "remote.origin.url"],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return parse_remote_url(done.stdout)
