"""The GitLab emulator's issue links: `relates_to` on every tier, `blocks` on Premium only,
one link per pair of issues, and `weight` shown only where the licence has it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
import responses

from syncer.forges.emulator.core import mount
from syncer.forges.emulator.gitlab import GitLabEmulator

API = "https://gitlab.example.com"
PROJECT = f"{API}/api/v4/projects/acme%2Fplans"
AUTH = {"PRIVATE-TOKEN": "tok"}


@pytest.fixture
def emu() -> Iterator[GitLabEmulator]:
    emulator = GitLabEmulator("acme/plans", tokens={"tok": "write"})
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount(emulator, rsps, API)
        yield emulator


def post(path: str, body: dict[str, Any], status: int = 201) -> Any:
    reply = requests.post(f"{PROJECT}{path}", json=body, headers=AUTH)
    assert reply.status_code == status, reply.text
    return reply.json()


def link(source: int, target: int, link_type: str = "relates_to", status: int = 201) -> Any:
    body = {"target_project_id": "acme/plans", "target_issue_iid": target, "link_type": link_type}
    return post(f"/issues/{source}/links", body, status)


def test_relates_to_on_every_tier_blocks_on_premium(emu: GitLabEmulator) -> None:
    a, b, c = (post("/issues", {"title": t})["iid"] for t in "abc")
    made = link(a, b)
    assert made["link_type"] == "relates_to"
    assert made["source_issue"]["iid"] == a and made["target_issue"]["iid"] == b
    assert link(b, a, status=409) == {"message": "Issue(s) already assigned"}
    refused = link(a, c, "blocks", status=403)
    assert refused == {"message": "Blocked issues not available for current license"}
    assert "weight" not in requests.get(f"{PROJECT}/issues/{a}", headers=AUTH).json()
    emu.tier = "premium"
    assert link(a, c, "blocks")["link_type"] == "blocks"
    assert "weight" in requests.get(f"{PROJECT}/issues/{a}", headers=AUTH).json()
    seen_from_c = requests.get(f"{PROJECT}/issues/{c}/links", headers=AUTH).json()
    assert [(x["iid"], x["link_type"]) for x in seen_from_c] == [(a, "is_blocked_by")]
    from_a = requests.get(f"{PROJECT}/issues/{a}/links", headers=AUTH).json()
    assert sorted(x["iid"] for x in from_a) == [b, c]
    gone = requests.delete(f"{PROJECT}/issues/{a}/links/{from_a[0]['issue_link_id']}", headers=AUTH)
    assert gone.status_code == 200
    assert emu.related(a) == [c]
    assert requests.delete(f"{PROJECT}/issues/{a}/links/999", headers=AUTH).status_code == 404
