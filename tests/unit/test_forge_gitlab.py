"""GitLabForge on the real python-gitlab, against the GitLab emulator (responses + loopback)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest
import responses

from syncer.errors import (
    AuthError,
    ForgeError,
    NotFound,
    PermissionDenied,
    RateLimited,
    TransientError,
    ValidationFailed,
)
from syncer.forges.base import IssueChange, IssueSpec, LabelSpec, MilestoneSpec
from syncer.forges.emulator.core import mount, serve
from syncer.forges.emulator.gitlab import GitLabEmulator
from syncer.forges.gitlab import JOB_TOKEN_ADVICE, GitLabForge, job_token_advice

BASE = "https://gitlab.example.com"
PATH = "grp/sub/proj"
TOKEN = "glpat-SECRET-do-not-print-1234"
READ_TOKEN = "glpat-READONLY-secret-5678"


class Clock:
    """The injected sleep: records every wait, never sleeps."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self.reports: list[tuple[str, float]] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def on_wait(self, what: str, seconds: float) -> None:
        self.reports.append((what, seconds))


@pytest.fixture
def emu() -> GitLabEmulator:
    emulator = GitLabEmulator(PATH, tokens={TOKEN: "write", READ_TOKEN: "read"})
    emulator.set_time(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    return emulator


@pytest.fixture
def http(emu: GitLabEmulator) -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount(emu, rsps, BASE)
        yield rsps


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make(clock: Clock, token: str | None = TOKEN, repo: str = PATH, **kw: float) -> GitLabForge:
    return GitLabForge(repo, token, BASE, on_wait=clock.on_wait, sleep=clock.sleep, **kw)  # type: ignore[arg-type]


@pytest.fixture
def forge(http: object, clock: Clock) -> GitLabForge:
    return make(clock)


def assert_backoff(sleeps: list[float], n: int) -> None:
    """`n` jittered exponential waits: between half and all of 1, 2, 4... seconds."""
    assert len(sleeps) == n
    for attempt, seconds in enumerate(sleeps):
        assert 2**attempt / 2 <= seconds <= 2**attempt


def requests_seen(emu: GitLabEmulator) -> list[tuple[str, str]]:
    return [
        (r.method, r.path.removeprefix("/api/v4/projects/grp%2Fsub%2Fproj")) for r in emu.requests
    ]


# --- reading --------------------------------------------------------------------------------


def test_snapshot_of_250_issues_costs_five_requests(
    emu: GitLabEmulator, forge: GitLabForge
) -> None:
    milestone = emu.add_milestone("Phase 2: Auth", due=date(2026, 3, 6))
    emu.add_label("phase:2", "#FF0000", "Phase 2")
    for n in range(250):
        emu.add_issue(f"issue {n}", f"body {n}", labels=["phase:2"], milestone_id=milestone)
    emu.close_issue(7)

    snap = forge.snapshot()

    assert requests_seen(emu) == [
        ("GET", "/labels"),
        ("GET", "/milestones"),
        ("GET", "/issues"),
        ("GET", "/issues"),
        ("GET", "/issues"),
    ]
    first = emu.requests[2]
    assert {k: v[-1] for k, v in first.query.items()} == {
        "scope": "all",
        "state": "all",
        "order_by": "created_at",
        "sort": "asc",
        "per_page": "100",
    }
    assert len(snap.issues) == 250 and snap.complete
    assert [i.number for i in snap.issues] == list(range(1, 251))
    seventh = snap.issues[6]
    assert (seventh.state, seventh.title, seventh.body) == ("closed", "issue 6", "body 6")
    assert (seventh.labels, seventh.milestone) == (("phase:2",), "Phase 2: Auth")
    assert seventh.url == f"{BASE}/{PATH}/-/issues/7"
    assert seventh.updated_at == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert seventh.state_reason is None
    assert [(lb.name, lb.color, lb.description) for lb in snap.labels] == [
        ("phase:2", "ff0000", "Phase 2")
    ]
    assert [(m.id, m.title, m.due, m.state) for m in snap.milestones] == [
        (milestone, "Phase 2: Auth", date(2026, 3, 6), "open")
    ]
    assert snap.server_time == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_incremental_snapshot_sends_updated_after(emu: GitLabEmulator, forge: GitLabForge) -> None:
    emu.add_issue("old")
    emu.add_issue("touched")
    emu.advance(3600)
    emu.set_title(2, "touched on the forge")
    since = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)

    snap = forge.snapshot(since)

    assert [i.title for i in snap.issues] == ["touched on the forge"]
    assert emu.requests[-1].param("updated_after") == "2026-03-01T12:30:00Z"
    assert snap.since == since and not snap.complete
    assert snap.server_time == datetime(2026, 3, 1, 13, 0, tzinfo=UTC)  # the forge's clock
    assert [i.title for i in forge.list_issues()] == ["old", "touched on the forge"]


