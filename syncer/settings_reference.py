"""The configuration reference: one row per key, for the README and `phasesync doctor`."""

from __future__ import annotations

from dataclasses import dataclass

from syncer.settings import ENV_PREFIX, Settings


@dataclass(frozen=True, slots=True)
class SettingInfo:
    """One row of the configuration reference (README, `phasesync doctor`)."""

    key: str
    type: str
    default: str
    env: str
    description: str


def _display_default(name: str) -> str:
    field = Settings.model_fields[name]
    extra = field.json_schema_extra
    if isinstance(extra, dict) and isinstance(extra.get("display_default"), str):
        return str(extra["display_default"])
    value = field.get_default(call_default_factory=True)
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, tuple):
        return "[" + ", ".join(f"`{item}`" for item in value) + "]"
    return f"`{value}`"


def _build_reference() -> tuple[SettingInfo, ...]:
    rows = []
    for name, field in Settings.model_fields.items():
        extra = field.json_schema_extra
        display_type = extra.get("display_type") if isinstance(extra, dict) else None
        rows.append(
            SettingInfo(
                key=name,
                type=str(display_type or field.annotation),
                default=_display_default(name),
                env=ENV_PREFIX + name.upper(),
                description=field.description or "",
            )
        )
    return tuple(rows)


SETTINGS_REFERENCE: tuple[SettingInfo, ...] = _build_reference()


def describe_settings() -> str:
    """The configuration reference as a Markdown table, one row per key."""
    lines = [
        "| key | type | default | environment variable | description |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in SETTINGS_REFERENCE:
        cells = (f"`{row.key}`", row.type, row.default, f"`{row.env}`", row.description)
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"
