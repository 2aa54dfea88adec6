"""`project`: every managed issue an item of a GitHub project board, fields from the document.

GitHub only (GitLab has no Projects: the setting is a configuration error there). PyGithub's
requester posts the GraphQL to the emulator's `/graphql`, which executes it.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from syncer.errors import ConfigError, PermissionDenied, WriteBudgetExhausted
from syncer.forges.emulator.core import Request
from syncer.forges.emulator.github import GitHubEmulator
from syncer.forges.emulator.github_model import node_id
from syncer.forges.emulator.github_projects import Project
from syncer.sync.board import KIND_NAMES, BoardConfig, board_id
from syncer.sync.engine import RunResult
from syncer.sync.lock_store import LockStore
from tests.contract.conftest import TOKEN, Harness

URL = "https://github.com/orgs/acme/projects/5"


def on_board(h: Harness, *, weeks: bool = True) -> Project:
    """A board with GitHub's default fields (and a `Week` iteration field), and the setting."""
    if h.kind == "gitlab":
        pytest.skip("GitLab has no project boards (see test_gitlab_refuses_a_board)")
    emu = h.emulator
    assert isinstance(emu, GitHubEmulator)
    project = emu.boards.add_project("acme", 5, title="Roadmap")
    if weeks:
        titles = [f"Week {n}" for n in range(1, 7)]
        emu.boards.add_iteration_field(project, "Week", titles, date(2026, 11, 2))
    h.config = replace(h.config, project=BoardConfig(URL))
    return project


def graphql(h: Harness) -> int:
    return sum(1 for r in h.emulator.requests if r.path == "/graphql")


def values(h: Harness, project: Project, number: int) -> dict[str, Any]:
    emu = h.emulator
    assert isinstance(emu, GitHubEmulator)
    issue = emu.repo().issues[number]
    return emu.boards.item_values(project, node_id("I", issue.id))


def board_table(h: Harness) -> dict[str, Any]:
    return dict(LockStore(h.root / "phasesync.lock").load().state(h.forge.identity).board)


def ok(result: RunResult) -> RunResult:
    assert result.outcome is not None and result.outcome.error is None, result.outcome
    return result


def test_first_push_puts_every_issue_on_the_board_with_its_fields(harness: Harness) -> None:
    h = harness
    project = on_board(h)
    result = ok(h.run("push"))
    items = h.lock_items()
    assert len(project.items) == len(items)  # one item per managed issue, no more
    made = result.outcome.board if result.outcome else None
    assert made is not None
    # The fields the board lacked, made; Status and the Week iteration field were there.
    assert sorted(made.fields_made) == ["Due", "Estimate", "Phase", "Priority", "Type"]
    assert project.field_named("Estimate").data_type == "NUMBER"  # type: ignore[union-attr]
    key = "phase-2/functional/password-sign-in"
    n = items[key].issue
    got = values(h, project, n)
    assert got["Status"] == "Todo"
    assert got["Phase"].startswith("Phase 2")
    assert got["Type"] == KIND_NAMES[next(k for k in KIND_NAMES if k.value == "functional")]
    assert got["Priority"] == "High" and got["Estimate"] == 2
    assert date.fromisoformat(got["Due"]) == h.milestones()[got["Phase"]]
    tasks = {k: e.issue for k, e in items.items() if "/week-" in k}
    weeks = [values(h, project, n).get("Week") for n in tasks.values()]
    assert "Week 1" in weeks
    for k, e in items.items():  # a ticked box is Done on the board
        assert values(h, project, e.issue)["Status"] == ("Done" if e.checked else "Todo"), k
    table = board_table(h)
    assert set(table) == set(items)
    assert all(rec["board"] == board_id(URL) and rec["item"] for rec in table.values())


def test_requests_of_a_first_push_are_counted_and_batched(harness: Harness) -> None:
    h = harness
    on_board(h)
    result = ok(h.run("push"))
    board = result.outcome.board if result.outcome else None
    assert board is not None
    n = len(h.lock_items())
    written = sum(len(r["fields"]) for r in board_table(h).values())
    assert board.added == n and board.values == written
    expected = (
        1  # the board's fields
        + len(board.fields_made)
        + math.ceil(n / 100)  # the issues' global ids
        + math.ceil(n / 50)  # additions, 50 to a request
        + math.ceil(written / 50)  # values, 50 to a request
    )
    assert board.requests == expected == graphql(h)


def test_second_push_and_idle_sync_make_no_board_request(harness: Harness) -> None:
    h = harness
    on_board(h)
    ok(h.run("push"))
    before = h.writes()
    ok(h.run("push"))
    assert h.writes() == before  # 0 writes, board included (a GraphQL POST counts)
    h.run("sync")  # lists the issues the push touched once more
    reads, writes, posts = h.reads(), h.writes(), graphql(h)
    ok(h.run("sync"))
    assert (h.reads() - reads, h.writes() - writes, graphql(h) - posts) == (3, 0, 0)


