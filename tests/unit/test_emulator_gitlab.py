"""The GitLab emulator answers as GitLab's v4 API does, driven by the real python-gitlab."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import gitlab
import pytest
import requests
import responses
from gitlab.exceptions import GitlabAuthenticationError, GitlabCreateError, GitlabGetError

from syncer.forges.emulator.core import mount
from syncer.forges.emulator.gitlab import GitLabEmulator

BASE = "https://gitlab.example.com"
PATH = "grp/sub/proj"
ENCODED = "grp%2Fsub%2Fproj"
ISSUES = f"{BASE}/api/v4/projects/{ENCODED}/issues"


@pytest.fixture
def emu() -> GitLabEmulator:
    return GitLabEmulator(PATH, "other/proj", tokens={"tok": "write", "ro": "read"})


@pytest.fixture
def http(emu: GitLabEmulator) -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount(emu, rsps, BASE)
        yield rsps


def client(token: str = "tok") -> gitlab.Gitlab:
    return gitlab.Gitlab(BASE, private_token=token)


def get(url: str, token: str = "tok", **params: str) -> requests.Response:
    return requests.get(url, params=params, headers={"PRIVATE-TOKEN": token}, timeout=5)


# --- pagination -----------------------------------------------------------------------------


def test_pagination_headers_are_gitlabs(emu: GitLabEmulator, http: object) -> None:
    for n in range(45):
        emu.add_issue(f"issue {n}")

    middle = get(ISSUES, per_page="20", page="2", state="all")
    assert len(middle.json()) == 20
    h = middle.headers
    assert (h["X-Total"], h["X-Total-Pages"], h["X-Page"], h["X-Per-Page"]) == (
        "45",
        "3",
        "2",
        "20",
    )
    assert (h["X-Next-Page"], h["X-Prev-Page"]) == ("3", "1")
    links = middle.links
    assert set(links) == {"prev", "next", "first", "last"}
    # Grape's params: the path's :id and every parameter sent, keys sorted.
    assert links["next"]["url"] == f"{ISSUES}?id={ENCODED}&page=3&per_page=20&state=all"
    assert links["last"]["url"].endswith("page=3&per_page=20&state=all")

    last = get(ISSUES, per_page="20", page="3")
    assert len(last.json()) == 5
    assert (last.headers["X-Next-Page"], last.headers["X-Prev-Page"]) == ("", "2")
    assert "next" not in last.links

    empty = get(f"{BASE}/api/v4/projects/{ENCODED}/labels")
    assert empty.json() == []
    assert (empty.headers["X-Total"], empty.headers["X-Total-Pages"]) == ("0", "1")


def test_per_page_is_capped_at_100(emu: GitLabEmulator, http: object) -> None:
    for n in range(130):
        emu.add_issue(f"issue {n}")
    page = get(ISSUES, per_page="500")
    assert len(page.json()) == 100
    assert page.headers["X-Per-Page"] == "100"
    assert get(ISSUES).headers["X-Per-Page"] == "20"  # GitLab's default


def test_python_gitlab_iterator_follows_links_and_plain_list_stops(
    emu: GitLabEmulator, http: object
) -> None:
    for n in range(250):
        emu.add_issue(f"issue {n}")
    project = client().projects.get(PATH, lazy=True)

    assert len(list(project.issues.list(iterator=True, per_page=100))) == 250
    assert emu.reads() == 3

    with pytest.warns(UserWarning, match="get_all=True"):
        one_page = project.issues.list(per_page=100)
    assert len(one_page) == 100  # the trap the adapter must avoid


# --- projects and authentication ------------------------------------------------------------


def test_project_by_encoded_path_and_by_numeric_id(emu: GitLabEmulator, http: object) -> None:
    pid = emu.project().id
    by_path = client().projects.get(PATH)
    by_id = client().projects.get(pid)
    assert by_path.id == by_id.id == pid
    assert by_id.path_with_namespace == PATH
    assert emu.requests[0].path == f"/api/v4/projects/{ENCODED}"

    iid = emu.add_issue("shared")
    assert client().projects.get(pid, lazy=True).issues.get(iid).title == "shared"


def test_unknown_project_is_404(http: object) -> None:
    for ref in ("nope/nothing", 999999):
        with pytest.raises(GitlabGetError) as caught:
            client().projects.get(ref)
        assert caught.value.response_code == 404
        assert caught.value.error_message == "404 Project Not Found"


def test_tokens(emu: GitLabEmulator, http: object) -> None:
    with pytest.raises(GitlabAuthenticationError) as caught:
        client("wrong").projects.get(PATH)
    assert caught.value.response_code == 401
    assert caught.value.error_message == "401 Unauthorized"

    bearer = gitlab.Gitlab(BASE, oauth_token="tok")
    assert bearer.projects.get(PATH).path_with_namespace == PATH

    read_only = client("ro").projects.get(PATH, lazy=True)
    assert list(read_only.issues.list(iterator=True)) == []
    with pytest.raises(GitlabCreateError) as denied:
        read_only.issues.create({"title": "nope"})
    assert (denied.value.response_code, denied.value.error_message) == (403, "403 Forbidden")
    assert emu.issues() == []

    assert client().http_get("/personal_access_tokens/self")["scopes"] == ["api"]  # type: ignore[index]
    assert client("ro").http_get("/personal_access_tokens/self")["scopes"] == ["read_api"]  # type: ignore[index]
    assert client().http_get("/user")["username"] == "phasesync-bot"  # type: ignore[index]


def test_no_token_registry_lets_everyone_write(http: object) -> None:
    open_emu = GitLabEmulator()
    with responses.RequestsMock() as rsps:
        mount(open_emu, rsps, "https://open.example.com")
        anonymous = gitlab.Gitlab("https://open.example.com")
        anonymous.projects.get("group/project", lazy=True).issues.create({"title": "demo"})
    assert [i.title for i in open_emu.issues()] == ["demo"]


# --- issues, notes --------------------------------------------------------------------------


def test_issue_create_update_close_reopen(emu: GitLabEmulator, http: object) -> None:
    emu.set_time(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    project = client().projects.get(PATH, lazy=True)
    milestone = project.milestones.create({"title": "Phase 2"})
    issue = project.issues.create(
        {
            "title": "Sign in",
            "description": "body",
            "labels": ["type:task", "phase:2"],
            "milestone_id": milestone.id,
        }
    )
    assert issue.iid == 1 and issue.state == "opened"
    assert issue.labels == ["phase:2", "type:task"]
    assert issue.milestone["title"] == "Phase 2"
    assert issue.web_url == f"{BASE}/{PATH}/-/issues/1"
    assert issue.created_at == "2026-03-01T09:00:00.000Z"
    # Labels named on an issue but missing are created, as GitLab does.
    assert {lb.name for lb in emu.labels()} == {"phase:2", "type:task"}

    emu.advance(60)
    updated = project.issues.update(1, {"labels": "a,b", "state_event": "close", "title": "T"})
    assert (updated["state"], updated["labels"], updated["title"]) == ("closed", ["a", "b"], "T")
    assert updated["closed_at"] == updated["updated_at"] == "2026-03-01T09:01:00.000Z"
    assert updated["milestone"]["id"] == milestone.id  # untouched

    reopened = project.issues.update(1, {"state_event": "reopen", "milestone_id": 0})
    assert (reopened["state"], reopened["closed_at"], reopened["milestone"]) == (
        "opened",
        None,
        None,
    )

    with pytest.raises(GitlabCreateError) as missing:
        project.issues.create({"title": "  "})  # python-gitlab checks presence, GitLab blank
    assert missing.value.response_code == 400


def test_titles_over_255_characters_are_refused_on_create_and_update(
    emu: GitLabEmulator, http: object
) -> None:
    project = client().projects.get(PATH, lazy=True)
    assert project.issues.create({"title": "é" * 255}).iid == 1
    headers = {"PRIVATE-TOKEN": "tok"}
    for reply in (
        requests.post(ISSUES, json={"title": "x" * 256}, headers=headers, timeout=5),
        requests.put(f"{ISSUES}/1", json={"title": "x" * 256}, headers=headers, timeout=5),
    ):
        assert reply.status_code == 400
        assert reply.json() == {"message": {"title": ["is too long (maximum is 255 characters)"]}}
    assert project.issues.get(1).title == "é" * 255


def test_issue_listing_filters(emu: GitLabEmulator, http: object) -> None:
    emu.set_time(datetime(2026, 3, 1, tzinfo=UTC))
    old = emu.add_issue("old")
    emu.add_issue("closed", state="closed")
    emu.advance(3600)
    fresh = emu.add_issue("fresh")
    project = client().projects.get(PATH, lazy=True)

    def iids(**query: str) -> list[int]:
        return [i.iid for i in project.issues.list(iterator=True, **query)]

    assert iids() == [3, 2, 1]  # created_at desc by default
    assert iids(order_by="created_at", sort="asc") == [1, 2, 3]
    assert iids(state="opened", sort="asc") == [old, fresh]
    assert iids(state="closed") == [2]
    assert iids(updated_after="2026-03-01T00:30:00Z") == [fresh]
    emu.set_title(old, "renamed on the forge")
    assert iids(updated_after="2026-03-01T00:30:00Z", sort="asc") == [old, fresh]


def test_each_page_sees_the_issues_as_they_are_when_it_is_asked(
    emu: GitLabEmulator, http: object
) -> None:
    """A listing's selection and order are kept between its pages only while nothing
    changes: a change between two pages shifts the next page as GitLab's would."""
    emu.set_time(datetime(2026, 3, 1, tzinfo=UTC))
    iids = [emu.add_issue(f"issue {n}") for n in range(6)]

    def page(p: int, **query: str) -> list[int]:
        reply = get(ISSUES, state="opened", sort="asc", per_page="2", page=str(p), **query)
        return [i["iid"] for i in reply.json()]

    assert page(1) == iids[0:2]
    assert page(2) == iids[2:4]  # the same listing: kept
    emu.close_issue(iids[0])  # a helper's change
    assert page(2) == iids[3:5]
    requests.put(
        f"{ISSUES}/{iids[1]}", json={"state_event": "close"}, headers={"PRIVATE-TOKEN": "tok"}
    )
    assert page(2) == iids[4:6]  # a write request's change
    emu.delete_issue(iids[2])
    assert page(1) == iids[3:5]
    milestone = emu.add_milestone("M1")
    assert page(1, milestone="M1") == []
    requests.put(
        f"{ISSUES}/{iids[4]}", json={"milestone_id": milestone}, headers={"PRIVATE-TOKEN": "tok"}
    )
    assert page(1, milestone="M1") == [iids[4]]
    assert [i["iid"] for i in get(ISSUES, state="all", sort="asc").json()] == [
        n for n in iids if n != iids[2]
    ]


