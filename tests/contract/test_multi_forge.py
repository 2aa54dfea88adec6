"""One document set, two forges: the lock keeps each forge's identity apart.

Not parametrised: the point is both forges in one work tree.
"""

from __future__ import annotations

from pathlib import Path

import responses

from syncer.demo import copy_examples
from syncer.forges import open_forge
from syncer.forges.emulator.core import mount
from syncer.sync.lock_store import LockStore
from tests.contract.conftest import API, REPO, TOKEN, Harness, make_emulator

SIGN_IN = "phase-2/functional/password-sign-in"
RESET = "phase-2/functional/password-reset"
P2 = "phase-2-authentication.md"


def test_push_to_github_and_gitlab_then_pull_a_close_from_each(tmp_path: Path) -> None:
    copy_examples(tmp_path)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        harnesses = {}
        for kind in ("github", "gitlab"):
            emulator = make_emulator(kind)
            mount(emulator, rsps, API[kind])
            forge = open_forge(kind, REPO, TOKEN, API[kind], sleep=lambda s: None)
            harnesses[kind] = Harness(kind, emulator, forge, tmp_path)
        gh, gl = harnesses["github"], harnesses["gitlab"]

        gh.run("push")
        after_github = gh.doc(P2).read_bytes()
        gl.run("push")
        assert len(gh.issues()) == 36 and len(gl.issues()) == 36
        # The lines carry GitHub's links; GitLab's issues are known by lock and marker.
        assert gl.doc(P2).read_bytes() == after_github
        lock = LockStore(tmp_path / "phasesync.lock").load()
        assert set(lock.forges) == {gh.forge.identity, gl.forge.identity}

        for h in (gh, gl):
            h.emulator.reset_log()
            h.run("push")
            assert h.writes() == 0

        gh.close(gh.number_of(SIGN_IN))
        gh.run("pull")
        assert b"- [x] **Password sign-in**" in gh.doc(P2).read_bytes()
        gl.close(gl.number_of(RESET))
        gl.run("pull")
        assert b"- [x] **Password reset**" in gl.doc(P2).read_bytes()

        # Each forge then follows the document's ticks from the other.
        gl.run("sync")
        assert gl.issue(gl.number_of(SIGN_IN)).closed
        gh.run("sync")
        assert gh.issue(gh.number_of(RESET)).closed
        for h in (gh, gl):
            h.emulator.reset_log()
            assert h.run("sync").plan.empty
