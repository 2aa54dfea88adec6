"""The GitHub emulator answers as GitHub does: paging, errors, dates, limits, faults."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
import responses

from syncer.forges.emulator.core import EmulatorBase, Reply, Request, mount, serve
from syncer.forges.emulator.github import GitHubEmulator
from syncer.forges.emulator.github_model import pacific_date, pacific_midnight

API = "https://api.github.com"
REPO = f"{API}/repos/octo/plan"
AUTH = {"Authorization": "token tok"}
READ_ONLY = {"Authorization": "token ro"}


@pytest.fixture
def emu() -> Iterator[GitHubEmulator]:
    emulator = GitHubEmulator("octo/plan", tokens={"tok": "write", "ro": "read"})
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount(emulator, rsps, API)
        yield emulator


def get(path: str, headers: dict[str, str] = AUTH, **params: Any) -> requests.Response:
    return requests.get(f"{REPO}{path}", params=params, headers=headers)


def links(reply: requests.Response) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', reply.headers["Link"])}


# --- paging ---------------------------------------------------------------------------------


def test_issue_pages_have_next_and_last_links_with_every_parameter(emu: GitHubEmulator) -> None:
    for n in range(250):
        emu.add_issue(f"issue {n}")
    first = get("/issues", state="all", per_page=100)
    assert len(first.json()) == 100
    rels = links(first)
    assert set(rels) == {"next", "last"}
    assert rels["next"] == f"{REPO}/issues?state=all&per_page=100&page=2"
    assert rels["last"].endswith("page=3")
    last = requests.get(rels["last"], headers=AUTH)
    assert len(last.json()) == 50
    assert set(links(last)) == {"prev", "first"}


def test_per_page_defaults_to_30_and_is_capped_at_100(emu: GitHubEmulator) -> None:
    for n in range(150):
        emu.add_issue(f"issue {n}")
    assert len(get("/issues").json()) == 30
    assert len(get("/issues", per_page=1000).json()) == 100


def test_a_single_page_has_no_link_header(emu: GitHubEmulator) -> None:
    emu.add_issue("only")
    assert "Link" not in get("/issues").headers


def test_pull_requests_share_numbers_and_show_in_the_issue_listing(emu: GitHubEmulator) -> None:
    assert emu.add_issue("an issue") == 1
    assert emu.add_pull_request("a pull request") == 2
    listed = {i["number"]: i for i in get("/issues").json()}
    assert "pull_request" in listed[2] and "pull_request" not in listed[1]
    assert [i["number"] for i in emu.issues()] == [1]


def test_state_since_and_order_filters(emu: GitHubEmulator) -> None:
    emu.set_time(datetime(2026, 1, 1, tzinfo=UTC))
    one, two = emu.add_issue("one"), emu.add_issue("two")
    emu.advance(60)
    emu.close_issue(one)
    assert [i["number"] for i in get("/issues").json()] == [two]
    assert [i["number"] for i in get("/issues", state="closed").json()] == [one]
    assert [
        i["number"] for i in get("/issues", state="all", since="2026-01-01T00:00:30Z").json()
    ] == [one]
    assert [i["number"] for i in get("/issues", state="all", direction="asc").json()] == [one, two]


def test_each_page_sees_the_issues_as_they_are_when_it_is_asked(emu: GitHubEmulator) -> None:
    """A listing's selection and order are kept between its pages only while nothing
    changes: a change between two pages shifts the next page as GitHub's would."""
    emu.set_time(datetime(2026, 1, 1, tzinfo=UTC))
    numbers = [emu.add_issue(f"issue {n}") for n in range(6)]

    def page(p: int, **params: Any) -> list[int]:
        reply = get("/issues", state="open", direction="asc", per_page=2, page=p, **params)
        return [i["number"] for i in reply.json()]

    assert page(1) == numbers[0:2]
    assert page(2) == numbers[2:4]  # the same listing: kept
    emu.close_issue(numbers[0])  # a helper's change
    assert page(2) == numbers[3:5]
    requests.patch(f"{REPO}/issues/{numbers[1]}", json={"state": "closed"}, headers=AUTH)
    assert page(2) == numbers[4:6]  # a write request's change
    emu.advance(60)
    emu.repo().issues[numbers[5]].updated_at = emu.now()  # a field set directly
    assert [i["number"] for i in get("/issues", sort="updated", per_page=1).json()] == [numbers[5]]
    emu.delete_issue(numbers[2])
    assert page(1) == numbers[3:5]
    # Another query is another selection, whatever was kept.
    assert page(1, sort="updated") == numbers[3:5]
    assert [i["number"] for i in get("/issues", state="all", direction="asc").json()] == [
        n for n in numbers if n != numbers[2]
    ]


