"""GitHubForge drives the real PyGithub against the emulator (through `responses`, and once
over loopback HTTP): request counts, field mapping, errors, waits and retries."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
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
from syncer.forges.emulator.github import GitHubEmulator
from syncer.forges.github import GitHubForge

API = "https://api.github.com"
TOKEN = "ghp_s3cr3tT0kenThatMustNeverLeak"
READ_TOKEN = "ghp_readOnlyT0kenThatMustNeverLeak"
NOW = datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)


@dataclass
class Waits:
    """The injected sleep: records, and moves the emulator's clock instead of sleeping."""

    emu: GitHubEmulator
    slept: list[float] = field(default_factory=list)
    reported: list[tuple[str, float]] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        assert self.reported and self.reported[-1][1] == seconds, "report before sleeping"
        self.slept.append(seconds)
        self.emu.advance(seconds)

    def on_wait(self, what: str, seconds: float) -> None:
        self.reported.append((what, seconds))


@pytest.fixture
def emu() -> Iterator[GitHubEmulator]:
    emulator = GitHubEmulator("octo/plan", tokens={TOKEN: "write", READ_TOKEN: "read"})
    emulator.set_time(NOW)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount(emulator, rsps, API)
        yield emulator


@pytest.fixture
def waits(emu: GitHubEmulator) -> Waits:
    return Waits(emu)


def forge_for(
    waits: Waits,
    token: str = TOKEN,
    repo: str = "octo/plan",
    *,
    max_wait: float = 900,
    retries: int = 5,
) -> GitHubForge:
    return GitHubForge(
        repo, token, sleep=waits.sleep, on_wait=waits.on_wait, max_wait=max_wait, retries=retries
    )


@pytest.fixture
def forge(waits: Waits) -> GitHubForge:
    return forge_for(waits)


def methods(emu: GitHubEmulator) -> list[str]:
    return [f"{r.method} {r.path}" for r in emu.requests]


# --- reading: what a snapshot costs ----------------------------------------------------------


def test_snapshot_of_250_issues_costs_five_requests_every_time(
    emu: GitHubEmulator, forge: GitHubForge
) -> None:
    for n in range(250):
        emu.add_issue(f"issue {n}", body=f"body {n}", labels=("phase:2",))
    emu.add_pull_request("not an issue")
    for _ in range(2):
        emu.reset_log()
        snap = forge.snapshot()
        assert methods(emu) == [
            "GET /repos/octo/plan/labels",
            "GET /repos/octo/plan/milestones",
            "GET /repos/octo/plan/issues",
            "GET /repos/octo/plan/issues",
            "GET /repos/octo/plan/issues",
        ]
        assert len(snap.issues) == 250 and snap.complete
        assert all(i.title.startswith("issue") for i in snap.issues)
    assert emu.requests[1].param("state") == "all"
    assert emu.requests[2].param("state") == "all"
    assert emu.requests[2].param("per_page") == "100"
    assert snap.server_time == NOW


def test_snapshot_maps_fields_from_the_listing(emu: GitHubEmulator, forge: GitHubForge) -> None:
    milestone = forge.create_milestone(MilestoneSpec("Phase 2: Auth", "Sign in", date(2026, 3, 6)))
    forge.create_label(LabelSpec("Phase:2", "#1D76DB", "Phase two"))
    created = forge.create_issue(IssueSpec("Sign in", "body", ("Phase:2",), milestone.id))
    emu.close_issue(created.number, reason="not_planned")
    snap = forge.snapshot()
    (label,) = snap.labels
    assert (label.name, label.color, label.description) == ("Phase:2", "1d76db", "Phase two")
    (remote_milestone,) = snap.milestones
    assert remote_milestone.due == date(2026, 3, 6) and remote_milestone.id == milestone.id
    (issue,) = snap.issues
    assert issue.milestone == "Phase 2: Auth"
    assert issue.labels == ("Phase:2",)
    assert issue.state == "closed" and issue.state_reason == "not_planned"
    assert issue.url == f"https://github.com/octo/plan/issues/{created.number}"
    assert issue.updated_at.tzinfo is not None


