"""What an item looks like on the forge: title, managed body block, labels, milestone.

The issue body holds a managed block between two markers; anything people write above the
begin marker or below the end marker is theirs and is kept, byte for byte, on every update.
Document text can never become phasesync's markup: every `<!--` rendered from a document is
broken with a zero-width space, so the only HTML comments in a block are the ones phasesync
writes, and the block's structure is read from those lines alone (`split_body`).

The content hash covers exactly what phasesync owns (title, managed block, managed labels,
milestone), computed the same way from the document and from the forge, so that "changed
since the last sync" is a comparison of two hashes with the lock's.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import quote, unquote

from syncer.model import Diagnostic, Document, Item, Kind, Phase, Requirement, Severity, Task

BEGIN = "<!-- phasesync:begin -->"
END = "<!-- phasesync:end -->"
# The end of a block as phasesync writes it: the key line, the file line and the end marker,
# each on a line of its own. Document text inside the block holds no `<!--` (`neutralise`),
# so the first such trailer after a begin line is phasesync's own, whatever the text says.
_TRAILER = re.compile(
    r"\r?\n<!-- phasesync:key=(\S+?) -->\r?\n<!-- phasesync:file=([^\r\n]*?) -->\r?\n"
    + re.escape(END)
)
_BEGIN_LINE = re.compile(re.escape(BEGIN) + r"(?=\r?\n)")
# `<!--` in document text, broken by a zero-width space: shown as `<!--` on the forge, never
# an HTML comment, never a marker.
_COMMENT_OPEN = "<!--"
_COMMENT_BROKEN = "<\u200b!--"
# Issue titles: C0 and C1 controls become spaces; bidirectional embeddings, overrides and
# isolates are removed (they reorder what a reader sees).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# CommonMark backslash escapes (`\*`) and character references (`&#42;`, `&lt;`), outside
# code spans: an issue title shows the text the document's Markdown reads as.
_TITLE_ESCAPE = re.compile(
    r"\\([!-/:-@\[-`{-~])|&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)
# Forge limits on titles, in characters: GitHub 256, GitLab 255.
MAX_TITLE_GITHUB = 256
MAX_TITLE_GITLAB = 255
# The source link's line number moves whenever a line is added above the item; it is left
# out of the hash so that such an edit does not rewrite every issue below it.
_SOURCE_LINE = re.compile(r"#L\d+\)")
# Every form of `@name` that GitHub or GitLab turn into a notification: the sign itself, its
# character references, the full-width and small forms, after a backslash, inside emphasis
# (`_@a_`, `*@a*`) and link text (`[@a](u)`), after any punctuation (`/@a`, `.@a`), and
# `@org/team`. Not an e-mail address (`a@b.com`: a letter before the sign) nor a URL.
_AT = r"(?:@|\uff20|\ufe6b|&#0*64;|&#[xX]0*40;|&commat;)"
_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:/[A-Za-z0-9][\w.-]*)?"
# A run of backslashes before the sign is part of the match (an odd run escapes the sign,
# which still notifies); `@a@b` is one match, so that no `@b` starts a text of its own.
_MENTION = re.compile(
    r"(?<!\\)(\\*)(" + _AT + _NAME + r"(?:(?:\\(?:\\\\)*)?" + _AT + _NAME + r")*)"
)
_TICKS = re.compile(r"`+")
_BLANK_LINE = re.compile(r"\n[ \t]*(?:\r?\n|$)")
# Where a sign is no mention: URLs (GitHub links them), link destinations, autolinks.
_URL = re.compile(
    r"(?:https?://|www\.|mailto:)[^\s<>()\[\]`]*|\]\([^)\s]*\)?|<[A-Za-z][\w+.-]*:[^\s<>]*>"
)
# Code that `escape_mentions` leaves alone: fenced blocks (``` or ~~~) and code spans.
# A backtick fence's info string holds no backtick; a fence closes on a run at least as long.
_FENCE = re.compile(
    r"^ {0,3}(?:(`{3,})[^`\n]*$(?:.|\n)*?(?:^ {0,3}\1`*[ \t]*$|\Z)"
    r"|(~{3,})[^\n]*$(?:.|\n)*?(?:^ {0,3}\2~*[ \t]*$|\Z))",
    re.M,
)


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


def escape_mentions(text: str) -> str:
    """`@alice` becomes `` `@alice` `` so that a push does not notify everyone in a plan.

    Every form that notifies is caught (`&#64;alice`, `＠alice`, `_@alice_`, `[@alice](u)`,
    `@org/team`); e-mail addresses and code (spans and fenced blocks) are left as they are.
    """
    if not any(c in text for c in "@&\uff20\ufe6b"):
        return text
    regions = _code_regions(text)
    ends = [0, *(e for _, e in regions)]
    starts = [*(s for s, _ in regions), len(text)]
    if not any(_mentions(text, e, s) for e, s in zip(ends, starts, strict=True)):
        return text
    out: list[str] = []
    at = 0
    for start, end in regions:
        out.append(_mentions_in(text, at, start))
        out.append(text[start:end])
        at = end
    out.append(_mentions_in(text, at, len(text)))
    return "".join(out)


def _mentions_in(text: str, start: int, end: int) -> str:
    """`text[start:end]` (not code) with every mention made code."""
    out: list[str] = []
    at = start
    for m, kept in _mentions(text, start, end):
        out.append(_literal_ticks(text[at : m.start()]))
        # A code span's backtick just before or after would join the new span's into a
        # longer run: a zero-width space keeps them apart.
        before = "\u200b" if not kept and m.start() > 0 and text[m.start() - 1] == "`" else ""
        after = "\u200b" if m.end() < len(text) and text[m.end()] == "`" else ""
        shown = html.unescape(re.sub(r"\\+(?=[@&\uff20\ufe6b])", "", m.group(2)))
        out.append(f"{kept}{before}`{shown}`{after}")
        at = m.end()
    out.append(_literal_ticks(text[at:end]))
    return "".join(out)


def _mentions(text: str, start: int, end: int) -> list[tuple[re.Match[str], str]]:
    """The mentions in `text[start:end]` (but in URLs), each with the backslashes to keep
    before its code span.

    As GitHub reads them: a sign notifies after a non-word character. A backslash escapes
    `@` (`x\\@a` reads `x@a`: none) and `&` (`\\&#64;a` is text: none), never `＠`.
    """
    found: list[tuple[re.Match[str], str]] = []
    urls: list[tuple[int, int]] | None = None
    for m in _MENTION.finditer(text, start, end):
        run = len(m.group(1))
        sign = m.group(2)[0]
        before = text[m.start() - 1] if m.start() > 0 else ""
        if run % 2 and sign in "@&":
            if sign == "&":
                continue  # `\&#64;` is the text `&#64;`
            kept = m.group(1)[:-1]
            if not kept and before.isalnum() and before.isascii():
                continue  # `x\@a` reads `x@a`
        elif run % 2:
            kept = m.group(1) + "\\"  # literal backslashes, and the span's tick unescaped
        else:
            kept = m.group(1)
            if not run and before.isalnum() and before.isascii():
                continue  # an e-mail address, `a@b.com`
        if urls is None:
            urls = [u.span() for u in _URL.finditer(text, start, end)]
        if any(u0 <= m.start() < u1 for u0, u1 in urls):
            continue
        found.append((m, kept))
    return found


def _literal_ticks(text: str) -> str:
    """Backticks outside code are literal; escaped, they stay literal once spans are added."""
    if "`" not in text:
        return text
    return re.sub(r"(?<!\\)((?:\\\\)*)`", lambda m: m.group(1) + "\\`", text)


def _code_regions(text: str) -> list[tuple[int, int]]:
    """(start, end) of the fenced code blocks and code spans of Markdown `text`, in order."""
    regions: list[tuple[int, int]] = []
    at = 0
    for block in _FENCE.finditer(text):
        regions += [(at + s, at + e) for s, e in _code_spans(text[at : block.start()])]
        regions.append((block.start(), block.end()))
        at = block.end()
    regions += [(at + s, at + e) for s, e in _code_spans(text[at:])]
    return regions


def _outside_spans(text: str, fn: Callable[[str], str]) -> str:
    if "`" not in text:
        return fn(text)
    out: list[str] = []
    at = 0
    for start, end in _code_spans(text):
        out.append(fn(text[at:start]))
        out.append(text[start:end])
        at = end
    out.append(fn(text[at:]))
    return "".join(out)


def _code_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every code span of inline Markdown `text`, as CommonMark finds them:
    a backslash-escaped backtick opens none, a span closes on a run of equal length, and
    never past its paragraph (a blank line). Linear in practice, whatever the text."""
    spans: list[tuple[int, int]] = []
    if "`" not in text:
        return spans
    blanks = [m.start() for m in _BLANK_LINE.finditer(text)]
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
        elif c == "`":
            run = _TICKS.match(text, i)
            assert run is not None
            k = bisect.bisect_left(blanks, run.end())
            stop = blanks[k] if k < len(blanks) else n
            closing = _closing(run.end() - i).search(text, run.end(), stop)
            if closing is None:
                i = run.end()  # literal backticks
            else:
                spans.append((i, closing.end()))
                i = closing.end()
        else:
            i += 1
    return spans