def test_a_restored_state_is_listed_as_it_is(emu: GitHubEmulator) -> None:
    """A state file read back replaces every record: no listing kept from before shows."""
    from syncer.forges.emulator import persist

    empty = persist.snapshot(GitHubEmulator("octo/plan"), "tok")
    for n in range(3):
        emu.add_issue(f"issue {n}")
    assert len(get("/issues", per_page=2).json()) == 2
    persist.restore(emu, empty)
    assert get("/issues", per_page=2).json() == []


# --- errors ---------------------------------------------------------------------------------


def test_bad_or_missing_token_is_401_bad_credentials(emu: GitHubEmulator) -> None:
    for headers in ({}, {"Authorization": "token wrong"}):
        reply = get("/issues", headers=headers)
        assert reply.status_code == 401
        body = reply.json()
        assert body["message"] == "Bad credentials" and body["status"] == "401"
        assert body["documentation_url"].startswith("https://docs.github.com/")


def test_read_only_token_reads_but_cannot_write(emu: GitHubEmulator) -> None:
    assert get("/issues", headers=READ_ONLY).status_code == 200
    reply = requests.post(f"{REPO}/issues", json={"title": "x"}, headers=READ_ONLY)
    assert reply.status_code == 403
    assert reply.json()["message"] == "Resource not accessible by personal access token"
    assert emu.issues() == []


def test_unknown_repository_and_issue_are_404(emu: GitHubEmulator) -> None:
    reply = requests.get(f"{API}/repos/octo/missing/issues", headers=AUTH)
    assert reply.status_code == 404 and reply.json()["message"] == "Not Found"
    assert get("/issues/99").status_code == 404


@pytest.mark.parametrize(
    ("path", "body", "error"),
    [
        ("/labels", {"name": "x" * 51, "color": "ffffff"}, ("Label", "custom", "name")),
        ("/labels", {"name": "ok", "color": "#zzzzzz"}, ("Label", "invalid", "color")),
        ("/issues", {"title": "t", "body": "x" * 65537}, ("Issue", "custom", "body")),
        ("/issues", {"body": "no title"}, ("Issue", "missing_field", "title")),
        ("/issues", {"title": "t", "milestone": 42}, ("Issue", "invalid", "milestone")),
    ],
)
def test_validation_errors_are_422_in_githubs_shape(
    emu: GitHubEmulator, path: str, body: dict[str, Any], error: tuple[str, str, str]
) -> None:
    reply = requests.post(f"{REPO}{path}", json=body, headers=AUTH)
    assert reply.status_code == 422
    data = reply.json()
    assert data["message"] == "Validation Failed"
    (detail,) = data["errors"]
    assert (detail["resource"], detail["code"], detail["field"]) == error


def test_body_of_exactly_65536_characters_is_accepted(emu: GitHubEmulator) -> None:
    reply = requests.post(f"{REPO}/issues", json={"title": "t", "body": "x" * 65536}, headers=AUTH)
    assert reply.status_code == 201


def test_titles_over_256_characters_are_refused_on_create_and_edit(emu: GitHubEmulator) -> None:
    ok = requests.post(f"{REPO}/issues", json={"title": "é" * 256}, headers=AUTH)
    assert ok.status_code == 201
    for reply in (
        requests.post(f"{REPO}/issues", json={"title": "x" * 257}, headers=AUTH),
        requests.patch(f"{REPO}/issues/1", json={"title": "x" * 257}, headers=AUTH),
    ):
        assert reply.status_code == 422
        (detail,) = reply.json()["errors"]
        assert detail["field"] == "title"
        assert detail["message"] == "title is too long (maximum is 256 characters)"
    assert get("/issues/1").json()["title"] == "é" * 256


