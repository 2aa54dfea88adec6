"""`phasesync plan`, `push`, `pull` and `sync`: one run of the engine (`_run`), its options,
and how its plan, outcome and problems are printed and turned into an exit code.

Registered on the application in `syncer.cli`.
"""

from __future__ import annotations

import json
import os
from typing import Annotated, Any, Literal

import typer

from syncer.cli_common import (
    ERR,
    FLAG,
    BaseUrlOpt,
    Common,
    ConfigOpt,
    ForgeOpt,
    FormatOpt,
    JsonOpt,
    Paths,
    QuietOpt,
    RepoOpt,
    VerboseOpt,
    _errors,
    _fail,
    _out,
    _root,
    _settings,
    _tame_library_logging,
)


def render_config(settings: Any) -> Any:
    """How the settings want issues, labels and milestones written (`RenderConfig`)."""
    from syncer.sync.render import LabelFamily, RenderConfig
    from syncer.sync.text_safety import MAX_TITLE_GITHUB, MAX_TITLE_GITLAB

    labels = settings.labels
    return RenderConfig(
        phase_label=LabelFamily(labels.phase.name, labels.phase.color),
        type_label=LabelFamily(labels.type.name, labels.type.color),
        priority_label=LabelFamily(labels.priority.name, labels.priority.color),
        week_label=LabelFamily(labels.week.name, labels.week.color),
        milestone_title=settings.milestone_title,
        escape_mentions=settings.mentions == "escape",
        max_title=MAX_TITLE_GITLAB if settings.forge == "gitlab" else MAX_TITLE_GITHUB,
    )


def _engine_config(settings: Any) -> Any:
    from syncer.model import ParseOptions
    from syncer.sync.apply_types import ApplyOptions
    from syncer.sync.ceiling import ceiling_of
    from syncer.sync.engine import EngineConfig

    return EngineConfig(
        render=render_config(settings),
        paths=tuple(settings.paths),
        lock_file=settings.lock_file,
        write_links=settings.write_links,
        on_removed=settings.on_removed,
        parse=ParseOptions(
            sync_checklists=settings.sync_checklists,
            subtask_issues=settings.subtasks == "issues",
        ),
        forge_edits=settings.forge_edits,
        phase_parents=settings.phase_parents,
        dependencies=settings.dependencies,
        project=_board_config(settings),
        done_items=settings.done_items,
        apply=ApplyOptions(
            write_interval=settings.write_interval,
            max_writes=settings.max_writes,
            ceiling=ceiling_of(
                settings.forge, settings.writes_per_minute, settings.writes_per_hour
            ),
        ),
    )


def _board_config(settings: Any) -> Any:
    """`project` and `project_status`, for the engine (a `BoardConfig`); None without."""
    from syncer.sync.board import BoardConfig

    url = settings.project.strip()
    return BoardConfig(url, *(n.strip() for n in settings.project_status)) if url else None


