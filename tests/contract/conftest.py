"""One contract, every forge: the fixtures that run the same tests on GitHub and GitLab.

Each test gets a `Harness`: a stateful emulator, the real client (PyGithub or
python-gitlab) talking to it through `responses`, and a uniform view of the forge's state
for assertions. Nothing of phasesync's own is mocked.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import responses

from syncer.demo import copy_examples
from syncer.forges import open_forge
from syncer.forges.base import Forge
from syncer.forges.emulator.core import EmulatorBase, mount
from syncer.sync.apply_types import ApplyOptions
from syncer.sync.engine import EngineConfig, RunRequest, RunResult, run
from syncer.sync.lock_store import LockStore
from syncer.sync.render import DEFAULT_RENDER

TOKEN = "ghp_contractTOKEN0123456789"
REPO = "acme/plans"
API = {"github": "https://api.github.com", "gitlab": "https://gitlab.example.com"}


@dataclass(frozen=True)
class IssueView:
    number: int
    title: str
    body: str
    closed: bool
    labels: frozenset[str]
    milestone: str | None
    comments: int


class Harness:
    def __init__(self, kind: str, emulator: EmulatorBase, forge: Forge, root: Path) -> None:
        self.kind = kind
        self.emulator = emulator
        self.forge = forge
        self.root = root
        # phasesync's own waits (a lost create's) pass on the emulator's clock, not ours.
        options = ApplyOptions(write_interval=0, sleep=emulator.advance)
        self.config = EngineConfig(render=DEFAULT_RENDER, apply=options)

    # --- running phasesync ----------------------------------------------------------------

    def run(self, direction: str, **request: Any) -> RunResult:
        return run(self.forge, self.root, self.config, RunRequest(direction, **request))  # type: ignore[arg-type]

    def lock_items(self) -> dict[str, Any]:
        return dict(LockStore(self.root / "phasesync.lock").load().state(self.forge.identity).items)

    def number_of(self, key: str) -> int:
        return int(self.lock_items()[key].issue)

    def doc(self, name: str) -> Path:
        return self.root / "docs" / "phases" / name

    # --- acting on the forge, as a person would -------------------------------------------

    def close(self, n: int) -> None:
        self.emulator.close_issue(n)  # type: ignore[attr-defined]

    def reopen(self, n: int) -> None:
        self.emulator.reopen_issue(n)  # type: ignore[attr-defined]

    def set_title(self, n: int, title: str) -> None:
        self.emulator.set_title(n, title)  # type: ignore[attr-defined]

    def open_issue(
        self, title: str, body: str, author: str | None = None, labels: tuple[str, ...] = ()
    ) -> int:
        """An issue opened on the forge by `author` (a login; the token's user for None)."""
        add = self.emulator.add_issue  # type: ignore[attr-defined]
        return int(add(title, body, author=author, labels=labels))

    def give_write_access(self, login: str) -> None:
        """GitHub: a collaborator; GitLab: a member of the Developer role."""
        if self.kind == "github":
            self.emulator.add_collaborator(login)  # type: ignore[attr-defined]
        else:
            self.emulator.add_member(login, 30)  # type: ignore[attr-defined]

    def set_body(self, n: int, body: str) -> None:
        self.emulator.set_body(n, body)  # type: ignore[attr-defined]

    # --- the forge's state ----------------------------------------------------------------

    def issues(self) -> list[IssueView]:
        if self.kind == "github":
            return [
                IssueView(
                    i["number"],
                    i["title"],
                    i["body"] or "",
                    i["state"] == "closed",
                    frozenset(lbl["name"] for lbl in i["labels"]),
                    i["milestone"]["title"] if i["milestone"] else None,
                    i["comments"],
                )
                for i in self.emulator.issues()  # type: ignore[attr-defined]
            ]
        project = self.emulator.project()  # type: ignore[attr-defined]
        visible = self.emulator.store.visible_milestones(project)  # type: ignore[attr-defined]
        titles = {m.id: m.title for m in visible.values()}
        return [
            IssueView(
                i.iid,
                i.title,
                i.description or "",
                i.state == "closed",
                frozenset(i.labels),
                titles.get(i.milestone_id) if i.milestone_id else None,
                len(i.notes),
            )
            for i in sorted(project.issues.values(), key=lambda x: x.iid)
        ]

    def comment_texts(self, n: int) -> list[str]:
        if self.kind == "github":
            issue = self.emulator.repo().issues[n]  # type: ignore[attr-defined]
            return [c.body for c in issue.comments]
        return [note.body for note in self.emulator.issue(n).notes]  # type: ignore[attr-defined]

    def state_reason(self, n: int) -> str | None:
        """GitHub's `state_reason` (GitLab has none)."""
        if self.kind == "github":
            return self.emulator.repo().issues[n].state_reason  # type: ignore[attr-defined, no-any-return]
        return None

    def issue(self, n: int) -> IssueView:
        return next(i for i in self.issues() if i.number == n)

    def milestones(self) -> dict[str, date | None]:
        if self.kind == "github":
            # GitHub answers due_on as the instant of midnight, Pacific time, of the due date.
            return {
                m["title"]: date.fromisoformat(m["due_on"][:10]) if m["due_on"] else None
                for m in self.emulator.milestones()  # type: ignore[attr-defined]
            }
        return {m.title: m.due_date for m in self.emulator.milestones()}  # type: ignore[attr-defined]

    def labels(self) -> dict[str, str]:
        if self.kind == "github":
            return {lbl["name"]: lbl["color"] for lbl in self.emulator.labels()}  # type: ignore[attr-defined]
        return {lbl.name: lbl.color for lbl in self.emulator.labels()}  # type: ignore[attr-defined]

    def reads(self) -> int:
        return self.emulator.reads()

    def writes(self) -> int:
        return self.emulator.writes()

    def idle_sync(self) -> tuple[int, int]:
        """(reads, writes) of a sync with nothing to do: after one sync that lists what the
        last push touched once more, the next one's requests. Neither may fail."""
        for _ in range(2):
            reads, writes = self.reads(), self.writes()
            result = self.run("sync")
            assert result.outcome is not None and result.outcome.error is None
        return self.reads() - reads, self.writes() - writes


def make_emulator(kind: str) -> EmulatorBase:
    if kind == "github":
        from syncer.forges.emulator.github import GitHubEmulator

        return GitHubEmulator(REPO, tokens={TOKEN: "write"})
    from syncer.forges.emulator.gitlab import GitLabEmulator

    return GitLabEmulator(REPO, tokens={TOKEN: "write"})


@pytest.fixture(params=["github", "gitlab"])
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    kind: str = request.param
    emulator = make_emulator(kind)
    copy_examples(tmp_path)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount(emulator, rsps, API[kind])
        waits: list[float] = []
        forge = open_forge(
            kind, REPO, TOKEN, API[kind], on_wait=lambda what, s: None, sleep=waits.append
        )
        yield Harness(kind, emulator, forge, tmp_path)
