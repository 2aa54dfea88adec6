"""`phasesync validate` and `phasesync status`: the commands that read the documents only
(and the lock, for the done items left), never the forge.

Registered on the application in `syncer.cli`.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

import typer

from syncer.cli_common import (
    ERR,
    FLAG,
    Common,
    ConfigOpt,
    FormatOpt,
    JsonOpt,
    Paths,
    QuietOpt,
    VerboseOpt,
    _errors,
    _fail,
    _out,
    _root,
    _settings,
)

TreeOpt = Annotated[
    bool,
    typer.Option(
        "--tree",
        help="Show the plan's structure: phases, their items and sub-tasks, with progress "
        "per parent (the default with phase_parents = true).",
        metavar=FLAG,
    ),
]


def validate(
    paths: Paths = None,
    fmt: Annotated[
        str, typer.Option("--format", help="text or github (Actions annotations).")
    ] = "text",
    config: ConfigOpt = None,
    json_out: JsonOpt = False,
    verbose: VerboseOpt = 0,
    quiet: QuietOpt = False,
    tree: TreeOpt = False,
) -> None:
    """Parse the documents and report every problem as file:line.

    Example: [bold]phasesync validate docs/phases/[/bold]
    """
    from syncer.markdown.parse import load_documents
    from syncer.model import ParseOptions
    from syncer.report import (
        documents_json,
        done_left,
        render_coverage,
        render_diagnostics_github,
        render_diagnostics_text,
        render_done_left,
    )
    from syncer.report_tree import print_tree, tree_json
    from syncer.sync.dependencies_text import dependency_warnings
    from syncer.sync.engine import discover
    from syncer.sync.identity import with_shared_link_errors
    from syncer.sync.text_safety import MAX_TITLE_GITHUB, MAX_TITLE_GITLAB, title_warnings

    common = Common(config, None, None, None, json_out, verbose, quiet)
    with _errors(common):
        settings = _settings(common)
        docs = load_documents(
            discover(_root(), paths or [], settings.paths),
            root=_root(),
            options=ParseOptions(
                sync_checklists=settings.sync_checklists,
                subtask_issues=settings.subtasks == "issues",
            ),
        )
        # Two lines that link one issue (a copied line or document): each is an error.
        docs = with_shared_link_errors(docs)
        limit = MAX_TITLE_GITLAB if settings.forge == "gitlab" else MAX_TITLE_GITHUB
        docs = [title_warnings(d, limit) for d in docs]
        if settings.dependencies == "links":  # names that resolve to no item, or to several
            docs = dependency_warnings(docs, parents=settings.phase_parents)
        left = done_left(docs, _known_keys(settings)) if settings.done_items == "skip" else None
        out = _out()
        if json_out:
            data = documents_json(docs)
            if left is not None:
                data["done_left"] = [{"file": f, "lines": n} for f, n in left.items()]
            if tree:
                data["tree"] = tree_json(_tree(settings, docs))
            out.print_json(json.dumps(data))
        else:
            lines = (
                render_diagnostics_github(docs, errors_only=quiet)
                if fmt == "github"
                else render_diagnostics_text(docs, errors_only=quiet)
            )
            for line in lines:
                out.print(line, markup=False)
            if tree and not quiet and fmt != "github":
                print_tree(out, _tree(settings, docs))
            if not quiet and fmt != "github":
                n_items = sum(len(d.items) for d in docs)
                errors = sum(1 for d in docs for x in d.diagnostics if x.severity == "error")
                ERR.print(f"{len(docs)} document(s), {n_items} item(s), {errors} error(s)")
                for line in render_coverage(docs):
                    ERR.print(line, markup=False)
                for line in render_done_left(left or {}):
                    ERR.print(line, markup=False)
        if any(d.has_errors for d in docs):
            raise typer.Exit(1)
        if not docs:
            _fail("no documents matched; check `paths` in phasesync.toml or give PATHs", 1)


def _known_keys(settings: Any) -> frozenset[str]:
    """Every item key the lock has an issue for, under any forge (for `validate`)."""
    return frozenset(key for state in _lock_states(settings) for key in state.items)


def _lock_states(settings: Any) -> list[Any]:
    """The lock's state for every forge; none when there is no lock or it cannot be read
    (`push` and `sync` say why)."""
    from syncer.errors import PhasesyncError
    from syncer.sync.lock_store import LockStore

    try:
        lock = LockStore(_root() / settings.lock_file).load()
    except (PhasesyncError, ValueError, OSError):
        return []
    return list(lock.forges.values())


def status(
    paths: Paths = None,
    fmt: FormatOpt = "text",
    config: ConfigOpt = None,
    json_out: JsonOpt = False,
    verbose: VerboseOpt = 0,
    quiet: QuietOpt = False,
    tree: TreeOpt = False,
) -> None:
    """Per phase: done / total, a progress bar, milestone dates and what is overdue.

    Example: [bold]phasesync status --format markdown >> "$GITHUB_STEP_SUMMARY"[/bold]
    """
    from syncer.markdown.parse import load_documents
    from syncer.model import ParseOptions
    from syncer.report import print_status, status_json, status_markdown
    from syncer.report_tree import print_tree, tree_json, tree_markdown
    from syncer.sync.engine import discover

    common = Common(config, None, None, None, json_out, verbose, quiet)
    with _errors(common):
        settings = _settings(common)
        root = _root()
        docs = load_documents(
            discover(root, paths or [], settings.paths),
            root=root,
            options=ParseOptions(
                sync_checklists=settings.sync_checklists,
                subtask_issues=settings.subtasks == "issues",
            ),
        )
        today = date.today()
        out = _out()
        nodes = _tree(settings, docs) if tree or settings.phase_parents else None
        if json_out or fmt == "json":
            data = status_json(docs, today)
            if nodes is not None:
                data["tree"] = tree_json(nodes)
            out.print_json(json.dumps(data))
        elif fmt == "markdown":
            text = status_markdown(docs, today)
            if nodes is not None:
                text += "\n### Structure\n\n" + tree_markdown(nodes)
            out.print(text, markup=False)
        elif not quiet:  # -q: only errors, and status has none to show
            print_status(out, docs, today)
            if nodes is not None:
                print_tree(out, nodes)


def _tree(settings: Any, docs: Any) -> Any:
    """The plan's tree, with the phase parents' issue numbers when the lock knows them."""
    from syncer.cli_sync import render_config
    from syncer.report_tree import blocked_issues, parent_issues, plan_tree

    known: dict[str, int] = {}
    blocked: dict[int, tuple[int, ...]] = {}
    for state in _lock_states(settings):
        known.update(parent_issues(state.structure))
        blocked.update(blocked_issues(state))
    return plan_tree(docs, render_config(settings), known, blocked)