def test_incremental_listing_sends_since_in_utc(emu: GitHubEmulator, forge: GitHubForge) -> None:
    old = emu.add_issue("old")
    emu.advance(3600)
    new = emu.add_issue("new")
    since = datetime(2026, 2, 3, 5, 0, 0, tzinfo=UTC)
    emu.reset_log()
    snap = forge.snapshot(since)
    assert [i.number for i in snap.issues] == [new] and old != new
    assert not snap.complete
    assert emu.requests[-1].param("since") == "2026-02-03T05:00:00Z"
    assert [i.number for i in forge.list_issues()] == [old, new]


# --- writing: one request each ---------------------------------------------------------------


def test_create_issue_is_one_post(emu: GitHubEmulator, forge: GitHubForge) -> None:
    milestone = forge.create_milestone(MilestoneSpec("P", "", None))
    emu.reset_log()
    issue = forge.create_issue(IssueSpec("T", "B", ("a", "b"), milestone.id))
    assert methods(emu) == ["POST /repos/octo/plan/issues"]
    assert emu.requests[0].json() == {
        "title": "T",
        "body": "B",
        "labels": ["a", "b"],
        "milestone": 1,
    }
    assert (issue.title, issue.body, issue.labels, issue.milestone) == ("T", "B", ("a", "b"), "P")


def test_update_issue_is_one_patch_carrying_everything(
    emu: GitHubEmulator, forge: GitHubForge
) -> None:
    milestone = forge.create_milestone(MilestoneSpec("P", "", None))
    number = emu.add_issue("old", labels=("x",))
    emu.reset_log()
    change = IssueChange(
        title="new", body="text", labels=("y",), milestone_id=milestone.id,
        state="closed", state_reason="not_planned",
    )  # fmt: skip
    issue = forge.update_issue(number, change)
    assert methods(emu) == [f"PATCH /repos/octo/plan/issues/{number}"]
    assert emu.requests[0].json() == {
        "title": "new", "body": "text", "labels": ["y"], "milestone": milestone.id,
        "state": "closed", "state_reason": "not_planned",
    }  # fmt: skip
    assert issue.state == "closed" and issue.state_reason == "not_planned"
    assert emu.issue(number)["milestone"]["title"] == "P"
    emu.reset_log()
    forge.update_issue(number, IssueChange(state="open"))
    assert emu.requests[0].json() == {"state": "open"}
    assert emu.issue(number)["state_reason"] == "reopened"


def test_empty_update_and_get_issue_are_one_get(emu: GitHubEmulator, forge: GitHubForge) -> None:
    number = emu.add_issue("t")
    emu.reset_log()
    assert forge.update_issue(number, IssueChange()).title == "t"
    assert forge.get_issue(number).number == number
    assert methods(emu) == [f"GET /repos/octo/plan/issues/{number}"] * 2


def test_comment_is_one_post(emu: GitHubEmulator, forge: GitHubForge) -> None:
    number = emu.add_issue("t")
    emu.reset_log()
    forge.comment(number, "closed: removed from the plan")
    assert methods(emu) == [f"POST /repos/octo/plan/issues/{number}/comments"]


def test_milestone_due_dates_are_sent_at_midday_utc_and_read_back_as_dates(
    emu: GitHubEmulator, forge: GitHubForge
) -> None:
    winter = forge.create_milestone(MilestoneSpec("P", "d", date(2026, 3, 6)))
    assert emu.requests[-1].json()["due_on"] == "2026-03-06T12:00:00Z"
    assert winter.due == date(2026, 3, 6)
    assert emu.milestones()[0]["due_on"] == "2026-03-06T08:00:00Z"
    emu.reset_log()
    summer = forge.update_milestone(winter.id, MilestoneSpec("P2", "d2", date(2026, 7, 1)))
    assert methods(emu) == [f"PATCH /repos/octo/plan/milestones/{winter.id}"]
    assert emu.requests[0].json()["due_on"] == "2026-07-01T12:00:00Z"
    assert (summer.title, summer.due) == ("P2", date(2026, 7, 1))
    assert forge.snapshot().milestones[0].due == date(2026, 7, 1)
    cleared = forge.update_milestone(winter.id, MilestoneSpec("P2", "d2", None))
    assert cleared.due is None


