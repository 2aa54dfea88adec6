"""Both sides edited at random, then synced: afterwards they agree, and nothing is left to do.

After vdirsyncer's `tests/unit/sync/test_sync.py` state machine. The forge is the GitHub
or GitLab emulator behind the real client (through `responses`); documents are edited as
people edit them, by rewriting a box on disk.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import responses
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from syncer.demo import copy_examples
from syncer.forges import open_forge
from syncer.forges.emulator.core import mount
from syncer.markdown.edit import apply_edits, box_edit
from syncer.markdown.parse import parse_document
from tests.contract.conftest import API, REPO, TOKEN, Harness, make_emulator

DOC = "phase-4-billing.md"
KEYS = (
    "phase-4/functional/stripe-checkout",
    "phase-4/functional/invoices",
    "phase-4/week-1/stripe-webhook-handler",
    "phase-4/week-1/plan-limits-enforced-in-the-api",
)


class SyncMachine(RuleBasedStateMachine):
    kind = "github"

    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="phasesync-machine-"))
        copy_examples(self.root)
        for other in self.root.glob("docs/phases/*.md"):
            if other.name != DOC:
                other.unlink()
        self.rsps = responses.RequestsMock(assert_all_requests_are_fired=False)
        self.rsps.start()
        emulator = make_emulator(self.kind)
        mount(emulator, self.rsps, API[self.kind])
        forge = open_forge(self.kind, REPO, TOKEN, API[self.kind], sleep=lambda s: None)
        self.h = Harness(self.kind, emulator, forge, self.root)
        self.h.run("push")
        self.numbers = {k: self.h.number_of(k) for k in KEYS}
        self.synced = True
        # The model: what each side should show, and the last agreed value.
        self.doc = self._boxes()
        self.forge = dict(self.doc)
        self.base = dict(self.doc)

    def teardown(self) -> None:
        self.rsps.stop()
        self.rsps.reset()
        shutil.rmtree(self.root, ignore_errors=True)

    def _boxes(self) -> dict[str, bool]:
        doc = parse_document(DOC, self.h.doc(DOC).read_bytes())
        assert doc.phase is not None and not doc.has_errors
        return {str(i.key): i.checked for i in doc.phase.items}

    @rule(key=st.sampled_from(KEYS), checked=st.booleans())
    def set_box_in_document(self, key: str, checked: bool) -> None:
        path = self.h.doc(DOC)
        data = path.read_bytes()
        doc = parse_document(DOC, data)
        assert doc.phase is not None
        item = next(i for i in doc.phase.items if str(i.key) == key)
        path.write_bytes(apply_edits(data, [box_edit(item.pos, checked)]))
        self.doc[key] = checked
        self.synced = False

    @rule(key=st.sampled_from(KEYS), closed=st.booleans())
    def set_state_on_forge(self, key: str, closed: bool) -> None:
        if closed:
            self.h.close(self.numbers[key])
        else:
            self.h.reopen(self.numbers[key])
        self.forge[key] = closed
        self.synced = False

    @rule()
    def later(self) -> None:
        """A scheduled job's 15 minutes: past the listing's overlap, so that an incremental
        listing can come back empty and the settled shortcut can be taken."""
        self.h.emulator.advance(15 * 60)

    @rule(direction=st.sampled_from(["sync", "sync", "push", "pull"]))
    def run(self, direction: str) -> None:
        agreed = all(self.doc[k] == self.forge[k] == self.base[k] for k in KEYS)
        result = self.h.run(direction)
        # The shortcut is only ever taken when there is truly nothing to do.
        assert not result.settled or agreed, (self.doc, self.forge, self.base)
        assert not result.plan.conflicts
        assert result.outcome is not None and result.outcome.error is None
        self.synced = direction == "sync"
        for key in KEYS:
            d, f, b = self.doc[key], self.forge[key], self.base[key]
            if direction == "push" and d != b:
                self.forge[key] = self.base[key] = d  # the document's change goes out
            elif direction == "pull" and f != b:
                self.doc[key] = self.base[key] = f  # the forge's change comes in
            elif direction == "sync":
                agreed = d if d != b else f  # whichever side changed since the base
                self.doc[key] = self.forge[key] = self.base[key] = agreed

    @invariant()
    def each_side_shows_what_the_model_says(self) -> None:
        boxes = self._boxes()
        for key, number in self.numbers.items():
            assert boxes[key] == self.doc[key], ("document", key)
            assert self.h.issue(number).closed == self.forge[key], ("forge", key)

    @precondition(lambda self: self.synced)
    @invariant()
    def both_sides_agree_and_nothing_is_left(self) -> None:
        boxes = self._boxes()
        for key, number in self.numbers.items():
            assert boxes[key] == self.h.issue(number).closed, key
        self.h.emulator.reset_log()
        again = self.h.run("sync")
        assert again.plan.empty, again.plan
        assert self.h.writes() == 0
        assert len(self.h.issues()) == len(KEYS)


class GitLabSyncMachine(SyncMachine):
    kind = "gitlab"


_settings = settings(
    max_examples=15,
    stateful_step_count=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestSyncGitHub = SyncMachine.TestCase
TestSyncGitHub.settings = _settings
TestSyncGitLab = GitLabSyncMachine.TestCase
TestSyncGitLab.settings = _settings
