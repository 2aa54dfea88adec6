"""A label or milestone create that meets a 5xx or a dropped connection is sent again:
creating one twice is harmless, the forge refuses the second (GitHub 422 `already_exists`,
GitLab 409 `Label already exists` / 400 title already used). When the first attempt was
applied and only its answer was lost, that refusal means success: phasesync reads the one
that exists (one request) and carries on in the same run."""

from __future__ import annotations

import re

import pytest

from tests.contract.conftest import Harness

FAULTS = ["500", "dropped", "502-after-apply", "dropped-after-apply"]
LABEL = "phase:2"
MILESTONE = "Phase 2: User Authentication"


def _arm(h: Harness, fault: str, path: str) -> None:
    emu = h.emulator
    where = {"method": "POST", "path_regex": path}
    if fault == "500":
        emu.fail_next(status=500, **where)  # type: ignore[arg-type]
    elif fault == "dropped":
        emu.drop_next(**where)  # type: ignore[arg-type]
    elif fault == "502-after-apply":
        emu.apply_then_fail(**where)  # type: ignore[arg-type]
    else:
        emu.apply_then_fail(drop=True, **where)  # type: ignore[arg-type]


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("what", ["label", "milestone"])
def test_a_create_that_lost_its_answer_is_retried_and_taken_as_made(
    harness: Harness, what: str, fault: str
) -> None:
    h = harness
    path = r"/labels$" if what == "label" else r"/milestones$"
    _arm(h, fault, path)
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None, result.outcome.error
    # The one run did everything, once.
    assert len(h.issues()) == 36
    labels = [n.casefold() for n in h.labels()]
    assert len(labels) == len(set(labels)) and LABEL in labels
    assert list(h.milestones()).count(MILESTONE) == 1
    sign_in = next(i for i in h.issues() if i.title == "Password sign-in")
    assert sign_in.milestone == MILESTONE and LABEL in sign_in.labels
    posts = [r for r in h.emulator.requests if r.method == "POST" and re.search(path, r.path)]
    planned = len(h.labels()) if what == "label" else len(h.milestones())
    assert len(posts) == planned + 1  # the first one twice, every other once
    read = r"/labels/[^/]+$" if what == "label" else r"/milestones$"
    reads = [r for r in h.emulator.requests if r.method == "GET" and re.search(read, r.path)]
    listed = 0 if what == "label" else 1  # the snapshot lists milestones once
    # After an applied first attempt, the retry met "already exists": one read of it.
    assert len(reads) - listed == (1 if "after-apply" in fault else 0), reads
    h.emulator.reset_log()
    h.run("push")
    assert h.writes() == 0


@pytest.mark.parametrize("what", ["label", "milestone"])
def test_already_exists_without_a_retry_is_not_hidden(harness: Harness, what: str) -> None:
    """Only after a retry does "already exists" mean "made by us": a milestone whose title a
    GitLab group milestone holds, or one made meanwhile, is still reported."""
    h = harness
    if what == "label":
        # A label refused as existing without a retry is fine for the plan (someone made
        # it meanwhile): apply takes it as there. No extra read is made for it.
        h.emulator.fail_next(
            status=422 if h.kind == "github" else 409,
            body={"message": "Validation Failed", "errors": [{"code": "already_exists"}]}
            if h.kind == "github"
            else {"message": "Label already exists"},
            method="POST",
            path_regex=r"/labels$",
        )
        result = h.run("push")
        assert result.outcome is not None and result.outcome.error is None
        assert not [r for r in h.emulator.requests if re.search(r"/labels/[^/]+$", r.path)]
        return
    h.emulator.fail_next(
        status=422 if h.kind == "github" else 400,
        body={
            "message": "Validation Failed",
            "errors": [{"resource": "Milestone", "code": "already_exists", "field": "title"}],
        }
        if h.kind == "github"
        else {"message": 'Failed to create milestone {:title=>["already being used"]}'},
        method="POST",
        path_regex=r"/milestones$",
    )
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is not None
    assert "already" in result.outcome.error.describe()