def test_a_ticked_box_writes_only_its_status(harness: Harness) -> None:
    h = harness
    project = on_board(h)
    ok(h.run("push"))
    key = "phase-2/functional/password-sign-in"
    n = h.number_of(key)
    h.close(n)  # done on the forge: the sync ticks the box, and the board says Done
    posts = graphql(h)
    result = ok(h.run("sync"))
    assert values(h, project, n)["Status"] == "Done"
    assert result.outcome is not None and result.outcome.board is not None
    assert result.outcome.board.values == 1
    assert graphql(h) - posts == 2  # the board's fields, one batch of values


def test_a_person_moving_a_card_is_left_alone(harness: Harness) -> None:
    h = harness
    project = on_board(h)
    emu = h.emulator
    assert isinstance(emu, GitHubEmulator)
    ok(h.run("push"))
    n = h.number_of("phase-2/functional/password-sign-in")
    content = node_id("I", emu.repo().issues[n].id)
    emu.boards.set_value(project, content, "Status", "In Progress")
    ok(h.run("sync", full=True))  # even the complete run does not restore it
    assert values(h, project, n)["Status"] == "In Progress"


def test_a_run_that_dies_mid_board_converges_with_no_duplicate(harness: Harness) -> None:
    h = harness
    project = on_board(h)
    emu = h.emulator
    assert isinstance(emu, GitHubEmulator)
    # The additions are made, and every answer lost (retries too): the run stops there,
    # with the issues on the board and none of their items in the lock.
    emu.apply_then_fail(
        20,
        method="POST",
        path_regex="/graphql",
        where=lambda r: b"addProjectV2ItemById" in r.body,
        status=502,
    )
    first = h.run("push")
    assert first.outcome is not None and first.outcome.error is not None
    assert project.items and not board_table(h)
    emu.clear_faults()
    ok(h.run("push"))
    assert len(project.items) == len(h.lock_items())
    assert len({i.content for i in project.items}) == len(project.items)
    for e in h.lock_items().values():
        assert values(h, project, e.issue)["Status"] in ("Todo", "Done")


def test_a_board_with_no_week_field_is_reported_and_retried_daily(harness: Harness) -> None:
    h = harness
    project = on_board(h, weeks=False)
    result = ok(h.run("push"))
    board = result.outcome.board if result.outcome else None
    assert board is not None
    assert any("iteration field" in note and "Week" in note for note in board.notes)
    assert project.field_named("Week") is None  # never guessed as another type
    pending = [k for k, r in board_table(h).items() if "Week" in r.get("pending", [])]
    assert pending
    # Incremental runs leave it; the daily complete run reads the board once and tries again.
    h.run("sync")
    posts = graphql(h)
    ok(h.run("sync"))
    assert graphql(h) == posts
    emu = h.emulator
    assert isinstance(emu, GitHubEmulator)
    emu.boards.add_iteration_field(
        project, "Week", [f"Week {n}" for n in range(1, 7)], date(2026, 11, 2)
    )
    ok(h.run("sync", full=True))
    n = h.number_of(pending[0])
    assert values(h, project, n)["Week"].startswith("Week ")
    assert not any("pending" in r for r in board_table(h).values())


def test_a_token_without_the_project_scope_is_explained(harness: Harness) -> None:
    h = harness
    on_board(h)
    emu = h.emulator
    assert isinstance(emu, GitHubEmulator)
    emu.boards.project_tokens = set()  # the contract token lacks `project`
    result = h.run("push")
    assert result.outcome is not None
    error = result.outcome.error
    assert isinstance(error, PermissionDenied)
    assert "`project` scope" in error.describe() and TOKEN not in error.describe()
    assert h.lock_items()  # the issues were made and recorded all the same


def test_plan_shows_the_board_writes(harness: Harness) -> None:
    h = harness
    on_board(h)
    posts = graphql(h)
    result = h.run("push", dry_run=True)
    assert graphql(h) == posts  # planning asks nothing of the board
    assert result.board is not None
    n = len(result.plan.entries) or sum(len(d.items) for d in result.docs)
    assert result.board.adds == n
    assert f"add {n} issue(s)" in result.board.lines()[0]


def test_gitlab_refuses_a_board(harness: Harness) -> None:
    h = harness
    if h.kind == "github":
        pytest.skip("GitHub has project boards")
    h.config = replace(h.config, project=BoardConfig(URL))
    writes = h.writes()
    with pytest.raises(ConfigError, match="GitLab has no Projects"):
        h.run("push")
    assert h.writes() == writes  # refused before any write


