"""The emulators' "blocked by" relations, as the forges answer them: GitHub's issue
dependencies (by global id, 422 for itself or twice, 404 for an unknown id, 50 blockers,
`issue_dependencies_summary` in listings, PyGithub's own calls) and GitLab's
`is_blocked_by` links (Premium only, stored from the blocking side)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
import responses
from github import Auth, Github

from syncer.forges.emulator.core import mount
from syncer.forges.emulator.github import GitHubEmulator
from syncer.forges.emulator.gitlab import GitLabEmulator

API = "https://api.github.com"
REPO = f"{API}/repos/octo/plan"
AUTH = {"Authorization": "token tok"}
GL = "https://gitlab.example.com"
PROJECT = f"{GL}/api/v4/projects/acme%2Fplans"
GL_AUTH = {"PRIVATE-TOKEN": "tok"}


@pytest.fixture
def emu() -> Iterator[GitHubEmulator]:
    emulator = GitHubEmulator("octo/plan", tokens={"tok": "write", "ro": "read"})
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount(emulator, rsps, API)
        yield emulator


@pytest.fixture
def gl() -> Iterator[GitLabEmulator]:
    emulator = GitLabEmulator("acme/plans", tokens={"tok": "write"})
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount(emulator, rsps, GL)
        yield emulator


def _issue(title: str) -> dict[str, Any]:
    reply = requests.post(f"{REPO}/issues", json={"title": title}, headers=AUTH)
    assert reply.status_code == 201
    data: dict[str, Any] = reply.json()
    return data


def _block(blocked: int, blocking_id: Any, status: int) -> Any:
    reply = requests.post(
        f"{REPO}/issues/{blocked}/dependencies/blocked_by",
        json={"issue_id": blocking_id},
        headers=AUTH,
    )
    assert reply.status_code == status, reply.text
    return reply.json()


def test_github_dependencies_by_global_id_with_githubs_errors(emu: GitHubEmulator) -> None:
    a, b, c = (_issue(t) for t in "abc")
    made = _block(a["number"], b["id"], 201)
    assert made["number"] == b["number"]  # the blocking issue, as GitHub answers
    assert _block(a["number"], b["id"], 422)["message"] == "Validation Failed"  # twice
    assert _block(a["number"], a["id"], 422)["errors"][0]["field"] == "issue_id"  # itself
    assert _block(a["number"], 987654, 404)["message"] == "Not Found"
    assert _block(a["number"], "x", 422)["errors"][0]["code"] == "invalid"
    _block(a["number"], c["id"], 201)
    listed = requests.get(f"{REPO}/issues/{a['number']}/dependencies/blocked_by", headers=AUTH)
    assert [i["number"] for i in listed.json()] == [b["number"], c["number"]]
    blocking = requests.get(f"{REPO}/issues/{b['number']}/dependencies/blocking", headers=AUTH)
    assert [i["number"] for i in blocking.json()] == [a["number"]]
    emu.close_issue(c["number"])
    issues = {i["number"]: i for i in requests.get(f"{REPO}/issues?state=all", headers=AUTH).json()}
    assert issues[a["number"]]["issue_dependencies_summary"] == {
        "blocked_by": 1,
        "blocking": 0,
        "total_blocked_by": 2,
        "total_blocking": 0,
    }
    assert issues[b["number"]]["issue_dependencies_summary"]["total_blocking"] == 1
    gone = requests.delete(
        f"{REPO}/issues/{a['number']}/dependencies/blocked_by/{b['id']}", headers=AUTH
    )
    assert gone.status_code == 200 and gone.json()["number"] == b["number"]
    again = requests.delete(
        f"{REPO}/issues/{a['number']}/dependencies/blocked_by/{b['id']}", headers=AUTH
    )
    assert again.status_code == 404
    assert emu.blocked_by(a["number"]) == [c["number"]]
    emu.remove_blocked_by(a["number"], c["number"])  # a person, on github.com
    assert emu.blocked_by(a["number"]) == []


def test_github_allows_50_blockers_and_readers_may_not_write(emu: GitHubEmulator) -> None:
    target = _issue("target")
    others = [_issue(f"o{n}") for n in range(51)]
    for other in others[:50]:
        _block(target["number"], other["id"], 201)
    refused = _block(target["number"], others[50]["id"], 422)
    assert "50" in refused["errors"][0]["message"]
    reply = requests.post(
        f"{REPO}/issues/{target['number']}/dependencies/blocked_by",
        json={"issue_id": others[50]["id"]},
        headers={"Authorization": "token ro"},
    )
    assert reply.status_code == 403


def test_pygithubs_own_dependency_calls_work_against_the_emulator(emu: GitHubEmulator) -> None:
    gh = Github(auth=Auth.Token("tok"), base_url=API)
    repo = gh.get_repo("octo/plan")
    a, b = repo.create_issue("a"), repo.create_issue("b")
    number = a.number
    a.add_blocked_by(b)
    # PyGithub takes the answer (the blocking issue) as the object's own: read it afresh.
    assert [i.number for i in repo.get_issue(number).get_blocked_by()] == [b.number]
    listed = {i.number: i for i in repo.get_issues(state="all")}
    assert listed[number].issue_dependencies_summary.total_blocked_by == 1
    repo.get_issue(number).remove_blocked_by(b)
    assert list(repo.get_issue(number).get_blocked_by()) == []


def _gl_issue(title: str) -> int:
    reply = requests.post(f"{PROJECT}/issues", json={"title": title}, headers=GL_AUTH)
    return int(reply.json()["iid"])


def _gl_link(source: int, target: int, link_type: str, status: int) -> Any:
    body = {"target_project_id": "acme/plans", "target_issue_iid": target, "link_type": link_type}
    reply = requests.post(f"{PROJECT}/issues/{source}/links", json=body, headers=GL_AUTH)
    assert reply.status_code == status, reply.text
    return reply.json()


def test_gitlab_is_blocked_by_needs_premium_and_reads_blocks_from_the_other_side(
    gl: GitLabEmulator,
) -> None:
    a, b = _gl_issue("a"), _gl_issue("b")
    refused = _gl_link(a, b, "is_blocked_by", 403)
    assert refused == {"message": "Blocked issues not available for current license"}
    gl.tier = "premium"
    made = _gl_link(a, b, "is_blocked_by", 201)
    assert made["link_type"] == "is_blocked_by"
    from_a = requests.get(f"{PROJECT}/issues/{a}/links", headers=GL_AUTH).json()
    from_b = requests.get(f"{PROJECT}/issues/{b}/links", headers=GL_AUTH).json()
    assert [(x["iid"], x["link_type"]) for x in from_a] == [(b, "is_blocked_by")]
    assert [(x["iid"], x["link_type"]) for x in from_b] == [(a, "blocks")]
    assert _gl_link(b, a, "relates_to", 409) == {"message": "Issue(s) already assigned"}
    assert gl.links.typed(gl.project(), a) == [(b, "is_blocked_by")]