def test_label_colours_are_six_lower_case_digits(emu: GitLabEmulator, forge: GitLabForge) -> None:
    emu.add_label("short", "#ABC")
    created = forge.create_label(LabelSpec("type:task", "AABBCC", "A task"))
    assert (created.name, created.color, created.description) == ("type:task", "aabbcc", "A task")
    assert {lb.name: lb.color for lb in emu.labels()} == {"short": "#ABC", "type:task": "#aabbcc"}
    assert {lb.name: lb.color for lb in forge.snapshot().labels} == {
        "short": "aabbcc",
        "type:task": "aabbcc",
    }


# --- writing --------------------------------------------------------------------------------


def test_create_issue_is_one_post(emu: GitLabEmulator, forge: GitLabForge) -> None:
    milestone = emu.add_milestone("Phase 2")
    issue = forge.create_issue(IssueSpec("Sign in", "body", ("phase:2", "type:task"), milestone))
    assert requests_seen(emu) == [("POST", "/issues")]
    assert emu.requests[0].json()["labels"] == ["phase:2", "type:task"]
    assert (issue.number, issue.title, issue.body, issue.state) == (1, "Sign in", "body", "open")
    assert (issue.labels, issue.milestone) == (("phase:2", "type:task"), "Phase 2")
    assert issue.url == forge.issue_url(1) == f"{BASE}/{PATH}/-/issues/1"


def test_update_issue_is_one_put_without_a_get(emu: GitLabEmulator, forge: GitLabForge) -> None:
    iid = emu.add_issue("old", "old body", labels=["keep", "drop"])
    milestone = emu.add_milestone("Phase 3")
    change = IssueChange(
        title="new",
        body="new body",
        labels=("keep", "added"),
        milestone_id=milestone,
        state="closed",
        state_reason="not_planned",
    )

    updated = forge.update_issue(iid, change)

    assert requests_seen(emu) == [("PUT", "/issues/1")]
    assert emu.requests[0].json() == {
        "title": "new",
        "description": "new body",
        "labels": "keep,added",
        "milestone_id": milestone,
        "state_event": "close",
    }
    assert (updated.title, updated.body, updated.state) == ("new", "new body", "closed")
    assert (updated.labels, updated.milestone) == (("added", "keep"), "Phase 3")
    assert emu.issue(iid).state == "closed"

    reopened = forge.update_issue(iid, IssueChange(state="open", labels=()))
    assert (reopened.state, reopened.labels) == ("open", ())
    assert emu.requests[-1].json() == {"labels": "", "state_event": "reopen"}
    assert emu.writes() == 2 and emu.reads() == 0


def test_get_issue_and_empty_change_read_once(emu: GitLabEmulator, forge: GitLabForge) -> None:
    iid = emu.add_issue("x")
    assert forge.get_issue(iid).title == "x"
    assert forge.update_issue(iid, IssueChange()).title == "x"
    assert requests_seen(emu) == [("GET", "/issues/1"), ("GET", "/issues/1")]


