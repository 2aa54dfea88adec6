"""What every command shares: the common options, the consoles, error handling, logging
and the settings.

Nothing here prints but the error line of `_fail`; the commands live in `syncer.cli`,
`syncer.cli_validate`, `syncer.cli_sync` and `syncer.cli_setup`.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from syncer.errors import PhasesyncError
from syncer.redact import install_redaction

#: The metavar of a boolean flag: nothing. Typer would show `<bool>`, as if the flag took a
#: value (`--dry-run <bool>`), which it does not.
FLAG = ""

# --- common options --------------------------------------------------------------------------

Paths = Annotated[
    list[str] | None, typer.Argument(help="Documents or folders; default: the configured globs.")
]
ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="phasesync.toml to read.", show_default=False)
]
ForgeOpt = Annotated[
    str | None, typer.Option("--forge", help="github or gitlab.", show_default=False)
]
RepoOpt = Annotated[
    str | None,
    typer.Option("--repo", help="OWNER/NAME (GitLab: the full project path).", show_default=False),
]
BaseUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--base-url", help="GitHub Enterprise or self-hosted GitLab URL.", show_default=False
    ),
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print JSON instead of tables.", metavar=FLAG)
]
VerboseOpt = Annotated[
    int,
    typer.Option(
        "-v",
        "--verbose",
        count=True,
        help="-v: phasesync's decisions; -vv: the HTTP exchanges too (token redacted).",
    ),
]
QuietOpt = Annotated[bool, typer.Option("-q", "--quiet", help="Print only errors.", metavar=FLAG)]
FormatOpt = Annotated[str, typer.Option("--format", help="text, markdown or json.")]


@dataclass(frozen=True, slots=True)
class Common:
    config: Path | None
    forge: str | None
    repo: str | None
    base_url: str | None
    json: bool
    verbose: int  # 0; 1 (-v): phasesync's decisions; 2 (-vv): the HTTP exchanges too
    quiet: bool

    def overrides(self, **more: object) -> dict[str, object]:
        values: dict[str, object] = {
            "forge": self.forge,
            "repo": self.repo,
            "base_url": self.base_url,
        }
        values.update(more)
        return {k: v for k, v in values.items() if v is not None}


def _out() -> Console:
    """Standard output; rich turns colours off when it is not a terminal or NO_COLOR is set."""
    return Console(highlight=False, soft_wrap=True)


ERR = Console(stderr=True, highlight=False, soft_wrap=True)


def _fail(message: str, code: int) -> NoReturn:
    ERR.print(f"[red]error:[/red] {message}", markup=True)
    raise typer.Exit(code)


@contextmanager
def _errors(common: Common | None = None) -> Iterator[None]:
    """Turn phasesync's errors into one clear line and an exit code; never a traceback."""
    try:
        yield
    except typer.Exit:
        raise
    except PhasesyncError as exc:
        if exc.exit_code == 0:  # a clean stop (the write budget), not a failure
            ERR.print(exc.describe(), markup=False)
            raise typer.Exit(0) from None
        _fail(exc.describe(), exc.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted; run again to carry on where this run stopped", 130)


def _setup_logging(common: Common, token: str | None) -> None:
    """-v: phasesync's own decisions (logger `syncer`); -vv: every library's debug output
    and the HTTP exchanges too. The redacting filter sees every line either way."""
    level = logging.DEBUG if common.verbose >= 2 else logging.WARNING
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    install_redaction([token] if token else [])
    if common.verbose:
        logging.getLogger("syncer").setLevel(logging.DEBUG)
    if common.verbose >= 2:
        # The parser's own debug trace is thousands of lines per document and no help here.
        logging.getLogger("markdown_it").setLevel(logging.INFO)
        _log_http_wire()


def _tame_library_logging(verbose: int) -> None:
    """PyGithub, when imported, sets its logger to INFO and gives it a handler of its own:
    every record would show twice, and `-v` could not reach its DEBUG output. Let its
    records go to the root's handler like everyone else's."""
    if "github" not in sys.modules:
        return
    logger = logging.getLogger("github")
    for handler in list(logger.handlers):
        if type(handler) is logging.StreamHandler:
            logger.removeHandler(handler)
    logger.setLevel(logging.DEBUG if verbose >= 2 else logging.NOTSET)


def _log_http_wire() -> None:
    """`-v` shows the HTTP exchanges too (requests, responses, headers), for urllib3,
    PyGithub and python-gitlab alike. `http.client` prints them with `print`; route that
    to a logger, so that the redacting filter sees every line before it is shown."""
    import http.client

    wire = logging.getLogger("http.client")

    def log(*args: object, **_: object) -> None:
        wire.debug(" ".join(str(a) for a in args))

    http.client.print = log  # type: ignore[attr-defined]
    http.client.HTTPConnection.debuglevel = 1


def _settings(common: Common, **more: object) -> Any:
    from syncer.settings_load import load_settings

    settings = load_settings(
        cwd=Path.cwd(), config=common.config, overrides=common.overrides(**more)
    )
    _setup_logging(common, settings.token_value())
    source = settings.source_of("token")
    if settings.token is not None and source.endswith((".toml", "[tool.phasesync]")):
        # A file of the repository: everyone who can read it can use the token.
        ERR.print(
            f"warning: {source} holds the token: anyone who can read the repository can use "
            "it. Revoke it, and pass a new one in PHASESYNC_TOKEN (a CI secret) instead",
            markup=False,
        )
    return settings


def _root() -> Path:
    """Where `paths`, `lock_file` and the documents' relative names start: the working
    directory, the repository root in CI."""
    return Path.cwd()
