"""The plan's structure as a tree, for `status --tree` and `validate --tree`.

The tree is the one phasesync builds on the forge with `phase_parents = true`
(`syncer.sync.structure_layout.layout`): a node per phase (its parent issue), section nodes
where a phase has more than 100 items (GitHub's limit of sub-issues per parent), the items,
and under a task its sub-tasks. Each parent shows its progress (done of total) so that a
reader sees at a glance what the parent issues on the forge will say.

Pure: documents (and the parents' issue numbers from the lock, when known) in, `TreeNode`s
out; then three renderings: rich (terminal and CI logs), Markdown (job summary) and JSON.
Every text from a document goes through `printable` and is escaped for the rendering, as
in the rest of `syncer.report`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from syncer.model import Document, Item, Task
from syncer.report import md_text, printable, text_bar
from syncer.sync.dependencies_record import blocked_records
from syncer.sync.lock import ForgeState
from syncer.sync.render import RenderConfig
from syncer.sync.structure_layout import PARENT, Group, layout, section_name


@dataclass(frozen=True, slots=True)
class TreeNode:
    """One line of the tree: a parent (phase, section, task with sub-tasks) or a box."""

    label: str
    where: str  # `file:line`
    done: int
    total: int
    checked: bool | None = None  # a box's state; None for a phase or section parent
    issue: int | None = None
    children: tuple[TreeNode, ...] = ()
    blocked_by: tuple[int, ...] = ()  # `dependencies = "links"`: the issues it waits for

    @property
    def is_parent(self) -> bool:
        return self.checked is None or bool(self.children)


Kids = Mapping[str, Sequence[Item]]  # `subtasks = "issues"`: a task's sub-task items


@dataclass(frozen=True, slots=True)
class _Known:
    """What the lock knows that the documents do not: parents' issues and relations."""

    parents: Mapping[str, int]  # parent key -> issue
    blocked: Mapping[int, tuple[int, ...]]  # issue -> the issues it is blocked by
    kids: Kids

    def blockers(self, issue: int | None) -> tuple[int, ...]:
        return self.blocked.get(issue, ()) if issue is not None else ()


def _item_node(item: Item, file: str, known: _Known) -> TreeNode:
    subtasks = item.subtasks if isinstance(item, Task) else ()
    children = tuple(
        TreeNode(s.text, f"{file}:{s.line}", int(s.checked), 1, s.checked) for s in subtasks
    ) + tuple(_item_node(k, file, known) for k in known.kids.get(str(item.key), ()))
    done = sum(c.done for c in children) if children else int(item.checked)
    issue = item.link.number if item.link else None
    return TreeNode(
        item.title,
        f"{file}:{item.pos.line}",
        done,
        len(children) or 1,
        item.checked,
        issue,
        children,
        known.blockers(issue),
    )


def _sections(items: Sequence[Item], file: str, known: _Known) -> tuple[TreeNode, ...]:
    """The items grouped by the section they are written under (`Functional
    Requirements`, `Week 3: Integration`): a heading of the tree, not an issue."""
    by_name: dict[str, list[Item]] = {}
    for item in items:
        by_name.setdefault(section_name(item), []).append(item)
    return tuple(
        TreeNode(
            name,
            f"{file}:{members[0].pos.line}",
            sum(1 for i in members if i.checked),
            len(members),
            children=tuple(_item_node(i, file, known) for i in members),
        )
        for name, members in by_name.items()
    )


def _group_node(group: Group, known: _Known, label: str) -> TreeNode:
    if group.sections:  # a phase past 100 items: its section parents are issues
        children = tuple(
            _group_node(s, known, s.title.rpartition(" · ")[2]) for s in group.sections
        )
    elif group.key.endswith(f"/{PARENT}"):  # a phase's items, under their headings
        children = _sections(group.items, group.file, known)
    else:  # a section parent's items
        children = tuple(_item_node(i, group.file, known) for i in group.items)
    done = sum(1 for i in group.items if i.checked)
    where = f"{group.file}:{group.phase.line}"
    issue = known.parents.get(group.key)
    return TreeNode(
        label, where, done, len(group.items), None, issue, children, known.blockers(issue)
    )


