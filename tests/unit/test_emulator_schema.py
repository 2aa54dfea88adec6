"""The GitHub emulator's JSON validates against GitHub's published schemas.

The schemas are OpenAPI 3.0 (`nullable: true`), turned into plain JSON Schema (null
alternatives) before validating; see tests/data/schemas/README.md.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import requests
import responses

from syncer.forges.emulator.core import mount
from syncer.forges.emulator.github import GitHubEmulator

SCHEMAS = (
    Path(__file__).parents[1] / "data" / "schemas" / "github-issue-label-milestone.schema.json"
)
API = "https://api.github.com"
REPO = f"{API}/repos/octo/plan"
AUTH = {"Authorization": "token tok"}
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def denullable(node: Any) -> Any:
    """OpenAPI 3.0 `nullable: true` as JSON Schema: the same schema, or null."""
    if isinstance(node, list):
        return [denullable(x) for x in node]
    if not isinstance(node, dict):
        return node
    node = {k: denullable(v) for k, v in node.items()}
    if not node.pop("nullable", False):
        return node
    if "enum" in node:
        node["enum"] = [*node["enum"], None]
    if isinstance(node.get("type"), str) and "$ref" not in node:
        node["type"] = [node["type"], "null"]
        return node
    return {"anyOf": [node, {"type": "null"}]}


@pytest.fixture(scope="module")
def schemas() -> dict[str, Any]:
    return denullable(json.loads(SCHEMAS.read_text()))  # type: ignore[no-any-return]


def validate(schemas: dict[str, Any], name: str, instance: Any) -> None:
    root = {"$ref": f"#/components/schemas/{name}", "components": schemas["components"]}
    jsonschema.Draft7Validator(root).validate(instance)


def timestamps(node: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from timestamps(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from timestamps(v, key)
    elif key.endswith(("_at", "_on")) and node is not None:
        yield key, node


@pytest.fixture
def api() -> Iterator[GitHubEmulator]:
    emu = GitHubEmulator("octo/plan", tokens={"tok": "write"})
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount(emu, rsps, API)
        yield emu


def post(path: str, body: dict[str, Any], status: int = 201) -> Any:
    reply = requests.post(f"{REPO}{path}", json=body, headers=AUTH)
    assert reply.status_code == status, reply.text
    return reply.json()


def test_denullable_accepts_null_only_where_the_schema_allows_it(schemas: dict[str, Any]) -> None:
    label = {
        "id": 1, "node_id": "x", "url": "https://x", "name": "a",
        "description": None, "color": "ffffff", "default": False,
    }  # fmt: skip
    validate(schemas, "label", label)
    with pytest.raises(jsonschema.ValidationError):
        validate(schemas, "label", {**label, "name": None})
    with pytest.raises(jsonschema.ValidationError):
        validate(schemas, "label", {k: v for k, v in label.items() if k != "node_id"})


def test_label_milestone_issue_and_comment_validate(
    api: GitHubEmulator, schemas: dict[str, Any]
) -> None:
    label = post("/labels", {"name": "phase:2", "color": "1d76db", "description": "Phase 2"})
    milestone = post(
        "/milestones",
        {"title": "Phase 2", "description": "Auth", "due_on": "2026-03-06T12:00:00Z"},
    )
    issue = post(
        "/issues",
        {"title": "Sign in", "body": "b", "labels": ["phase:2"], "milestone": milestone["number"]},
    )
    comment = post(f"/issues/{issue['number']}/comments", {"body": "why"})
    closed = requests.patch(
        f"{REPO}/issues/{issue['number']}",
        json={"state": "closed", "state_reason": "not_planned"},
        headers=AUTH,
    ).json()
    bare = post("/issues", {"title": "No body"})
    api.add_pull_request("A pull request")
    listing = requests.get(f"{REPO}/issues", params={"state": "all"}, headers=AUTH).json()

    validate(schemas, "label", label)
    validate(schemas, "milestone", milestone)
    validate(schemas, "issue-comment", comment)
    for one in (issue, closed, bare, *listing):
        validate(schemas, "issue", one)
    assert any("pull_request" in x for x in listing)
    assert closed["state_reason"] == "not_planned" and closed["closed_at"] is not None
    for body in (label, milestone, comment, closed, *listing):
        for key, value in timestamps(body):
            assert TIMESTAMP.fullmatch(value), (key, value)


def test_error_bodies_validate(api: GitHubEmulator, schemas: dict[str, Any]) -> None:
    post("/milestones", {"title": "Phase 2"})
    duplicate = post("/milestones", {"title": "Phase 2"}, status=422)
    validate(schemas, "validation-error", duplicate)
    missing = requests.get(f"{API}/repos/octo/nothing/issues", headers=AUTH).json()
    validate(schemas, "basic-error", missing)
    bad = requests.get(f"{REPO}/issues", headers={"Authorization": "token nope"}).json()
    validate(schemas, "basic-error", bad)


def test_schema_rejects_what_github_would_not_send(
    api: GitHubEmulator, schemas: dict[str, Any]
) -> None:
    # The schema check has teeth: a field the emulator must send, removed, fails it.
    issue = post("/issues", {"title": "T"})
    for required in ("user", "node_id", "html_url", "labels", "closed_at"):
        broken = copy.deepcopy(issue)
        del broken[required]
        with pytest.raises(jsonschema.ValidationError):
            validate(schemas, "issue", broken)


def test_sub_issue_answers_validate_and_keep_github_rules(
    api: GitHubEmulator, schemas: dict[str, Any]
) -> None:
    """Sub-issues by global id; one parent each, no duplicate, at most 100 per parent and
    8 levels; `sub_issues_summary` in every issue payload."""
    issues = [post("/issues", {"title": f"Issue {n}"}) for n in range(110)]
    top = issues[0]
    added = post(f"/issues/{top['number']}/sub_issues", {"sub_issue_id": issues[1]["id"]})
    validate(schemas, "issue", added)
    by_number = post(
        f"/issues/{top['number']}/sub_issues", {"sub_issue_id": issues[2]["number"]}, 404
    )  # a number is not an id
    validate(schemas, "basic-error", by_number)
    twice = post(f"/issues/{top['number']}/sub_issues", {"sub_issue_id": issues[1]["id"]}, 422)
    validate(schemas, "validation-error", twice)
    other = post(
        f"/issues/{issues[3]['number']}/sub_issues", {"sub_issue_id": issues[1]["id"]}, 422
    )
    assert "one parent" in other["errors"][0]["message"]
    for sub in issues[2:101]:
        post(f"/issues/{top['number']}/sub_issues", {"sub_issue_id": sub["id"]})
    full = post(f"/issues/{top['number']}/sub_issues", {"sub_issue_id": issues[101]["id"]}, 422)
    assert "100 sub-issues" in full["errors"][0]["message"]
    listed = requests.get(
        f"{REPO}/issues/{top['number']}/sub_issues", params={"per_page": 100}, headers=AUTH
    )
    assert len(listed.json()) == 100 and 'rel="next"' not in listed.headers.get("Link", "")
    summary = requests.get(f"{REPO}/issues/{top['number']}", headers=AUTH).json()
    validate(schemas, "issue", summary)
    assert summary["sub_issues_summary"] == {"total": 100, "completed": 0, "percent_completed": 0}
    # A chain of 8 levels takes no ninth.
    chain = issues[101:110]
    for upper, lower in itertools.pairwise(chain[:8]):
        post(f"/issues/{upper['number']}/sub_issues", {"sub_issue_id": lower["id"]})
    deep = post(f"/issues/{chain[7]['number']}/sub_issues", {"sub_issue_id": chain[8]["id"]}, 422)
    assert "8 levels" in deep["errors"][0]["message"]
    removed = requests.delete(
        f"{REPO}/issues/{top['number']}/sub_issue",
        json={"sub_issue_id": issues[1]["id"]},
        headers=AUTH,
    )
    assert removed.status_code == 200
    validate(schemas, "issue", removed.json())
    assert api.sub_issues(top["number"])[0] == issues[2]["number"]
