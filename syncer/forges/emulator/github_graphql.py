"""The GitHub emulator's `POST /graphql`: a subset of GitHub's GraphQL schema, executed.

The queries are really executed (`graphql-core`) against `github_graphql_schema`, written in
SDL as a faithful subset of GitHub's public schema: the types, fields, arguments and mutations
phasesync's project board uses (`ProjectV2`, its fields and items, their values,
`addProjectV2ItemById`, `updateProjectV2ItemFieldValue`, `createProjectV2Field`,
`repository { issue }`, `node(id:)`). A query naming anything else fails validation, as on
GitHub. Resolvers read and change the emulator's state (`github_projects.Boards`, the
repositories' issues).

Answers are GitHub's: HTTP 200 with `data` and, for what failed, `errors` whose entries carry
GitHub's `type` (`NOT_FOUND`, `FORBIDDEN`, `INSUFFICIENT_SCOPES`, `UNPROCESSABLE`,
`EXCESSIVE_PAGINATION`, ...), `path`, `locations` and `message`; a field that failed is null
and the rest of the answer stands (several aliased mutations in one request: each succeeds or
fails alone, in order). A connection asks for `first` between 1 and 100. A token without
the `project` scope is refused on every board field (`INSUFFICIENT_SCOPES`), and a token
without write access to the repositories cannot change a board (`FORBIDDEN`).
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError, graphql_sync

from syncer.forges.emulator.core import Reply, Request
from syncer.forges.emulator.github_graphql_schema import schema
from syncer.forges.emulator.github_model import Issue, Repo, node_id
from syncer.forges.emulator.github_projects import BoardError, BoardField, BoardItem, Project

if TYPE_CHECKING:
    from syncer.forges.emulator.github import GitHubEmulator


MAX_PAGE = 100  # GitHub's `first` limit on every connection
READ_SCOPES, WRITE_SCOPES = "['read:project']", "['project']"
Obj = dict[str, Any]


@dataclass
class Ctx:
    emu: GitHubEmulator
    level: str
    token: str
    web: str

    def scoped(self, what: str, write: bool = False) -> None:
        """Refuse a board field to a token without the `project` scope."""
        allowed = self.emu.boards.project_tokens
        if allowed is not None and self.token not in allowed:
            raise BoardError(
                "INSUFFICIENT_SCOPES",
                "Your token has not been granted the required scopes to execute this query. "
                f"The '{what}' field requires one of the following scopes: "
                f"{WRITE_SCOPES if write else READ_SCOPES}, but your token has only been "
                "granted the: ['repo'] scopes. Please modify your token's granted scopes at: "
                "https://github.com/settings/tokens.",
            )

    def writer(self, what: str) -> None:
        self.scoped(what, write=True)
        if self.level in ("read", "triage"):
            raise BoardError(
                "FORBIDDEN", f"Resource not accessible by personal access token ({what})"
            )


def _page(
    rows: Sequence[Any], first: int | None, after: str | None, what: str, make: Callable[[Any], Obj]
) -> Obj:
    if first is None:
        raise BoardError(
            "MISSING_PAGINATION_BOUNDARIES",
            f"You must provide a `first` or `last` value to properly paginate the `{what}` "
            "connection.",
        )
    if first > MAX_PAGE or first < 0:
        raise BoardError(
            "EXCESSIVE_PAGINATION",
            f"Requesting {first} records on the `{what}` connection exceeds the `first` limit "
            f"of {MAX_PAGE} records.",
        )
    start = 0
    if after:
        try:
            start = int(base64.b64decode(after.encode()).decode().split(":", 1)[1])
        except (ValueError, IndexError, UnicodeDecodeError):
            raise BoardError(
                "INVALID_CURSOR_ARGUMENTS", f"`{after}` does not appear to be a valid cursor."
            ) from None
    chunk = list(rows[start : start + first])
    end = start + len(chunk)
    return {
        "nodes": [make(r) for r in chunk],
        "totalCount": len(rows),
        "pageInfo": {
            "hasNextPage": end < len(rows),
            "hasPreviousPage": start > 0,
            "startCursor": _cursor(start + 1) if chunk else None,
            "endCursor": _cursor(end) if chunk else None,
        },
    }


def _cursor(n: int) -> str:
    return base64.b64encode(f"cursor:{n}".encode()).decode()


class Resolvers:
    """The root value: each query and mutation field, and the objects they answer."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.emu = ctx.emu

    # --- objects ---------------------------------------------------------------------------

    def owner(self, login: str, kind: str) -> Obj:
        def project(info: Any, number: int) -> Obj | None:
            self.ctx.scoped("projectV2")
            p = self.emu.boards.find(login, number, kind)
            if p is None:
                raise BoardError(
                    "NOT_FOUND", f"Could not resolve to a ProjectV2 with the number {number}."
                )
            return self.project(p)

        return {
            "__typename": kind,
            "id": node_id(
                "O" if kind == "Organization" else "U", zlib.crc32(login.lower().encode())
            ),
            "login": login,
            "projectV2": project,
        }

    def project(self, p: Project) -> Obj:
        path = "orgs" if p.owner_type == "Organization" else "users"

        def field(info: Any, name: str) -> Obj | None:
            f = p.field_named(name)
            return self.field(p, f) if f is not None else None

        return {
            "__typename": "ProjectV2",
            "id": p.id,
            "number": p.number,
            "title": p.title,
            "closed": p.closed,
            "url": f"{self.ctx.web}/{path}/{p.owner}/projects/{p.number}",
            "owner": lambda info: self.owner(p.owner, p.owner_type),
            "field": field,
            "fields": lambda info, first=None, after=None: _page(
                p.fields, first, after, "fields", lambda f: self.field(p, f)
            ),
            "items": lambda info, first=None, after=None: _page(
                p.items, first, after, "items", lambda i: self.item(p, i)
            ),
        }

    def field(self, p: Project, f: BoardField) -> Obj:
        out: Obj = {
            "__typename": f.typename,
            "id": f.id,
            "name": f.name,
            "dataType": f.data_type,
            "project": lambda info: self.project(p),
        }
        if f.data_type == "SINGLE_SELECT":

            def options(info: Any, names: list[str] | None = None) -> list[Obj]:
                return [
                    {"id": o.id, "name": o.name, "color": o.color, "description": o.description}
                    for o in f.options
                    if names is None or o.name in names
                ]

            out["options"] = options
        if f.data_type == "ITERATION":
            today = self.emu.now().date()
            its = [
                {
                    "id": i.id,
                    "title": i.title,
                    "startDate": i.start.isoformat(),
                    "duration": i.duration,
                }
                for i in f.iterations
            ]
            done = [
                x
                for x, i in zip(its, f.iterations, strict=True)
                if (i.start.toordinal() + i.duration) <= today.toordinal()
            ]
            out["configuration"] = {
                "duration": f.iterations[0].duration if f.iterations else 14,
                "startDay": f.iterations[0].start.isoweekday() if f.iterations else 1,
                "iterations": [x for x in its if x not in done],
                "completedIterations": done,
            }
        return out

    def item(self, p: Project, i: BoardItem) -> Obj:
        def values(info: Any, first: int | None = None, after: str | None = None) -> Obj:
            rows = [(p.field_by_id(k), v) for k, v in i.values.items()]
            kept = [(f, v) for f, v in rows if f is not None]
            return _page(kept, first, after, "fieldValues", lambda fv: self.value(p, i, *fv))

        def by_name(info: Any, name: str) -> Obj | None:
            f = p.field_named(name)
            if f is None or f.id not in i.values:
                return None
            return self.value(p, i, f, i.values[f.id])

        return {
            "__typename": "ProjectV2Item",
            "id": i.id,
            "type": "ISSUE",
            "isArchived": False,
            "project": lambda info: self.project(p),
            "content": lambda info: self._content(i),
            "fieldValues": values,
            "fieldValueByName": by_name,
        }

    def _content(self, i: BoardItem) -> Obj | None:
        repo = self.emu.repos.get(i.repo)
        issue = repo.issues.get(i.number) if repo is not None else None
        return self.issue(repo, issue) if repo is not None and issue is not None else None

    def value(self, p: Project, i: BoardItem, f: BoardField, v: Any) -> Obj:
        base: Obj = {"field": self.field(p, f), "item": lambda info: self.item(p, i)}
        if f.data_type == "SINGLE_SELECT":
            name = next((o.name for o in f.options if o.id == v), None)
            return {
                **base,
                "__typename": "ProjectV2ItemFieldSingleSelectValue",
                "name": name,
                "optionId": v,
            }
        if f.data_type == "ITERATION":
            it = next(x for x in f.iterations if x.id == v)
            return {
                **base,
                "__typename": "ProjectV2ItemFieldIterationValue",
                "iterationId": it.id,
                "title": it.title,
                "startDate": it.start.isoformat(),
                "duration": it.duration,
            }
        kind = {"NUMBER": "Number", "DATE": "Date"}.get(f.data_type, "Text")
        key = kind.lower()
        return {**base, "__typename": f"ProjectV2ItemField{kind}Value", key: v}

    def repo(self, r: Repo) -> Obj:
        def issue(info: Any, number: int) -> Obj | None:
            found = r.issues.get(number)
            if found is None or found.is_pull_request:
                raise BoardError(
                    "NOT_FOUND", f"Could not resolve to an Issue with the number of {number}."
                )
            return self.issue(r, found)

        return {
            "__typename": "Repository",
            "id": node_id("R", r.id),
            "name": r.name,
            "nameWithOwner": r.full_name,
            "issue": issue,
        }

    def issue(self, r: Repo, i: Issue) -> Obj:
        content = node_id("I", i.id)

        def items(info: Any, first: int | None = None, after: str | None = None) -> Obj:
            self.ctx.scoped("projectItems")
            rows = [
                (p, it)
                for p in self.emu.boards.projects.values()
                for it in p.items
                if it.content == content
            ]
            return _page(rows, first, after, "projectItems", lambda pi: self.item(*pi))

        return {
            "__typename": "Issue",
            "id": content,
            "number": i.number,
            "title": i.title,
            "state": i.state.upper(),
            "url": f"{self.ctx.web}/{r.full_name}/issues/{i.number}",
            "repository": lambda info: self.repo(r),
            "projectItems": items,
        }

    def _issue_by_node(self, content: str) -> tuple[Repo, Issue] | None:
        for r in self.emu.repos.values():
            for i in r.issues.values():
                if node_id("I", i.id) == content and not i.is_pull_request:
                    return r, i
        return None

    def _project_by_id(self, project_id: str) -> Project:
        p = self.emu.boards.projects.get(project_id)
        if p is None:
            raise BoardError(
                "NOT_FOUND", f"Could not resolve to a node with the global id of '{project_id}'"
            )
        return p

    # --- Query -------------------------------------------------------------------------------

    def organization(self, info: Any, login: str) -> Obj:
        if not any(
            p.owner.lower() == login.lower() and p.owner_type == "Organization"
            for p in self.emu.boards.projects.values()
        ) and not any(r.owner.login.lower() == login.lower() for r in self.emu.repos.values()):
            raise BoardError(
                "NOT_FOUND", f"Could not resolve to an Organization with the login of '{login}'."
            )
        return self.owner(login, "Organization")

    def user(self, info: Any, login: str) -> Obj:
        known = {self.emu.user.login.lower(), *(u.lower() for u in self.emu._users)}
        known |= {r.owner.login.lower() for r in self.emu.repos.values()}
        known |= {
            p.owner.lower() for p in self.emu.boards.projects.values() if p.owner_type == "User"
        }
        if login.lower() not in known:
            raise BoardError(
                "NOT_FOUND", f"Could not resolve to a User with the login of '{login}'."
            )
        return self.owner(login, "User")

    def repository(self, info: Any, owner: str, name: str) -> Obj:
        r = self.emu.repos.get(f"{owner}/{name}".lower())
        if r is None:
            raise BoardError(
                "NOT_FOUND", f"Could not resolve to a Repository with the name '{owner}/{name}'."
            )
        return self.repo(r)

    def node(self, info: Any, id: str) -> Obj:
        for p in self.emu.boards.projects.values():
            if p.id == id:
                self.ctx.scoped("node")
                return self.project(p)
            for f in p.fields:
                if f.id == id:
                    return self.field(p, f)
            for i in p.items:
                if i.id == id:
                    return self.item(p, i)
        found = self._issue_by_node(id)
        if found is not None:
            return self.issue(*found)
        raise BoardError("NOT_FOUND", f"Could not resolve to a node with the global id of '{id}'")

    # --- Mutation ----------------------------------------------------------------------------

    def addProjectV2ItemById(self, info: Any, input: Obj) -> Obj:
        self.ctx.writer("addProjectV2ItemById")
        p = self._project_by_id(input["projectId"])
        found = self._issue_by_node(input["contentId"])
        if found is None:
            raise BoardError(
                "NOT_FOUND",
                f"Could not resolve to a node with the global id of '{input['contentId']}'",
            )
        r, i = found
        item = self.emu.boards.add_item(p, node_id("I", i.id), r.full_name, i.number)
        return {"clientMutationId": input.get("clientMutationId"), "item": self.item(p, item)}

    def updateProjectV2ItemFieldValue(self, info: Any, input: Obj) -> Obj:
        self.ctx.writer("updateProjectV2ItemFieldValue")
        p = self._project_by_id(input["projectId"])
        value = dict(input["value"])
        if value.get("date") is not None:
            try:
                date.fromisoformat(str(value["date"]))
            except ValueError:
                raise BoardError(
                    "UNPROCESSABLE", f"'{value['date']}' is not a valid date"
                ) from None
        item = self.emu.boards.set_item_value(p, input["itemId"], input["fieldId"], value)
        return {
            "clientMutationId": input.get("clientMutationId"),
            "projectV2Item": self.item(p, item),
        }

    def createProjectV2Field(self, info: Any, input: Obj) -> Obj:
        self.ctx.writer("createProjectV2Field")
        p = self._project_by_id(input["projectId"])
        options = list(input.get("singleSelectOptions") or [])
        f = self.emu.boards.create_field(p, input["dataType"], input["name"], options)
        return {
            "clientMutationId": input.get("clientMutationId"),
            "projectV2Field": self.field(p, f),
        }


