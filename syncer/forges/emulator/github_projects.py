"""The GitHub emulator's Projects (v2): boards, their fields and their items, as state.

GitHub's Projects belong to an organization or a user, not to a repository, and are reached
only through GraphQL (`github_graphql` executes the queries and mutations over this state).
What is modelled, as github.com behaves:

* A new board has GitHub's default fields: `Title`, `Assignees`, `Status` (a single select
  with `Todo`, `In Progress`, `Done`), `Labels`, `Milestone`, `Repository`. Custom fields
  are `TEXT`, `NUMBER`, `DATE` and `SINGLE_SELECT` by API; an `ITERATION` field exists only
  when a test sets it up (`add_iteration_field`), as on GitHub, where it is made in the UI.
* Limits phasesync relies on: 50 fields a board, 50 options a single select, and
  `item_limit` items a board (50,000 on github.com since 2025; 1,200 before: a test may set
  it lower). Adding an issue that is already on the board answers its existing item.
* Ids are opaque strings with GitHub's prefixes (`PVT_`, `PVTI_`, `PVTF_`, `PVTSSF_`,
  `PVTIF_`); an option or iteration id is a short hex string.

Test helpers (`add_project`, `item_values`, `set_value`, ...) act on the board directly: they
are not requests and are not logged.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

FIELD_LIMIT = 50
OPTION_LIMIT = 50
ITEM_LIMIT = 50_000
COLORS = ("GRAY", "BLUE", "GREEN", "YELLOW", "ORANGE", "RED", "PINK", "PURPLE")
# Field data types GitHub gives every board, and those a board's custom fields may have.
BUILT_IN = ("TITLE", "ASSIGNEES", "LABELS", "MILESTONE", "REPOSITORY")
CUSTOM_BY_API = ("TEXT", "NUMBER", "DATE", "SINGLE_SELECT")


def _opaque(prefix: str, n: int) -> str:
    return f"{prefix}_" + base64.b64encode(f"emulator-board:{n}".encode()).decode().rstrip("=")


@dataclass
class Option:
    id: str
    name: str
    color: str = "GRAY"
    description: str = ""


@dataclass
class Iteration:
    id: str
    title: str
    start: date
    duration: int = 14  # days


@dataclass
class BoardField:
    id: str
    name: str
    data_type: str  # ProjectV2FieldType
    options: list[Option] = field(default_factory=list)
    iterations: list[Iteration] = field(default_factory=list)

    @property
    def typename(self) -> str:
        if self.data_type == "SINGLE_SELECT":
            return "ProjectV2SingleSelectField"
        if self.data_type == "ITERATION":
            return "ProjectV2IterationField"
        return "ProjectV2Field"


@dataclass
class BoardItem:
    id: str
    content: str  # the node id
    repo: str  # owner/name, lower case
    number: int
    # Field id -> the value as GitHub keeps it: text, a number, an ISO date, an option id
    # or an iteration id.
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Project:
    id: str
    number: int
    owner: str  # login
    owner_type: str  # "Organization" or "User"
    title: str
    fields: list[BoardField] = field(default_factory=list)
    items: list[BoardItem] = field(default_factory=list)
    closed: bool = False

    def field_named(self, name: str) -> BoardField | None:
        return next((f for f in self.fields if f.name.lower() == name.lower()), None)

    def field_by_id(self, field_id: str) -> BoardField | None:
        return next((f for f in self.fields if f.id == field_id), None)

    def item_of(self, content: str) -> BoardItem | None:
        return next((i for i in self.items if i.content == content), None)


class BoardError(Exception):
    """A GraphQL error as GitHub types it (`NOT_FOUND`, `FORBIDDEN`, `UNPROCESSABLE`, ...)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass
