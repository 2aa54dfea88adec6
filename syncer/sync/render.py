"""What an item looks like on the forge: title, managed body block, labels, milestone.

The content hash covers exactly what phasesync owns (title, managed block, managed labels,
milestone), computed the same way from the document and from the forge, so that "changed
since the last sync" is a comparison of two hashes with the lock's. The block's markers and
how a body is cut around them are `syncer.sync.body`'s; what document text may show on the
forge is `syncer.sync.text_safety`'s.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from syncer.model import Item, Kind, Phase, Requirement, Task
from syncer.sync.body import BEGIN, END, split_body
from syncer.sync.text_safety import (
    BIDI,
    CONTROL,
    MAX_TITLE_GITLAB,
    escape_mentions,
    forge_title,
    neutralise,
    plain_title,
)

# The source link's line number moves whenever a line is added above the item; it is left
# out of the hash so that such an edit does not rewrite every issue below it.
_SOURCE_LINE = re.compile(r"#L\d+\)")


@dataclass(frozen=True, slots=True)
class LabelFamily:
    """One family of labels: `name` is a format string such as `phase:{number}`."""

    name: str
    color: str

    @property
    def prefix(self) -> str:
        return self.name.split("{", 1)[0]

    def owns(self, label: str) -> bool:
        """Whether `label` belongs to this family (and so is phasesync's to set or remove)."""
        return _family_pattern(self.name).fullmatch(label) is not None


@functools.lru_cache(maxsize=64)
def _family_pattern(name: str) -> re.Pattern[str]:
    # Compiled once per family: `owns` runs for every label of every listed issue.
    pattern = re.sub(r"\\\{\w+\\\}", ".+", re.escape(name))
    return re.compile(pattern, flags=re.IGNORECASE)


@functools.lru_cache(maxsize=16)
def _families_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    # One match per label for all families: it runs for every label of every listed issue.
    either = "|".join(f"(?:{_family_pattern(name).pattern})" for name in names)
    return re.compile(either, flags=re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class RenderConfig:
    phase_label: LabelFamily
    type_label: LabelFamily
    priority_label: LabelFamily
    week_label: LabelFamily
    milestone_title: str = "Phase {number}: {name}"
    escape_mentions: bool = True
    # Longer titles are shortened on the forge (`forge_title`); the default suits both forges.
    max_title: int = MAX_TITLE_GITLAB
    # `phase_parents` where the forge has no native hierarchy (GitLab): item key -> the
    # number of its parent issue, named in the item's body as `Part of #N`.
    part_of: Mapping[str, int] = field(default_factory=dict, hash=False)
    # `dependencies = "links"` on GitLab: item key -> the numbers of the issues blocking
    # it, named in the item's body as `Blocked by #N` (`syncer.sync.dependencies`).
    blocked_by: Mapping[str, tuple[int, ...]] = field(default_factory=dict, hash=False)

    @property
    def families(self) -> tuple[LabelFamily, ...]:
        return (self.phase_label, self.type_label, self.priority_label, self.week_label)

    def managed_label(self, label: str) -> bool:
        names = (f.name for f in self.families)
        return _families_pattern(tuple(names)).fullmatch(label) is not None


# The settings' defaults (`syncer.settings.Labels`): a run from the command line and one
# through the library must agree, or each would recolour the other's labels.
DEFAULT_RENDER = RenderConfig(
    phase_label=LabelFamily("phase:{number}", "5319e7"),
    type_label=LabelFamily("type:{kind}", "1d76db"),
    priority_label=LabelFamily("priority:{priority}", "d93f0b"),
    week_label=LabelFamily("week:{week}", "0e8a16"),
)


@dataclass(frozen=True, slots=True)
class Rendered:
    """An item as the forge should show it."""

    title: str
    block: str  # the managed block, markers included
    labels: tuple[str, ...]  # sorted
    milestone: str
    # Computed once: the planner compares it several times per item.
    hash: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        digest = content_hash(self.title, self.block, self.labels, self.milestone)
        object.__setattr__(self, "hash", digest)


def content_hash(title: str, block: str, labels: Sequence[str], milestone: str | None) -> str:
    if "\r" in block:
        block = block.replace("\r\n", "\n")
    normalised = _SOURCE_LINE.sub("#L)", block.strip())
    text = "\x1f".join((title.strip(), normalised, ",".join(sorted(labels)), milestone or ""))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def milestone_title(cfg: RenderConfig, phase: Phase, name: str | None = None) -> str:
    """`Phase 2: User Authentication`, or `Phase 2: Registration live` for a key milestone.
    A plan's group that is not a phase (`Phase.numbered` False) is its own title."""
    if not phase.numbered:
        return f"{phase.name}: {name}" if name else phase.name
    return cfg.milestone_title.format(number=phase.number, name=name or phase.name)


def item_labels(cfg: RenderConfig, phase: Phase, item: Item) -> tuple[str, ...]:
    priority = item.priority if isinstance(item, Requirement) else None
    week = item.week if isinstance(item, Task) else None
    return _labels(cfg, phase.number, item.kind, priority, week)


@functools.lru_cache(maxsize=4096)
def _labels(
    cfg: RenderConfig, number: str, kind: Kind, priority: str | None, week: int | None
) -> tuple[str, ...]:
    # Cached: a plan has a few dozen distinct label sets for thousands of items.
    labels = [
        cfg.phase_label.name.format(number=number),
        cfg.type_label.name.format(kind=kind.value),
    ]
    if priority and priority.casefold() in ("high", "medium", "low"):
        labels.append(cfg.priority_label.name.format(priority=priority.casefold()))
    if week is not None:
        labels.append(cfg.week_label.name.format(week=week))
    return tuple(sorted(labels))


def render_item(
    cfg: RenderConfig,
    phase: Phase,
    item: Item,
    source_url: Callable[[str, int], str] | None = None,
) -> Rendered:
    """The title, managed block, labels and milestone that `item` should have on the forge."""
    parts: list[str] = []
    if isinstance(item, Requirement):
        if item.description:
            parts.append(item.description)
        fields = []
        if item.acceptance_criteria:
            parts.append(f"**Acceptance criteria:** {item.acceptance_criteria}")
        if item.priority:
            fields.append(f"**Priority:** {item.priority}")
        if item.estimate:
            fields.append(f"**Estimate:** {item.estimate}")
        if fields:
            parts.append(" · ".join(fields))
        parts.append(f"**Type:** {_kind_name(item.kind)} requirement")
    else:
        if item.week_focus:
            parts.append(f"**Week {item.week}:** {item.week_focus}")
        elif item.section:  # a plan's own heading, for a task that is not a week's
            parts.append(f"**Section:** {item.section}")
        if item.subtasks:
            checklist = "\n".join(
                f"- [{'x' if s.checked else ' '}] {s.text}" for s in item.subtasks
            )
            parts.append(f"**Sub-tasks**\n\n{checklist}")
    parent = cfg.part_of.get(str(item.key)) if cfg.part_of else None
    if parent is not None:
        parts.append(f"Part of #{parent}")
    blockers = cfg.blocked_by.get(str(item.key)) if cfg.blocked_by else None
    if blockers:
        parts.append("Blocked by " + ", ".join(f"#{n}" for n in blockers))
    where = f"{item.pos.file}, line {item.pos.line}"
    if source_url is not None:
        where = f"[{item.pos.file}]({source_url(item.pos.file, item.pos.line)})"
    parts.append(f"_Planned in {where}. Managed by phasesync: edit the document, not this text._")
    title = forge_title(item.issue_title, cfg.max_title)
    if not title.strip():
        # Nothing printable left (a title of control characters): the forge needs a title.
        title = str(item.key)
    elif title != CONTROL.sub(" ", BIDI.sub("", plain_title(item.issue_title))):
        # Shortened for the forge: the whole title stays readable in the body.
        parts.insert(0, f"**Title:** {item.issue_title}")
    text = neutralise("\n\n".join(p for p in parts if p))
    if cfg.escape_mentions:
        text = escape_mentions(text)
    block = "\n".join(
        (
            BEGIN,
            text,
            f"<!-- phasesync:key={item.key} -->",
            f"<!-- phasesync:file={quote(item.pos.file)} -->",
            END,
        )
    )
    return Rendered(
        title=title,
        block=block,
        labels=item_labels(cfg, phase, item),
        milestone=milestone_title(cfg, phase),
    )


def _kind_name(kind: Kind) -> str:
    return {
        Kind.FUNCTIONAL: "Functional",
        Kind.NON_FUNCTIONAL: "Non-functional",
        Kind.TECHNICAL: "Technical",
        Kind.TASK: "Task",
    }[kind]


@dataclass(frozen=True, slots=True)
class RemoteContent:
    """What phasesync reads from an issue as the forge has it."""

    hash: str  # comparable with `Rendered.hash`
    # Something of people's: text outside the managed block (all of an adopted issue's old
    # body), or a label phasesync does not manage.
    extra: bool


def remote_content(
    cfg: RenderConfig,
    title: str,
    body: str,
    labels: Sequence[str],
    milestone: str | None,
    like: Rendered | None = None,
) -> RemoteContent:
    """The content hash of an issue as the forge has it, and whether it carries people's
    text or labels.

    With `like`, an issue that shows exactly that rendering (the settled case, for nearly
    every issue of a plan) takes its hash without hashing again.
    """
    parts = split_body(body)
    block = parts.block
    owned: list[str] = []
    hand = False
    for lbl in labels:
        if cfg.managed_label(lbl):
            owned.append(lbl)
        else:
            hand = True
    managed = tuple(sorted(owned))
    extra = hand or bool(parts.head.strip()) or bool(parts.tail.strip())
    if (
        like is not None
        and title == like.title
        and block == like.block
        and managed == like.labels
        and milestone == like.milestone
    ):
        return RemoteContent(like.hash, extra)
    return RemoteContent(content_hash(title, block or "", managed, milestone), extra)


def remote_hash(
    cfg: RenderConfig, title: str, body: str, labels: Sequence[str], milestone: str | None
) -> str:
    """The content hash of an issue as the forge has it, comparable with `Rendered.hash`."""
    return remote_content(cfg, title, body, labels, milestone).hash
