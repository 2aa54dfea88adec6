"""`phase_parents` at scale: a first push adds one write per parent, per relation and per
parent closed, nothing more; a second push writes nothing; the idle sync is 3 requests."""

from __future__ import annotations

import pytest

from benchmarks.structure import measure


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_first_push_with_parents_writes_the_minimum(kind: str) -> None:
    row = measure(kind, 250)  # 250 items in one phase: a parent per section
    assert row.parents > 2 and row.relations == 250 + row.parents - 1
    assert row.writes == row.minimum
    assert row.second == 0
    assert (row.idle_requests, row.idle_writes) == (3, 0)
