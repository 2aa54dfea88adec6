"""`phasesync doctor`: every precondition of a sync checked in one run, each with its fix.

The checks, in order: the configuration loads; the documents parse without errors; the
lock reads; a token is there and the forge accepts it (GET /user); the repository exists
for that token; the token may create issues, labels and milestones there; enough of the
rate limit is left. A check that cannot run because an earlier one failed is skipped, not
failed: the user fixes the first ✗ first.

Nothing here prints: `run_doctor` returns `Check` records, `lines` and `as_json` turn them
into text and JSON for the command line. The token is never part of a check.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

from syncer.errors import AuthError, ConfigError, ForgeError, NotFound, PhasesyncError
from syncer.forges.base import Access, RateBudget
from syncer.settings import CONFIG_FILE, Settings
from syncer.settings_load import load_settings

Status = Literal["ok", "fail", "skip"]
SYMBOLS: dict[Status, str] = {"ok": "✓", "fail": "✗", "skip": "–"}

#: Fewer requests left than this fails the rate-limit check: a sync lists three resources
#: and writes a few times per changed item, so below it a run would stop half-way.
MIN_BUDGET = 100

_GITHUB_TOKEN_FIX = (
    "create a token that may write issues (a fine-grained token with Issues: read and write "
    "on the repository, or a classic token with the repo scope) and set PHASESYNC_TOKEN or "
    "GITHUB_TOKEN; in Actions use `GITHUB_TOKEN: ${{ github.token }}`"
)
_GITLAB_TOKEN_FIX = (
    "create a project access token (Settings > Access tokens) with the `api` scope and at "
    "least the Reporter role, and set PHASESYNC_TOKEN or GITLAB_TOKEN; in CI store it as a "
    "masked CI/CD variable"
)
_PERMISSION_FIX = {
    "github": "give the token write access: a fine-grained token with Issues: read and write "
    "on the repository, a classic token with the repo scope, or in Actions "
    "`permissions: issues: write` (and `contents: write` to commit the documents back)",
    "gitlab": "use a project access token with the `api` scope and at least the Reporter "
    "role (Settings > Access tokens); a `read_api` token or the CI job token cannot write",
}
_REPO_FIX = {
    "github": "check `repo` (OWNER/NAME) and `base_url`, and that the token may see the "
    "repository (a fine-grained token lists the repositories it may use)",
    "gitlab": "check `repo` (the full project path GROUP/PROJECT, or its numeric id) and "
    "`base_url`, and that the token's user is a member of the project",
}


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the report: what was checked, how it went, and how to fix a failure."""

    name: str
    status: Status
    detail: str
    fix: str | None = None

    @property
    def failed(self) -> bool:
        return self.status == "fail"


class Probe(Protocol):
    """What `doctor` asks a forge adapter (both `GitHubForge` and `GitLabForge` do it)."""

    def whoami(self) -> str: ...

    def access(self) -> Access: ...

    def rate_budget(self) -> RateBudget | None: ...


def open_probe(settings: Settings) -> Probe:
    """The adapter for the configured forge, set to fail fast: `doctor` waits for nothing
    (no rate-limit wait, no retry after backoff) and reports instead."""
    repo, token = settings.repo or "", settings.token_value()
    if settings.forge == "github":
        from syncer.forges.github import GitHubForge

        return GitHubForge(repo, token, settings.base_url, max_wait=0, retries=1)
    from syncer.forges.gitlab import GitLabForge

    return GitLabForge(repo, token, settings.base_url, max_wait=0, retries=1)


def run_doctor(
    cwd: Path,
    *,
    config: Path | None = None,
    overrides: Mapping[str, object] | None = None,
    env: Mapping[str, str] | None = None,
    probe: Callable[[Settings], Probe] = open_probe,
) -> list[Check]:
    """Every check, in order. `overrides` are the command line's values, as for
    `load_settings`; `env` defaults to the process environment."""
    try:
        settings = load_settings(cwd=cwd, config=config, overrides=overrides, env=env)
    except ConfigError as exc:
        failed = Check(
            "configuration",
            "fail",
            exc.describe(),
            "correct that value; every key, its type and its default are listed in "
            "README's Configuration section",
        )
        later = ("documents", "lock", "token", "repository", "permissions", "rate limit")
        return [failed, *(_skipped(name, "the configuration") for name in later)]
    checks = [
        _configuration(cwd, config, settings),
        _documents(cwd, settings),
        _lock(cwd, settings),
    ]
    checks += _forge(settings, probe, os.environ if env is None else env)
    return checks


def _skipped(name: str, needs: str) -> Check:
    return Check(name, "skip", f"not checked: needs {needs}")


def _configuration(cwd: Path, config: Path | None, settings: Settings) -> Check:
    if config is not None:
        where = str(config)
    elif (cwd / CONFIG_FILE).is_file():
        where = CONFIG_FILE
    else:
        where = "no phasesync.toml (defaults, environment and flags only)"
    repo = settings.repo or "no repository"
    if settings.repo is not None and settings.source_of("repo") != where:
        repo += f" (from {settings.source_of('repo')})"
    host = f" at {settings.base_url}" if settings.base_url else ""
    return Check("configuration", "ok", f"{where}: {settings.forge} {repo}{host}")