class Boards:
    """Every board of the emulated GitHub, by node id."""

    projects: dict[str, Project] = field(default_factory=dict)
    ids: int = 0
    item_limit: int = ITEM_LIMIT
    # Tokens with the `project` scope (None: every token has it). A classic token without
    # it is refused with GitHub's `INSUFFICIENT_SCOPES`.
    project_tokens: set[str] | None = None

    def _next(self, prefix: str) -> str:
        self.ids += 1
        return _opaque(prefix, self.ids)

    def _short(self) -> str:
        self.ids += 1
        return f"{self.ids:08x}"[-8:]

    # --- setup helpers (not requests) ---------------------------------------------------

    def add_project(
        self, owner: str, number: int, *, title: str = "Plan", organization: bool = True
    ) -> Project:
        project = Project(
            self._next("PVT"),
            number,
            owner,
            "Organization" if organization else "User",
            title,
        )
        for name in ("Title", "Assignees"):
            project.fields.append(BoardField(self._next("PVTF"), name, name.upper()))
        status = BoardField(self._next("PVTSSF"), "Status", "SINGLE_SELECT")
        for name, color in (("Todo", "GREEN"), ("In Progress", "YELLOW"), ("Done", "PURPLE")):
            status.options.append(Option(self._short(), name, color))
        project.fields.append(status)
        for name in ("Labels", "Milestone", "Repository"):
            project.fields.append(BoardField(self._next("PVTF"), name, name.upper()))
        self.projects[project.id] = project
        return project

    def add_iteration_field(
        self, project: Project, name: str, titles: list[str], start: date, duration: int = 7
    ) -> BoardField:
        """An iteration field (made in GitHub's UI; the API cannot)."""
        f = BoardField(self._next("PVTIF"), name, "ITERATION")
        for n, title in enumerate(titles):
            f.iterations.append(
                Iteration(self._short(), title, start + timedelta(days=n * duration), duration)
            )
        project.fields.append(f)
        return f

    def find(self, owner: str, number: int, owner_type: str) -> Project | None:
        for p in self.projects.values():
            if p.owner.lower() == owner.lower() and p.number == number:
                return p if p.owner_type == owner_type else None
        return None

    def item_values(self, project: Project, content: str) -> dict[str, Any]:
        """An item's values by field name, as a person sees them (option and iteration
        names, not ids); {} when the issue is not on the board."""
        item = project.item_of(content)
        if item is None:
            return {}
        out: dict[str, Any] = {}
        for field_id, value in item.values.items():
            f = project.field_by_id(field_id)
            if f is None:
                continue
            if f.data_type == "SINGLE_SELECT":
                value = next((o.name for o in f.options if o.id == value), None)
            elif f.data_type == "ITERATION":
                value = next((i.title for i in f.iterations if i.id == value), None)
            out[f.name] = value
        return out

    def set_value(self, project: Project, content: str, name: str, value: Any) -> None:
        """A person's edit on the board: a value by field name (an option by its name)."""
        item = project.item_of(content)
        f = project.field_named(name)
        assert item is not None and f is not None
        if f.data_type == "SINGLE_SELECT":
            value = next(o.id for o in f.options if o.name == value)
        item.values[f.id] = value

    def remove_item(self, project: Project, content: str) -> None:
        """A person takes an issue off the board (its item and values are gone)."""
        project.items = [i for i in project.items if i.content != content]

    # --- what the mutations do (`github_graphql`) ----------------------------------------

    def add_item(self, project: Project, content: str, repo: str, number: int) -> BoardItem:
        """GitHub answers an issue already on the board with its existing item."""
        existing = project.item_of(content)
        if existing is not None:
            return existing
        if len(project.items) >= self.item_limit:
            raise BoardError(
                "UNPROCESSABLE",
                f"The project has reached the maximum number of items ({self.item_limit}).",
            )
        item = BoardItem(self._next("PVTI"), content, repo.lower(), number)
        project.items.append(item)
        return item

    def create_field(
        self, project: Project, data_type: str, name: str, options: list[dict[str, Any]]
    ) -> BoardField:
        if data_type not in CUSTOM_BY_API:
            raise BoardError("UNPROCESSABLE", f"{data_type} fields cannot be created by API.")
        if not name.strip():
            raise BoardError("UNPROCESSABLE", "Name can't be blank")
        if project.field_named(name) is not None:
            raise BoardError("UNPROCESSABLE", "Name has already been taken")
        if len(project.fields) >= FIELD_LIMIT:
            raise BoardError("UNPROCESSABLE", f"Projects can have at most {FIELD_LIMIT} fields.")
        if data_type == "SINGLE_SELECT":
            if not options:
                raise BoardError("UNPROCESSABLE", "Single select fields must have options.")
            if len(options) > OPTION_LIMIT:
                raise BoardError(
                    "UNPROCESSABLE",
                    f"Single select fields can have at most {OPTION_LIMIT} options.",
                )
        prefix = "PVTSSF" if data_type == "SINGLE_SELECT" else "PVTF"
        f = BoardField(self._next(prefix), name, data_type)
        for o in options:
            f.options.append(
                Option(self._short(), str(o["name"]), str(o["color"]), str(o["description"]))
            )
        project.fields.append(f)
        return f

    def set_item_value(
        self, project: Project, item_id: str, field_id: str, value: dict[str, Any]
    ) -> BoardItem:
        item = next((i for i in project.items if i.id == item_id), None)
        if item is None:
            raise BoardError(
                "NOT_FOUND", f"Could not resolve to a node with the global id of '{item_id}'"
            )
        f = project.field_by_id(field_id)
        if f is None:
            raise BoardError(
                "NOT_FOUND", f"Could not resolve to a node with the global id of '{field_id}'"
            )
        given = {k: v for k, v in value.items() if v is not None}
        wanted = {
            "TEXT": "text",
            "NUMBER": "number",
            "DATE": "date",
            "SINGLE_SELECT": "singleSelectOptionId",
            "ITERATION": "iterationId",
        }.get(f.data_type)
        if wanted is None:
            raise BoardError(
                "UNPROCESSABLE", f"The field {f.name} of type {f.data_type} cannot be updated."
            )
        if list(given) != [wanted]:
            raise BoardError(
                "UNPROCESSABLE", f"The value of a {f.data_type} field must be given as `{wanted}`."
            )
        v = given[wanted]
        if f.data_type == "SINGLE_SELECT" and not any(o.id == v for o in f.options):
            raise BoardError("UNPROCESSABLE", "The single select option Id does not exist.")
        if f.data_type == "ITERATION" and not any(i.id == v for i in f.iterations):
            raise BoardError("UNPROCESSABLE", "The iteration Id does not exist.")
        if f.data_type == "DATE":
            v = v.isoformat() if isinstance(v, date) else str(v)
        item.values[f.id] = v
        return item
