"""README's "Try it on your own plan", run as written: `phasesync emulator` in a subprocess,
and the second block command by command against it, in a scratch repository holding a plan.

The only changes to what the README says: the emulator listens on a free port (`--port 0`),
and the export line is the one the emulator printed (the README's has a placeholder token).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncer.demo import copy_examples
from tests.e2e.test_readme import README, as_module, clean_env, run

pytestmark = pytest.mark.e2e

EXPORT = re.compile(r"^export (PHASESYNC_\w+=\S+(?: PHASESYNC_\w+=\S+)*)$", re.MULTILINE)


def section_blocks() -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Try it on your own plan\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```sh\n(.*?)^```$", section, re.MULTILINE | re.DOTALL)
    return [
        [re.sub(r"\s+#\s.*$", "", line).strip() for line in block.splitlines() if line.strip()]
        for block in blocks
    ]


def exports(line: str) -> dict[str, str]:
    match = EXPORT.match(line)
    assert match, line
    return dict(pair.split("=", 1) for pair in match.group(1).split())


class Emulator:
    def __init__(self, command: str, cwd: Path, port: int = 0) -> None:
        self.proc = subprocess.Popen(
            [*as_module(command), "--port", str(port)],
            cwd=cwd,
            env=clean_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        lines = []
        for line in self.proc.stdout:
            lines.append(line)
            if line.startswith("export "):
                break
        self.banner = "".join(lines)
        self.env = exports(lines[-1].rstrip("\n"))

    def stop(self) -> str:
        self.proc.terminate()
        _, err = self.proc.communicate(timeout=30)
        assert self.proc.returncode == 0, err
        return err


@pytest.fixture
def plan_repo(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "roadmap"
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(
        ["git", "-C", str(root), "remote", "add", "origin", "git@github.com:acme/roadmap.git"],
        check=True,
    )
    copy_examples(root)  # "your own plan": the three example phase documents
    yield root


def line_of(root: Path, number: int) -> str:
    for path in sorted((root / "docs/phases").glob("*.md")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if f"[#{number}](" in line:
                return line
    raise AssertionError(f"no line links #{number}")


def test_try_it_section_runs_as_written(plan_repo: Path) -> None:
    (serve_block, loop) = section_blocks()
    assert serve_block == ["phasesync emulator --state .phasesync-emulator.json"]
    emulator = Emulator(serve_block[0], plan_repo)
    try:
        assert "127.0.0.1" in emulator.banner
        env = clean_env()
        ran = []
        for command in loop:
            if command.startswith("export "):
                # The README names the same variables the emulator prints, in the same order.
                assert list(exports(command)) == list(emulator.env)
                env.update(emulator.env)
                continue
            done = run(as_module(command), plan_repo, env)
            assert done.returncode == 0, (command, done.stdout, done.stderr)
            ran.append(command)
            if command == "phasesync push":
                assert line_of(plan_repo, 2).startswith("- [ ] ")
            if command == "phasesync pull":
                assert line_of(plan_repo, 2).startswith("- [x] ")
        assert line_of(plan_repo, 2).startswith("- [ ] ")  # reopened on the forge, synced
        assert "phasesync emulator close 2" in ran and ran[-1] == "phasesync sync"
    finally:
        err = emulator.stop()
    assert "state saved in .phasesync-emulator.json" in err

    # The state survives a restart: the same token still works and nothing is recreated.
    state = json.loads((plan_repo / ".phasesync-emulator.json").read_text(encoding="utf-8"))
    assert state["forge"] == "github"
    # The same port, as the README's default port gives: the issues' URLs are the server's.
    port = int(emulator.env["PHASESYNC_BASE_URL"].rsplit(":", 1)[1])
    again = Emulator(serve_block[0], plan_repo, port)
    try:
        assert again.env["PHASESYNC_TOKEN"] == emulator.env["PHASESYNC_TOKEN"]
        env = clean_env(**again.env)
        done = run(as_module("phasesync plan --json"), plan_repo, env)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["plan"]["actions"] == []
    finally:
        again.stop()


def test_person_commands_explain_a_missing_emulator(tmp_path: Path) -> None:
    env = clean_env(
        PHASESYNC_BASE_URL="http://127.0.0.1:9", PHASESYNC_TOKEN="emu-x", PHASESYNC_REPO="a/b"
    )
    done = run(as_module("phasesync emulator close 1"), tmp_path, env)
    assert done.returncode == 1
    assert "is `phasesync emulator` running?" in done.stderr
    unset = run(as_module("phasesync emulator reopen 1"), tmp_path, clean_env())
    assert unset.returncode == 2 and "paste the export line" in unset.stderr


@pytest.mark.parametrize("forge", ["github", "gitlab"])
def test_person_commands_on_both_forges(tmp_path: Path, forge: str) -> None:
    emulator = Emulator(f"phasesync emulator --forge {forge} --repo acme/roadmap", tmp_path)
    try:
        root = tmp_path / "plan"
        copy_examples(root)
        env = clean_env(**emulator.env)
        assert run(as_module("phasesync push -q"), root, env).returncode == 0
        for command, expected in (
            ("edit 2 --title Renamed", "#2 edited"),
            ("comment 2 --body Hello", "#2 commented on"),
            ("close 2", "#2 closed"),
        ):
            done = run(as_module(f"phasesync emulator {command}"), root, env)
            assert done.returncode == 0, done.stderr
            assert done.stdout.startswith(expected)
        missing = run(as_module("phasesync emulator close 999"), root, env)
        assert missing.returncode == 1 and "HTTP 404" in missing.stderr
        plan = json.loads(run(as_module("phasesync plan --json"), root, env).stdout)["plan"]
        kinds = json.dumps(plan)
        assert "tick" in kinds  # the close is seen
        assert emulator.env["PHASESYNC_TOKEN"] not in kinds
    finally:
        emulator.stop()


@pytest.mark.parametrize(
    "text",
    [
        '{"records": {}}',
        "not json",
        # Only the emulator's own record types may be named: nothing else is built.
        '{"format": 1, "forge": "github", "token": "t", "records": {"$record": "Popen",'
        ' "fields": {"args": "true"}}}',
        '{"format": 1, "forge": "gitlab", "token": "t", "records": {"$map": []}}',
    ],
)
def test_bad_state_file_is_refused(tmp_path: Path, text: str) -> None:
    (tmp_path / "state.json").write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "syncer", "emulator", "--state", "state.json", "--port", "0"],
        cwd=tmp_path,
        env=clean_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "state.json" in done.stderr
