"""Parse+validate time and memory against markdown-it-py's own tokenize time.

Run `python -m benchmarks.parse`. Generates a document set of about 1 MB and 10,000 items
in a temporary folder, then reports the best of five runs of:

- markdown-it-py tokenize: `MarkdownIt("commonmark")` with tables, on the same text;
- markdown-it-py tokenize with phasesync's plugins (front matter, task lists);
- phasesync: read nothing (bytes are preloaded), decode, tokenize, walk, validate.

The target is phasesync <= 1.5 x plain tokenize, and <= 200 MB peak (tracemalloc).
A second table does the same for one document holding a single list of 10,000 task items,
the case where mdit_py_plugins' own task-list rule is quadratic.
"""

from __future__ import annotations

import gc
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from markdown_it import MarkdownIt

from syncer.markdown.parse import load_documents, parse_document
from syncer.markdown.source import BOM, markdown_parser

DOCUMENTS = 40
REQUIREMENTS_PER_KIND = 30  # x3 kinds per document
WEEKS = 10
TASKS_PER_WEEK = 10
CHECKLIST = 60


def generate_document(number: int, crlf: bool) -> bytes:
    """One realistic phase document: every section of the template, filled in."""
    out = [
        f"# Phase {number}: Generated phase {number}",
        "",
        "## Phase Overview",
        f"**Phase Number**: {number}",
        f"**Phase Name**: Generated phase {number}",
        "**Duration**: 10 weeks",
        "**Priority**: High",
        "**Dependencies**: none",
        "",
        "## Objectives",
        "### Primary Objective",
        "Exercise the parser with a document of realistic shape and size.",
        "",
        "## Requirements",
    ]
    for kind in ("Functional", "Non-Functional", "Technical"):
        out += ["", f"### {kind} Requirements"]
        for r in range(REQUIREMENTS_PER_KIND):
            box = "x" if r % 3 == 0 else " "
            out += [
                f"- [{box}] **{kind} requirement {r}**: The system does thing {r} with "
                f"`code` and *emphasis* so the inline rules have work to do.",
                f"  - Acceptance Criteria: Thing {r} is observable in the audit log",
                f"  - Priority: {('High', 'Medium', 'Low')[r % 3]}",
                f"  - Estimate: {r % 5 + 1} days",
            ]
    out += ["", "## Implementation Plan", "", "### Phase Breakdown"]
    for w in range(1, WEEKS + 1):
        out += ["", f"#### Week {w}: Focus area {w}"]
        for t in range(TASKS_PER_WEEK):
            marker = ("-", "*", "+", f"{t + 1}.")[w % 4]
            box = "x" if t % 2 else " "
            out.append(f"{marker} [{box}] Task {t} of week {w} [link](https://example.com/{t})")
            if t == 0:
                out += ["  - [ ] first sub-task", "  - [x] second sub-task"]
    out += ["", "### Key Milestones"]
    out += [f"- **2026-0{m}-1{m}**: Milestone {m} - Description {m}" for m in range(1, 5)]
    out += ["- **2026-09-30**: Phase Completion - All requirements delivered", ""]
    out += ["## Technical Specifications", "", "```python"]
    out += [f"    - [ ] not a task {i}" for i in range(20)] + ["```", ""]
    out += ["| Risk | Impact |", "|------|--------|"] + [f"| risk {i} | [ ] |" for i in range(20)]
    out += ["", "## Success Criteria", "", "### Functional Success"]
    out += [f"- [{'x' if c % 4 == 0 else ' '}] Criterion {c} is met" for c in range(CHECKLIST)]
    out += ["", "> - [ ] a quoted box", ""]
    eol = "\r\n" if crlf else "\n"
    body = eol.join(out).encode("utf-8")
    return BOM + body if crlf else body


def write_document_set(folder: Path) -> list[Path]:
    paths = []
    for n in range(1, DOCUMENTS + 1):
        path = folder / f"phase-{n}.md"
        path.write_bytes(generate_document(n, crlf=n % 4 == 0))
        paths.append(path)
    return paths


def best_of(runs: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def long_list_document(items: int = 10_000) -> bytes:
    """One phase document whose checklist is a single list of `items` task items."""
    rows = "".join(f"- [{'x' if i % 3 else ' '}] criterion {i} is met\n" for i in range(items))
    return f"# Phase 1: One long list\n\n## Success Criteria\n{rows}".encode()


def table(rows: list[tuple[str, float]], baseline: float) -> None:
    print(f"{'step':<48}{'seconds':>9}{'x tokenize':>12}")
    for label, seconds in rows:
        print(f"{label:<48}{seconds:>9.3f}{seconds / baseline:>12.2f}")


def main() -> None:
    plain = MarkdownIt("commonmark").enable("table")
    shipped = markdown_parser(render_inline=True)
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_document_set(Path(tmp))
        blobs = [p.read_bytes() for p in paths]
        texts = [b.removeprefix(BOM).decode("utf-8") for b in blobs]
        named = [(str(p), b) for p, b in zip(paths, blobs, strict=True)]

        t_plain = best_of(5, lambda: [plain.parse(t) for t in texts])
        t_plugins = best_of(5, lambda: [shipped.parse(t) for t in texts])
        t_ours = best_of(5, lambda: [parse_document(name, b) for name, b in named])
        t_load = best_of(5, lambda: load_documents(paths, Path(tmp)))

        gc.collect()
        tracemalloc.start()
        docs = load_documents(paths, Path(tmp))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

    size = sum(len(b) for b in blobs)
    items = sum(len(d.phase.items) + len(d.phase.checklist) for d in docs if d.phase)
    subtasks = sum(len(t.subtasks) for d in docs if d.phase for t in d.phase.tasks)
    errors = sum(d.has_errors for d in docs)
    print(
        f"document set: {len(paths)} files, {size / 1e6:.2f} MB, "
        f"{items} items (+{subtasks} sub-tasks), {errors} with errors"
    )
    table(
        [
            ("markdown-it-py tokenize (commonmark + table)", t_plain),
            ("markdown-it-py tokenize (+ plugins as shipped)", t_plugins),
            ("phasesync parse+validate (bytes in memory)", t_ours),
            ("phasesync load_documents (read + parse)", t_load),
        ],
        t_plain,
    )
    print(f"peak memory of load_documents (tracemalloc): {peak / 1e6:.1f} MB")

    data = long_list_document()
    text = data.decode("utf-8")
    l_plain = best_of(5, lambda: plain.parse(text))
    l_plugins = best_of(1, lambda: shipped.parse(text))
    l_ours = best_of(5, lambda: parse_document("long.md", data))
    print(f"\none list of 10,000 task items: {len(data) / 1e6:.2f} MB")
    table(
        [
            ("markdown-it-py tokenize (commonmark + table)", l_plain),
            ("markdown-it-py tokenize (+ plugins as shipped)", l_plugins),
            ("phasesync parse+validate", l_ours),
        ],
        l_plain,
    )


if __name__ == "__main__":
    main()