def _run(
    direction: Literal["push", "pull", "sync"],
    common: Common,
    paths: list[str] | None,
    *,
    dry_run: bool,
    plan_only: bool = False,
    check: bool = False,
    prefer: str | None = None,
    adopt: bool = False,
    full: bool = False,
    max_writes: int | None = None,
    max_wait: float | None = None,
    allow_mass_close: bool = False,
    fmt: str = "text",
    detailed_exitcode: bool = False,
) -> None:
    from dataclasses import replace

    from syncer.forges import open_forge
    from syncer.report_dependencies import dependencies_json, dependencies_text
    from syncer.report_rows import done_left_text
    from syncer.report_sync import (
        RichReporter,
        outcome_json,
        outcome_text,
        plan_json,
        plan_markdown,
        print_plan,
        structure_json,
        structure_text,
    )
    from syncer.sync.board_run import board_json, board_preview
    from syncer.sync.engine import RunRequest, run

    if prefer not in (None, "document", "forge"):
        _fail("--prefer takes document or forge", 2)
    with _errors(common):
        settings = _settings(common, max_writes=max_writes, max_wait=max_wait)
        settings.require_forge()
        out = _out()
        reporter = RichReporter(ERR, quiet=common.quiet or common.json)
        forge = open_forge(
            settings.forge,
            settings.repo,
            settings.token_value(),
            settings.base_url,
            max_wait=settings.max_wait,
            on_wait=reporter.wait,
        )
        _tame_library_logging(common.verbose)
        cfg = _engine_config(settings)
        cfg = replace(cfg, apply=replace(cfg.apply, allow_mass_close=allow_mass_close))
        request = RunRequest(
            direction=direction,
            paths=tuple(paths or ()),
            dry_run=dry_run or plan_only or check,
            prefer=prefer,  # type: ignore[arg-type]
            adopt=adopt,
            full=full,
        )
        try:
            result = run(forge, _root(), cfg, request, reporter)
        finally:
            reporter.stop()
        plan = result.plan
        for doc in result.docs:
            # A blocked document: everything; any other: its errors, whose lines are left
            # out while the rest of it syncs.
            for d in doc.diagnostics:
                if doc.blocked or d.severity == "error":
                    ERR.print(d.format(), markup=False)
            if doc.blocked:
                ERR.print(f"{doc.path}: not synced: fix the errors above", markup=False)
        interval = settings.write_interval
        summarised = True  # the plan's summary was printed (it names the done items left)
        if common.json or fmt == "json":
            data: dict[str, Any] = {"plan": plan_json(plan), "settled": result.settled}
            if result.outcome is not None:
                data["outcome"] = outcome_json(result.outcome)
            if result.structure is not None:  # `phase_parents`
                data["structure"] = structure_json(result.structure, result.outcome)
            if result.subtasks is not None:  # `subtasks = "issues"`
                data["subtasks"] = result.subtasks.json(result.outcome)
            if result.dependencies is not None:  # `dependencies = "links"`
                data["dependencies"] = dependencies_json(result.dependencies, result.outcome)
            if result.board is not None:  # `project`
                data["board"] = board_json(result.board, result.outcome)
            out.print_json(json.dumps(data))
        elif fmt == "markdown":
            out.print(
                plan_markdown(plan, interval, cfg.apply.ceiling, refused=len(result.broken)),
                markup=False,
            )
            if result.structure is not None:  # `phase_parents`
                out.print("\n".join(result.structure.lines()), markup=False)
            if result.subtasks is not None:  # `subtasks = "issues"`
                out.print("\n".join(result.subtasks.lines()), markup=False)
            if result.dependencies is not None:
                out.print("\n".join(result.dependencies.lines()), markup=False)
            if result.board is not None:  # `project`
                out.print("\n".join(result.board.lines()), markup=False)
        elif (
            not common.quiet
            and (plan_only or dry_run or not plan.problems)
            and (result.outcome is None or common.verbose or len(plan.actions) <= 40)
        ):
            # In GitHub Actions the plan folds into a group of the job's log.
            grouped = os.environ.get("GITHUB_ACTIONS") == "true"
            if grouped:
                out.print(f"::group::phasesync {plan.direction} plan", markup=False)
            print_plan(out, plan, interval, cfg.apply.ceiling, refused=len(result.broken))
            if result.structure is not None:  # `phase_parents`: the mapping and its writes
                out.print(structure_text(result.structure), markup=False)
            if result.subtasks is not None:  # `subtasks = "issues"`: relations and writes
                out.print(result.subtasks.text(), markup=False)
            if result.dependencies is not None:  # `dependencies = "links"`
                out.print(dependencies_text(result.dependencies), markup=False)
            if result.board is not None:  # `project`: the board's writes
                lines = result.board.lines()
                if request.dry_run:  # and the fields it lacks (one read of the board)
                    lines += board_preview(forge, result.board)
                out.print("\n".join(lines), markup=False)
            if grouped:
                out.print("::endgroup::", markup=False)
        else:
            summarised = False
        if plan.problems:
            # One line per distinct problem: a label format too long fails on every item.
            seen: dict[str, list[str]] = {}
            for p in plan.problems:
                seen.setdefault(p.message, []).append(f"{p.file}:{p.line}")
            for message, where in seen.items():
                more = f" (and {len(where) - 1} more items)" if len(where) > 1 else ""
                ERR.print(f"{where[0]}: {message}{more}", markup=False)
            _fail("the forge would reject the above; nothing was written", 1)
        if result.settled and common.verbose and not common.json:
            ERR.print(
                "Documents, lock and settings are as the last sync with nothing to do left "
                "them, and the forge lists no change: nothing was parsed or planned.",
                markup=False,
            )
        skipped = [*plan.skipped, *(result.outcome.problems if result.outcome else ())]
        for p in skipped:
            at = f"{p.file}:{p.line}" if p.line else p.file
            ERR.print(f"{at}: {p.message}; this item was not synced", markup=False)
        if result.outcome is not None:
            if not common.json and not common.quiet:
                out.print(outcome_text(result.outcome))
                if result.outcome.board is not None:  # `project`
                    out.print(result.outcome.board.text(), markup=False)
                if plan.done_left and not summarised:
                    out.print(done_left_text(len(plan.done_left)) + ".")
            for note in result.outcome.board.notes if result.outcome.board else ():
                ERR.print(f"project board: {note}", markup=False)
            if result.outcome.error is not None:
                raise result.outcome.error
        if check:
            if any(d.what in ("tick", "untick") for d in plan.documents):
                raise typer.Exit(1)
            return
        if plan.conflicts:
            for c in plan.conflicts:
                ERR.print(
                    f"conflict: {c.key} ({c.file}:{c.line}): {c.message}: "
                    f"document {c.document!r}, forge {c.forge!r}; {c.fix}",
                    markup=False,
                )
            raise typer.Exit(1)
        if any(d.has_errors for d in result.docs):
            raise typer.Exit(1)
        if skipped and not (plan_only or dry_run):
            raise typer.Exit(1)
        pending = result.structure is not None and not result.structure.empty
        pending = pending or (result.subtasks is not None and not result.subtasks.empty)
        pending = pending or (result.dependencies is not None and not result.dependencies.empty)
        pending = pending or (result.board is not None and not result.board.empty)
        if detailed_exitcode and (not plan.empty or pending):
            raise typer.Exit(2)


DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Print the plan; write nothing.", metavar=FLAG)
]
PreferOpt = Annotated[
    str | None,
    typer.Option(
        "--prefer", help="Resolve title conflicts: document or forge.", show_default=False
    ),
]
MaxWritesOpt = Annotated[
    int | None,
    typer.Option("--max-writes", help="Stop cleanly after N writes.", show_default=False),
]
MaxWaitOpt = Annotated[
    float | None,
    typer.Option("--max-wait", help="Longest rate-limit wait in seconds.", show_default=False),
]
MassOpt = Annotated[
    bool,
    typer.Option(
        "--allow-mass-close", help="Allow closing over half the managed issues.", metavar=FLAG
    ),
]
FullOpt = Annotated[
    bool, typer.Option("--full", help="List every issue, not only updated ones.", metavar=FLAG)
]


def plan(
    paths: Paths = None,
    fmt: FormatOpt = "text",
    detailed_exitcode: Annotated[
        bool,
        typer.Option("--detailed-exitcode", help="Exit 2 when changes are pending.", metavar=FLAG),
    ] = False,
    direction: Annotated[str, typer.Option("--direction", help="sync, push or pull.")] = "sync",
    config: ConfigOpt = None,
    forge: ForgeOpt = None,
    repo: RepoOpt = None,
    base_url: BaseUrlOpt = None,
    json_out: JsonOpt = False,
    verbose: VerboseOpt = 0,
    quiet: QuietOpt = False,
) -> None:
    """What push and pull would do, as a table; writes nothing anywhere.

    Example: [bold]phasesync plan --format markdown --detailed-exitcode[/bold]
    """
    if direction not in ("sync", "push", "pull"):
        _fail("--direction takes sync, push or pull", 2)
    common = Common(config, forge, repo, base_url, json_out, verbose, quiet)
    how: Literal["push", "pull", "sync"] = "push" if direction == "push" else "sync"
    if direction == "pull":
        how = "pull"
    _run(
        how,
        common,
        paths,
        dry_run=True,
        plan_only=True,
        fmt=fmt,
        detailed_exitcode=detailed_exitcode,
    )


