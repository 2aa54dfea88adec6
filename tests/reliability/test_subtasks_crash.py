"""`subtasks = "issues"`: a push killed at a sub-task's create or at a relation write (before
the forge sees it, or once it applied it), then run again, ends as one clean push does: each
sub-task has one issue, related once to its task, and a further push writes nothing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from syncer.model import ParseOptions
from tests.contract.test_structure import children
from tests.reliability.conftest import Death, Killed, arm_kill
from tests.reliability.scenarios import fresh_harness

TASK = "phase-3/week-1/invitation-tokens"
SUBS = (f"{TASK}.token-expiry-job", f"{TASK}.token-format-decided")


@pytest.mark.parametrize("kind", ["github", "gitlab"])
@pytest.mark.parametrize("after_apply", [False, True])
@pytest.mark.parametrize("point", ["create", "relation-1", "relation-2"])
def test_killed_at_a_subtask_write_resumes_to_the_clean_state(
    kind: str, after_apply: bool, point: str, tmp_path: Path, death: Death
) -> None:
    # The write to kill at, numbered as in a clean push (on a forge of its own).
    n = _write_number(kind, tmp_path / "clean", point)
    with fresh_harness(kind, tmp_path / "run") as h:
        h.config = replace(h.config, parse=ParseOptions(subtask_issues=True))
        arm_kill(h.emulator, n, after_apply=after_apply, death=death)
        with pytest.raises(Killed):
            h.run("push")
        death.dead = False
        result = h.run("push")
        assert result.outcome is not None and result.outcome.error is None, result.outcome.error
        titles = [i.title for i in h.issues()]
        assert titles.count("token expiry job") == 1 and titles.count("token format decided") == 1
        items = h.lock_items()
        assert children(h, items[TASK].issue) >= {items[k].issue for k in SUBS}
        if kind == "github":
            assert children(h, items[TASK].issue) == {items[k].issue for k in SUBS}
        h.emulator.reset_log()
        h.run("push")
        assert h.writes() == 0


def _write_number(kind: str, root: Path, point: str) -> int:
    """The 1-based number of the write of a clean push that creates `token expiry job`
    (`create`), or makes the first or second relation (`relation-1`, `relation-2`)."""
    root.mkdir()
    with fresh_harness(kind, root) as h:
        h.config = replace(h.config, parse=ParseOptions(subtask_issues=True))
        h.run("push")
        writes = [r for r in h.emulator.requests if r.is_write]
    if point == "create":
        return next(i for i, r in enumerate(writes, 1) if b"token expiry job" in r.body)
    relation = "/sub_issues" if kind == "github" else "/links"
    made = [i for i, r in enumerate(writes, 1) if r.path.endswith(relation)]
    assert len(made) == len(SUBS)
    return made[int(point.rsplit("-", 1)[1]) - 1]