def test_create_label_is_one_post(emu: GitHubEmulator, forge: GitHubForge) -> None:
    label = forge.create_label(LabelSpec("type:task", "#C5DEF5"))
    assert methods(emu) == ["POST /repos/octo/plan/labels"]
    assert emu.requests[0].json()["color"] == "c5def5"
    assert label.color == "c5def5"


def test_urls_and_identity_for_github_and_enterprise(waits: Waits) -> None:
    dotcom = forge_for(waits)
    assert dotcom.issue_url(7) == "https://github.com/octo/plan/issues/7"
    assert dotcom.identity == "github:github.com/octo/plan"
    ghe = GitHubForge("team/app", TOKEN, "https://ghe.example.com/api/v3/")
    assert ghe.issue_url(7) == "https://ghe.example.com/team/app/issues/7"
    assert ghe.identity == "github:ghe.example.com/team/app"
    assert TOKEN not in repr(ghe)


def test_enterprise_base_url_reaches_the_api_prefix(waits: Waits) -> None:
    emu = GitHubEmulator("team/app", tokens={TOKEN: "write"})
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount(emu, rsps, "https://ghe.example.com/api/v3")
        ghe = GitHubForge("team/app", TOKEN, "https://ghe.example.com/api/v3")
        ghe.create_issue(IssueSpec("t", "b", (), None))
        assert [i.title for i in ghe.list_issues()] == ["t"]


# --- errors ---------------------------------------------------------------------------------


def assert_clean(error: ForgeError, *secrets: str) -> None:
    """No secret in the error, nor in any exception chained to it (even suppressed)."""
    texts = ["".join(traceback.format_exception_only(error))]
    seen: BaseException | None = error
    while seen is not None:
        texts += [str(seen), repr(seen), repr(seen.args)]
        seen = seen.__cause__ or seen.__context__
    for secret in (TOKEN, READ_TOKEN, *secrets):
        assert all(secret not in text for text in texts)
    assert error.forge == "github"


def test_bad_token_is_auth_error(emu: GitHubEmulator, waits: Waits) -> None:
    with pytest.raises(AuthError) as caught:
        forge_for(waits, token="ghp_wrong").snapshot()
    assert caught.value.status == 401 and caught.value.operation == "list labels"
    assert "Bad credentials" in str(caught.value)
    assert_clean(caught.value, "ghp_wrong")
    assert waits.slept == []


def test_read_only_token_writing_is_permission_denied(emu: GitHubEmulator, waits: Waits) -> None:
    with pytest.raises(PermissionDenied) as caught:
        forge_for(waits, token=READ_TOKEN).create_issue(IssueSpec("t", "b", (), None))
    assert caught.value.status == 403
    assert "Resource not accessible by personal access token" in caught.value.message
    assert_clean(caught.value)
    assert waits.slept == [] and emu.issues() == []


def test_missing_repository_is_not_found_naming_it(emu: GitHubEmulator, waits: Waits) -> None:
    with pytest.raises(NotFound) as caught:
        forge_for(waits, repo="octo/nope").snapshot()
    assert caught.value.status == 404 and "octo/nope" in str(caught.value)
    assert_clean(caught.value)


def test_missing_issue_is_not_found_naming_it(emu: GitHubEmulator, forge: GitHubForge) -> None:
    with pytest.raises(NotFound) as caught:
        forge.update_issue(99, IssueChange(title="x"))
    assert "issue #99" in str(caught.value)


