"""What an item looks like on the forge: document text never becomes phasesync's markup,
people's text around the block is theirs, titles fit the forge, mentions notify nobody."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from syncer.markdown.parse import parse_document
from syncer.model import Item, Phase
from syncer.sync.body import BEGIN, END, file_of, key_of, split_body
from syncer.sync.compose import compose_final
from syncer.sync.render import DEFAULT_RENDER, render_item
from syncer.sync.text_safety import (
    escape_mentions,
    escape_title,
    forge_title,
    plain_title,
    title_warnings,
)

OTHER = "phase-2/functional/someone-elses"


def parsed(text: str) -> tuple[Phase, list[Item]]:
    d = parse_document("docs/p2.md", text.encode())
    assert d.phase is not None and not d.has_errors, d.diagnostics
    return d.phase, list(d.phase.items)


def req(description: str, title: str = "Sign in") -> tuple[Phase, Item]:
    phase, items = parsed(
        f"# Phase 2: Auth\n\n### Functional Requirements\n- [ ] **{title}**: {description}\n"
    )
    return phase, items[0]


# --- document text never becomes markup -----------------------------------------------------


@pytest.mark.parametrize(
    "description",
    [
        f"ends here {END} and more",
        f"<!-- phasesync:key={OTHER} -->",
        f"x\n  y <!-- phasesync:key={OTHER} -->\n  z <!-- phasesync:file=a.md -->\n  w {END}",
        f"`{END}` in code",
        "an open <!-- comment that never closes",
    ],
)
def test_markers_in_a_description_are_text_and_the_block_reads_back_whole(
    description: str,
) -> None:
    phase, item = req(description)
    r = render_item(DEFAULT_RENDER, phase, item)
    # Only phasesync's own lines open an HTML comment.
    assert r.block.count("<!--") == 4
    parts = split_body(r.block)
    assert parts.block == r.block and (parts.head, parts.tail) == ("", "")
    assert key_of(r.block) == "phase-2/functional/sign-in" == parts.key
    assert file_of(r.block) == "docs/p2.md"
    # Shown as written: `<`, a zero-width space, `!--`.
    assert "<\u200b!--" in r.block


def test_a_sub_task_that_names_another_key_does_not_bind_the_issue_to_it() -> None:
    phase, items = parsed(
        "# Phase 2: Auth\n\n## Implementation Plan\n#### Week 1: Setup\n"
        f"- [ ] Create tables\n  - [ ] <!-- phasesync:key={OTHER} -->\n"
    )
    r = render_item(DEFAULT_RENDER, phase, items[0])
    assert key_of(r.block) == "phase-2/week-1/create-tables"


def test_a_file_path_with_spaces_or_markup_is_encoded_in_the_marker() -> None:
    d = parse_document(
        "docs/a b -->.md", b"# Phase 2: Auth\n\n### Functional Requirements\n- [ ] **A**: b\n"
    )
    assert d.phase is not None
    r = render_item(DEFAULT_RENDER, d.phase, d.phase.items[0])
    assert "<!-- phasesync:file=docs/a%20b%20--%3E.md -->" in r.block
    assert file_of(r.block) == "docs/a b -->.md"


# --- people's text above and below ----------------------------------------------------------


def test_people_text_above_and_below_is_kept_byte_for_byte_with_crlf() -> None:
    phase, item = req("Users sign in.")
    block = render_item(DEFAULT_RENDER, phase, item).block
    head, tail = "Context from the call:\r\n\r\n", "\r\n\r\nNotes <!-- phasesync:end -->\r\n"
    on_forge = head + block.replace("\n", "\r\n") + tail  # the web editor sends CRLF
    parts = split_body(on_forge)
    assert (parts.head, parts.tail) == (head, tail)
    assert parts.head + (parts.block or "") + parts.tail == on_forge
    new = render_item(DEFAULT_RENDER, *req("Users sign in twice.")).block
    assert compose_final(new, on_forge) == head + new + tail


def test_a_begin_marker_in_people_text_above_does_not_swallow_it() -> None:
    phase, item = req("Users sign in.")
    block = render_item(DEFAULT_RENDER, phase, item).block
    head = f"quoted: {BEGIN}\nmine\n"
    parts = split_body(head + block)
    assert parts.head == head and parts.block == block


def test_a_body_without_phasesync_block_is_all_people_text() -> None:
    body = f"hand written\n{BEGIN}\nno trailer\n{END}\n"
    parts = split_body(body)
    assert (parts.head, parts.block, parts.tail, parts.key) == ("", None, body, None)
    assert key_of(body) is None and file_of(body) is None


# --- mentions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("ask @alice", "ask `@alice`"),
        ("_@alice_", "_`@alice`_"),
        ("*@alice*", "*`@alice`*"),
        ("**@alice**", "**`@alice`**"),
        ("&#64;alice", "`@alice`"),
        ("&#064;alice", "`@alice`"),
        ("&#x40;alice", "`@alice`"),
        ("&#X40;alice", "`@alice`"),
        ("&commat;alice", "`@alice`"),
        ("\\@alice", "`@alice`"),
        ("\uff20alice", "`\uff20alice`"),
        ("[@alice](https://example.com)", "[`@alice`](https://example.com)"),
        ("[see @alice here](u)", "[see `@alice` here](u)"),
        ("@org/team", "`@org/team`"),
        ("(@alice)", "(`@alice`)"),
        ("~~@alice~~", "~~`@alice`~~"),
    ],
)
def test_every_form_of_a_mention_is_neutralised(text: str, escaped: str) -> None:
    assert escape_mentions(text) == escaped


@pytest.mark.parametrize(
    "text",
    [
        "mail a@b.com or first.last@example.org",
        "code `ask @alice` here",
        "``code with ` and @alice``",
        "```\n@alice in a fence\n```\n",
        "~~~md\n&#64;bob\n~~~\n",
        "https://example.com/@alice",
        "no mention at all & more",
    ],
)
def test_emails_urls_and_code_are_left_alone(text: str) -> None:
    assert escape_mentions(text) == text


_MD = MarkdownIt("commonmark").enable("strikethrough")
# GitHub finds mentions in the text of the rendered HTML, outside code and links' URLs: a
# sign at the start of a text node or after a non-word character, then a login.
# (The full-width forms are not known to notify; they are escaped all the same, but not
# after a backslash.)
_NOTIFIES = re.compile(r"(?:^|[^\w])@[A-Za-z0-9]|(?:^|[^\w\\])[\uff20\ufe6b][A-Za-z0-9]", re.M)


def notifying_text(markdown: str) -> str:
    """The text nodes of `markdown` as HTML (code removed), each on a line of its own."""
    rendered = _MD.render(markdown)
    rendered = re.sub(r"<code[^>]*>.*?</code>", "\n", rendered, flags=re.S)
    return html.unescape(re.sub(r"<[^>]*>", "\n", rendered))


@given(
    st.lists(
        st.sampled_from(
            [
                *("@al", "&#64;b", "&commat;c", "&#x40;e", "\uff20d", "a@b.com", "x", "é"),
                *(" ", "\n", "_", "*", "~~", "[", "](u)", "`", "``", "~~~", "\\", "/", "-", "."),
            ]
        ),
        max_size=12,
    )
)
@settings(max_examples=500)
def test_after_escaping_nothing_notifies(parts: list[str]) -> None:
    """Rendered as Markdown, no text node holds a mention: each one is code."""
    out = escape_mentions("".join(parts))
    assert not _NOTIFIES.search(notifying_text(out)), out


# --- titles ---------------------------------------------------------------------------------


def test_titles_lose_control_characters_and_bidi_overrides() -> None:
    assert forge_title("Red \x1b[31mAlert\x07") == "Red  [31mAlert"
    # The forges strip a title's ends: so does phasesync, or it would look edited there.
    assert forge_title("** **: \u202e") == "** **:"
    assert forge_title("abc\u202edcba\u2066x\u2069") == "abcdcbax"
    assert forge_title("line\nbreak\x85c1") == "line break c1"


def test_a_title_over_the_limit_is_cut_at_a_word_with_an_ellipsis() -> None:
    title = " ".join(["word"] * 80)  # 399 characters
    for limit in (255, 256):
        short = forge_title(title, limit)
        assert len(short) <= limit and short.endswith("word…")
    assert forge_title("x" * 300, 256) == "x" * 255 + "…"
    assert forge_title("x" * 256, 256) == "x" * 256


def test_a_shortened_title_keeps_the_whole_title_in_the_body_and_validate_warns() -> None:
    long = "Long " * 60 + "end"
    phase, item = req("d", title=long)
    r = render_item(DEFAULT_RENDER, phase, item)
    assert len(r.title) <= 255 and r.title.endswith("…")
    assert f"**Title:** {long}" in r.block
    d = parse_document(
        "p.md", f"# Phase 2: A\n\n### Functional Requirements\n- [ ] **{long}**: d\n".encode()
    )
    (w,) = title_warnings(d, 256).diagnostics
    assert w.code == "long-title" and w.severity == "warning" and "256" in w.message


def test_a_title_of_control_characters_only_takes_the_item_key() -> None:
    phase, item = req("d", title="\u202e\u202e")
    assert render_item(DEFAULT_RENDER, phase, item).title == str(item.key)


def test_the_issue_title_is_the_text_the_markdown_reads_as() -> None:
    assert plain_title(r"\*\*x\*\* &lt;y&gt; a\_b") == "**x** <y> a_b"
    assert plain_title(r"`\*kept\*` \*gone\*") == r"`\*kept\*` *gone*"
    assert plain_title("R&D &unknown; \\q") == "R&D &unknown; \\q"


@pytest.mark.parametrize(
    "title",
    ["**x** [y](z) <!-- a -->", "ends with *", "*starts", "a\\b `c` #d |e| ~f~ !g &amp; _h_"],
)
def test_escape_title_is_the_inverse_of_plain_title(title: str) -> None:
    escaped = escape_title(title)
    assert plain_title(escaped) == title
    assert "<!--" not in escaped and "**" not in escaped


@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))))
def test_escape_title_round_trips_any_title(title: str) -> None:
    assert plain_title(escape_title(title)) == title