@functools.lru_cache(maxsize=64)
def _closing(width: int) -> re.Pattern[str]:
    return re.compile(f"(?<!`)`{{{width}}}(?!`)")


def neutralise(text: str) -> str:
    """Document text as it may appear in an issue body: `<!--` is broken with a zero-width
    space, so no text can open an HTML comment or pass for one of phasesync's markers."""
    return text.replace(_COMMENT_OPEN, _COMMENT_BROKEN)


def plain_title(text: str) -> str:
    """The text a document's title reads as: backslash escapes and character references
    decoded, code spans as written. `escape_title` is its inverse."""
    if "\\" not in text and "&" not in text:
        return text
    return _outside_spans(text, lambda part: _TITLE_ESCAPE.sub(_unescape, part))


def _unescape(m: re.Match[str]) -> str:
    if m.group(1) is not None:
        return m.group(1)
    return html.unescape(m.group(0))


def escape_title(title: str) -> str:
    """A title from the forge as document text: one line, and no Markdown markup, comment or
    HTML, so that `plain_title(escape_title(t))` is `t` with line breaks as spaces."""
    flat = _CONTROL.sub(" ", title)
    out = re.sub(r"[\\`*_\[\]<>&#|~!]", lambda m: "\\" + m.group(0), flat)
    if out.endswith("\\*"):
        # `**Title**:` cannot end its title with an escaped star: use its reference.
        out = out[:-2] + "&#42;"
    if out.startswith("\\*"):
        out = "&#42;" + out[2:]
    return out