def test_note_is_posted_and_touches_the_issue(emu: GitLabEmulator, http: object) -> None:
    emu.set_time(datetime(2026, 3, 1, tzinfo=UTC))
    iid = emu.add_issue("x")
    emu.advance(10)
    project = client().projects.get(PATH, lazy=True)
    note = project.issues.get(iid, lazy=True).notes.create({"body": "closed: removed"})
    assert (note.body, note.noteable_iid, note.system) == ("closed: removed", iid, False)
    assert [n.body for n in emu.issue(iid).notes] == ["closed: removed"]
    assert emu.issue(iid).updated_at == datetime(2026, 3, 1, 0, 0, 10, tzinfo=UTC)
    assert emu.writes() == 1


# --- labels and milestones ------------------------------------------------------------------


def test_labels(emu: GitLabEmulator, http: object) -> None:
    project = client().projects.get(PATH, lazy=True)
    label = project.labels.create({"name": "phase:2", "color": "#AABBCC", "description": "d"})
    assert (label.name, label.color, label.description) == ("phase:2", "#AABBCC", "d")

    with pytest.raises(GitlabCreateError) as duplicate:
        project.labels.create({"name": "phase:2", "color": "#000000"})
    assert (duplicate.value.response_code, duplicate.value.error_message) == (
        409,
        "Label already exists",
    )
    with pytest.raises(GitlabCreateError) as bad_color:
        project.labels.create({"name": "x", "color": "aabbcc"})
    assert bad_color.value.response_code == 400
    field_errors: object = bad_color.value.error_message  # python-gitlab passes dicts through
    assert field_errors == {"color": ["must be a valid color code"]}
    assert [lb.name for lb in emu.labels()] == ["phase:2"]


