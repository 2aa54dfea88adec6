"""`phase_parents` at scale: a first push adds one write per parent, per relation and per
parent closed, nothing more; a second push writes nothing; the idle sync is 3 requests."""

from __future__ import annotations

import pytest

from benchmarks.structure import measure, measure_dependencies, measure_subtasks


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_first_push_with_parents_writes_the_minimum(kind: str) -> None:
    row = measure(kind, 250)  # 250 items in one phase: a parent per section
    assert row.parents > 2 and row.relations == 250 + row.parents - 1
    assert row.writes == row.minimum
    assert row.second == 0
    assert (row.idle_requests, row.idle_writes) == (3, 0)


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_first_push_with_subtasks_as_issues_writes_the_minimum(kind: str) -> None:
    row = measure_subtasks(kind, 250)  # one task in seven has two sub-tasks
    assert row.subtasks > 0 and row.relations == row.subtasks
    assert row.writes == row.minimum


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_first_push_with_dependencies_writes_one_per_relation(kind: str) -> None:
    row = measure_dependencies(kind, 250)
    assert row.relations > 100
    assert row.lines == (row.relations if kind == "gitlab" else 0)  # one blocker each
    assert row.writes == row.minimum == row.plain + row.relations + row.lines
    assert row.second == 0
    assert (row.idle_requests, row.idle_writes) == (3, 0)
