"""Per-document reuse never changes a run: every run with it equals the same run without it.

Two checkouts of the same documents, each with its own forge emulator behind the real
client (through `responses`): one runs with reuse (`EngineConfig.reuse`, the default), its
twin without. Hypothesis edits both the same way, as people do (boxes, titles, lines added,
removed or copied with their link into another document, phases renumbered into another
document's, documents deleted and restored, issues closed, reopened and retitled on the
forge) and runs both; after every run the plans, the documents, the locks (but for the
reuse records and the write ceiling's clock) and the forges are equal.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import responses
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule

from syncer.demo import copy_examples
from syncer.forges import open_forge
from syncer.forges.emulator.core import mount
from syncer.markdown.parse import parse_documents
from syncer.sync.engine import RunResult
from syncer.sync.lock_store import LockStore
from tests.contract.conftest import API, REPO, TOKEN, Harness, make_emulator

ROADMAP = b"""# Roadmap

## Phase 5: Reports
- [ ] Export to CSV
- [ ] Export to PDF

## Phase 6: Sharing
- [ ] Share links
- [x] Public pages

## Loose ends
- [ ] Write the changelog
"""
# (document, old, new): a phase renumbered into another document's phase, and back.
RENUMBER = (
    ("phase-3-workspaces.md", b"Phase 3", b"Phase 4"),
    ("phase-3-workspaces.md", b"**Phase Number**: 3", b"**Phase Number**: 4"),
    ("roadmap.md", b"## Phase 6:", b"## Phase 2:"),
)


@dataclass
class Twin:
    h: Harness
    rsps: responses.RequestsMock

    def run(self, direction: str) -> RunResult:
        self.rsps.start()
        try:
            return self.h.run(direction)
        finally:
            self.rsps.stop(allow_assert=False)


class ReuseMachine(RuleBasedStateMachine):
    kind = "github"

    def __init__(self) -> None:
        super().__init__()
        self.roots: list[Path] = []
        self.twins: list[Twin] = []
        start = datetime.now(UTC).replace(microsecond=0)
        for reuse in (True, False):
            root = Path(tempfile.mkdtemp(prefix="phasesync-reuse-"))
            copy_examples(root)
            (root / "docs" / "phases" / "roadmap.md").write_bytes(ROADMAP)
            rsps = responses.RequestsMock(assert_all_requests_are_fired=False)
            emulator = make_emulator(self.kind)
            emulator.set_time(start)
            mount(emulator, rsps, API[self.kind])
            rsps.start()
            forge = open_forge(self.kind, REPO, TOKEN, API[self.kind], sleep=lambda s: None)
            rsps.stop(allow_assert=False)
            h = Harness(self.kind, emulator, forge, root)
            h.config = replace(h.config, reuse=reuse)
            self.roots.append(root)
            self.twins.append(Twin(h, rsps))
        self.originals = {p.name: p.read_bytes() for p in self._docs(0)}
        self.reused = 0
        self.both("push")
        for _ in range(2):  # listed its writes again, then settled: documents are recorded
            self.later()
            self.both("sync")

    def teardown(self) -> None:
        for twin in self.twins:
            twin.rsps.reset()
        for root in self.roots:
            shutil.rmtree(root, ignore_errors=True)

    def _docs(self, i: int) -> list[Path]:
        return sorted((self.roots[i] / "docs" / "phases").glob("*.md"))

    def _edit(self, name: str, change: object) -> None:
        """Apply `change(bytes) -> bytes | None` to document `name` in both checkouts."""
        for root in self.roots:
            path = root / "docs" / "phases" / name
            if not path.exists():
                return
            data = change(path.read_bytes())  # type: ignore[operator]
            if data is None:
                return
            path.write_bytes(data)

    def _item_lines(self, name: str) -> list[int]:
        """Start offsets of the item lines of document `name` (in the first checkout)."""
        path = self.roots[0] / "docs" / "phases" / name
        if not path.exists():
            return []
        (doc,) = parse_documents([(name, path.read_bytes())])
        data = path.read_bytes()
        return [data.rfind(b"\n", 0, i.pos.box) + 1 for i in doc.items]

    # --- people's edits ----------------------------------------------------------------

    @rule(doc=st.integers(0, 3), item=st.integers(0, 40))
    def toggle_box(self, doc: int, item: int) -> None:
        name = self._docs(0)[doc % len(self._docs(0))].name
        starts = self._item_lines(name)
        if not starts:
            return
        at = starts[item % len(starts)]

        def change(data: bytes) -> bytes:
            box = data.index(b"[", at) + 1
            new = b" " if data[box : box + 1] in (b"x", b"X") else b"x"
            return data[:box] + new + data[box + 1 :]

        self._edit(name, change)

    @rule(doc=st.integers(0, 3), item=st.integers(0, 40), how=st.sampled_from(["retitle", "drop"]))
    def edit_line(self, doc: int, item: int, how: str) -> None:
        name = self._docs(0)[doc % len(self._docs(0))].name
        starts = self._item_lines(name)
        if not starts:
            return
        at = starts[item % len(starts)]

        def change(data: bytes) -> bytes:
            end = data.find(b"\n", at)
            end = len(data) if end < 0 else end
            if how == "drop":
                return data[:at] + data[end + 1 :]
            box = data.index(b"]", at) + 2
            return data[:box] + b"Renamed " + data[box:]

        self._edit(name, change)

    @rule(src=st.integers(0, 3), dst=st.integers(0, 3), item=st.integers(0, 40))
    def copy_line(self, src: int, dst: int, item: int) -> None:
        """An item line copied, with its link, to the end of another document."""
        docs = self._docs(0)
        name, target = docs[src % len(docs)].name, docs[dst % len(docs)].name
        starts = self._item_lines(name)
        if not starts:
            return
        data = (self.roots[0] / "docs" / "phases" / name).read_bytes()
        at = starts[item % len(starts)]
        end = data.find(b"\n", at)
        line = data[at : len(data) if end < 0 else end]
        self._edit(target, lambda d: d.rstrip(b"\n") + b"\n" + line + b"\n")

    @rule(which=st.sampled_from(RENUMBER), back=st.booleans())
    def renumber_phase(self, which: tuple[str, bytes, bytes], back: bool) -> None:
        name, old, new = which
        if back:
            old, new = new, old
        self._edit(name, lambda d: d.replace(old, new) if old in d else None)

    @rule(doc=st.integers(0, 3))
    def touch(self, doc: int) -> None:
        name = self._docs(0)[doc % len(self._docs(0))].name
        self._edit(name, lambda d: d + b"\n")

    @rule(name=st.sampled_from(["phase-4-billing.md", "roadmap.md"]))
    def delete_or_restore(self, name: str) -> None:
        for root in self.roots:
            path = root / "docs" / "phases" / name
            if path.exists():
                path.unlink()
            else:
                path.write_bytes(self.originals[name])

    # --- the forge's side ---------------------------------------------------------------

    @rule(pick=st.integers(0, 100), what=st.sampled_from(["close", "reopen", "retitle"]))
    def forge_edit(self, pick: int, what: str) -> None:
        items = self.twins[0].h.lock_items()
        if not items:
            return
        key = sorted(items)[pick % len(items)]
        for twin in self.twins:
            number = twin.h.lock_items().get(key)
            if number is None:
                continue
            if what == "close":
                twin.h.close(number.issue)
            elif what == "reopen":
                twin.h.reopen(number.issue)
            else:
                twin.h.set_title(number.issue, f"Retitled on the forge {pick}")

    @rule(
        pick=st.integers(0, 100),
        what=st.sampled_from(["recolour", "rename label", "people's label", "retitle milestone"]),
    )
    def forge_label_edit(self, pick: int, what: str) -> None:
        """People's edits of labels and milestones on the forge (neither moves an issue's
        `updated_at`): phasesync's own, or one of theirs."""
        for twin in self.twins:
            emulator: Any = twin.h.emulator
            github = self.kind == "github"
            place = emulator.repo() if github else emulator.project()
            labels = sorted(place.labels.values(), key=lambda x: x.name)
            milestones = sorted(place.milestones.values(), key=lambda m: m.id)
            if what == "recolour" and labels:
                labels[pick % len(labels)].color = "123456" if github else "#123456"
            elif what == "rename label" and labels and github:
                labels[pick % len(labels)].name = f"renamed-{pick}"
            elif what == "people's label":
                if github:
                    emulator.ensure_label(place, f"people-{pick}")
                else:
                    emulator.add_label(f"people-{pick}")
            elif what == "retitle milestone" and milestones:
                milestones[pick % len(milestones)].title = f"Retitled on the forge {pick}"

    @rule()
    def later(self) -> None:
        for twin in self.twins:
            twin.h.emulator.advance(15 * 60)

    # --- runs ---------------------------------------------------------------------------

    @rule(direction=st.sampled_from(["sync", "sync", "sync", "push", "pull"]), wait=st.booleans())
    def run(self, direction: str, wait: bool) -> None:
        if wait:
            self.later()  # else the listing shows the last run's writes again
        self.both(direction)

    def both(self, direction: str) -> None:
        with_reuse, without = (t.run(direction) for t in self.twins)
        assert without.reused == ()
        self.reused += len(with_reuse.reused)
        assert with_reuse.plan == without.plan, direction
        assert with_reuse.settled == without.settled
        outcomes = [r.outcome for r in (with_reuse, without)]
        assert [o is None for o in outcomes] == [outcomes[0] is None] * 2
        if outcomes[0] is not None and outcomes[1] is not None:
            assert repr(outcomes[0].error) == repr(outcomes[1].error)
            assert outcomes[0].files == outcomes[1].files
        self.same()

    def same(self) -> None:
        a, b = (t.h for t in self.twins)
        assert [p.name for p in self._docs(0)] == [p.name for p in self._docs(1)]
        for x, y in zip(self._docs(0), self._docs(1), strict=True):
            assert x.read_bytes() == y.read_bytes(), x.name
        locks = [
            LockStore(h.root / "phasesync.lock").load().state(h.forge.identity) for h in (a, b)
        ]
        assert not locks[1].documents
        clean = [replace(s, documents={}, recent_writes=()) for s in locks]
        assert clean[0] == clean[1]
        assert a.issues() == b.issues()
        assert a.labels() == b.labels()
        assert a.milestones() == b.milestones()


class GitLabReuseMachine(ReuseMachine):
    kind = "gitlab"


_settings = settings(
    max_examples=25,
    stateful_step_count=14,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestReuseGitHub = ReuseMachine.TestCase
TestReuseGitHub.settings = _settings
TestReuseGitLab = GitLabReuseMachine.TestCase
TestReuseGitLab.settings = _settings
