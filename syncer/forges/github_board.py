"""A GitHub project board (Projects v2) through GraphQL, on `GitHubForge`'s own requester.

PyGithub has no Projects v2 API, but its `Requester` posts GraphQL (`graphql_url`, the
token, the session guard of `github_session`, the retries and errors of `GitHubForge._run`):
every request here is one `requestJsonAndCheck("POST", graphql_url)`, never a second HTTP
stack. `Requester.graphql_query` is not used: it raises on the first error of an answer,
and an answer to several aliased mutations may hold one error and the rest done.

Requests (each counted in `requests`):

- `read()`: the board, its fields with their options and iterations: one query (a board
  has at most 50 fields: one page).
- `content_ids(numbers)`: each issue's global id (what `addProjectV2ItemById` takes), by
  `repository { i<N>: issue(number: N) { id } }`: one query per 100 issues.
- `add_items`, `set_values`: aliased mutations, `BATCH` to a request. Adding an issue that
  is on the board already answers its item (GitHub's behaviour), and a value sent twice is
  the same value: both are safe to send again, and are retried like a PATCH.
- `create_field`: one mutation.

Everything a document says goes in GraphQL variables, never in the query text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from github.GithubException import RateLimitExceededException

from syncer.errors import ConfigError, NotFound, PermissionDenied, ValidationFailed

if TYPE_CHECKING:
    from syncer.forges.github import GitHubForge

FORGE = "github"
BATCH = 50  # mutations a request: GitHub has no fixed ceiling; 50 keeps each answer small
LOOKUP = 100  # issues looked up a request
RATE_LIMITED = ("RATE_LIMITED", "RATE_LIMIT")  # GitHub's GraphQL error types for the limit
PROJECT_URL = re.compile(
    r"/(?P<kind>orgs|users)/(?P<owner>[A-Za-z0-9-]+)/projects/(?P<number>\d+)/?"
)
SCOPE_HELP = (
    "a project board needs a token with the `project` scope (a classic token: tick "
    "`project`; a fine-grained token: the organization permission `Projects: Read and "
    "write`, which a user's own board cannot grant: use a classic token there; the Actions "
    "`GITHUB_TOKEN` cannot reach Projects)"
)


def setting_problem(forge: str, project: str, status: Sequence[str]) -> str | None:
    """What is wrong with the `project` and `project_status` settings, if anything (the
    settings' validator: a GitLab board, a URL that names no board, a blank name)."""
    if not project.strip():
        return None
    if forge != "github":
        return (
            "project: a project board is GitHub's (Projects); GitLab has none to fill: "
            "leave `project` empty"
        )
    if any(not name.strip() for name in status):
        return 'project_status: two option names, such as ["Todo", "Done"]'
    if PROJECT_URL.fullmatch(urlsplit(project.strip()).path) is None:
        return (
            "project: must be the URL of a GitHub project board, such as "
            "https://github.com/orgs/ORG/projects/5 or https://github.com/users/USER/projects/2"
        )
    return None


@dataclass(frozen=True, slots=True)
class BoardRef:
    """Where a board is: `https://github.com/orgs/acme/projects/5`."""

    owner: str
    number: int
    organization: bool
    url: str


def parse_project_url(url: str, web_url: str = "https://github.com") -> BoardRef:
    """The board a `project` setting names; `ConfigError` when it names none."""
    split = urlsplit(url.strip())
    home = urlsplit(web_url)
    match = PROJECT_URL.fullmatch(split.path)
    if split.scheme not in ("https", "http") or match is None:
        raise ConfigError(
            f"`project` is the URL of a GitHub project board, such as "
            f"{web_url}/orgs/ORG/projects/5 or {web_url}/users/USER/projects/2; not {url!r}",
            key="project",
        )
    if split.netloc.lower() != home.netloc.lower():
        raise ConfigError(
            f"`project` names a board on {split.netloc}, but the repository is on {home.netloc}",
            key="project",
        )
    return BoardRef(
        match["owner"], int(match["number"]), match["kind"] == "orgs", url.strip().rstrip("/")
    )


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class FieldInfo:
    id: str
    name: str
    data_type: str  # ProjectV2FieldType: TEXT, NUMBER, DATE, SINGLE_SELECT, ITERATION, ...
    options: tuple[Choice, ...] = ()  # a single select's options
    iterations: tuple[Choice, ...] = ()  # an iteration field's (current and completed)


@dataclass(frozen=True, slots=True)
class BoardInfo:
    id: str
    title: str
    url: str
    fields: tuple[FieldInfo, ...]

    def field(self, name: str) -> FieldInfo | None:
        return next((f for f in self.fields if f.name.casefold() == name.casefold()), None)


@dataclass(frozen=True, slots=True)
class ValueWrite:
    """One field value of one item: `kind` is the `ProjectV2FieldValue` key (`text`,
    `number`, `date`, `singleSelectOptionId`, `iterationId`)."""

    item: str
    field: str
    kind: str
    value: str | float


_FIELDS = """
fields(first: 100) { nodes {
  __typename
  ... on ProjectV2FieldCommon { id name dataType }
  ... on ProjectV2SingleSelectField { options { id name } }
  ... on ProjectV2IterationField { configuration {
    iterations { id title } completedIterations { id title } } }
} }"""


def _field(node: Mapping[str, Any]) -> FieldInfo | None:
    if not isinstance(node, Mapping) or not isinstance(node.get("id"), str):
        return None
    options = tuple(
        Choice(str(o["id"]), str(o["name"])) for o in node.get("options") or () if "id" in o
    )
    config = node.get("configuration") or {}
    iterations = tuple(
        Choice(str(i["id"]), str(i["title"]))
        for i in [*(config.get("iterations") or ()), *(config.get("completedIterations") or ())]
        if "id" in i
    )
    return FieldInfo(
        str(node["id"]), str(node.get("name") or ""), str(node.get("dataType") or ""),
        options, iterations,
    )  # fmt: skip


class GitHubBoard:
    """One board, reached through `forge`'s requester."""

    def __init__(self, forge: GitHubForge, ref: BoardRef) -> None:
        self.forge = forge
        self.ref = ref
        self.requests = 0
        self.writes = 0  # requests that carried mutations
        self.gone_items: set[str] = set()  # items a value write found no longer there
        # Called before each request that carries mutations: the caller's pacing and
        # write budget (it may raise to stop).
        self.before_write: Callable[[], None] = lambda: None

    # --- the one request ----------------------------------------------------------------

    def _post(
        self, op: str, query: str, variables: Mapping[str, Any], *, write: bool = False
    ) -> dict[str, Any]:
        """One GraphQL request: its answer as `{"data": ..., "errors": [...]}`."""
        if write:
            self.before_write()
            self.writes += 1
        requester = self.forge._requester
        body = {"query": query, "variables": dict(variables)}

        def send() -> dict[str, Any]:
            self.requests += 1
            headers, data = requester.requestJsonAndCheck("POST", requester.graphql_url, input=body)
            data = data if isinstance(data, dict) else {}
            for error in data.get("errors") or ():
                if isinstance(error, dict) and error.get("type") in RATE_LIMITED:
                    # HTTP 200 on GraphQL: made the rate-limit answer REST gives, so that
                    # `_run` waits for the reset its headers name and sends it again.
                    message = str(error.get("message") or "API rate limit exceeded")
                    raise RateLimitExceededException(403, {"message": message}, headers)
            return data

        return self.forge._run(op, send, idempotent=True)

    def _refused(self, op: str, errors: Sequence[Mapping[str, Any]]) -> Exception:
        first = errors[0] if errors else {}
        kind, message = str(first.get("type") or ""), str(first.get("message") or "refused")
        if kind == "INSUFFICIENT_SCOPES":
            return PermissionDenied(FORGE, op, f"{SCOPE_HELP}. GitHub said: {message}", 403)
        if kind == "NOT_FOUND":
            return NotFound(
                FORGE, op, f"{self.ref.url} not found, or the token cannot see it ({message})", 404
            )
        if kind == "FORBIDDEN":
            return PermissionDenied(FORGE, op, f"{message}; {SCOPE_HELP}", 403)
        return ValidationFailed(FORGE, op, message, 422)

    # --- reading ------------------------------------------------------------------------

    def read(self) -> BoardInfo:
        owner = "organization" if self.ref.organization else "user"
        query = (
            f"query($login: String!, $number: Int!) {{ owner: {owner}(login: $login) {{ "
            f"projectV2(number: $number) {{ id title url {_FIELDS} }} }} }}"
        )
        op = f"read the project board {self.ref.url}"
        answer = self._post(op, query, {"login": self.ref.owner, "number": self.ref.number})
        project = ((answer.get("data") or {}).get("owner") or {}).get("projectV2")
        if answer.get("errors") or not isinstance(project, Mapping):
            raise self._refused(op, answer.get("errors") or [{"type": "NOT_FOUND"}])
        nodes = (project.get("fields") or {}).get("nodes") or ()
        fields = tuple(f for f in (_field(n) for n in nodes) if f is not None)
        return BoardInfo(str(project["id"]), str(project.get("title") or ""), self.ref.url, fields)

    def content_ids(self, numbers: Sequence[int]) -> dict[int, str]:
        """Each issue's global id; an issue GitHub does not find is left out."""
        owner, _, name = self.forge.repo.partition("/")
        out: dict[int, str] = {}
        todo = sorted(set(numbers))
        for start in range(0, len(todo), LOOKUP):
            chunk = todo[start : start + LOOKUP]
            fields = " ".join(f"i{n}: issue(number: {n}) {{ id }}" for n in chunk)
            query = (
                "query($owner: String!, $name: String!) "
                f"{{ repository(owner: $owner, name: $name) {{ {fields} }} }}"
            )
            answer = self._post("look up issues' ids", query, {"owner": owner, "name": name})
            repo = (answer.get("data") or {}).get("repository") or {}
            for n in chunk:
                node = repo.get(f"i{n}")
                if isinstance(node, Mapping) and isinstance(node.get("id"), str):
                    out[n] = node["id"]
        return out

    # --- writing ------------------------------------------------------------------------

    def add_items(
        self, project: str, contents: Mapping[int, str]
    ) -> tuple[dict[int, str], list[str]]:
        """Put issues on the board: (issue number -> item id, the errors of those refused)."""
        rows = sorted(contents.items())
        made: dict[int, str] = {}
        refused: list[str] = []
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            params = ["$p: ID!", *(f"$c{k}: ID!" for k in range(len(chunk)))]
            calls = " ".join(
                f"a{k}: addProjectV2ItemById(input: {{projectId: $p, contentId: $c{k}}}) "
                "{ item { id } }"
                for k in range(len(chunk))
            )
            variables: dict[str, Any] = {"p": project}
            variables.update({f"c{k}": cid for k, (_, cid) in enumerate(chunk)})
            answer = self._post(
                "add issues to the project board",
                f"mutation({', '.join(params)}) {{ {calls} }}",
                variables,
                write=True,
            )
            data = answer.get("data") or {}
            errors = self._by_alias(answer)
            for k, (number, _) in enumerate(chunk):
                item = ((data.get(f"a{k}") or {}).get("item") or {}).get("id")
                if isinstance(item, str):
                    made[number] = item
                else:
                    refused.append(f"#{number}: {errors.get(f'a{k}', 'not added')}")
            self._stop_if_unscoped(answer)
        return made, refused

    def set_values(self, project: str, writes: Sequence[ValueWrite]) -> list[str | None]:
        """Set field values; for each write, None when done, else GitHub's message."""
        out: list[str | None] = []
        types = {"text": "String", "number": "Float", "date": "Date"}
        for start in range(0, len(writes), BATCH):
            chunk = writes[start : start + BATCH]
            params = ["$p: ID!"]
            calls: list[str] = []
            variables: dict[str, Any] = {"p": project}
            for k, w in enumerate(chunk):
                params += [f"$i{k}: ID!", f"$f{k}: ID!", f"$v{k}: {types.get(w.kind, 'String')}!"]
                variables.update({f"i{k}": w.item, f"f{k}": w.field, f"v{k}": w.value})
                calls.append(
                    f"u{k}: updateProjectV2ItemFieldValue(input: {{projectId: $p, itemId: $i{k}, "
                    f"fieldId: $f{k}, value: {{{w.kind}: $v{k}}}}}) {{ projectV2Item {{ id }} }}"
                )
            query = f"mutation({', '.join(params)}) {{ {' '.join(calls)} }}"
            answer = self._post("set fields on the project board", query, variables, write=True)
            data = answer.get("data") or {}
            errors = self._by_alias(answer)
            for k, w in enumerate(chunk):
                done = isinstance((data.get(f"u{k}") or {}).get("projectV2Item"), Mapping)
                message = None if done else errors.get(f"u{k}", "not set")
                if message is not None and w.item in message:
                    self.gone_items.add(w.item)  # NOT_FOUND: a person took it off the board
                out.append(message)
            self._stop_if_unscoped(answer)
        return out

    def create_field(
        self, project: str, name: str, data_type: str, options: Sequence[str] = ()
    ) -> FieldInfo:
        query = (
            "mutation($p: ID!, $name: String!, $t: ProjectV2CustomFieldType!, "
            "$o: [ProjectV2SingleSelectFieldOptionInput!]) { createProjectV2Field(input: "
            "{projectId: $p, dataType: $t, name: $name, singleSelectOptions: $o}) "
            "{ projectV2Field { "
            "__typename ... on ProjectV2FieldCommon { id name dataType } "
            "... on ProjectV2SingleSelectField { options { id name } } } } }"
        )
        opts = [{"name": o, "color": "GRAY", "description": ""} for o in options] or None
        op = f"create the field {name!r} on the project board"
        variables = {"p": project, "name": name, "t": data_type, "o": opts}
        answer = self._post(op, query, variables, write=True)
        made = _field(
            ((answer.get("data") or {}).get("createProjectV2Field") or {}).get("projectV2Field")
            or {}
        )
        if made is None:
            raise self._refused(op, answer.get("errors") or [])
        return made

    @staticmethod
    def _by_alias(answer: Mapping[str, Any]) -> dict[str, str]:
        out: dict[str, str] = {}
        for e in answer.get("errors") or ():
            path = e.get("path") or []
            if path:
                out.setdefault(str(path[0]), str(e.get("message") or e.get("type") or "refused"))
        return out

    def _stop_if_unscoped(self, answer: Mapping[str, Any]) -> None:
        """A refusal of the whole token (scope, access) stops the run: nothing else would
        pass either."""
        errors = answer.get("errors") or []
        if any(e.get("type") in ("INSUFFICIENT_SCOPES", "FORBIDDEN") for e in errors):
            raise self._refused("write to the project board", errors)
