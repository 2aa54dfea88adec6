"""Label families of the settings (`labels.phase`, `labels.type`, ...): each a name format
and a colour, checked when the settings load (`syncer.settings.Settings.labels`)."""

from __future__ import annotations

import re
import string
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

_HEX6 = re.compile(r"[0-9a-fA-F]{6}")


def check_format(template: str, allowed: frozenset[str], required: str, what: str) -> str:
    """Accept `template` only if it names nothing but `allowed` fields and names `required`.

    Positional (`{}`) and attribute/index fields (`{name.upper}`) are refused: the first is
    ambiguous, the second would let a configuration file reach into Python objects.
    """
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"{what} is not a valid format string: {exc}") from None
    names = {field for _, field, _, _ in parts if field is not None}
    unknown = sorted(names - allowed)
    if unknown:
        shown = ", ".join("{" + n + "}" for n in unknown)
        allowed_text = " and ".join("{" + n + "}" for n in sorted(allowed))
        raise ValueError(f"{what} may only use {allowed_text}, not {shown}")
    if required not in names:
        # Without it every phase (or kind...) would get the same label or milestone.
        raise ValueError(f"{what} must contain {{{required}}}")
    sample = dict.fromkeys(allowed, "1")
    try:
        template.format(**sample)
    except (ValueError, KeyError, IndexError) as exc:
        raise ValueError(f"{what} is not a valid format string: {exc}") from None
    return template


def _check_color(value: str) -> str:
    # GitHub wants six hex digits without '#', GitLab with it: keep the bare form here and
    # let each adapter add what its forge wants. People copy colours with the '#'.
    bare = value.removeprefix("#")
    if not _HEX6.fullmatch(bare):
        raise ValueError(f"colour {value!r} is not six hex digits such as 'd73a4a'")
    return bare.lower()


class LabelFamily(BaseModel):
    """One family of labels: the name format and the colour given to labels it creates.

    Each subclass names the one placeholder its name format must use.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    placeholder: ClassVar[str] = ""

    name: str
    color: str

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_format(
            value, frozenset({cls.placeholder}), cls.placeholder, "the label name format"
        )

    @field_validator("color")
    @classmethod
    def _color(cls, value: str) -> str:
        return _check_color(value)


class PhaseLabel(LabelFamily):
    placeholder = "number"


class TypeLabel(LabelFamily):
    placeholder = "kind"


class PriorityLabel(LabelFamily):
    placeholder = "priority"


class WeekLabel(LabelFamily):
    placeholder = "week"


class Labels(BaseModel):
    """The label families. Colours are fixed so that a label created twice looks the same."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    phase: PhaseLabel = Field(
        default_factory=lambda: PhaseLabel(name="phase:{number}", color="5319e7"),
        description="`{number}`: the phase number",
    )
    type: TypeLabel = Field(
        default_factory=lambda: TypeLabel(name="type:{kind}", color="1d76db"),
        description="`{kind}`: functional, non-functional, technical or task",
    )
    priority: PriorityLabel = Field(
        default_factory=lambda: PriorityLabel(name="priority:{priority}", color="d93f0b"),
        description="`{priority}`: the item's priority, lower case",
    )
    week: WeekLabel = Field(
        default_factory=lambda: WeekLabel(name="week:{week}", color="0e8a16"),
        description="`{week}`: the task's week number",
    )