def _error(err: GraphQLError) -> Obj:
    out: Obj = {}
    original = err.original_error
    if isinstance(original, BoardError):
        out["type"] = original.kind
    if err.path is not None:
        out["path"] = list(err.path)
    if err.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in err.locations]
    if not isinstance(original, BoardError):
        out["extensions"] = {
            "code": "undefinedField" if "Cannot query" in err.message else "invalidQuery"
        }
    out["message"] = original.message if isinstance(original, BoardError) else err.message
    return out


def handle(emu: GitHubEmulator, request: Request, level: str, web: str) -> Reply:
    """Answer one `POST /graphql`, as GitHub does (HTTP 200, `data` and `errors`)."""
    try:
        body = request.json()
    except ValueError:
        return Reply(400, {"message": "Problems parsing JSON"})
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return Reply(
            200,
            {"errors": [{"message": "A query attribute must be specified and must be a string."}]},
        )
    variables = body.get("variables") or {}
    if not isinstance(variables, dict):
        return Reply(200, {"errors": [{"message": "Variables are invalid JSON."}]})
    auth = request.header("authorization") or ""
    token = auth.partition(" ")[2].strip()
    resolvers = Resolvers(Ctx(emu, level, token, web))
    result = graphql_sync(
        schema(),
        body["query"],
        root_value=resolvers,
        variable_values=variables,
        operation_name=body.get("operationName"),
    )
    out: Obj = {}
    if result.data is not None or result.errors is None:
        out["data"] = result.data
    if result.errors:
        out["errors"] = [_error(e) for e in result.errors]
    # Round-trip through JSON: what the client receives is plain JSON, nothing else.
    return Reply(200, json.loads(json.dumps(out)))
