"""Content edits made on the forge: which the document takes in, and which are restored.

A title, or a requirement's one-line description, follows the same three-way rule as a
tick: changed on the forge alone it is written into the document (that span of the item's
line and nothing else), changed in the document alone it is sent, changed on both sides to
different values it is a conflict. Labels, the milestone and the rest of the managed block
follow the document's structure: a person's change to them is restored, and the plan names
the field and the value it replaced. With `forge_edits = "restore"` every forge edit is
restored, as the document is law.

Pure: no I/O. The planner (`plan_update.py`) calls `decide` for an issue whose content differs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from syncer.model import Item, ItemKey, Phase, Requirement, Task, slugify
from syncer.sync.body import BEGIN, split_body
from syncer.sync.render import RenderConfig, Rendered, render_item
from syncer.sync.text_safety import escape_title

ForgeEdits = Literal["accept", "restore"]
_SOURCE_LINE = re.compile(r"#L\d+\)")
_SHOWN = 60  # characters of a replaced value the plan shows


def digest(paragraph: str) -> str:
    """The lock's record of a description as the issue body shows it."""
    return hashlib.sha256(" ".join(paragraph.split()).encode("utf-8")).hexdigest()[:16]


def shown(value: str | None) -> str:
    if value is None or value == "":
        return "none"
    value = " ".join(value.split())
    return repr(value if len(value) <= _SHOWN else value[: _SHOWN - 1] + "…")


def description_paragraph(item: Item, block: str) -> tuple[str, str] | None:
    """(the description as the block shows it, the rest of the block), for a requirement
    whose description is one line; None otherwise."""
    if not isinstance(item, Requirement) or not item.description or "\n" in item.description:
        return None
    body = block.replace("\r\n", "\n")
    if not body.startswith(BEGIN + "\n"):
        return None
    text = body[len(BEGIN) + 1 :]
    first, sep, rest = text.partition("\n\n")
    if not sep or "\n" in first:
        return None
    return first, _SOURCE_LINE.sub("#L)", rest.strip())


@dataclass(frozen=True, slots=True)
class RemoteView:
    """The forge side of an item's content, its labels and milestone seen through renames."""

    title: str
    block: str | None  # the managed block; None when the issue was not listed
    labels: tuple[str, ...]  # managed labels only, sorted
    milestone: str | None


@dataclass(frozen=True, slots=True)
class Decision:
    item: Item  # the item as the document will read (forge values taken in)
    rendered: Rendered
    title: str | None = None  # a forge title to write into the document
    description: str | None = None  # a forge description to write into the document
    reasons: tuple[str, ...] = ()
    conflict: tuple[str, str, str] | None = None  # (message, document, forge)


def title_fits(item: Item, title: str) -> bool:
    """Whether `title` can stand in the item's line and parse back as itself."""
    if not title or title != title.strip() or "\n" in title or "\r" in title:
        return False
    if isinstance(item, Requirement):
        return "**" not in title and not title.startswith("[")
    return not title.endswith(")") and not title.startswith("[")


def decide(
    cfg: RenderConfig,
    phase: Phase,
    item: Item,
    rendered: Rendered,
    base_title: str | None,
    base_desc: str | None,
    doc_changed: bool,
    remote: RemoteView,
    mode: ForgeEdits,
    prefer: Literal["document", "forge"] | None,
    source_url: Callable[[str, int], str] | None,
) -> Decision:
    """Per field: take the forge's title and description in when only the forge changed
    them (mode accept), and name what is restored."""
    reasons: list[str] = []
    new_item = item
    title = description = None

    # --- title: three-way against the lock's title ---
    if remote.title != rendered.title and base_title is not None:
        forge_only = rendered.title == base_title and remote.title != base_title
        written = escape_title(remote.title)  # as text in the line, never as markup
        if forge_only and mode == "accept" and title_fits(item, written):
            title = written
            new_item = retitled(new_item, title)
            was, now = shown(rendered.title), shown(remote.title)
            reasons.append(f"title taken from the forge: {was} -> {now}")
        elif forge_only:
            reasons.append(f"title restored (the forge had {shown(remote.title)})")

    # --- description: three-way against the lock's digest ---
    if remote.block is not None:
        mine = description_paragraph(item, rendered.block)
        theirs = description_paragraph(item, remote.block)
        if mine is not None and theirs is not None and mine[0] != theirs[0]:
            (doc_para, doc_rest), (forge_para, forge_rest) = mine, theirs
            if base_desc is not None:
                doc_moved = digest(doc_para) != base_desc
                forge_moved = digest(forge_para) != base_desc
            else:  # a lock that predates the digest: only an unchanged document is sure
                doc_moved, forge_moved = doc_changed, not doc_changed
            if doc_moved and forge_moved and prefer is None:
                return Decision(
                    item,
                    rendered,
                    conflict=(
                        "description changed in the document and on the forge",
                        doc_para,
                        forge_para,
                    ),
                )
            take = forge_moved and (not doc_moved or prefer == "forge")
            if (
                take
                and mode == "accept"
                and doc_rest == forge_rest
                and forge_para.strip()
                and isinstance(new_item, Requirement)
            ):
                candidate: Item = replace(new_item, description=forge_para)
                again = render_item(cfg, phase, candidate, source_url)
                if description_paragraph(candidate, again.block) == theirs:
                    description = forge_para
                    new_item = candidate
                    reasons.append(
                        "description taken from the forge: "
                        f"{shown(doc_para)} -> {shown(forge_para)}"
                    )
                    take = False
            if take:
                reasons.append(f"description restored (the forge had {shown(forge_para)})")

    original = rendered
    if new_item is not item:
        rendered = render_item(cfg, phase, new_item, source_url)
    # --- labels, milestone, the rest of the block: the document's structure ---
    if remote.labels != rendered.labels:
        reasons.append(
            f"labels restored (the forge had {shown(', '.join(remote.labels))}, "
            f"the document says {shown(', '.join(rendered.labels))})"
        )
    if remote.milestone != rendered.milestone:
        reasons.append(f"milestone restored (the forge had {shown(remote.milestone)})")
    if (
        remote.block is not None
        and not doc_changed
        and description is None
        and _norm(remote.block) != _norm(original.block)
        and not any(r.startswith("description") for r in reasons)
    ):
        reasons.append("body restored (its managed text was edited on the forge)")
    return Decision(new_item, rendered, title, description, tuple(reasons))


def managed_block(body: str) -> str:
    return split_body(body).block or ""


def _norm(block: str) -> str:
    return _SOURCE_LINE.sub("#L)", block.replace("\r\n", "\n").strip())


def retitled(item: Item, title: str) -> Item:
    """The item as it reads once `title` is written into its line."""
    key = ItemKey(item.key.phase, item.key.section, slugify(title))
    if isinstance(item, Task):
        return replace(item, text=title, key=key)
    return replace(item, title=title, key=key)


def managed_labels(cfg: RenderConfig, labels: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted(lbl for lbl in labels if cfg.managed_label(lbl)))


def desc_digest(item: Item, body: str) -> str | None:
    """The lock's `desc` for an item whose issue body (or block) is `body`."""
    found = description_paragraph(item, managed_block(body) if BEGIN in body else body)
    return digest(found[0]) if found is not None else None
