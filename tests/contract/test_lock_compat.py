"""A lock written by phasesync 0.1 loads and syncs with 0 writes.

`tests/data/lock-0.1/` holds, per forge, what 0.1 left after pushing the bundled examples,
a close on the forge and a sync: the documents (with their links), `phasesync.lock` and
the emulator's state (`make.py` beside them says how). A newer parser that renamed an item
(a new key) or changed what an issue shows would plan creates, edits or closes here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import responses

from syncer.forges import open_forge
from syncer.forges.emulator import persist
from syncer.forges.emulator.core import mount
from syncer.sync.apply_types import ApplyOptions
from syncer.sync.engine import EngineConfig, RunRequest, run
from syncer.sync.lock_store import LockStore
from syncer.sync.render import DEFAULT_RENDER
from tests.contract.conftest import API, REPO, TOKEN, make_emulator

DATA = Path(__file__).resolve().parents[1] / "data" / "lock-0.1"


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "emulator.json" and not p.name.endswith(".lock.lock")
    }


@pytest.mark.parametrize("kind", ["github", "gitlab"])
@pytest.mark.parametrize("direction", ["push", "sync", "pull"])
def test_a_lock_written_by_0_1_syncs_with_no_write(
    kind: str, direction: str, tmp_path: Path
) -> None:
    root = tmp_path / "plans"
    shutil.copytree(DATA / kind, root)
    emulator = make_emulator(kind)
    persist.restore(emulator, persist.load(root / "emulator.json"))
    (root / "emulator.json").unlink()
    before = _files(root)
    old = LockStore(root / "phasesync.lock").load()
    assert any(len(s.items) >= 10 for s in old.forges.values())
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount(emulator, rsps, API[kind])
        forge = open_forge(kind, REPO, TOKEN, API[kind], on_wait=lambda w, s: None)
        config = EngineConfig(
            render=DEFAULT_RENDER, apply=ApplyOptions(write_interval=0, sleep=emulator.advance)
        )
        result = run(forge, root, config, RunRequest(direction, full=True))  # type: ignore[arg-type]
    assert not result.broken
    assert result.plan.empty, result.plan
    assert not result.plan.renamed
    assert emulator.writes() == 0
    after = LockStore(root / "phasesync.lock").load()
    for identity, state in old.forges.items():
        assert set(after.forges[identity].items) == set(state.items)
        assert {k: e.issue for k, e in after.forges[identity].items.items()} == {
            k: e.issue for k, e in state.items.items()
        }
    after_files = _files(root)
    after_files.pop("phasesync.lock")
    before.pop("phasesync.lock")
    assert after_files == before
