"""`phasesync init` and `phasesync doctor`: setting a repository up, and checking it.

Registered on the application in `syncer.cli`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from syncer.cli_common import (
    ERR,
    FLAG,
    BaseUrlOpt,
    Common,
    ConfigOpt,
    ForgeOpt,
    JsonOpt,
    QuietOpt,
    RepoOpt,
    VerboseOpt,
    _errors,
    _fail,
    _out,
    _settings,
    _setup_logging,
)
from syncer.errors import ConfigError


def _can_ask() -> bool:
    """Whether prompts can be answered: a terminal on stdin. Without one (CI, a pipe, no
    stdin at all) `init` behaves as with --yes instead of waiting for an answer forever."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):  # a closed stdin
        return False


def _ask_forge(default: str) -> str:
    while True:
        answer = str(typer.prompt("Forge (github, gitlab)", default=default)).strip().lower()
        if answer in ("github", "gitlab"):
            return answer
        ERR.print("answer github or gitlab", markup=False)


def init(
    forge: ForgeOpt = None,
    repo: RepoOpt = None,
    base_url: BaseUrlOpt = None,
    paths: Annotated[
        list[str] | None,
        typer.Option(
            "--paths", help="Glob of the phase documents; repeat for more.", show_default=False
        ),
    ] = None,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes", "-y", help="Ask nothing: take what was detected and defaults.", metavar=FLAG
        ),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace files that exist.", metavar=FLAG)
    ] = False,
    json_out: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Write phasesync.toml, a first phase document and the CI workflow for this repository.

    The forge and repository come from the `origin` remote; the questions default to them.
    Existing files are never replaced without --force.
    Example: [bold]phasesync init --yes[/bold]
    """
    from syncer.action_source import current_action_source
    from syncer.init import (
        DEFAULT_PATHS,
        GITLAB_CI,
        GITLAB_INCLUDE,
        WORKFLOW_FILES,
        detect_remote,
        ensure_gitignored,
        init_files,
    )
    from syncer.install_source import current_install_source

    if forge is not None and forge not in ("github", "gitlab"):
        _fail("--forge takes github or gitlab", 2)
    with _errors():
        cwd = Path.cwd()
        detected = detect_remote(cwd)
        ask = not yes and _can_ask()
        warnings: list[str] = []
        if forge is None:
            default_forge = detected[0] if detected else "github"
            if detected is None and not ask:
                warnings.append(
                    "the origin remote does not tell the forge (no checkout, no origin, or a "
                    "host not named after GitHub or GitLab): writing for GitHub; pass "
                    "--forge gitlab for GitLab"
                )
            forge = _ask_forge(default_forge) if ask else default_forge
        # What `origin` says about the repository holds only for the forge it is on.
        same = detected is not None and detected[0] == forge
        if repo is None:
            default_repo = detected[1] if same and detected else ""
            example = "OWNER/NAME" if forge == "github" else "GROUP/PROJECT"
            repo = (
                typer.prompt(f"Repository ({example})", default=default_repo, show_default=True)
                if ask
                else default_repo
            ) or None
        if base_url is None:
            default_url = (detected[2] if same and detected else None) or ""
            public = "github.com" if forge == "github" else "gitlab.com"
            base_url = (
                typer.prompt(f"API base URL (empty for {public})", default=default_url)
                if ask
                else default_url
            ) or None
        if not paths:
            default_glob = DEFAULT_PATHS[0]
            paths = [
                typer.prompt("Phase documents (glob)", default=default_glob)
                if ask
                else default_glob
            ]
        source = current_install_source()
        # On GitLab no action applies: its job installs phasesync (the install line).
        action = current_action_source() if forge == "github" else None
        uses = action.uses if action is not None else None
        written = init_files(
            cwd,
            forge=forge,  # type: ignore[arg-type]
            repo=repo,
            base_url=base_url,
            paths=paths,
            force=force,
            source=source,
            action=action,
        )
        ignored = ensure_gitignored(cwd)
        workflow = WORKFLOW_FILES[forge]  # type: ignore[index]
        if uses is None and source.requirement is None:
            warnings.append(f"{workflow}: cannot write the install line: {source.advice}")
        out = _out()
        names = [p.relative_to(cwd).as_posix() for p in written]
        if json_out:
            data = {
                "forge": forge,
                "repo": repo,
                "base_url": base_url,
                "written": names,
                "gitignored": ignored,
                "install": source.requirement if uses is None else None,
                "action": uses,
                "action_reason": action.reason if action is not None else None,
                "warnings": warnings,
            }
            out.print_json(json.dumps(data))
            return
        for warning in warnings:
            ERR.print(f"warning: {warning}", markup=False)
        if quiet:
            return
        for name in names:
            out.print(f"wrote {name}", markup=False)
        if ignored:
            out.print(f"added {', '.join(ignored)} to .gitignore", markup=False)
        if uses is not None and action is not None:
            out.print(f"{workflow} uses phasesync's action {uses}: {action.reason}", markup=False)
        else:
            if action is not None:
                out.print(
                    f"{workflow} runs phasesync in steps of its own, not as phasesync's "
                    f"action: {action.reason}",
                    markup=False,
                )
            if source.requirement is not None:
                out.print(f"{workflow} installs {source.requirement}", markup=False)
        document = names[1]
        out.print(
            f"\nNext: write the plan in {document} (`phasesync validate` lists what is still "
            "a placeholder), then `phasesync doctor` and `phasesync plan`.",
            markup=False,
        )
        if forge == "github":
            out.print(
                f"Commit {workflow}: it syncs every hour and on document pushes and issue "
                "events, with the Actions token (permissions: contents and issues write).",
                markup=False,
            )
        else:
            if GITLAB_CI not in names:
                out.print(
                    f"Add this to your {GITLAB_CI} to run phasesync's job:\n{GITLAB_INCLUDE}",
                    markup=False,
                )
            out.print(
                f"Commit {workflow}, add a pipeline schedule (Build > Pipeline schedules) and "
                "a masked CI/CD variable PHASESYNC_TOKEN holding a project access token with "
                "the `api` and `write_repository` scopes.",
                markup=False,
            )


def doctor(
    config: ConfigOpt = None,
    forge: ForgeOpt = None,
    repo: RepoOpt = None,
    base_url: BaseUrlOpt = None,
    json_out: JsonOpt = False,
    verbose: VerboseOpt = 0,
    quiet: QuietOpt = False,
) -> None:
    """Check configuration, documents, token, permissions and rate limit, each with its fix.

    One line per check, ✓ or ✗; exit 1 when any check fails.
    Example: [bold]phasesync doctor --json[/bold]
    """
    from rich.markup import escape

    from syncer.doctor import SYMBOLS, as_json, run_doctor
    from syncer.doctor import lines as doctor_lines

    common = Common(config, forge, repo, base_url, json_out, verbose, quiet)
    with _errors(common):
        try:
            _settings(common)  # for the log's token redaction; doctor reports what fails
        except ConfigError:
            _setup_logging(common, None)
        checks = run_doctor(Path.cwd(), config=config, overrides=common.overrides())
    out = _out()
    if json_out:
        out.print_json(json.dumps(as_json(checks)))
    else:
        colours = {"ok": "green", "fail": "red", "skip": "dim"}
        for check, line in zip(checks, doctor_lines(checks), strict=True):
            if quiet and not check.failed:
                continue
            symbol = SYMBOLS[check.status]
            rest = escape(line.removeprefix(symbol))
            out.print(f"[{colours[check.status]}]{symbol}[/]{rest}")
    if any(c.failed for c in checks):
        raise typer.Exit(1)