def test_duplicate_label_and_milestone_already_exist(emu: GitHubEmulator) -> None:
    for path, body in (("/labels", {"name": "Phase:2"}), ("/milestones", {"title": "P2"})):
        assert requests.post(f"{REPO}{path}", json=body, headers=AUTH).status_code == 201
    dup_label = requests.post(f"{REPO}/labels", json={"name": "phase:2"}, headers=AUTH)
    dup_milestone = requests.post(f"{REPO}/milestones", json={"title": "P2"}, headers=AUTH)
    assert dup_label.json()["errors"][0]["code"] == "already_exists"
    assert dup_milestone.status_code == 422
    assert dup_milestone.json()["errors"][0] == {
        "resource": "Milestone", "code": "already_exists", "field": "title",
    }  # fmt: skip


# --- issues ---------------------------------------------------------------------------------


def test_issues_are_created_open_and_closed_with_a_reason(emu: GitHubEmulator) -> None:
    created = requests.post(f"{REPO}/issues", json={"title": "t", "state": "closed"}, headers=AUTH)
    assert created.status_code == 201 and created.json()["state"] == "open"
    number = created.json()["number"]
    closed = requests.patch(f"{REPO}/issues/{number}", json={"state": "closed"}, headers=AUTH)
    assert closed.json()["state_reason"] == "completed"
    reopened = requests.patch(f"{REPO}/issues/{number}", json={"state": "open"}, headers=AUTH)
    assert reopened.json()["state_reason"] == "reopened"
    assert reopened.json()["closed_at"] is None


def test_labels_named_on_an_issue_are_created_and_renames_follow(emu: GitHubEmulator) -> None:
    number = emu.add_issue("t", labels=("bug",))
    assert [x["name"] for x in emu.labels()] == ["bug"]
    requests.patch(f"{REPO}/labels/bug", json={"new_name": "defect"}, headers=AUTH)
    assert [x["name"] for x in emu.issue(number)["labels"]] == ["defect"]


def test_helpers_act_without_http_and_are_not_logged(emu: GitHubEmulator) -> None:
    number = emu.add_issue("t")
    emu.set_title(number, "renamed")
    emu.close_issue(number, reason="not_planned")
    assert emu.issue(number)["title"] == "renamed"
    assert emu.issue(number)["state_reason"] == "not_planned"
    emu.reopen_issue(number)
    assert emu.issue(number)["state"] == "open"
    assert emu.requests == []


# --- milestones: dates in Pacific time -------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("2026-03-06T00:00:00Z", "2026-03-05T08:00:00Z"),  # midnight UTC: the day before
        ("2026-03-06T12:00:00Z", "2026-03-06T08:00:00Z"),  # midday UTC: the same date (PST)
        ("2026-07-01T12:00:00Z", "2026-07-01T07:00:00Z"),  # summer: PDT
        ("2026-07-01", "2026-06-30T07:00:00Z"),  # a bare date is midnight UTC
    ],
)
def test_milestone_due_on_is_kept_as_a_pacific_date(
    emu: GitHubEmulator, sent: str, stored: str
) -> None:
    reply = requests.post(f"{REPO}/milestones", json={"title": "m", "due_on": sent}, headers=AUTH)
    assert reply.json()["due_on"] == stored


def test_pacific_conversions_around_daylight_saving_changes() -> None:
    dst_start = datetime(2026, 3, 8, 10, tzinfo=UTC)  # 02:00 PST becomes 03:00 PDT
    assert pacific_date(dst_start).isoformat() == "2026-03-08"
    assert pacific_midnight(dst_start.date()).hour == 8
    assert pacific_midnight(datetime(2026, 11, 1).date()).hour == 7
    assert pacific_midnight(datetime(2026, 11, 2).date()).hour == 8


def test_milestone_listing_filters_on_state(emu: GitHubEmulator) -> None:
    for title in ("a", "b"):
        requests.post(f"{REPO}/milestones", json={"title": title}, headers=AUTH)
    requests.patch(f"{REPO}/milestones/1", json={"state": "closed"}, headers=AUTH)
    assert [m["title"] for m in get("/milestones").json()] == ["b"]
    assert len(get("/milestones", state="all").json()) == 2


# --- rate limits ----------------------------------------------------------------------------


def test_every_reply_carries_rate_limit_headers_and_spends_budget(emu: GitHubEmulator) -> None:
    first, second = get("/issues"), get("/nothing-here")
    assert first.headers["x-ratelimit-limit"] == "5000"
    assert first.headers["x-ratelimit-resource"] == "core"
    assert int(first.headers["x-ratelimit-remaining"]) - 1 == int(
        second.headers["x-ratelimit-remaining"]
    )
    assert int(second.headers["x-ratelimit-used"]) == 2


