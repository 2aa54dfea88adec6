"""Phase parents' layout: which parent each item sits under, and each parent's text.

Pure: from the documents (and each item's done state) to the `Node`s they want, section
parents past 100 items included (`syncer.sync.structure` has the design).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from syncer.model import Document, Item, Kind, Phase, Task
from syncer.sync.body import BEGIN, END
from syncer.sync.render import RenderConfig, content_hash, milestone_title
from syncer.sync.text_safety import escape_mentions, neutralise

MAX_CHILDREN = 100  # GitHub: sub-issues per parent
PROGRESS = re.compile(r"\*\*Progress:\*\* (\d+ of \d+ done)")
PARENT = "parent"
Mode = Literal["sub_issues", "relates_to"]
_SECTIONS = {
    Kind.FUNCTIONAL: "Functional Requirements",
    Kind.NON_FUNCTIONAL: "Non-Functional Requirements",
    Kind.TECHNICAL: "Technical Requirements",
}


# --- the layout: which parent each item sits under ----------------------------------------


@dataclass(frozen=True, slots=True)
class Node:
    """A parent issue as the documents want it."""

    key: str  # `phase-2/parent`, `phase-2/parent.functional`, `phase-2/parent.week-3~2`
    phase: str  # the items' key phase (`2`, `1~docs-roadmap`)
    title: str
    block: str
    file: str
    closed: bool
    children: tuple[str, ...]  # item keys, or (a phase's parent past 100) section parents'

    @property
    def hash(self) -> str:
        return content_hash(self.title, self.block, (), None)


@dataclass(frozen=True, slots=True)
class Group:
    """A parent as the layout wants it: a phase's, or past 100 items a section's."""

    key: str
    phase: Phase
    file: str
    title: str
    items: tuple[Item, ...]
    sections: tuple[Group, ...] = ()


def section_name(item: Item) -> str:
    if isinstance(item, Task):
        if item.week is not None:
            return f"Week {item.week}: {item.week_focus}".rstrip(": ")
        return item.section or item.key.section
    return _SECTIONS.get(item.kind, item.key.section)


def layout(docs: Sequence[Document], render: RenderConfig) -> list[Group]:
    """Each phase's parent, with section parents when it has more than 100 items."""
    phases: dict[str, tuple[Phase, str, list[Item]]] = {}
    for doc in docs:
        for phase in doc.phases:
            for item in phase.items:
                if isinstance(item, Task) and item.parent is not None:
                    continue  # `subtasks = "issues"`: its task's child (`subtask_plan`)
                slot = phases.setdefault(item.key.phase, (phase, doc.path, []))
                slot[2].append(item)
    groups: list[Group] = []
    for name, (phase, file, items) in phases.items():
        key = f"phase-{name}/{PARENT}"
        title = milestone_title(render, phase)
        sections: list[Group] = []
        if len(items) > MAX_CHILDREN:
            by_section: dict[str, list[Item]] = {}
            for item in items:
                by_section.setdefault(item.key.section, []).append(item)
            for slug, members in by_section.items():
                chunks = [
                    members[i : i + MAX_CHILDREN] for i in range(0, len(members), MAX_CHILDREN)
                ]
                for n, chunk in enumerate(chunks, 1):
                    suffix = f"~{n}" if n > 1 else ""
                    label = section_name(chunk[0]) + (f" ({n})" if len(chunks) > 1 else "")
                    sections.append(
                        Group(
                            f"{key}.{slug}{suffix}", phase, file, f"{title} · {label}", tuple(chunk)
                        )
                    )
        groups.append(Group(key, phase, file, title, tuple(items), tuple(sections)))
    return groups


def _block(group: Group, done: int, mode: Mode, objective: bool) -> str:
    parts: list[str] = []
    if objective and group.phase.primary_objective:
        parts.append(f"**Objective:** {group.phase.primary_objective}")
    parts.append(f"**Progress:** {done} of {len(group.items)} done")
    what = "sub-issues" if mode == "sub_issues" else "linked issues"
    children = "section parents" if group.sections else "items"
    parts.append(
        f"_The phase's {children} are this issue's {what}. Managed by phasesync: edit the "
        "document, not this text._"
    )
    text = escape_mentions(neutralise("\n\n".join(parts)))
    return "\n".join(
        (
            BEGIN,
            text,
            f"<!-- phasesync:key={group.key} -->",
            f"<!-- phasesync:file={quote(group.file)} -->",
            END,
        )
    )


def wanted_nodes(
    docs: Sequence[Document],
    render: RenderConfig,
    mode: Mode,
    done: Callable[[Item], bool],
) -> list[Node]:
    """Every parent the documents want, section parents before their phase's."""
    nodes: list[Node] = []
    for group in layout(docs, render):
        for section in group.sections:
            n = sum(1 for i in section.items if done(i))
            nodes.append(
                Node(
                    section.key,
                    group.key.removeprefix("phase-").removesuffix(f"/{PARENT}"),
                    section.title,
                    _block(section, n, mode, objective=False),
                    section.file,
                    n == len(section.items),
                    tuple(str(i.key) for i in section.items),
                )
            )
        n = sum(1 for i in group.items if done(i))
        children = (
            tuple(s.key for s in group.sections)
            if group.sections
            else tuple(str(i.key) for i in group.items)
        )
        nodes.append(
            Node(
                group.key,
                group.key.removeprefix("phase-").removesuffix(f"/{PARENT}"),
                group.title,
                _block(group, n, mode, objective=True),
                group.file,
                bool(group.items) and n == len(group.items),
                children,
            )
        )
    return nodes
