"""What counts as a stated dependency (`syncer.sync.dependencies_text`): issue references
and URLs that name an item's issue, `Depends on:`/`Blocked by:` titles (ambiguous or unknown
ones warned, never guessed), a phase's `**Dependencies**` line; and what does not."""

from __future__ import annotations

from syncer.markdown.parse import parse_documents
from syncer.sync.dependencies_text import dependency_warnings, item_texts, stated

BASE = "https://github.com/acme/plans/issues/"

PHASE_1 = """# Phase 1: Foundation

## Phase Overview
**Phase Number**: 1
**Dependencies**: None

## Implementation Plan
#### Week 1: Setup
- [ ] Repository layout
- [ ] Write tests
- [ ] CI pipeline ([#3](https://github.com/acme/plans/issues/3))
  - Depends on: repository LAYOUT
  - Also see #1 and #3 and https://github.com/acme/plans/issues/2.
  - Not ours: #77, https://github.com/other/repo/issues/1, &#35;1
"""

PHASE_2 = """# Phase 2: Product

## Phase Overview
**Phase Number**: 2
**Dependencies**: Phase 1: Foundation, Phase 9

## Implementation Plan
#### Week 1: Build
- [ ] Write tests
- [ ] Release
  - Blocked by: **CI pipeline**; Write tests; Nothing like this
- [ ] Docs — depends on: Release ([#7](https://github.com/acme/plans/issues/7))
"""


def docs() -> list:  # type: ignore[type-arg]
    return parse_documents([("docs/p1.md", PHASE_1.encode()), ("docs/p2.md", PHASE_2.encode())])


NUMBERS = {
    "phase-1/week-1/repository-layout": 1,
    "phase-1/week-1/write-tests": 2,
    "phase-1/week-1/ci-pipeline": 3,
    "phase-2/week-1/release": 5,
}


def test_references_urls_and_titles_name_items_and_nothing_else() -> None:
    found = stated(docs(), parents=False, issue_base=BASE, numbers=NUMBERS)
    edges = {(e.blocked, e.blocking) for e in found.edges}
    assert edges == {
        ("phase-1/week-1/ci-pipeline", "phase-1/week-1/repository-layout"),  # title, any case
        ("phase-1/week-1/ci-pipeline", "phase-1/week-1/write-tests"),  # its URL
        ("phase-2/week-1/release", "phase-1/week-1/ci-pipeline"),  # a bold title
        ("phase-2/week-1/docs-depends-on-release", "phase-2/week-1/release"),  # on its line
    }
    ci = next(e for e in found.edges if e.blocked == "phase-1/week-1/ci-pipeline")
    assert (ci.file, ci.line) == ("docs/p1.md", 11)
    codes = sorted((d.code, d.file) for d in found.warnings)
    assert codes == [("dependency-ambiguous", "docs/p2.md"), ("dependency-unknown", "docs/p2.md")]
    assert any("2 items are titled 'Write tests'" in d.message for d in found.warnings)


def test_an_items_text_stops_at_the_next_item_and_at_lesser_indentation() -> None:
    doc = docs()[1]
    texts = item_texts(doc)
    assert "Blocked by" in texts["phase-2/week-1/release"][1]
    assert "Blocked by" not in texts["phase-2/week-1/docs-depends-on-release"][1]
    assert "Blocked by" not in texts["phase-2/week-1/write-tests"][1]


def test_a_phases_dependencies_block_its_parent_with_phase_parents_only() -> None:
    without = stated(docs(), parents=False, issue_base=BASE, numbers=NUMBERS)
    assert not any("/parent" in e.blocked for e in without.edges)
    found = stated(docs(), parents=True, issue_base=BASE, numbers=NUMBERS)
    assert ("phase-2/parent", "phase-1/parent") in {(e.blocked, e.blocking) for e in found.edges}
    assert any("Phase 9 is not in the plan" in d.message for d in found.warnings)


def test_validate_gets_the_warnings_as_diagnostics_of_their_document() -> None:
    checked = dependency_warnings(docs(), parents=True)
    assert not any(d.code.startswith("dependency") for d in checked[0].diagnostics)
    assert sorted(d.code for d in checked[1].diagnostics if d.code.startswith("dependency")) == [
        "dependency-ambiguous",
        "dependency-unknown",
        "dependency-unknown",
    ]
