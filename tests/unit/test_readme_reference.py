"""README's configuration reference is `describe_settings()`, byte for byte: it cannot drift
from the settings model. Regenerate it with:

    python -c "from syncer.settings_reference import describe_settings as d; print(d(), end='')"
"""

from __future__ import annotations

from pathlib import Path

from syncer.settings_reference import SETTINGS_REFERENCE, describe_settings

README = Path(__file__).resolve().parents[2] / "README.md"
BEGIN, END = "<!-- settings-reference:begin -->\n", "<!-- settings-reference:end -->"


def reference_block(text: str) -> str:
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    return text.split(BEGIN, 1)[1].split(END, 1)[0]


def test_readme_reference_is_generated_from_the_settings_model() -> None:
    assert reference_block(README.read_text(encoding="utf-8")) == describe_settings()


def test_reference_has_one_row_per_key() -> None:
    rows = [r for r in describe_settings().splitlines() if r.startswith("| `")]
    assert [r.split("`")[1] for r in rows] == [s.key for s in SETTINGS_REFERENCE]
    assert {"forge", "repo", "token", "paths", "labels", "milestone_title"} <= {
        s.key for s in SETTINGS_REFERENCE
    }


def test_a_stale_reference_is_caught() -> None:
    # The comparison above is not vacuous: a README edited by hand differs.
    text = README.read_text(encoding="utf-8")
    stale = text.replace("| `lock_file` |", "| `lockfile` |")
    assert stale != text
    assert reference_block(stale) != describe_settings()