def test_milestone_dates(emu: GitLabEmulator, forge: GitLabForge) -> None:
    spec = MilestoneSpec("Phase 2", "Ship auth", date(2026, 3, 6), date(2026, 2, 2))
    created = forge.create_milestone(spec)
    assert emu.requests[0].json() == {
        "title": "Phase 2",
        "description": "Ship auth",
        "due_date": "2026-03-06",
        "start_date": "2026-02-02",
    }
    assert (created.title, created.description, created.due, created.state) == (
        "Phase 2",
        "Ship auth",
        date(2026, 3, 6),
        "open",
    )

    moved = forge.update_milestone(created.id, MilestoneSpec("Phase 2", "Later", date(2026, 4, 1)))
    assert requests_seen(emu)[1:] == [("PUT", f"/milestones/{created.id}")]
    assert (moved.due, moved.description) == (date(2026, 4, 1), "Later")
    stored = emu.milestones()[0]
    assert (stored.due_date, stored.start_date) == (date(2026, 4, 1), None)


def test_comment_is_one_note(emu: GitLabEmulator, forge: GitLabForge) -> None:
    iid = emu.add_issue("x")
    forge.comment(iid, "Removed from the plan.")
    assert requests_seen(emu) == [("POST", "/issues/1/notes")]
    assert [n.body for n in emu.issue(iid).notes] == ["Removed from the plan."]


def test_numeric_project_id(emu: GitLabEmulator, http: object, clock: Clock) -> None:
    pid = emu.project().id
    forge = make(clock, repo=str(pid))
    forge.create_issue(IssueSpec("x", "", (), None))
    assert emu.requests[0].path == f"/api/v4/projects/{pid}/issues"
    assert forge.identity == f"gitlab:gitlab.example.com/{pid}"
    assert forge.issue_url(1) == forge.issue_url(1) == f"{BASE}/{PATH}/-/issues/1"
    assert [r.path for r in emu.requests[1:]] == [f"/api/v4/projects/{pid}"]  # looked up once


def test_identity_and_kind(forge: GitLabForge) -> None:
    assert forge.kind == "gitlab"
    assert forge.identity == "gitlab:gitlab.example.com/grp/sub/proj"
    default = GitLabForge("a/b", None)
    assert default.identity == "gitlab:gitlab.com/a/b"
    assert default.issue_url(3) == "https://gitlab.com/a/b/-/issues/3"


# --- errors ---------------------------------------------------------------------------------


def test_errors_are_mapped(emu: GitLabEmulator, http: object, clock: Clock) -> None:
    emu.add_label("phase:2", "#000000")
    emu.add_milestone("Phase 2")
    forge = make(clock)
    cases: list[tuple[type[ForgeError], int, object]] = [
        (AuthError, 401, lambda: make(clock, token="wrong").snapshot()),
        (PermissionDenied, 403, lambda: make(clock, token=READ_TOKEN).comment(1, "x")),
        (NotFound, 404, lambda: make(clock, repo="grp/missing").list_issues()),
        (NotFound, 404, lambda: forge.get_issue(99)),
        (ValidationFailed, 409, lambda: forge.create_label(LabelSpec("phase:2", "ffffff"))),
        (ValidationFailed, 400, lambda: forge.create_milestone(MilestoneSpec("Phase 2", "", None))),
    ]
    emu.add_issue("exists")
    for kind, status, call in cases:
        with pytest.raises(ForgeError) as caught:
            call()  # type: ignore[operator]
        error = caught.value
        assert type(error) is kind, (kind, error)
        assert (error.forge, error.status) == ("gitlab", status)
        assert error.operation
        assert TOKEN not in str(error) and READ_TOKEN not in str(error)

    with pytest.raises(NotFound) as missing:
        make(clock, repo="grp/missing").list_issues()
    assert "grp/missing" in str(missing.value) and missing.value.operation == "list issues"
    with pytest.raises(ValidationFailed) as taken:
        forge.create_milestone(MilestoneSpec("Phase 2", "", None))
    assert "already being used for another group or project milestone" in taken.value.message
    with pytest.raises(ValidationFailed, match="Label already exists"):
        forge.create_label(LabelSpec("phase:2", "ffffff"))