def plan_tree(
    docs: Sequence[Document],
    render: RenderConfig,
    issues: Mapping[str, int] | None = None,
    blocked: Mapping[int, tuple[int, ...]] | None = None,
) -> list[TreeNode]:
    """A tree per phase. From the lock: `issues`, parent issue numbers by parent key;
    `blocked`, the issues each issue was made blocked by (`dependencies = "links"`)."""
    kids: dict[str, list[Item]] = {}
    for doc in docs:
        for item in doc.items:
            if isinstance(item, Task) and item.parent is not None:
                kids.setdefault(str(item.parent), []).append(item)
    known = _Known(issues or {}, blocked or {}, kids)
    return [_group_node(g, known, g.title) for g in layout(docs, render)]


def parent_issues(structure: Mapping[str, Mapping[str, Any]]) -> dict[str, int]:
    """Parent issue numbers by key, from a lock's `ForgeState.structure`."""
    out: dict[str, int] = {}
    for key, raw in structure.items():
        issue = raw.get("issue")
        if isinstance(issue, int) and not isinstance(issue, bool):
            out[key] = issue
    return out


def blocked_issues(state: ForgeState) -> dict[int, tuple[int, ...]]:
    """What each issue was made blocked by, from a lock's `ForgeState.dependencies`."""
    return {r.issue: r.blocked_by for r in blocked_records(state).values() if r.blocked_by}


# --- renderings ------------------------------------------------------------------------------


def _box(node: TreeNode) -> str:
    return "[x]" if node.checked else "[ ]"


def _issue(node: TreeNode) -> str:
    """`  #12`, and `  #12 blocked by #7, #9` when it waits for others."""
    if not node.issue:
        return ""
    blocked = ", ".join(f"#{n}" for n in node.blocked_by)
    return f"  #{node.issue}" + (f" blocked by {blocked}" if blocked else "")


def _rich_label(node: TreeNode) -> str:
    text = escape(printable(node.label))
    issue = _issue(node)
    where = escape(printable(node.where))
    if node.checked is None:
        progress = f"{node.done}/{node.total} {text_bar(node.done, node.total, 10)}"
        return f"[bold]{text}[/bold]  {progress}{issue}  [dim]{where}[/dim]"
    box = escape(_box(node))
    sub = f"  {node.done}/{node.total}" if node.children else ""
    colour = "green" if node.checked else "default"
    return f"[{colour}]{box}[/{colour}] {text}{sub}{issue}  [dim]{where}[/dim]"


def _add(tree: Tree, node: TreeNode) -> None:
    branch = tree.add(_rich_label(node), highlight=False)
    for child in node.children:
        _add(branch, child)


def print_tree(console: Console, nodes: Sequence[TreeNode]) -> None:
    """The tree as rich prints it (guide lines on a terminal and in CI logs alike)."""
    if not nodes:
        console.print("no items to show as a tree")
        return
    for node in nodes:
        tree = Tree(_rich_label(node), highlight=False)
        for child in node.children:
            _add(tree, child)
        console.print(tree)


def tree_markdown(nodes: Sequence[TreeNode]) -> str:
    """The tree as nested Markdown lists (a job summary); boxes shown, never clickable."""
    out: list[str] = []

    def walk(node: TreeNode, depth: int) -> None:
        pad = "  " * depth
        issue = _issue(node)[1:]
        if node.checked is None:
            bar = text_bar(node.done, node.total)
            out.append(f"{pad}- **{md_text(node.label)}** {node.done}/{node.total} `{bar}`{issue}")
        else:
            mark = "☑" if node.checked else "☐"
            sub = f" {node.done}/{node.total}" if node.children else ""
            out.append(f"{pad}- {mark} {md_text(node.label)}{sub}{issue}")
        for child in node.children:
            walk(child, depth + 1)

    for node in nodes:
        walk(node, 0)
    return "\n".join(out) + "\n" if out else "_No items._\n"


def tree_json(nodes: Sequence[TreeNode]) -> list[dict[str, Any]]:
    def one(node: TreeNode) -> dict[str, Any]:
        data: dict[str, Any] = {
            "label": node.label,
            "where": node.where,
            "done": node.done,
            "total": node.total,
            "issue": node.issue,
        }
        if node.blocked_by:
            data["blocked_by"] = list(node.blocked_by)
        if node.checked is not None:
            data["checked"] = node.checked
        if node.children:
            data["children"] = [one(c) for c in node.children]
        return data

    return [one(n) for n in nodes]
