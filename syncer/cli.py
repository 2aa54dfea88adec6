"""The command line: parse arguments, wire the pieces, turn errors into messages and exit codes.

Exit codes: 0 done; 1 validation errors, conflicts or forge errors; 2 bad usage or
configuration. Nothing below this module prints; errors stay data until they reach
`_fail`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from syncer import __version__
from syncer.cli_common import (
    FLAG,
    _errors,
    _fail,
    _out,
)
from syncer.cli_emulator import app as _emulator_app
from syncer.cli_setup import doctor, init
from syncer.cli_sync import plan, pull, push, sync
from syncer.cli_validate import status, validate
from syncer.errors import ConfigError

app = typer.Typer(
    name="phasesync",
    help="Keep phase planning documents (Markdown) and a forge (GitHub or GitLab) in step.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
    rich_markup_mode="rich",
)


def _print_version(value: bool) -> None:
    if value:
        _out().print(f"phasesync {__version__}", markup=False)
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            help="Print the version and exit.",
            callback=_print_version,
            is_eager=True,
            metavar=FLAG,
        ),
    ] = False,
) -> None:
    """Keep phase planning documents (Markdown) and a forge (GitHub or GitLab) in step."""


# --- validate and status: `syncer.cli_validate` ---------------------------------------------

app.command()(validate)
app.command()(status)

# --- plan, push, pull, sync: `syncer.cli_sync` ------------------------------------------------

app.command()(plan)
app.command()(push)
app.command()(pull)
app.command()(sync)


@app.command()
def demo(
    forge: Annotated[str, typer.Option("--forge", help="github or gitlab.")] = "github",
    keep: Annotated[
        Path | None, typer.Option("--keep", help="Leave the demo files in this folder.")
    ] = None,
) -> None:
    """The whole cycle on the example documents against the built-in forge emulator.

    No token and no network: the emulator listens on loopback. Example: [bold]phasesync demo[/bold]
    """
    from syncer.demo import run_demo

    with _errors():
        run_demo(_out(), forge=forge, keep=keep)


@app.command()
def version() -> None:
    """Print the version.

    Example: [bold]phasesync version[/bold]
    """
    _out().print(f"phasesync {__version__}", markup=False)


def main() -> None:
    os.environ.setdefault("COLUMNS", os.environ.get("COLUMNS", "120"))
    try:
        app()
    except ConfigError as exc:  # raised while typer builds defaults
        _fail(exc.describe(), 2)


# --- init and doctor: `syncer.cli_setup` ------------------------------------------------------

app.command()(init)
app.command()(doctor)

# --- emulator: `syncer.cli_emulator` ---------------------------------------------------------

app.add_typer(_emulator_app)