def _documents(cwd: Path, settings: Settings) -> Check:
    from syncer.markdown.parse import load_documents
    from syncer.model import ParseOptions, Severity
    from syncer.sync.engine import discover

    globs = ", ".join(settings.paths)
    try:
        options = ParseOptions(
            sync_checklists=settings.sync_checklists,
            subtask_issues=settings.subtasks == "issues",
        )
        docs = load_documents(discover(cwd, [], settings.paths), root=cwd, options=options)
    except PhasesyncError as exc:
        return Check("documents", "fail", exc.describe(), "make the file readable UTF-8 text")
    if not docs:
        return Check(
            "documents",
            "fail",
            f"no document matches `paths` ({globs})",
            "put the phase documents there, change `paths` in phasesync.toml, or run "
            "`phasesync init` to write a first one",
        )
    items = sum(len(d.items) for d in docs)
    found = [d for doc in docs for d in doc.diagnostics]
    errors = [d for d in found if d.severity is Severity.ERROR]
    warnings = len(found) - len(errors)
    counts = f"{len(docs)} document(s), {items} item(s)"
    if errors:
        first = errors[0]
        return Check(
            "documents",
            "fail",
            f"{counts}, {len(errors)} error(s); first: {first.file}:{first.line}: {first.message}",
            "run `phasesync validate` and correct each error: a line with an error is left out, "
            "and an error that blocks its document (`validate` says so) stops all of it",
        )
    if warnings:
        counts += f", {warnings} warning(s) (`phasesync validate` lists them)"
    return Check("documents", "ok", counts)


def _lock(cwd: Path, settings: Settings) -> Check:
    from syncer.sync.dependencies import describe_dependencies
    from syncer.sync.lock_store import LockStore
    from syncer.sync.structure import describe_mode
    from syncer.sync.subtask_plan import describe_subtasks

    path = cwd / settings.lock_file
    if not path.exists():
        detail = f"no {settings.lock_file} yet: the first push writes it"
        if settings.phase_parents:
            detail += "; " + describe_mode(settings.forge, {})
        if settings.subtasks == "issues":
            detail += "; " + describe_subtasks(settings.forge)
        if settings.dependencies == "links":
            detail += "; " + describe_dependencies(settings.forge, {})
        return Check("lock", "ok", detail)
    try:
        lock = LockStore(path).load()
    except PhasesyncError as exc:
        return Check(
            "lock",
            "fail",
            exc.describe(),
            "move the lock aside and run `phasesync sync`: it is rebuilt from the key "
            "markers in the issues",
        )
    items = sum(len(state.items) for state in lock.forges.values())
    detail = f"{settings.lock_file}: {items} item(s)"
    if settings.phase_parents or settings.dependencies == "links":
        # What the forge was found to offer (probed once, kept in the lock).
        found = [
            s.capabilities
            for name, s in lock.forges.items()
            if name.startswith(f"{settings.forge}:") and s.capabilities
        ]
        caps = found[0] if found else {}
        if settings.phase_parents:
            detail += "; " + describe_mode(settings.forge, caps)
        if settings.dependencies == "links":
            detail += "; " + describe_dependencies(settings.forge, caps)
    if settings.subtasks == "issues":
        detail += "; " + describe_subtasks(settings.forge)
    return Check("lock", "ok", detail)


def _forge(
    settings: Settings, probe: Callable[[Settings], Probe], env: Mapping[str, str]
) -> list[Check]:
    forge = settings.forge
    token_fix = _GITHUB_TOKEN_FIX if forge == "github" else _GITLAB_TOKEN_FIX
    host = _host(settings)
    checks: list[Check] = []

    # Presence: the messages `require_forge` gives a sync, so doctor and sync agree.
    if settings.repo is None:
        checks.append(Check("repository", "fail", "no repository configured", _needs(settings)))
    if settings.token is None:
        checks.append(Check("token", "fail", "no token found", _needs(settings, token=True)))
    if checks:
        have = {c.name for c in checks}
        for name in ("token", "repository", "permissions", "rate limit"):
            if name not in have:
                checks.append(_skipped(name, "a repository and a token"))
        return _ordered(checks)

    from syncer.forges.gitlab import job_token_advice

    advice = job_token_advice(settings.token_value(), env) if forge == "gitlab" else None
    forge_fix = f"check `base_url` ({settings.base_url or 'the public forge'}) and the network"
    try:
        client = probe(settings)
        user = client.whoami()
    except AuthError as exc:
        detail = f"{forge} refused the token (HTTP {exc.status or 401}): wrong, expired or revoked"
        checks.append(Check("token", "fail", detail, advice or token_fix))
        return checks + [_skipped(n, "a valid token") for n in _AFTER_TOKEN]
    except ForgeError as exc:
        checks.append(Check("token", "fail", exc.describe(), forge_fix))
        return checks + [_skipped(n, "a valid token") for n in _AFTER_TOKEN]
    origin = settings.source_of("token")
    checks.append(Check("token", "ok", f"valid: {user} (from {origin})"))

    try:
        access = client.access()
    except NotFound:
        checks.append(
            Check(
                "repository",
                "fail",
                f"{settings.repo} not found on {host}, or the token cannot see it",
                _REPO_FIX[forge],
            )
        )
        checks.append(_skipped("permissions", "the repository"))
    except ForgeError as exc:
        checks.append(Check("repository", "fail", exc.describe(), _REPO_FIX[forge]))
        checks.append(_skipped("permissions", "the repository"))
    else:
        checks.append(Check("repository", "ok", f"{settings.repo} on {host}"))
        checks.append(_permissions(forge, access, advice))

    checks.append(_rate_limit(client))
    if settings.project.strip():  # `project`: the board, its token scope, its fields
        from syncer.doctor_board import board_check

        board = board_check(client, settings.project.strip(), settings.project_status)
        checks.append(Check("project board", *board))
    return checks


