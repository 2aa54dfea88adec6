"""`phasesync emulator`: serve the built-in GitHub or GitLab emulator on loopback, and act on
it as a person would (`close`, `reopen`, `edit`, `comment`).

Registered on the application in `syncer.cli`.
"""

from __future__ import annotations

import os
import secrets
import signal
import time
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from syncer.cli_common import ERR, _errors, _fail, _out

DEFAULT_PORT = 8765
DEFAULT_REPO = "demo/plans"
#: How often the served emulator saves its state (when something changed) and drops its
#: request log, in seconds.
POLL = 0.25

app = typer.Typer(
    name="emulator",
    help="Serve the built-in forge emulator on loopback, and act on it as a person would.",
    invoke_without_command=True,
    no_args_is_help=False,
    rich_markup_mode="rich",
)


def _stop_on_sigterm() -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


@app.callback()
def serve_emulator(
    ctx: typer.Context,
    forge: Annotated[str, typer.Option("--forge", help="github or gitlab.")] = "github",
    port: Annotated[
        int, typer.Option("--port", help="Port on 127.0.0.1; 0 picks a free one.")
    ] = DEFAULT_PORT,
    state: Annotated[
        Path | None,
        typer.Option(
            "--state",
            help="JSON file to load the forge from and save it to, so it survives restarts.",
            show_default=False,
        ),
    ] = None,
    repo: Annotated[
        str, typer.Option("--repo", help="Repository (GitLab: project path) to serve.")
    ] = DEFAULT_REPO,
) -> None:
    """Serve the GitHub or GitLab emulator on loopback until Ctrl-C; print the variables to
    paste so that phasesync talks to it.

    Example: [bold]phasesync emulator --state .emulator.json[/bold], then in another shell
    [bold]phasesync emulator close 3[/bold]
    """
    if ctx.invoked_subcommand is not None:
        return
    from syncer.forges.emulator.core import serve
    from syncer.forges.emulator.github import GitHubEmulator
    from syncer.forges.emulator.gitlab import GitLabEmulator
    from syncer.forges.emulator.persist import StateFileError, load, restore, save

    if forge not in ("github", "gitlab"):
        _fail("--forge takes github or gitlab", 2)
    data = None
    if state is not None and state.exists():
        try:
            data = load(state)
        except StateFileError as exc:
            _fail(f"{state}: {exc}", 2)
    token = str(data["token"]) if data else "emu-" + secrets.token_urlsafe(18)
    emulator: GitHubEmulator | GitLabEmulator
    if forge == "github":
        emulator = GitHubEmulator(repo, tokens={token: "write"})
    else:
        emulator = GitLabEmulator(repo, tokens={token: "write"})
    if data is not None:
        try:
            restore(emulator, data)
        except (StateFileError, KeyError, TypeError) as exc:
            _fail(f"{state}: {exc}", 2)
        if isinstance(emulator, GitHubEmulator):
            emulator.add_repo(repo)  # kept when the state has it already
        elif emulator.store.find_project(repo) is None:
            emulator.add_project(repo)
    if isinstance(emulator, GitHubEmulator) and not emulator.boards.projects:
        # A project board to try `project` on: GitHub's default fields and a Week iteration
        # field (which GitHub's API cannot make).
        board = emulator.boards.add_project(repo.split("/")[0], 1, title="Plan")
        weeks = [f"Week {n}" for n in range(1, 13)]
        emulator.boards.add_iteration_field(board, "Week", weeks, emulator.now().date())
    try:
        server = serve(emulator, port=port)
    except OSError as exc:
        _fail(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}; pick another --port", 2)
    out = _out()
    where = f"state in {state}" if state is not None else "state in memory only (--state FILE)"
    out.print(f"phasesync emulator: {forge} on {server.url}, repository {repo}", markup=False)
    out.print(f"({where}; Ctrl-C stops it)\n", markup=False)
    out.print("Paste into the shell you run phasesync from:", markup=False)
    # GitHub's write ceiling (80 a minute, 500 an hour) is phasesync's own pacing: the
    # emulator does not enforce it here, so a trial need not ride it (nor stop at 500).
    unpaced = (
        " PHASESYNC_WRITES_PER_MINUTE=0 PHASESYNC_WRITES_PER_HOUR=0" if forge == "github" else ""
    )
    out.print(
        f"export PHASESYNC_FORGE={forge} PHASESYNC_BASE_URL={server.url} "
        f"PHASESYNC_TOKEN={token} PHASESYNC_REPO={repo} PHASESYNC_WRITE_INTERVAL=0{unpaced}",
        markup=False,
    )
    if isinstance(emulator, GitHubEmulator):
        for b in emulator.boards.projects.values():
            kind = "orgs" if b.owner_type == "Organization" else "users"
            board_url = f"{server.url}/{kind}/{b.owner}/projects/{b.number}"
            out.print(
                f"A project board (optional): export PHASESYNC_PROJECT={board_url}", markup=False
            )
    out.print(
        "\nAct as a person on the forge: phasesync emulator close N | reopen N | "
        "edit N --title T | comment N --body B",
        markup=False,
    )
    out.file.flush()
    _stop_on_sigterm()
    try:
        while True:
            time.sleep(POLL)
            with emulator.lock:
                changed = emulator.writes() > 0
                if changed and state is not None:
                    save(state, emulator, token)
                emulator.reset_log()  # a long session keeps no growing request log
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        if state is not None:
            save(state, emulator, token)
    ERR.print("emulator stopped" + (f"; state saved in {state}" if state else ""), markup=False)


