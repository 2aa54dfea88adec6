"""Which issue is an item's: whose key markers count, which lines share one issue.

A key marker (`<!-- phasesync:key=... -->`) is text in an issue body, and on a public
repository anyone can open an issue and write one: the keys are in the committed
documents. So a marker binds an item only in an issue phasesync may trust:

* one the lock knows (the lock is the repository's, written by phasesync's own runs);
* one opened by the user phasesync's creations are made by (`ForgeState.creators`, or
  the token's user as the forge names it: `Forge.trusted_authors`);
* one opened by someone with write access (GitHub's `author_association`; GitLab's
  project members of the Developer role or more, through `Forge.trusted_authors`).

Everyone else's marker is data: ignored for identity, and named in the plan's notes.

Two open trusted issues with one key (two checkouts that pushed the same new items at
once, or a create the forge applied after the client gave up) are one item: the issue the
lock knows is kept, else the oldest, and the others are closed as duplicates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from syncer.forges.base import RemoteIssue
from syncer.model import Diagnostic, Document, Item, Severity
from syncer.sync.body import key_of

TrustedIssue = Callable[[RemoteIssue], bool]


def trust_rule(
    known_numbers: Iterable[int], creators: Iterable[str], trusted_authors: Iterable[str]
) -> TrustedIssue:
    """Whether an issue's key marker may bind an item (see the module doc)."""
    known = frozenset(known_numbers)
    people = frozenset(creators) | frozenset(trusted_authors)

    def trusted(issue: RemoteIssue) -> bool:
        return (
            issue.number in known
            or issue.author_trusted is True
            or (bool(issue.author) and issue.author in people)
        )

    return trusted


def marker_authors_to_check(
    issues: Iterable[RemoteIssue],
    known_numbers: Iterable[int],
    creators: Iterable[str],
    *,
    every: bool = False,
) -> frozenset[str]:
    """Authors of marker-bearing issues (of every issue with `every`, for `--adopt`) that
    neither the lock nor the listing vouches for: what `Forge.trusted_authors` is asked
    about (nothing, in the steady state)."""
    known, people = frozenset(known_numbers), frozenset(creators)
    return frozenset(
        i.author
        for i in issues
        if i.author
        and i.author_trusted is not True
        and i.number not in known
        and i.author not in people
        and (every or key_of(i.body) is not None)
    )


@dataclass(frozen=True, slots=True)
class MarkerIndex:
    """The listed issues by key marker, trusted ones only."""

    by_key: Mapping[str, RemoteIssue]  # the issue each key stands for
    # Every trusted issue with the key, oldest first, where there are several.
    same_key: Mapping[str, tuple[RemoteIssue, ...]] = field(default_factory=dict)
    forged: tuple[tuple[str, RemoteIssue], ...] = ()  # (key, issue) of untrusted markers


def index_markers(
    issues: Sequence[RemoteIssue], trusted: TrustedIssue, lock_issue: Mapping[str, int]
) -> MarkerIndex:
    """Index trusted markers; for a key on several issues, the lock's issue wins, else the
    oldest (lowest number)."""
    found: dict[str, list[RemoteIssue]] = {}
    forged: list[tuple[str, RemoteIssue]] = []
    for issue in sorted(issues, key=lambda i: i.number):
        key = key_of(issue.body)
        if key is None:
            continue
        if trusted(issue):
            found.setdefault(key, []).append(issue)
        else:
            forged.append((key, issue))
    by_key: dict[str, RemoteIssue] = {}
    same_key: dict[str, tuple[RemoteIssue, ...]] = {}
    for key, candidates in found.items():
        mine = lock_issue.get(key)
        by_key[key] = next((i for i in candidates if i.number == mine), candidates[0])
        if len(candidates) > 1:
            same_key[key] = tuple(candidates)
    return MarkerIndex(by_key, same_key, tuple(forged))


def duplicate_marker(key: str) -> str:
    """The hidden line of a duplicate's closing comment: a rerun does not post it twice."""
    return f"<!-- phasesync:duplicate={key} -->"


def duplicate_comment(key: str, kept: int) -> str:
    return (
        f"phasesync: this issue duplicates #{kept}: both carry the item `{key}` (two runs "
        "created it at once, or the forge finished a create after phasesync stopped "
        f"waiting). #{kept} is kept; this one is closed.\n\n{duplicate_marker(key)}"
    )


@dataclass(frozen=True, slots=True)
class SharedLink:
    """Two or more items whose lines link the same issue (a copied line or document)."""

    number: int
    items: tuple[Item, ...]  # in document order


def shared_links(docs: Sequence[Document]) -> list[SharedLink]:
    """Issues linked from more than one item line, across all `docs`."""
    by_url: dict[str, list[Item]] = {}
    for doc in docs:
        for item in doc.items:
            if item.link is not None:
                by_url.setdefault(item.link.url, []).append(item)
    return [
        SharedLink(items[0].link.number, tuple(items))  # type: ignore[union-attr]
        for items in by_url.values()
        if len(items) > 1
    ]


def shared_link_message(number: int, other: Item) -> str:
    return (
        f"links issue #{number}, as {other.pos.file}:{other.pos.line} does; one issue "
        "cannot be two items: remove the copied link"
    )


def with_shared_link_errors(docs: Sequence[Document]) -> list[Document]:
    """`docs` with an error at every line that links an issue another line links too (for
    `validate`; `plan` reports the same as a conflict and leaves the copy alone)."""
    extra: dict[str, list[Diagnostic]] = {}
    for shared in shared_links(docs):
        for item in shared.items:
            other = next(i for i in shared.items if i is not item)
            extra.setdefault(item.pos.file, []).append(
                Diagnostic(
                    item.pos.file,
                    item.pos.line,
                    1,
                    Severity.ERROR,
                    "shared-link",
                    shared_link_message(shared.number, other),
                )
            )
    out = []
    for doc in docs:
        added = extra.get(doc.path)
        if added:
            merged = sorted((*doc.diagnostics, *added), key=lambda d: (d.line, d.col))
            doc = replace(doc, diagnostics=tuple(merged))
        out.append(doc)
    return out