def test_validation_failure_carries_githubs_message_and_errors(
    emu: GitHubEmulator, forge: GitHubForge
) -> None:
    forge.create_milestone(MilestoneSpec("P", "", None))
    with pytest.raises(ValidationFailed) as caught:
        forge.create_milestone(MilestoneSpec("P", "", None))
    assert caught.value.status == 422 and caught.value.operation == "create milestone 'P'"
    assert str(caught.value) == (
        "github: create milestone 'P' failed (HTTP 422): "
        "Validation Failed (Milestone.title: already_exists)"
    )
    with pytest.raises(ValidationFailed) as long_name:
        forge.create_label(LabelSpec("x" * 51, "ffffff"))
    assert "name is too long" in str(long_name.value)
    assert_clean(long_name.value)


def test_other_statuses_are_forge_errors(emu: GitHubEmulator, forge: GitHubForge) -> None:
    emu.fail_next(1, status=410, body={"message": "Issues are disabled for this repo"})
    with pytest.raises(ForgeError) as caught:
        forge.list_issues()
    assert type(caught.value) is ForgeError and caught.value.status == 410
    assert "Issues are disabled" in str(caught.value)


# --- rate limits ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [403, 429])
def test_primary_limit_waits_until_the_reset(
    emu: GitHubEmulator, waits: Waits, forge: GitHubForge, status: int
) -> None:
    emu.exhaust_rate_limit(reset_in=300, status=status)
    assert forge.list_issues() == ()
    assert waits.slept == [301.0]  # reset, measured on the server's clock, plus a second
    ((what, seconds),) = waits.reported
    assert seconds == 301.0
    assert what == "GitHub primary rate limit (5000 of 5000 requests used)"


def test_secondary_limit_waits_retry_after(
    emu: GitHubEmulator, waits: Waits, forge: GitHubForge
) -> None:
    emu.secondary_limit(1, retry_after=30)
    forge.list_issues()
    assert waits.slept == [30.0]
    assert waits.reported[0] == ("GitHub secondary rate limit", 30.0)


def test_secondary_limit_without_retry_after_waits_a_minute_then_longer(
    emu: GitHubEmulator, waits: Waits, forge: GitHubForge
) -> None:
    emu.secondary_limit(2, retry_after=None)
    forge.list_issues()
    assert waits.slept == [60.0, 120.0]


def test_bare_429_is_waited_out_too(emu: GitHubEmulator, waits: Waits, forge: GitHubForge) -> None:
    emu.fail_next(1, status=429, body={"message": "Too many requests"})
    forge.list_issues()
    assert waits.slept == [60.0]


def test_rate_limited_post_is_sent_again_once(
    emu: GitHubEmulator, waits: Waits, forge: GitHubForge
) -> None:
    emu.secondary_limit(1, retry_after=5, method="POST")
    forge.create_issue(IssueSpec("t", "b", (), None))
    assert methods(emu) == ["POST /repos/octo/plan/issues"] * 2
    assert len(emu.issues()) == 1 and waits.slept == [5.0]


def test_a_wait_longer_than_max_wait_stops_the_run(emu: GitHubEmulator, waits: Waits) -> None:
    emu.exhaust_rate_limit(reset_in=3600)
    forge = forge_for(waits, max_wait=600)
    with pytest.raises(RateLimited) as caught:
        forge.list_issues()
    assert waits.slept == [] and waits.reported == []
    assert caught.value.wait_seconds == 3601 and caught.value.status == 403
    assert "max_wait" in str(caught.value)
    assert_clean(caught.value)


def test_a_limit_that_never_lifts_ends_as_rate_limited(emu: GitHubEmulator, waits: Waits) -> None:
    emu.secondary_limit(10, retry_after=1)
    with pytest.raises(RateLimited):
        forge_for(waits, retries=3).list_issues()
    assert waits.slept == [1.0, 1.0, 1.0]


# --- transient failures: retried when safe, never a POST that may have been applied ----------