def test_max_writes_stops_the_board_cleanly_and_the_next_run_carries_on(
    harness: Harness,
) -> None:
    h = harness
    project = on_board(h)
    without = h.run("push", dry_run=True).plan.forge_writes
    # The issues' writes, then 3 requests of the board's mutations (of the 11 it needs).
    h.config = replace(h.config, apply=replace(h.config.apply, max_writes=without + 3))
    first = h.run("push")
    assert first.outcome is not None
    assert isinstance(first.outcome.error, WriteBudgetExhausted)
    assert first.outcome.board is not None and first.outcome.board.writes == 3
    assert len(project.items) < len(h.lock_items())
    h.config = replace(h.config, apply=replace(h.config.apply, max_writes=None))
    ok(h.run("push"))
    assert len(project.items) == len({i.content for i in project.items}) == len(h.lock_items())
    before = h.writes()
    ok(h.run("push"))
    assert h.writes() == before


def test_a_rate_limited_graphql_answer_is_waited_out(harness: Harness) -> None:
    h = harness
    project = on_board(h)
    emu = h.emulator
    assert isinstance(emu, GitHubEmulator)
    ok(h.run("push"))
    n = h.number_of("phase-2/functional/password-sign-in")
    h.close(n)
    # GitHub's GraphQL says a spent budget with HTTP 200 and a RATE_LIMITED error.
    limited = {
        "errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded for user ID 1."}]
    }
    reset = str(int(emu.now().timestamp()) + 5)
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}
    emu.fail_next(
        1, method="POST", path_regex="/graphql", status=200, body=limited, headers=headers
    )
    posts = graphql(h)
    ok(h.run("sync"))
    assert values(h, project, n)["Status"] == "Done"
    assert graphql(h) - posts == 3  # the refused read, sent again after the wait, one write


def test_the_emulator_answers_a_spent_budget_on_graphql_as_github_does(harness: Harness) -> None:
    h = harness
    on_board(h)
    emu = h.emulator
    assert isinstance(emu, GitHubEmulator)
    emu.exhaust_rate_limit(reset_in=30)
    auth = {"authorization": f"token {TOKEN}"}
    reply = emu.handle(Request("POST", "/graphql", headers=auth, body=b"{}"))
    assert reply.status == 200 and reply.body["errors"][0]["type"] == "RATE_LIMITED"


def test_a_board_left_unfinished_is_finished_by_the_next_incremental_sync(
    harness: Harness,
) -> None:
    h = harness
    if h.kind == "gitlab":
        pytest.skip("GitLab has no project boards")
    ok(h.run("push"))  # no board yet; then syncs that let documents be reused unparsed
    ok(h.run("sync"))
    ok(h.run("sync"))
    project = on_board(h)
    emu = h.emulator
    assert isinstance(emu, GitHubEmulator)
    emu.boards.project_tokens = set()  # the token lacks `project`: the board step fails
    failed = h.run("sync")
    assert failed.outcome is not None and isinstance(failed.outcome.error, PermissionDenied)
    emu.boards.project_tokens = None  # the token is fixed
    done = ok(h.run("sync"))  # incremental, and every document planned again
    assert done.snapshot.since is not None and not done.reused
    assert len(project.items) == len(h.lock_items())
    after = ok(h.run("sync"))
    assert after.board is not None and after.board.empty


def test_status_names_are_configurable_and_a_missing_option_is_reported(
    harness: Harness,
) -> None:
    h = harness
    project = on_board(h)
    h.config = replace(h.config, project=BoardConfig(URL, "Backlog", "Done"))
    result = ok(h.run("push"))
    board = result.outcome.board if result.outcome else None
    assert board is not None
    assert any("has no option `Backlog`" in note for note in board.notes)
    items = h.lock_items()
    for e in items.values():  # ticked boxes are Done; open ones are left unset, not guessed
        assert values(h, project, e.issue).get("Status") == ("Done" if e.checked else None)
    status = project.field_named("Status")
    assert status is not None
    status.options.append(type(status.options[0])("backlog-id", "Backlog"))  # a person adds it
    ok(h.run("sync", full=True))  # the daily complete run writes what was pending
    for e in items.values():
        assert values(h, project, e.issue)["Status"] == ("Done" if e.checked else "Backlog")