_AFTER_TOKEN = ("repository", "permissions", "rate limit")
_ORDER = ("configuration", "documents", "lock", "token", "repository", "permissions", "rate limit")


def _ordered(checks: list[Check]) -> list[Check]:
    return sorted(checks, key=lambda c: _ORDER.index(c.name))


def _needs(settings: Settings, *, token: bool = False) -> str:
    """How to supply the repository or the token, in `require_forge`'s own words."""
    probe = settings
    if token and settings.repo is None:
        # `require_forge` names the repository first; give it one to hear about the token.
        probe = settings.model_copy(update={"repo": "owner/name"})
    try:
        probe.require_forge()
    except ConfigError as exc:
        return exc.message.removeprefix("no token: ").removeprefix("no repository: ")
    return "set it in phasesync.toml or the environment"


def _and(words: list[str]) -> str:
    return " and ".join(words) if len(words) < 3 else ", ".join(words[:-1]) + " or " + words[-1]


def _host(settings: Settings) -> str:
    if settings.base_url:
        return urlsplit(settings.base_url).netloc or settings.base_url
    return "github.com" if settings.forge == "github" else "gitlab.com"


def _permissions(forge: str, access: Access, advice: str | None) -> Check:
    scopes = f", scopes {', '.join(access.scopes) or 'none'}" if access.scopes is not None else ""
    if not access.known:
        return Check(
            "permissions",
            "skip",
            f"{forge} reports no permissions for this kind of token (Actions or app token)"
            f"{scopes}; the first write will tell",
            _PERMISSION_FIX[forge] if forge == "github" else None,
        )
    missing = [
        what
        for what, allowed in (
            ("issues", access.issues),
            ("labels", access.labels),
            ("milestones", access.milestones),
        )
        if not allowed
    ]
    if missing:
        return Check(
            "permissions",
            "fail",
            f"role {access.role}{scopes}: cannot create {_and(missing)}",
            advice or _PERMISSION_FIX[forge],
        )
    return Check(
        "permissions",
        "ok",
        f"role {access.role}{scopes}: may create issues, labels and milestones",
    )


def _rate_limit(client: Probe) -> Check:
    try:
        budget = client.rate_budget()
    except ForgeError as exc:
        return Check(
            "rate limit",
            "fail",
            exc.describe(),
            "wait for the limit to reset, or use another token; `--max-writes` spreads a "
            "large first push over several runs",
        )
    if budget is None:
        return Check(
            "rate limit",
            "skip",
            "n/a: the server reports no rate limit (429 answers are waited out)",
        )
    reset = f"; resets {budget.reset:%Y-%m-%d %H:%M} UTC" if budget.reset else ""
    detail = f"{budget.remaining:,} of {budget.limit:,} requests left{reset}"
    if budget.remaining < MIN_BUDGET:
        return Check(
            "rate limit",
            "fail",
            detail,
            "wait for the reset, or use another token; `--max-writes` spreads a large "
            "first push over several runs",
        )
    return Check("rate limit", "ok", detail)


# --- output ------------------------------------------------------------------------------------


def lines(checks: list[Check], *, failures_only: bool = False) -> list[str]:
    """One line per check: `✓ name: detail`, or `✗ name: detail; fix: ...`."""
    out = []
    for check in checks:
        if failures_only and not check.failed:
            continue
        line = f"{SYMBOLS[check.status]} {check.name}: {check.detail}"
        if check.fix and check.status != "ok":
            line += f" — fix: {check.fix}"
        out.append(line)
    return out


def as_json(checks: list[Check]) -> dict[str, Any]:
    """`doctor --json`: `ok` is false when any check failed."""
    return {"ok": not any(c.failed for c in checks), "checks": [asdict(c) for c in checks]}