def forge_title(text: str, limit: int = MAX_TITLE_GITLAB) -> str:
    """An item's title as the forge shows it: its plain text, without control characters or
    bidirectional overrides, cut at a word with `…` when longer than the forge allows."""
    # The forges strip a title's surrounding spaces: so does phasesync, or a title that
    # ends in a space would look edited on the forge after every push.
    title = _CONTROL.sub(" ", _BIDI.sub("", plain_title(text))).strip()
    if len(title) <= limit:
        return title
    cut = title[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


def title_warnings(doc: Document, limit: int) -> Document:
    """`doc` with a `long-title` warning for every item whose title the forge would refuse,
    and which is therefore shortened on the forge (for `validate`)."""
    if doc.phase is None:
        return doc
    found = []
    for item in doc.phase.items:
        title = forge_title(item.issue_title, limit)
        if title.endswith("…") and len(plain_title(item.issue_title)) > limit:
            found.append(
                Diagnostic(
                    item.pos.file,
                    item.pos.line,
                    1,
                    Severity.WARNING,
                    "long-title",
                    f"the title is {len(plain_title(item.issue_title))} characters and the "
                    f"forge allows {limit}: the issue shows it cut to {title!r}, and the "
                    "whole title in its body",
                )
            )
    if not found:
        return doc
    diags = sorted((*doc.diagnostics, *found), key=lambda d: (d.line, d.col))
    return replace(doc, diagnostics=tuple(diags))


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
    where = f"{item.pos.file}, line {item.pos.line}"
    if source_url is not None:
        where = f"[{item.pos.file}]({source_url(item.pos.file, item.pos.line)})"
    parts.append(f"_Planned in {where}. Managed by phasesync: edit the document, not this text._")
    title = forge_title(item.issue_title, cfg.max_title)
    if not title.strip():
        # Nothing printable left (a title of control characters): the forge needs a title.
        title = str(item.key)
    elif title != _CONTROL.sub(" ", _BIDI.sub("", plain_title(item.issue_title))):
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
class BodyParts:
    """An issue body cut where phasesync's block is: people's text above and below it."""

    head: str
    block: str | None  # markers included; None when the body has no block of phasesync's
    tail: str
    key: str | None = None
    file: str | None = None


def split_body(body: str) -> BodyParts:
    """The managed block as phasesync wrote it, and the text people wrote around it.

    The block ends at the first of phasesync's own trailers (key line, file line, end marker)
    and begins at the last begin marker before that trailer (the block's own text holds no
    `<!--`, see `neutralise`); a look-alike marker in people's text does not count.
    `head + block + tail == body`, byte for byte. Without a block, the whole body is people's
    text (`tail`).
    """
    trailer = _TRAILER.search(body)
    begin = None
    if trailer is not None:
        for m in _BEGIN_LINE.finditer(body, 0, trailer.start()):
            begin = m  # the last one: the block's own text holds no marker
    if trailer is None or begin is None:
        return BodyParts("", None, body)
    return BodyParts(
        body[: begin.start()],
        body[begin.start() : trailer.end()],
        body[trailer.end() :],
        trailer.group(1),
        unquote(trailer.group(2)),
    )


def compose_body(head: str, block: str, tail: str) -> str:
    """The new body: people's text above, the managed block, people's text below."""
    return head + block + tail


def key_of(body: str | None) -> str | None:
    """The item key from the trailer of an issue body's managed block, if phasesync wrote one."""
    if not body or BEGIN not in body:
        return None
    return split_body(body).key


def file_of(body: str | None) -> str | None:
    """The document path from the trailer of an issue body's managed block."""
    if not body or BEGIN not in body:
        return None
    return split_body(body).file


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