def push(
    paths: Paths = None,
    dry_run: DryRunOpt = False,
    prefer: PreferOpt = None,
    adopt: Annotated[
        bool, typer.Option("--adopt", help="Link hand-made issues by title.", metavar=FLAG)
    ] = False,
    max_writes: MaxWritesOpt = None,
    max_wait: MaxWaitOpt = None,
    allow_mass_close: MassOpt = False,
    full: FullOpt = False,
    config: ConfigOpt = None,
    forge: ForgeOpt = None,
    repo: RepoOpt = None,
    base_url: BaseUrlOpt = None,
    json_out: JsonOpt = False,
    verbose: VerboseOpt = 0,
    quiet: QuietOpt = False,
) -> None:
    """Documents -> forge: create and update issues, milestones and labels.

    Example: [bold]phasesync push --dry-run[/bold]
    """
    common = Common(config, forge, repo, base_url, json_out, verbose, quiet)
    _run(
        "push",
        common,
        paths,
        dry_run=dry_run,
        prefer=prefer,
        adopt=adopt,
        full=full,
        max_writes=max_writes,
        max_wait=max_wait,
        allow_mass_close=allow_mass_close,
    )


def pull(
    paths: Paths = None,
    dry_run: DryRunOpt = False,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 when a document would change.", metavar=FLAG)
    ] = False,
    full: FullOpt = False,
    max_wait: MaxWaitOpt = None,
    config: ConfigOpt = None,
    forge: ForgeOpt = None,
    repo: RepoOpt = None,
    base_url: BaseUrlOpt = None,
    json_out: JsonOpt = False,
    verbose: VerboseOpt = 0,
    quiet: QuietOpt = False,
) -> None:
    """Forge -> documents: tick the boxes of closed issues, untick reopened ones.

    Example: [bold]phasesync pull --check[/bold]
    """
    common = Common(config, forge, repo, base_url, json_out, verbose, quiet)
    _run("pull", common, paths, dry_run=dry_run, check=check, full=full, max_wait=max_wait)


def sync(
    paths: Paths = None,
    dry_run: DryRunOpt = False,
    prefer: PreferOpt = None,
    max_writes: MaxWritesOpt = None,
    max_wait: MaxWaitOpt = None,
    allow_mass_close: MassOpt = False,
    full: FullOpt = False,
    config: ConfigOpt = None,
    forge: ForgeOpt = None,
    repo: RepoOpt = None,
    base_url: BaseUrlOpt = None,
    json_out: JsonOpt = False,
    verbose: VerboseOpt = 0,
    quiet: QuietOpt = False,
) -> None:
    """Both directions, three-way against the last sync: the scheduled CI job.

    Example: [bold]phasesync sync --max-writes 400[/bold]
    """
    common = Common(config, forge, repo, base_url, json_out, verbose, quiet)
    _run(
        "sync",
        common,
        paths,
        dry_run=dry_run,
        prefer=prefer,
        full=full,
        max_writes=max_writes,
        max_wait=max_wait,
        allow_mass_close=allow_mass_close,
    )