def test_primary_limit_refuses_until_the_reset(emu: GitHubEmulator) -> None:
    emu.set_time(datetime(2026, 1, 1, tzinfo=UTC))
    emu.exhaust_rate_limit(reset_in=120, status=429)
    refused = get("/issues")
    assert refused.status_code == 429
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert int(refused.headers["x-ratelimit-reset"]) == int(emu.now().timestamp()) + 120
    assert refused.json()["message"].startswith("API rate limit exceeded")
    emu.advance(121)
    assert get("/issues").status_code == 200


def test_secondary_limit_sends_retry_after(emu: GitHubEmulator) -> None:
    emu.secondary_limit(1, retry_after=30, method="POST")
    refused = requests.post(f"{REPO}/issues", json={"title": "t"}, headers=AUTH)
    assert refused.status_code == 403 and refused.headers["retry-after"] == "30"
    assert "secondary rate limit" in refused.json()["message"]
    assert emu.issues() == []
    assert requests.post(f"{REPO}/issues", json={"title": "t"}, headers=AUTH).status_code == 201


def test_rate_limit_endpoint_is_free(emu: GitHubEmulator) -> None:
    before = emu.remaining
    body = requests.get(f"{API}/rate_limit", headers=AUTH).json()
    assert body["resources"]["core"]["remaining"] == before == emu.remaining


# --- faults and the log ---------------------------------------------------------------------


def test_fail_next_answers_without_acting_and_only_matching_requests(emu: GitHubEmulator) -> None:
    emu.fail_next(1, method="POST", path_regex=r"/issues$", status=503)
    assert get("/issues").status_code == 200
    assert requests.post(f"{REPO}/issues", json={"title": "t"}, headers=AUTH).status_code == 503
    assert emu.issues() == []
    assert requests.post(f"{REPO}/issues", json={"title": "t"}, headers=AUTH).status_code == 201


def test_drop_next_closes_the_connection(emu: GitHubEmulator) -> None:
    emu.drop_next(1)
    with pytest.raises(requests.ConnectionError):
        get("/issues")
    assert get("/issues").status_code == 200


def test_apply_then_fail_does_the_write_and_loses_the_answer(emu: GitHubEmulator) -> None:
    emu.apply_then_fail(1, method="POST")
    assert requests.post(f"{REPO}/issues", json={"title": "t"}, headers=AUTH).status_code == 502
    assert [i["title"] for i in emu.issues()] == ["t"]
    emu.apply_then_fail(1, method="POST", drop=True)
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{REPO}/issues", json={"title": "u"}, headers=AUTH)
    assert [i["title"] for i in emu.issues()] == ["t", "u"]


def test_log_counts_reads_and_writes(emu: GitHubEmulator) -> None:
    get("/issues")
    requests.post(f"{REPO}/labels", json={"name": "a"}, headers=AUTH)
    requests.patch(f"{REPO}/labels/a", json={"color": "000000"}, headers=AUTH)
    assert (emu.reads(), emu.writes()) == (1, 2)
    emu.reset_log()
    assert (emu.reads(), emu.writes()) == (0, 0)


def test_date_header_follows_the_server_clock(emu: GitHubEmulator) -> None:
    emu.set_time(datetime(2030, 5, 4, 3, 2, 1, tzinfo=UTC))
    assert get("/issues").headers["Date"] == "Sat, 04 May 2030 03:02:01 GMT"


class Echo(EmulatorBase):
    def route(self, request: Request) -> Reply:
        return Reply(200, {"path": request.path, "q": dict(request.query), "body": request.json()})


def test_serve_answers_over_loopback_and_drops_for_real() -> None:
    echo = Echo()
    with serve(echo, prefix="/api/v3") as server:
        reply = requests.post(f"{server.url}/x?a=1&a=2", json={"k": 1}, timeout=5)
        assert reply.json() == {"path": "/x", "q": {"a": ["1", "2"]}, "body": {"k": 1}}
        echo.drop_next(1)
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{server.url}/y", timeout=5)
        echo.latency = 0.05
        assert requests.get(f"{server.url}/z", timeout=5).status_code == 200
    assert [r.path for r in echo.requests] == ["/x", "/y", "/z"]