def test_milestones(emu: GitLabEmulator, http: object) -> None:
    project = client().projects.get(PATH, lazy=True)
    created = project.milestones.create(
        {"title": "Phase 2", "due_date": "2026-03-06", "start_date": "2026-02-01"}
    )
    assert (created.due_date, created.start_date, created.state) == (
        "2026-03-06",
        "2026-02-01",
        "active",
    )
    assert created.iid == 1 and created.web_url == f"{BASE}/{PATH}/-/milestones/1"

    with pytest.raises(GitlabCreateError) as taken:
        project.milestones.create({"title": "Phase 2"})
    assert taken.value.response_code == 400
    assert "already being used for another group or project milestone" in str(
        taken.value.error_message
    )

    closed = project.milestones.update(created.id, {"state_event": "close", "due_date": None})
    assert (closed["state"], closed["due_date"]) == ("closed", None)
    listed = project.milestones.list(iterator=True, state="closed")
    assert [m.title for m in listed] == ["Phase 2"]

    with pytest.raises(GitlabCreateError):
        project.milestones.create({"title": "bad date", "due_date": "06/03/2026"})


# --- rate limiting and the helpers ----------------------------------------------------------


def test_throttle_answers_429_like_gitlab_com(emu: GitLabEmulator, http: object) -> None:
    emu.set_time(datetime(2026, 3, 1, tzinfo=UTC))
    emu.throttle(1, retry_after=30)
    limited = get(ISSUES)
    assert limited.status_code == 429
    assert limited.text == "Retry later\n"
    assert limited.headers["Retry-After"] == "30"
    assert limited.headers["RateLimit-Remaining"] == "0"
    reset = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(seconds=30)
    assert limited.headers["RateLimit-Reset"] == str(int(reset.timestamp()))
    assert get(ISSUES).status_code == 200  # only the next one


