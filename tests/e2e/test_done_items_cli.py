"""`done_items = "skip"` from the command line: `validate` names the done items that will
stay in the document, and `push` leaves them there and says how many."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import open_loopback

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_skip_from_the_command_line(kind: str, tmp_path: Path) -> None:
    with open_loopback(kind, tmp_path) as lb:
        lb.cli.env["PHASESYNC_DONE_ITEMS"] = "skip"
        lines = lb.cli("validate").stderr.splitlines()
        left = [line for line in lines if "done_items = skip" in line]
        assert left == [
            "docs/phases/phase-2-authentication.md: 4 done item(s) without an issue stay in "
            "the document (done_items = skip; lines 27, 49, 65, 66)",
            "docs/phases/phase-3-workspaces.md: 2 done item(s) without an issue stay in "
            "the document (done_items = skip; lines 20, 42)",
        ]
        pushed = lb.cli("push").stdout
        assert "6 done items left in the document (done_items = skip)" in pushed, pushed
        issues = lb.harness.issues()
        assert len(issues) == 30 and not any(i.closed for i in issues)
        # The lock knows none of them: validate still names them; a second push writes
        # nothing and says it again.
        assert set(left) <= set(lb.cli("validate").stderr.splitlines())
        lb.emulator.reset_log()
        again = lb.cli("push").stdout
        assert lb.emulator.writes() == 0
        assert "Nothing to do: documents and forge agree; 6 done items left" in again, again