def test_other_statuses(emu: GitLabEmulator, forge: GitLabForge) -> None:
    emu.fail_next(1, status=418, body={"message": "I'm a teapot"})
    with pytest.raises(ForgeError) as teapot:
        forge.list_issues()
    assert type(teapot.value) is ForgeError and teapot.value.status == 418
    assert "teapot" in teapot.value.message


# --- waits and retries ----------------------------------------------------------------------


def test_429_is_waited_out_and_reported(
    emu: GitLabEmulator, forge: GitLabForge, clock: Clock
) -> None:
    emu.throttle(2, retry_after=30)
    assert forge.list_issues() == ()
    assert clock.sleeps == [30, 30]
    assert [seconds for _, seconds in clock.reports] == [30, 30]
    for what, _ in clock.reports:
        assert what == "GitLab rate limit (429)"  # the reporter words the wait, once
    assert emu.reads() == 3


def test_429_on_post_is_retried_because_nothing_was_applied(
    emu: GitLabEmulator, forge: GitLabForge, clock: Clock
) -> None:
    emu.throttle(1, retry_after=5, method="POST")
    forge.create_issue(IssueSpec("x", "", (), None))
    assert [i.title for i in emu.issues()] == ["x"]
    assert clock.sleeps == [5]


def test_wait_longer_than_max_wait_stops(emu: GitLabEmulator, http: object, clock: Clock) -> None:
    emu.throttle(1, retry_after=3600)
    forge = make(clock, max_wait=900)
    with pytest.raises(RateLimited) as caught:
        forge.snapshot()
    assert (caught.value.wait_seconds, caught.value.status) == (3600, 429)
    assert caught.value.operation == "list labels"
    assert clock.sleeps == [] and clock.reports == []


def test_each_wait_within_max_wait_is_taken(
    emu: GitLabEmulator, http: object, clock: Clock
) -> None:
    emu.throttle(2, retry_after=900)
    assert make(clock, max_wait=900).list_issues() == ()
    assert clock.sleeps == [900, 900]


def test_persistent_429_gives_up_after_retries(
    emu: GitLabEmulator, http: object, clock: Clock
) -> None:
    emu.throttle(10, retry_after=1)
    with pytest.raises(RateLimited):
        make(clock, retries=3).list_issues()
    assert clock.sleeps == [1, 1, 1]


def test_get_is_retried_after_5xx_and_a_dropped_connection(
    emu: GitLabEmulator, forge: GitLabForge, clock: Clock
) -> None:
    emu.add_issue("x")
    emu.fail_next(1, method="GET", status=502)
    emu.drop_next(1, method="GET")
    assert [i.title for i in forge.list_issues()] == ["x"]
    assert_backoff(clock.sleeps, 2)
    first, second = (what for what, _ in clock.reports)
    assert first == "GitLab answered 502 to GET"
    assert second == "GitLab connection lost on GET"


def test_put_is_retried_after_a_lost_response(emu: GitLabEmulator, forge: GitLabForge) -> None:
    iid = emu.add_issue("x")
    emu.apply_then_fail(1, method="PUT", drop=True)
    assert forge.update_issue(iid, IssueChange(state="closed")).state == "closed"
    assert [r.method for r in emu.requests] == ["PUT", "PUT"]


def test_get_gives_up_as_transient_after_retries(
    emu: GitLabEmulator, http: object, clock: Clock
) -> None:
    emu.fail_next(10, status=503)
    with pytest.raises(TransientError) as caught:
        make(clock, retries=2).list_issues()
    assert caught.value.status == 503
    assert_backoff(clock.sleeps, 2)


@pytest.mark.parametrize("drop", [False, True], ids=["502", "dropped"])
def test_post_is_never_resent_after_a_lost_response(
    emu: GitLabEmulator, forge: GitLabForge, clock: Clock, drop: bool
) -> None:
    emu.apply_then_fail(1, method="POST", drop=drop)
    with pytest.raises(TransientError) as caught:
        forge.create_issue(IssueSpec("x", "", (), None))
    assert caught.value.status == (None if drop else 502)
    assert caught.value.operation == "create issue"
    assert [r.method for r in emu.requests] == ["POST"]
    assert [i.title for i in emu.issues()] == ["x"]  # applied once, never twice
    assert clock.sleeps == []