def test_5xx_on_a_read_is_retried_with_backoff(
    emu: GitHubEmulator, waits: Waits, forge: GitHubForge
) -> None:
    emu.fail_next(3, status=502)
    forge.list_issues()
    assert len(waits.slept) == 3
    for attempt, seconds in enumerate(waits.slept):
        assert 2**attempt / 2 <= seconds <= 2**attempt  # exponential, with jitter
    assert "HTTP 502" in waits.reported[0][0]


def test_a_failed_page_is_fetched_again_alone(
    emu: GitHubEmulator, waits: Waits, forge: GitHubForge
) -> None:
    for n in range(250):
        emu.add_issue(f"issue {n}")
    emu.fail_next(1, status=503, path_regex="/issues$")  # the first page once
    emu.drop_next(1, where=lambda r: r.param("page") == "2")  # the second once
    issues = forge.list_issues()
    assert [i.title for i in issues] == [f"issue {n}" for n in range(250)]
    pages = [r.param("page") for r in emu.requests]
    assert pages == [None, None, "2", "2", "3"]  # page 1 is not fetched again
    assert len(waits.slept) == 2


def test_5xx_after_a_post_is_transient_and_never_resent(
    emu: GitHubEmulator, waits: Waits, forge: GitHubForge
) -> None:
    emu.apply_then_fail(1, method="POST", status=502)
    with pytest.raises(TransientError) as caught:
        forge.create_issue(IssueSpec("t", "b", (), None))
    assert caught.value.status == 502 and caught.value.operation == "create issue 't'"
    assert methods(emu) == ["POST /repos/octo/plan/issues"]
    assert len(emu.issues()) == 1 and waits.slept == []
    assert_clean(caught.value)
    # What the apply layer does next: look before writing again.
    assert [i.title for i in forge.list_issues()] == ["t"]


def test_dropped_post_is_transient_and_never_resent(
    emu: GitHubEmulator, waits: Waits, forge: GitHubForge
) -> None:
    number = emu.add_issue("t")
    emu.apply_then_fail(1, method="POST", drop=True)
    with pytest.raises(TransientError) as caught:
        forge.comment(number, "hello")
    assert caught.value.status is None and "may or may not" in caught.value.message
    assert methods(emu) == [f"POST /repos/octo/plan/issues/{number}/comments"]
    assert len(emu.repo().issues[number].comments) == 1


def test_patch_is_retried_after_5xx(emu: GitHubEmulator, waits: Waits, forge: GitHubForge) -> None:
    number = emu.add_issue("t")
    emu.apply_then_fail(1, method="PATCH", status=504)
    assert forge.update_issue(number, IssueChange(title="u")).title == "u"
    assert methods(emu) == [f"PATCH /repos/octo/plan/issues/{number}"] * 2


def test_retries_run_out_as_transient_error(emu: GitHubEmulator, waits: Waits) -> None:
    emu.drop_next(10)
    with pytest.raises(TransientError):
        forge_for(waits, retries=2).list_issues()
    assert len(emu.requests) == 3 and len(waits.slept) == 2


# --- real HTTP --------------------------------------------------------------------------------


def test_over_loopback_http_with_a_real_socket() -> None:
    emu = GitHubEmulator("octo/plan", tokens={TOKEN: "write"})
    waits = Waits(emu)
    for n in range(120):
        emu.add_issue(f"issue {n}")
    with serve(emu, prefix="/api/v3") as server:
        forge = GitHubForge(
            "octo/plan", TOKEN, server.url, sleep=waits.sleep, on_wait=waits.on_wait
        )
        assert len(forge.snapshot().issues) == 120
        assert (emu.reads(), emu.writes()) == (4, 0)
        created = forge.create_issue(IssueSpec("new", "b", (), None))
        assert created.url == f"https://github.com/octo/plan/issues/{created.number}"
        emu.apply_then_fail(1, method="POST", drop=True)
        with pytest.raises(TransientError):
            forge.create_issue(IssueSpec("lost answer", "b", (), None))
        emu.drop_next(1, method="GET")
        titles = [i.title for i in forge.list_issues()]
        assert titles.count("lost answer") == 1 and len(waits.slept) == 1
