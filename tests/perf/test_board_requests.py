"""`project` at scale: a first push costs the board exactly its batched minimum of requests;
a second push writes nothing; the idle sync is 3 requests, none of them the board's."""

from __future__ import annotations

from benchmarks.board import measure


def test_first_push_with_a_board_sends_the_batched_minimum() -> None:
    row = measure(250)
    assert row.issues == 250
    assert row.requests == row.minimum
    assert row.mutations == row.requests - 1 - 3  # all but the read and the 3 look-ups
    assert row.second == 0
    assert (row.idle_requests, row.idle_writes, row.idle_board) == (3, 0, 0)
