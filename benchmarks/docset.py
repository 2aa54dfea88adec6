"""Phase documents of a chosen size, for the sync benchmark and the performance tests.

`write_docset(root, n)` writes `n` syncable items (requirements and tasks) into
`root/docs/phases/`, spread over phases of at most `PER_PHASE` items, on the shape of the
template: three requirement kinds with acceptance criteria, priority and estimate, weekly
tasks (some with sub-tasks), and key milestones. One item in `TICK_EVERY` starts ticked, so
that a first push has closes to send.

The forge-side footprint is kept realistic and below one page (100) of labels and of
milestones even at 10,000 items (20 phases: 3 milestones and one `phase:` label each), so
that the page counts measured are those of the issues, which is what grows with a plan.
"""

from __future__ import annotations

from pathlib import Path

PER_PHASE = 500
WEEKS = 10
REQUIREMENT_SHARE = 8  # one item in 8 is a requirement, the rest are tasks
TICK_EVERY = 5
KINDS = ("Functional", "Non-Functional", "Technical")
PRIORITIES = ("High", "Medium", "Low")


def phase_sizes(n: int, per_phase: int = PER_PHASE) -> list[int]:
    """How many items each phase gets: as many phases of `per_phase` as needed."""
    phases = max(1, -(-n // per_phase))
    base, extra = divmod(n, phases)
    return [base + (1 if p < extra else 0) for p in range(phases)]


def phase_document(number: int, items: int) -> str:
    """One phase document with exactly `items` syncable items."""
    requirements = max(1, items // REQUIREMENT_SHARE)
    tasks = items - requirements
    month = 1 + (number - 1) % 12
    out = [
        f"# Phase {number}: Generated phase {number}",
        "",
        "## Phase Overview",
        f"**Phase Number**: {number}",
        f"**Phase Name**: Generated phase {number}",
        f"**Duration**: {WEEKS} weeks",
        "**Priority**: High",
        f"**Dependencies**: Phase {number - 1}" if number > 1 else "**Dependencies**: None",
        "",
        "## Objectives",
        "### Primary Objective",
        f"Deliver the generated scope of phase {number} for the benchmark.",
        "",
        "## Requirements",
    ]
    tick = 0
    for k, kind in enumerate(KINDS):
        out += ["", f"### {kind} Requirements"]
        for r in range(k, requirements, len(KINDS)):
            tick += 1
            box = "x" if tick % TICK_EVERY == 0 else " "
            out += [
                f"- [{box}] **{kind} requirement {r}**: The system handles case {r} of "
                f"phase {number}, with `code` and *emphasis* as real plans have.",
                f"  - Acceptance Criteria: Case {r} is visible in the audit log within 5 s",
                f"  - Priority: {PRIORITIES[r % 3]}",
                f"  - Estimate: {r % 5 + 1} days",
                "",
            ]
    out += ["## Implementation Plan", "", "### Phase Breakdown"]
    weeks = min(WEEKS, tasks) or 1
    for w in range(1, weeks + 1):
        out += ["", f"#### Week {w}: Focus area {w}"]
        for t in range(w - 1, tasks, weeks):
            tick += 1
            box = "x" if tick % TICK_EVERY == 0 else " "
            out.append(f"- [{box}] Task {t} of phase {number}: build part {t} of the feature")
            if t % 7 == 0:
                out += ["  - [ ] write the tests", "  - [x] agree the interface"]
    out += [
        "",
        "### Key Milestones",
        f"- **2027-{month:02d}-05**: Design ready {number} - Designs signed off",
        f"- **2027-{month:02d}-15**: Beta {number} - First users on the new build",
        f"- **2027-{month:02d}-28**: Phase Completion - Everything in phase {number} shipped",
        "",
    ]
    return "\n".join(out)


def write_docset(root: Path, n: int, per_phase: int = PER_PHASE) -> list[Path]:
    """Write `n` items as phase documents (one a phase, of at most `per_phase` items) under
    `root/docs/phases/`; returns the files."""
    folder = root / "docs" / "phases"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    sizes = phase_sizes(n, per_phase)
    width = len(str(len(sizes))) if len(sizes) > 99 else 2
    for number, items in enumerate(sizes, start=1):
        path = folder / f"phase-{number:0{width}d}.md"
        path.write_text(phase_document(number, items), encoding="utf-8")
        paths.append(path)
    return paths


def ticked_count(n: int) -> int:
    """Items of `write_docset(root, n)` whose box starts ticked."""
    total = 0
    for items in phase_sizes(n):
        total += items // TICK_EVERY
    return total