def test_project_status_setting(tmp_path: Any) -> None:
    from syncer.settings_load import load_settings

    env = {"PHASESYNC_PROJECT": URL, "PHASESYNC_PROJECT_STATUS": '["Backlog", "Shipped"]'}
    settings = load_settings(cwd=tmp_path, env=env)
    assert settings.project_status == ("Backlog", "Shipped")
    with pytest.raises(ConfigError, match="GitLab has none to fill"):
        load_settings(cwd=tmp_path, env={**env, "PHASESYNC_FORGE": "gitlab"})
    with pytest.raises(ConfigError, match="two option names"):
        load_settings(cwd=tmp_path, env={**env, "PHASESYNC_PROJECT_STATUS": '["", "Done"]'})
    with pytest.raises(ConfigError, match="URL of a GitHub project board"):
        load_settings(cwd=tmp_path, env={"PHASESYNC_PROJECT": "https://github.com/acme"})


def test_document_text_reaches_the_board_as_data(harness: Harness) -> None:
    h = harness
    project = on_board(h)
    doc = h.doc("phase-2-authentication.md")
    name = 'Auth "} mutation { x } \\\\ $p'
    doc.write_text(doc.read_text().replace("User Authentication", name, 1))
    ok(h.run("push"))
    n = h.number_of("phase-2/functional/password-sign-in")
    assert values(h, project, n)["Phase"] == f"Phase 2: {name}"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://github.com/acme/plans", "the URL of a GitHub project board"),
        ("https://github.com/orgs/acme/projects/x", "the URL of a GitHub project board"),
        ("https://github.example.com/orgs/acme/projects/5", "on github.com"),
    ],
)
def test_a_project_url_that_names_no_board_is_refused(url: str, why: str) -> None:
    from syncer.forges.github_board import parse_project_url

    with pytest.raises(ConfigError, match=why):
        parse_project_url(url)
    ref = parse_project_url("https://github.com/users/alice/projects/2/")
    assert (ref.owner, ref.number, ref.organization) == ("alice", 2, False)


def test_github_enterprise_boards_are_reached_at_its_graphql_endpoint(tmp_path: Any) -> None:
    """GitHub Enterprise serves REST at /api/v3 and GraphQL at /api/graphql: PyGithub's
    requester derives the second from the first, on the same host."""
    import responses

    from syncer.demo import copy_examples
    from syncer.forges import open_forge
    from syncer.forges.emulator.core import mount
    from syncer.sync.apply_types import ApplyOptions
    from syncer.sync.engine import EngineConfig, RunRequest, run
    from syncer.sync.render import DEFAULT_RENDER
    from tests.contract.conftest import REPO

    emu = GitHubEmulator(REPO, tokens={TOKEN: "write"}, web_url="https://ghe.example.com")
    project = emu.boards.add_project("acme", 5)
    copy_examples(tmp_path)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount(emu, rsps, "https://ghe.example.com/api/v3")  # and /api/graphql beside it
        forge = open_forge("github", REPO, TOKEN, "https://ghe.example.com/api/v3")
        config = EngineConfig(
            render=DEFAULT_RENDER,
            apply=ApplyOptions(write_interval=0),
            project=BoardConfig("https://ghe.example.com/orgs/acme/projects/5"),
        )
        result = run(forge, tmp_path, config, RunRequest("push"))
    assert result.outcome is not None and result.outcome.error is None
    assert {r.path for r in emu.requests if r.method == "POST"} >= {"/graphql"}
    assert len(project.items) == 36


def test_an_item_taken_off_the_board_is_added_again_when_its_values_change(
    harness: Harness,
) -> None:
    h = harness
    project = on_board(h)
    emu = h.emulator
    assert isinstance(emu, GitHubEmulator)
    ok(h.run("push"))
    n = h.number_of("phase-2/functional/password-sign-in")
    content = node_id("I", emu.repo().issues[n].id)
    emu.boards.remove_item(project, content)  # a person takes it off the board
    ok(h.run("sync"))
    assert values(h, project, n) == {}  # left alone while nothing changes
    h.close(n)  # its Status changes: the write finds the item gone
    ok(h.run("sync"))
    ok(h.run("sync"))  # and the next run adds it again, with every value
    got = values(h, project, n)
    assert got["Status"] == "Done" and got["Priority"] == "High"
    assert len(project.items) == len(h.lock_items())


def test_a_field_phasesync_cannot_write_is_reported_not_replaced(harness: Harness) -> None:
    h = harness
    project = on_board(h)
    # GitHub's own `Type` field (the issue type), which no value of ours fits.
    from syncer.forges.emulator.github_projects import BoardField

    project.fields.append(BoardField("PVTF_issue_type", "Type", "ISSUE_TYPE"))
    result = ok(h.run("push"))
    board = result.outcome.board if result.outcome else None
    assert board is not None and "Type" not in board.fields_made
    assert any("`Type` is a ISSUE_TYPE field" in note for note in board.notes)
    n = h.number_of("phase-2/functional/password-sign-in")
    assert "Type" not in values(h, project, n) and values(h, project, n)["Status"] == "Todo"