def test_throttle_by_method(emu: GitLabEmulator, http: object) -> None:
    emu.throttle(1, method="POST")
    assert get(ISSUES).status_code == 200
    posted = requests.post(ISSUES, json={"title": "x"}, headers={"PRIVATE-TOKEN": "tok"}, timeout=5)
    assert posted.status_code == 429
    assert emu.issues() == []


def test_helpers_act_on_the_forge_without_logging(emu: GitLabEmulator, http: object) -> None:
    iid = emu.add_issue("x", labels=["a"])
    emu.close_issue(iid)
    assert emu.issue(iid).state == "closed" and emu.issue(iid).closed_at is not None
    emu.reopen_issue(iid)
    emu.set_title(iid, "y")
    assert (emu.issue(iid).state, emu.issue(iid).title) == ("opened", "y")
    emu.issue(iid).title = "copies do not leak back"
    assert emu.issue(iid).title == "y"
    assert emu.requests == []
    # Other projects are separate: iids count per project.
    assert emu.add_issue("elsewhere", project="other/proj") == 1
    assert [i.title for i in emu.issues("other/proj")] == ["elsewhere"]


def test_group_milestones_are_listed_with_include_ancestors_and_block_a_title(
    emu: GitLabEmulator, http: object
) -> None:
    group_id = emu.add_group_milestone("grp", "Q1 launch")
    emu.add_group_milestone("elsewhere", "Not ours")
    project = client().projects.get(PATH, lazy=True)
    assert [m.title for m in project.milestones.list(get_all=True)] == []
    listed = project.milestones.list(get_all=True, include_ancestors="true")
    assert [(m.title, m.id) for m in listed] == [("Q1 launch", group_id)]
    data = listed[0].attributes
    assert isinstance(data["group_id"], int)  # python-gitlab adds its own project_id
    assert data["web_url"] == f"{BASE}/groups/grp/-/milestones/1"
    with pytest.raises(GitlabCreateError) as failed:
        project.milestones.create({"title": "Q1 launch"})
    assert failed.value.response_code == 400
    assert "already being used for another group or project milestone" in str(failed.value)
    issue = project.issues.create({"title": "On the group's milestone", "milestone_id": group_id})
    assert issue.milestone["id"] == group_id and issue.milestone["title"] == "Q1 launch"
    other = client().projects.get("other/proj", lazy=True)
    assert other.milestones.list(get_all=True, include_ancestors="true") == []
