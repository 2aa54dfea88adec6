"""Issues that leave a repository, as the forges answer for them: GitHub redirects a
transferred issue (301, every method) and answers 410 for a deleted one; GitLab answers 404
for a deleted issue and keeps a moved one, closed, with `moved_to_id`. Neither lists a
deleted issue, nor gives its number to a new one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
import responses

from syncer.forges.emulator.core import mount
from syncer.forges.emulator.github import GitHubEmulator
from syncer.forges.emulator.gitlab import GitLabEmulator

GH = "https://api.github.com"
GL = "https://gitlab.example.com"


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def _gh(method: str, path: str, **kwargs: object) -> requests.Response:
    headers = {"Authorization": "token tok"}
    return requests.request(
        method, f"{GH}{path}", headers=headers, allow_redirects=False, timeout=5, **kwargs
    )  # type: ignore[arg-type]


def test_github_transferred_issue_redirects_every_method(http: responses.RequestsMock) -> None:
    emu = GitHubEmulator("o/r", tokens={"tok": "write"})
    mount(emu, http, GH)
    first, second = emu.add_issue("stays"), emu.add_issue("moves away")
    new = emu.transfer_issue(second, "o/other")
    target = emu.repo("o/other")
    where = f"{GH}/repositories/{target.id}/issues/{new}"
    for method in ("GET", "PATCH"):
        answer = _gh(method, "/repos/o/r/issues/2", json={"title": "x"})
        assert answer.status_code == 301
        assert answer.headers["Location"] == where
        assert answer.json()["message"] == "Moved Permanently" and answer.json()["url"] == where
    moved = _gh("GET", f"/repositories/{target.id}/issues/{new}")
    assert moved.status_code == 200 and moved.json()["title"] == "moves away"
    listed = _gh("GET", "/repos/o/r/issues", params={"state": "all"}).json()
    assert [i["number"] for i in listed] == [first]
    assert emu.add_issue("next") == 3  # the number is not given again


def test_github_deleted_issue_is_410(http: responses.RequestsMock) -> None:
    emu = GitHubEmulator("o/r", tokens={"tok": "write"})
    mount(emu, http, GH)
    n = emu.add_issue("doomed")
    emu.delete_issue(n)
    for method, path in [
        ("GET", "/issues/1"),
        ("PATCH", "/issues/1"),
        ("POST", "/issues/1/comments"),
    ]:
        answer = _gh(method, f"/repos/o/r{path}", json={"body": "x"})
        assert answer.status_code == 410, (method, path)
        assert answer.json()["message"] == "This issue was deleted"
        assert answer.json()["documentation_url"].startswith("https://docs.github.com/")
    assert _gh("GET", "/repos/o/r/issues", params={"state": "all"}).json() == []
    assert _gh("GET", "/repos/o/r/issues/9").status_code == 404  # never existed: 404
    assert emu.add_issue("next") == 2


def _gl(method: str, path: str, **kwargs: object) -> requests.Response:
    return requests.request(
        method, f"{GL}/api/v4{path}", headers={"PRIVATE-TOKEN": "tok"}, timeout=5, **kwargs
    )  # type: ignore[arg-type]


def test_gitlab_deleted_issue_is_404_and_unlisted(http: responses.RequestsMock) -> None:
    emu = GitLabEmulator("g/p", tokens={"tok": "write"})
    mount(emu, http, GL)
    n = emu.add_issue("doomed")
    emu.delete_issue(n)
    assert _gl("GET", "/projects/g%2Fp/issues/1").status_code == 404
    assert _gl("PUT", "/projects/g%2Fp/issues/1", json={"title": "x"}).status_code == 404
    assert _gl("GET", "/projects/g%2Fp/issues", params={"state": "all"}).json() == []
    assert emu.add_issue("next") == 2


def test_gitlab_moved_issue_is_closed_and_still_listed(http: responses.RequestsMock) -> None:
    emu = GitLabEmulator("g/p", tokens={"tok": "write"})
    mount(emu, http, GL)
    n = emu.add_issue("moves away")
    new = emu.move_issue(n, "g/other")
    listed = _gl("GET", "/projects/g%2Fp/issues", params={"state": "all"}).json()
    assert [(i["iid"], i["state"]) for i in listed] == [(n, "closed")]
    copy = _gl("GET", f"/projects/g%2Fother/issues/{new}").json()
    assert listed[0]["moved_to_id"] == copy["id"] and copy["moved_to_id"] is None
    assert copy["title"] == "moves away"
