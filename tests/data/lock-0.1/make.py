"""How the files beside this script were made, once, by phasesync 0.1 (commit 53abe4e):
the bundled examples pushed to the emulator, issue 2 closed on the forge, then a sync.
Each forge's folder holds the documents as they were left, `phasesync.lock` and the
emulator's state. Kept so that later versions prove they load this lock and sync with
0 writes (tests/contract/test_lock_compat.py). Do not run it again with newer code.

    python tests/data/lock-0.1/make.py
"""

from __future__ import annotations

import shutil
from pathlib import Path

import responses

from syncer.demo import copy_examples
from syncer.forges import open_forge
from syncer.forges.emulator import persist
from syncer.forges.emulator.core import mount
from syncer.sync.apply_types import ApplyOptions
from syncer.sync.engine import EngineConfig, RunRequest, run
from syncer.sync.render import DEFAULT_RENDER

HERE = Path(__file__).resolve().parent
TOKEN = "ghp_contractTOKEN0123456789"
REPO = "acme/plans"
API = {"github": "https://api.github.com", "gitlab": "https://gitlab.example.com"}


def main() -> None:
    from syncer.forges.emulator.github import GitHubEmulator
    from syncer.forges.emulator.gitlab import GitLabEmulator

    for kind, cls in (("github", GitHubEmulator), ("gitlab", GitLabEmulator)):
        root = HERE / kind
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir()
        emulator = cls(REPO, tokens={TOKEN: "write"})
        copy_examples(root)
        with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
            mount(emulator, rsps, API[kind])
            forge = open_forge(kind, REPO, TOKEN, API[kind], on_wait=lambda w, s: None)
            config = EngineConfig(
                render=DEFAULT_RENDER,
                apply=ApplyOptions(write_interval=0, sleep=emulator.advance),
            )
            run(forge, root, config, RunRequest("push"))
            emulator.close_issue(2)  # type: ignore[attr-defined]
            run(forge, root, config, RunRequest("sync"))
        persist.save(root / "emulator.json", emulator, TOKEN)


if __name__ == "__main__":
    main()
