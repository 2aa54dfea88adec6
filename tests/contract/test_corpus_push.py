"""Plans as people write them: each of the ten corpus documents pushed, with default
settings, to the emulator through the real clients.

Measured per file: the boxes GitHub renders (markdown-it's task-list rule over the whole
file, block quotes included: not phasesync's walk), the issues created, the sub-tasks
written as checklist lines in their parent's issue, and so the share of boxes that reach
the forge. Then: a second push sends no write, an idle pull leaves the file as the push
left it (which is the original plus the links appended), and a close on the forge ticks
exactly one box. Run with `-s` to print the table.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import responses

from syncer.forges import open_forge
from syncer.forges.emulator.core import mount
from syncer.markdown.parse import parse_document
from syncer.markdown.source import Source, markdown_parser
from syncer.sync.apply_types import ApplyOptions
from syncer.sync.body import key_of
from syncer.sync.engine import EngineConfig
from syncer.sync.render import DEFAULT_RENDER, milestone_title
from tests.contract.conftest import API, REPO, TOKEN, Harness, make_emulator

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
FILES = sorted(p.name for p in CORPUS.glob("[0-9]*.md"))
# ` ([#42](https://...issues/42))`, as push appends it.
_LINK = re.compile(rb" \(\[#[0-9]+\]\(https?://[^\s()]+/issues/[0-9]+\)\)")
_CHECKLIST_LINE = re.compile(r"^- \[[ x]\] ", re.MULTILINE)


def rendered_boxes(data: bytes) -> int:
    """Task boxes as GitHub renders them: every list item the task-list rule marks."""
    tokens = markdown_parser(render_inline=True).parse(Source(data).text)
    return sum(
        1
        for t in tokens
        if t.type == "list_item_open" and str(t.attrGet("class") or "").startswith("task-list")
    )


@dataclass(frozen=True)
class Measure:
    name: str
    boxes: int
    issues: int
    subtask_lines: int

    @property
    def on_forge(self) -> int:
        return self.issues + self.subtask_lines

    @property
    def share(self) -> float:
        return self.on_forge / self.boxes if self.boxes else 1.0


def cycle(kind: str, name: str, tmp_path: Path) -> Measure:
    root = tmp_path / name.removesuffix(".md")
    target = root / "docs" / "phases" / name
    target.parent.mkdir(parents=True)
    shutil.copyfile(CORPUS / name, target)
    original = target.read_bytes()
    emulator = make_emulator(kind)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount(emulator, rsps, API[kind])
        forge = open_forge(kind, REPO, TOKEN, API[kind], on_wait=lambda w, s: None)
        h = Harness(kind, emulator, forge, root)
        config = EngineConfig(
            render=DEFAULT_RENDER, apply=ApplyOptions(write_interval=0, sleep=emulator.advance)
        )
        h.config = config

        first = h.run("push")
        assert not first.broken, [d.format() for d in first.docs[0].diagnostics]
        assert first.outcome is not None and first.outcome.error is None
        issues = h.issues()
        doc = parse_document(name, original)
        keys = {str(i.key) for i in doc.items}
        assert {key_of(i.body) for i in issues} == keys
        assert len(issues) == len(doc.items)
        subtask_lines = sum(len(_CHECKLIST_LINE.findall(i.body)) for i in issues)
        assert subtask_lines == doc.coverage.subtasks
        measure = Measure(name, rendered_boxes(original), len(issues), subtask_lines)

        # Every milestone an issue names exists on the forge.
        milestones = h.milestones()
        assert {i.milestone for i in issues} <= set(milestones)

        # The push changed the document only by appending links.
        pushed = target.read_bytes()
        assert _LINK.sub(b"", pushed) == original
        assert len(_LINK.findall(pushed)) == len(issues)

        # A second push sends no write.
        emulator.reset_log()
        h.run("push")
        assert emulator.writes() == 0

        # An idle pull leaves the file byte-identical.
        h.run("pull")
        assert target.read_bytes() == pushed
        assert emulator.writes() == 0

        # A close on the forge ticks exactly one box.
        after = parse_document(name, pushed)
        open_item = next((i for i in after.items if not i.checked), None)
        if open_item is not None:
            h.close(h.number_of(str(open_item.key)))
            h.run("pull")
            ticked = target.read_bytes()
            changed = [n for n in range(len(pushed)) if ticked[n] != pushed[n]]
            assert len(ticked) == len(pushed)
            assert changed == [open_item.pos.box]
            assert ticked[open_item.pos.box : open_item.pos.box + 1] == b"x"
    return measure


@pytest.mark.parametrize("name", FILES)
def test_each_corpus_file_reaches_github(name: str, tmp_path: Path) -> None:
    m = cycle("github", name, tmp_path)
    assert m.share >= 0.90, m


def test_every_corpus_file_and_95_percent_of_all_boxes_reach_gitlab(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same cycle on GitLab, file by file, with the totals (the table of the report)."""
    measures = [cycle("gitlab", name, tmp_path) for name in FILES]
    for m in measures:
        assert m.share >= 0.90, m
    boxes = sum(m.boxes for m in measures)
    on_forge = sum(m.on_forge for m in measures)
    assert on_forge / boxes >= 0.95
    with capsys.disabled():
        print()
        print("| file | boxes GitHub renders | issues | sub-task lines | on the forge |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for m in measures:
            print(
                f"| {m.name} | {m.boxes} | {m.issues} | {m.subtask_lines} | "
                f"{m.on_forge} ({m.share:.1%}) |"
            )
        print(f"| all | {boxes} | | | {on_forge} ({on_forge / boxes:.1%}) |")


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_plans_that_share_phase_numbers_live_in_one_repository(kind: str, tmp_path: Path) -> None:
    """Two roadmaps that both have a `Phase 1` ... `Phase 6` under other names (02 and 14)
    and two more plans, in one repository: each phase keeps its own milestone, and a second
    push sends nothing (their milestones used to pull each other's issues back and forth,
    one write per issue on every push)."""
    names = [
        "02-issrc-smart-compression-roadmap.md",
        "04-collection-store-react-hooks-creative.md",
        "11-ga-wsus-roadmap-mixed-eol.md",
        "14-focusbar-speckit-tasks-upper-x.md",
    ]
    folder = tmp_path / "docs" / "phases"
    folder.mkdir(parents=True)
    for name in names:
        shutil.copyfile(CORPUS / name, folder / name)
    emulator = make_emulator(kind)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount(emulator, rsps, API[kind])
        forge = open_forge(kind, REPO, TOKEN, API[kind], on_wait=lambda w, s: None)
        h = Harness(kind, emulator, forge, tmp_path)
        h.config = EngineConfig(
            render=DEFAULT_RENDER, apply=ApplyOptions(write_interval=0, sleep=emulator.advance)
        )
        first = h.run("push")
        assert first.outcome is not None and first.outcome.error is None
        by_key = {key_of(i.body): i for i in h.issues()}
        for doc in first.docs:
            for phase in doc.phases:
                wanted = milestone_title(DEFAULT_RENDER, phase)
                assert {by_key[str(i.key)].milestone for i in phase.items} <= {wanted}
        emulator.reset_log()
        second = h.run("push")
        assert second.plan.forge_writes == 0, second.plan.issues[:3]
        assert emulator.writes() == 0