# --- acting as a person on the forge -----------------------------------------------------------

NumberArg = Annotated[int, typer.Argument(help="The issue number (GitLab: its iid).")]
ForgeFromEnv = Annotated[
    str | None,
    typer.Option("--forge", help="github or gitlab; default: PHASESYNC_FORGE.", show_default=False),
]
UrlFromEnv = Annotated[
    str | None,
    typer.Option("--base-url", help="Default: PHASESYNC_BASE_URL.", show_default=False),
]
RepoFromEnv = Annotated[
    str | None, typer.Option("--repo", help="Default: PHASESYNC_REPO.", show_default=False)
]


def _act(
    action: str,
    number: int,
    forge: str | None,
    base_url: str | None,
    repo: str | None,
    *,
    title: str | None = None,
    body: str | None = None,
) -> None:
    import requests
    from github import GithubException
    from gitlab.exceptions import GitlabError

    from syncer.forges.emulator.person import Change, Target, act

    forge = forge or os.environ.get("PHASESYNC_FORGE") or "github"
    base_url = base_url or os.environ.get("PHASESYNC_BASE_URL")
    repo = repo or os.environ.get("PHASESYNC_REPO") or DEFAULT_REPO
    token = os.environ.get("PHASESYNC_TOKEN")
    if forge not in ("github", "gitlab"):
        _fail("--forge takes github or gitlab", 2)
    if not base_url or not token:
        _fail(
            "PHASESYNC_BASE_URL and PHASESYNC_TOKEN are not set: paste the export line that "
            "`phasesync emulator` printed",
            2,
        )
    target = Target(forge, base_url, token, repo)
    with _errors():
        try:
            url = act(target, Change(action, number, title, body))  # type: ignore[arg-type]
        except GithubException as exc:
            _fail(f"{forge}: {action} #{number} failed (HTTP {exc.status})", 1)
        except GitlabError as exc:
            _fail(f"{forge}: {action} #{number} failed (HTTP {exc.response_code})", 1)
        except requests.ConnectionError:
            _fail(f"no forge answers at {base_url}: is `phasesync emulator` running?", 1)
    done = {"close": "closed", "reopen": "reopened", "edit": "edited", "comment": "commented on"}
    _out().print(f"#{number} {done[action]}: {url}", markup=False)


@app.command()
def close(
    number: NumberArg,
    forge: ForgeFromEnv = None,
    base_url: UrlFromEnv = None,
    repo: RepoFromEnv = None,
) -> None:
    """Close issue N, as a person on the forge would.

    Example: [bold]phasesync emulator close 3[/bold]
    """
    _act("close", number, forge, base_url, repo)


@app.command()
def reopen(
    number: NumberArg,
    forge: ForgeFromEnv = None,
    base_url: UrlFromEnv = None,
    repo: RepoFromEnv = None,
) -> None:
    """Reopen issue N.

    Example: [bold]phasesync emulator reopen 3[/bold]
    """
    _act("reopen", number, forge, base_url, repo)


@app.command()
def edit(
    number: NumberArg,
    title: Annotated[str | None, typer.Option("--title", show_default=False)] = None,
    body: Annotated[str | None, typer.Option("--body", show_default=False)] = None,
    forge: ForgeFromEnv = None,
    base_url: UrlFromEnv = None,
    repo: RepoFromEnv = None,
) -> None:
    """Change issue N's title or body.

    Example: [bold]phasesync emulator edit 3 --title "Password sign-in (v2)"[/bold]
    """
    if title is None and body is None:
        _fail("give --title, --body or both", 2)
    _act("edit", number, forge, base_url, repo, title=title, body=body)


@app.command()
def comment(
    number: NumberArg,
    body: Annotated[str, typer.Option("--body", help="The comment's text.")],
    forge: ForgeFromEnv = None,
    base_url: UrlFromEnv = None,
    repo: RepoFromEnv = None,
) -> None:
    """Comment on issue N.

    Example: [bold]phasesync emulator comment 3 --body "Done in #12"[/bold]
    """
    _act("comment", number, forge, base_url, repo, body=body)