def test_post_dropped_before_it_arrives_is_transient_too(
    emu: GitLabEmulator, forge: GitLabForge
) -> None:
    emu.drop_next(1, method="POST")
    with pytest.raises(TransientError):
        forge.comment(emu.add_issue("x"), "hello")
    assert emu.writes() == 1 and emu.issue(1).notes == []


# --- the token ------------------------------------------------------------------------------


def test_token_never_appears_in_errors_or_repr(
    emu: GitLabEmulator, http: object, clock: Clock
) -> None:
    forge = make(clock)
    assert TOKEN not in repr(forge) and TOKEN not in str(vars(forge).get("repo"))
    failures: list[BaseException] = []

    def fail(call: Callable[[], object]) -> None:
        with pytest.raises(ForgeError) as caught:
            call()
        failures.append(caught.value)

    # Even a proxy that echoes the request's headers back does not leak it.
    emu.fail_next(1, status=400, body={"message": f"bad header PRIVATE-TOKEN: {TOKEN}"})
    fail(forge.list_issues)
    emu.apply_then_fail(1, method="POST", status=502)
    fail(lambda: forge.create_issue(IssueSpec("x", "", (), None)))
    emu.throttle(1, retry_after=99999)
    fail(forge.snapshot)
    fail(lambda: make(clock, token=TOKEN + "x").snapshot())
    fail(lambda: forge.get_issue(404))
    emu.drop_next(1, method="POST")
    fail(lambda: forge.comment(1, "x"))
    fail(lambda: make(clock, token=READ_TOKEN).create_issue(IssueSpec("x", "", (), None)))
    assert [type(f) for f in failures] == [
        ValidationFailed,
        TransientError,
        RateLimited,
        AuthError,
        NotFound,
        TransientError,
        PermissionDenied,
    ]
    assert "[token]" in str(failures[0])
    for failure in failures:
        chain: BaseException | None = failure
        while chain is not None:
            assert TOKEN not in str(chain) and TOKEN not in repr(chain)
            chain = chain.__cause__ or chain.__context__


def test_job_token_advice() -> None:
    env = {"CI_JOB_TOKEN": "job-123"}
    assert job_token_advice("job-123", env) == JOB_TOKEN_ADVICE
    assert "api" in JOB_TOKEN_ADVICE and "project access token" in JOB_TOKEN_ADVICE
    assert job_token_advice("glpat-x", env) is None
    assert job_token_advice(None, env) is None
    assert job_token_advice("job-123", {}) is None


# --- over a real socket ---------------------------------------------------------------------


def test_over_loopback_http(clock: Clock) -> None:
    emu = GitLabEmulator(PATH, tokens={TOKEN: "write"})
    with serve(emu) as server:
        forge = GitLabForge(PATH, TOKEN, server.url, sleep=clock.sleep, on_wait=clock.on_wait)
        label = forge.create_label(LabelSpec("phase:2", "00ff00"))
        milestone = forge.create_milestone(MilestoneSpec("Phase 2", "", date(2026, 3, 6)))
        issue = forge.create_issue(IssueSpec("x", "b", (label.name,), milestone.id))
        assert issue.url == f"{server.url}/{PATH}/-/issues/1"
        emu.apply_then_fail(1, method="POST", drop=True)  # a real closed socket
        with pytest.raises(TransientError):
            forge.comment(issue.number, "lost")
        emu.drop_next(1, method="PUT")
        assert forge.update_issue(issue.number, IssueChange(state="closed")).state == "closed"
        snap = forge.snapshot()
    assert [(i.number, i.state, i.milestone) for i in snap.issues] == [(1, "closed", "Phase 2")]
    assert len(emu.issue(1).notes) == 1  # the lost POST was applied once, not re-sent
    assert_backoff(clock.sleeps, 1)
