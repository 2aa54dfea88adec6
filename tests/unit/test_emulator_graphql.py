"""The GitHub emulator's `/graphql` executes GitHub's Projects (v2) subset as GitHub answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
import responses

from syncer.forges.emulator import persist
from syncer.forges.emulator.core import mount
from syncer.forges.emulator.github import GitHubEmulator
from syncer.forges.emulator.github_projects import Project

API = "https://api.github.com"
AUTH = {"Authorization": "token tok"}

PROJECT = """query($login: String!, $number: Int!) {
  organization(login: $login) { projectV2(number: $number) {
    id title url
    fields(first: 100) { totalCount nodes {
      __typename
      ... on ProjectV2FieldCommon { id name dataType }
      ... on ProjectV2SingleSelectField { options { id name } }
      ... on ProjectV2IterationField { configuration { iterations { id title startDate } } }
    } }
  } }
}"""


@pytest.fixture
def emu() -> Iterator[GitHubEmulator]:
    emulator = GitHubEmulator(
        "acme/plan", tokens={"tok": "write", "ro": "read", "noscope": "write"}
    )
    emulator.boards.project_tokens = {"tok", "ro"}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount(emulator, rsps, API)
        yield emulator


def gql(query: str, headers: dict[str, str] = AUTH, **variables: Any) -> dict[str, Any]:
    reply = requests.post(
        f"{API}/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert reply.status_code == 200  # GraphQL errors are answered 200, as GitHub does
    data: dict[str, Any] = reply.json()
    return data


def board(emu: GitHubEmulator) -> Project:
    return emu.boards.add_project("acme", 5, title="Roadmap")


def test_a_board_has_githubs_default_fields_and_status_options(emu: GitHubEmulator) -> None:
    p = board(emu)
    data = gql(PROJECT, login="acme", number=5)["data"]["organization"]["projectV2"]
    assert data["id"] == p.id and data["url"] == "https://github.com/orgs/acme/projects/5"
    names = [f["name"] for f in data["fields"]["nodes"]]
    assert names == ["Title", "Assignees", "Status", "Labels", "Milestone", "Repository"]
    status = data["fields"]["nodes"][2]
    assert status["__typename"] == "ProjectV2SingleSelectField"
    assert [o["name"] for o in status["options"]] == ["Todo", "In Progress", "Done"]


def test_unknown_board_is_not_found_with_githubs_error_shape(emu: GitHubEmulator) -> None:
    board(emu)
    answer = gql(PROJECT, login="acme", number=9)
    assert answer["data"] == {"organization": {"projectV2": None}}
    (err,) = answer["errors"]
    assert err["type"] == "NOT_FOUND"
    assert err["path"] == ["organization", "projectV2"]
    assert err["message"] == "Could not resolve to a ProjectV2 with the number 9."
    # A user's board is not an organization's.
    emu.boards.add_project("alice", 2, organization=False)
    mine = 'query { user(login: "alice") { projectV2(number: 2) { title } } }'
    assert gql(mine)["data"]["user"]["projectV2"]["title"] == "Plan"
    assert gql(PROJECT, login="alice", number=2)["errors"][0]["type"] == "NOT_FOUND"
    nobody = gql('query { user(login: "nobody") { login } }')["errors"][0]
    assert nobody["message"] == "Could not resolve to a User with the login of 'nobody'."


def test_a_token_without_the_project_scope_is_refused(emu: GitHubEmulator) -> None:
    board(emu)
    answer = gql(PROJECT, headers={"Authorization": "token noscope"}, login="acme", number=5)
    (err,) = answer["errors"]
    assert err["type"] == "INSUFFICIENT_SCOPES"
    assert "['read:project']" in err["message"]


def test_invalid_query_fails_validation(emu: GitHubEmulator) -> None:
    answer = gql('query { organization(login: "acme") { secret } }')
    assert "data" not in answer
    assert "secret" in answer["errors"][0]["message"]


ADD = """mutation($p: ID!, $a: ID!, $b: ID!) {
  a: addProjectV2ItemById(input: {projectId: $p, contentId: $a}) { item { id } }
  b: addProjectV2ItemById(input: {projectId: $p, contentId: $b}) { item { id } }
}"""


def node(emu: GitHubEmulator, number: int) -> str:
    q = 'query($n: Int!) { repository(owner: "acme", name: "plan") { issue(number: $n) { id } } }'
    ident: str = gql(q, n=number)["data"]["repository"]["issue"]["id"]
    assert ident == emu.issue(number)["node_id"]
    return ident


def test_aliased_mutations_run_alone_and_adding_twice_returns_the_same_item(
    emu: GitHubEmulator,
) -> None:
    p = board(emu)
    one, two = emu.add_issue("one"), emu.add_issue("two")
    a, b = node(emu, one), node(emu, two)
    first = gql(ADD, p=p.id, a=a, b=b)["data"]
    again = gql(ADD, p=p.id, a=a, b="I_nope")
    assert again["data"]["a"]["item"]["id"] == first["a"]["item"]["id"]  # the existing item
    assert again["data"]["b"] is None and again["errors"][0]["path"] == ["b"]
    assert again["errors"][0]["type"] == "NOT_FOUND"
    assert len(p.items) == 2


def test_field_values_by_type_and_their_checks(emu: GitHubEmulator) -> None:
    p = board(emu)
    emu.boards.add_iteration_field(p, "Week", ["Week 1", "Week 2"], date(2026, 11, 30))
    n = emu.add_issue("one")
    item = gql(ADD.replace("b: add", "# b: add").replace(", $b: ID!", ""), p=p.id, a=node(emu, n))
    item_id = item["data"]["a"]["item"]["id"]
    make = """mutation($p: ID!, $name: String!, $t: ProjectV2CustomFieldType!,
                       $o: [ProjectV2SingleSelectFieldOptionInput!]) {
      createProjectV2Field(input: {
        projectId: $p, dataType: $t, name: $name, singleSelectOptions: $o}) {
        projectV2Field { ... on ProjectV2FieldCommon { id name dataType } } } }"""
    est = gql(make, p=p.id, name="Estimate", t="NUMBER")["data"]["createProjectV2Field"]
    assert est["projectV2Field"]["dataType"] == "NUMBER"
    taken = gql(make, p=p.id, name="estimate", t="TEXT")["errors"][0]
    assert taken["type"] == "UNPROCESSABLE" and "taken" in taken["message"]
    many = [{"name": f"o{k}", "color": "GRAY", "description": ""} for k in range(51)]
    assert (
        "at most 50"
        in gql(make, p=p.id, name="Big", t="SINGLE_SELECT", o=many)["errors"][0]["message"]
    )
    iteration = gql(make, p=p.id, name="Sprint", t="ITERATION")["errors"][0]
    assert "ITERATION" in iteration["message"]  # not a custom type the API creates
    status = p.field_named("Status")
    week = p.field_named("Week")
    assert status is not None and week is not None
    update = """mutation($p: ID!, $i: ID!, $f: ID!, $v: ProjectV2FieldValue!) {
      updateProjectV2ItemFieldValue(input: {projectId: $p, itemId: $i, fieldId: $f, value: $v}) {
        projectV2Item { id } } }"""
    done = status.options[2].id
    assert "errors" not in gql(
        update, p=p.id, i=item_id, f=status.id, v={"singleSelectOptionId": done}
    )
    assert "errors" not in gql(
        update, p=p.id, i=item_id, f=est["projectV2Field"]["id"], v={"number": 3}
    )
    assert "errors" not in gql(
        update, p=p.id, i=item_id, f=week.id, v={"iterationId": week.iterations[1].id}
    )
    wrong = gql(update, p=p.id, i=item_id, f=status.id, v={"text": "Done"})["errors"][0]
    assert wrong["type"] == "UNPROCESSABLE"
    assert emu.boards.item_values(p, node(emu, n)) == {
        "Status": "Done",
        "Estimate": 3,
        "Week": "Week 2",
    }
    read = """query($i: ID!) { node(id: $i) { ... on ProjectV2Item {
      fieldValues(first: 20) { nodes { __typename
        ... on ProjectV2ItemFieldSingleSelectValue { name optionId }
        ... on ProjectV2ItemFieldNumberValue { number }
        ... on ProjectV2ItemFieldIterationValue { title } } } } } }"""
    values = gql(read, i=item_id)["data"]["node"]["fieldValues"]["nodes"]
    assert {
        "__typename": "ProjectV2ItemFieldSingleSelectValue",
        "name": "Done",
        "optionId": done,
    } in values
    # Read-only tokens cannot change a board.
    ro = gql(
        update,
        headers={"Authorization": "token ro"},
        p=p.id,
        i=item_id,
        f=status.id,
        v={"singleSelectOptionId": done},
    )
    assert ro["errors"][0]["type"] == "FORBIDDEN"


def test_pagination_limits(emu: GitHubEmulator) -> None:
    board(emu)
    q = 'query { organization(login: "acme") { projectV2(number: 5) { items(first: 101) { X } } } }'
    q = q.replace("X", "totalCount")
    assert gql(q)["errors"][0]["type"] == "EXCESSIVE_PAGINATION"
    q = 'query { organization(login: "acme") { projectV2(number: 5) { items { totalCount } } } }'
    assert gql(q)["errors"][0]["type"] == "MISSING_PAGINATION_BOUNDARIES"


def test_item_limit(emu: GitHubEmulator) -> None:
    p = board(emu)
    emu.boards.item_limit = 1
    a, b = node(emu, emu.add_issue("one")), node(emu, emu.add_issue("two"))
    answer = gql(ADD, p=p.id, a=a, b=b)
    assert answer["data"]["a"]["item"]["id"] and answer["data"]["b"] is None
    assert "maximum number of items" in answer["errors"][0]["message"]


def test_boards_survive_the_state_file(emu: GitHubEmulator, tmp_path: Path) -> None:
    p = board(emu)
    n = emu.add_issue("one")
    gql(ADD.replace("b: add", "# b: add").replace(", $b: ID!", ""), p=p.id, a=node(emu, n))
    persist.save(tmp_path / "state.json", emu, "tok")
    fresh = GitHubEmulator("acme/plan")
    persist.restore(fresh, persist.load(tmp_path / "state.json"))
    assert len(fresh.boards.projects[p.id].items) == 1
