"""Taking in an issue listing: the adapter's `list_issues()` against decoding the pages.

Run `python -m benchmarks.listing` (10,000 issues, both forges, in-process through
`responses` at 0 ms latency). The emulator is seeded directly with issues shaped as
phasesync writes them (a managed description of about 700 characters, four labels, a
milestone; one in five closed), then timed, best of `--repeat`:

- `pages`: the same GET requests through `requests` alone, each page decoded with
  `json.loads` (the emulator's own cost of serving the pages is in every figure);
- `pages + records`: that, plus phasesync's `RemoteIssue` built from each element's JSON
  (`issue_record` of `github_records` and `gitlab_records`);
- `list_issues()`: the adapter, as a sync calls it.

The adapter's figure minus `pages` is what taking in the listing costs on our side; the
goal (issue 15) is that it is no more than `pages + records` minus `pages`: no client
object per issue.

`--second-push` also times, per forge, the run after a first push of `--issues` items
(`benchmarks.docset`): nothing to write, every issue listed again (the issue's target at
10,000 items: under 3 s at 0 ms latency). Its first push takes a minute or two.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import requests
import responses

from syncer.forges import open_forge
from syncer.forges.emulator.core import EmulatorBase, mount

REPO = "bench/plan"
API = {"github": "https://api.github.com", "gitlab": "https://gitlab.example.com"}
PATH = {"github": f"/repos/{REPO}/issues", "gitlab": "/api/v4/projects/bench%2Fplan/issues"}
PARAMS = {
    "github": {"state": "all", "sort": "created", "direction": "asc", "per_page": "100"},
    "gitlab": {
        "scope": "all", "state": "all", "order_by": "created_at", "sort": "asc",
        "per_page": "100",
    },
}  # fmt: skip
BODY = (
    "The system handles case {n} of phase 3, with `code` and *emphasis* as real plans have.\n\n"
    "**Acceptance criteria**\n\n- Case {n} is visible in the audit log within 5 s\n\n"
    "**Priority**: High · **Estimate**: 3 days\n\n"
    "<!-- phasesync:begin key=phase-3/functional/requirement-{n} -->\n"
    "_Managed by phasesync from docs/phases/phase-03.md; edits above this line are kept._\n"
    "<!-- phasesync:end digest=0123456789abcdef0123456789abcdef -->\n"
)
LABELS = ("phase:3", "type:functional", "priority:high", "week:4")


def seed(kind: str, n: int) -> EmulatorBase:
    """An emulator holding `n` issues as phasesync makes them."""
    emulator: Any
    if kind == "github":
        from syncer.forges.emulator.github import GitHubEmulator
        from syncer.forges.emulator.github_model import Milestone

        emulator = GitHubEmulator(REPO, tokens=None, rate_limit=10**9)
        repo = emulator.repo()
        now = emulator.now()
        repo.milestones[1] = Milestone(emulator.next_id(), 1, "Phase 3", emulator.user, now, now)
        for i in range(n):
            number = emulator.add_issue(f"Requirement {i}", BODY.format(n=i), labels=LABELS)
            repo.issues[number].milestone = 1
            if i % 5 == 0:
                emulator.close_issue(number)
    else:
        from syncer.forges.emulator.gitlab import GitLabEmulator

        emulator = GitLabEmulator(REPO, tokens=None)
        milestone = emulator.add_milestone("Phase 3")
        for i in range(n):
            emulator.add_issue(
                f"Requirement {i}", BODY.format(n=i), labels=LABELS, milestone_id=milestone,
                state="closed" if i % 5 == 0 else "opened",
            )  # fmt: skip
    emulator.set_time(datetime.now(UTC))
    return emulator  # type: ignore[no-any-return]


def pages(kind: str, build: Callable[[dict[str, Any]], object] | None) -> int:
    """Every page through `requests`, following `Link` (GitHub) or `X-Next-Page` (GitLab)."""
    session = requests.Session()
    url: str | None = API[kind] + PATH[kind]
    params: dict[str, str] | None = dict(PARAMS[kind])
    count = 0
    while url:
        response = session.get(url, params=params)
        data = json.loads(response.content)
        count += len(data)
        if build is not None:
            for element in data:
                build(element)
        if kind == "github":
            url = response.links.get("next", {}).get("url")
            params = None
        else:
            following = response.headers.get("X-Next-Page")
            if params is not None and following:
                params["page"] = following
            else:
                url = None
    return count


def record_builder(kind: str) -> Callable[[dict[str, Any]], object]:
    """What the adapter builds from each element of the listing."""
    if kind == "gitlab":
        from syncer.forges.gitlab_records import issue_record

        return issue_record
    from syncer.forges.github_records import issue_record as github_issue_record

    return github_issue_record


def best(repeat: int, call: Callable[[], object]) -> float:
    seconds = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        call()
        seconds = min(seconds, time.perf_counter() - start)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.listing", description=__doc__)
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--forges", nargs="+", default=["github", "gitlab"])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--second-push", action="store_true", help="time the run after a push")
    args = parser.parse_args(argv)
    print(f"{'forge':8} {'issues':>7} {'pages s':>8} {'pages+records s':>16} "
          f"{'list_issues() s':>16} {'requests':>9}")  # fmt: skip
    for kind in args.forges:
        emulator = seed(kind, args.issues)
        with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
            mount(emulator, rsps, API[kind])
            forge = open_forge(kind, REPO, None, API[kind])
            assert pages(kind, None) == args.issues
            raw = best(args.repeat, partial(pages, kind, None))
            records = best(args.repeat, partial(pages, kind, record_builder(kind)))
            emulator.reset_log()
            assert len(forge.list_issues()) == args.issues
            count = emulator.reads()
            listed = best(args.repeat, forge.list_issues)
        print(f"{kind:8} {args.issues:>7,} {raw:>8.3f} {records:>16.3f} {listed:>16.3f} "
              f"{count:>9}")  # fmt: skip
        sys.stdout.flush()
    if args.second_push:
        print(f"{'forge':8} {'items':>7} {'second push s':>14} {'reads':>6} {'writes':>7}")
        for kind in args.forges:
            seconds, reads, writes = second_push(kind, args.issues, args.repeat)
            print(f"{kind:8} {args.issues:>7,} {seconds:>14.3f} {reads:>6} {writes:>7}")
            sys.stdout.flush()
    return 0


def second_push(kind: str, n: int, repeat: int) -> tuple[float, int, int]:
    """Best seconds of the push after a first push of `n` items (0 ms), and its requests."""
    from benchmarks.sync import bench

    with bench(kind, "in-process", n, repeat) as b:
        b.once("push", 0.0)
        row = b.step("second push", "push", restore_lock=True, latencies=(0.0,))
    return row.ms0, row.reads, row.writes


if __name__ == "__main__":
    raise SystemExit(main())
