"""Issue 15, point 2: an issue listing goes from each page's JSON straight to phasesync's
records, with no client object per issue, and the records are those a single-issue read
(through the clients' objects) makes of the same issues."""

from __future__ import annotations

from typing import Any

import pytest
from github.Issue import Issue
from gitlab.v4.objects import ProjectIssue

from tests.contract.conftest import Harness


def _count_constructions(monkeypatch: pytest.MonkeyPatch, cls: type[Any]) -> list[int]:
    """How many `cls` objects the client builds from here on (the client's class, counted)."""
    built = [0]
    original = cls.__init__

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        built[0] += 1
        original(self, *args, **kwargs)

    monkeypatch.setattr(cls, "__init__", counting)
    return built


def _variety(h: Harness) -> None:
    """Issues of every shape a listing carries: phasesync's (closed, labelled, with a
    milestone), people's (a stranger's, a writer's), commented, closed as not planned, and on
    GitHub a pull request, which the listing holds and the records leave out."""
    h.run("push")
    h.give_write_access("writer")
    h.open_issue("A stranger's idea", "Please add dark mode", author="stranger")
    writer = h.open_issue("A writer's note", "", author="writer", labels=("hand-label",))
    h.forge.comment(writer, "first")
    h.forge.comment(writer, "second")
    if h.kind == "github":
        h.emulator.close_issue(writer, reason="not_planned")  # type: ignore[attr-defined]
        h.emulator.add_pull_request("Not an issue")  # type: ignore[attr-defined]
    else:
        h.close(writer)


def test_listed_records_equal_single_reads_field_for_field(harness: Harness) -> None:
    h = harness
    _variety(h)
    listed = {i.number: i for i in h.forge.list_issues()}
    assert len(listed) == 36 + 2  # the examples' items and people's two; no pull request
    for number, record in listed.items():
        assert h.forge.get_issue(number) == record
    people = [i for i in listed.values() if i.author in ("stranger", "writer")]
    by_author = {i.author: i for i in people}
    assert by_author["writer"].comments == 2 and by_author["writer"].labels == ("hand-label",)
    assert by_author["writer"].state == "closed"
    assert by_author["stranger"].comments == 0 and by_author["stranger"].state == "open"
    if h.kind == "github":  # GitHub says who may write; GitLab's members are read apart
        assert by_author["writer"].author_trusted and not by_author["stranger"].author_trusted
        assert by_author["writer"].state_reason == "not_planned"
    ours = [i for i in listed.values() if i not in people]
    assert all(i.milestone and i.labels and i.created_at for i in ours)
    assert sum(i.state == "closed" for i in ours) == 6


def test_a_listing_builds_no_client_object_per_issue(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    for n in range(250):
        h.open_issue(f"issue {n}", f"body {n}")
    built = _count_constructions(monkeypatch, Issue if h.kind == "github" else ProjectIssue)
    h.emulator.reset_log()
    snapshot = h.forge.snapshot()
    assert len(snapshot.issues) == 250 and h.reads() == 5  # 3 pages of issues, as before
    assert built[0] == 0
    h.forge.get_issue(snapshot.issues[0].number)  # a single read still goes through one
    assert built[0] == 1
