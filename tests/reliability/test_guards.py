"""Guards that protect the user's data: mass close, broken documents, a second run at the
same time, a document edited while phasesync runs."""

from __future__ import annotations

import shutil
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from filelock import FileLock

from syncer.errors import BusyError, DocumentError, MassCloseRefused
from tests.contract.conftest import Harness
from tests.e2e.conftest import Loopback
from tests.reliability.conftest import Expected, assert_clean, check_converged, nth_write

P2 = "phase-2-authentication.md"
BROKEN = Path(__file__).parents[1] / "data" / "invalid" / "phase-5-broken.md"


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


# --- mass close ------------------------------------------------------------------------------


@pytest.mark.parametrize("what", ["glob-matches-nothing", "main-document-moved"])
def test_closing_over_half_of_the_managed_issues_stops_before_any_write(
    harness: Harness, what: str
) -> None:
    h = harness
    h.run("push")
    if what == "glob-matches-nothing":
        shutil.move(h.root / "docs" / "phases", h.root / "docs" / "old-phases")
    else:  # 23 of the 36 issues live in this one
        shutil.move(h.doc(P2), h.root / "docs" / P2)
    before = _tree(h.root)
    issues = h.issues()
    h.emulator.reset_log()
    with pytest.raises(MassCloseRefused) as refused:
        h.run("push")
    assert "--allow-mass-close" in refused.value.describe()
    assert h.writes() == 0 and _tree(h.root) == before and h.issues() == issues
    # Told so, it goes ahead.
    h.config = replace(h.config, apply=replace(h.config.apply, allow_mass_close=True))
    result = h.run("push")
    assert result.outcome is not None and result.outcome.closed


def test_removing_fewer_than_half_is_no_mass_close(harness: Harness) -> None:
    h = harness
    h.run("push")
    shutil.move(h.doc("phase-3-workspaces.md"), h.root / "elsewhere.md")  # 9 of 36
    result = h.run("push")
    # Nine items, two of them ticked (closed already): seven closes, no refusal.
    assert result.outcome is not None and len(result.outcome.closed) == 7


# --- broken documents ------------------------------------------------------------------------


def test_a_document_with_errors_is_never_synced_and_its_issues_are_untouched(
    harness: Harness,
) -> None:
    h = harness
    h.run("push")
    before = {i.number: i for i in h.issues()}
    path = h.doc(P2)
    data = path.read_bytes()
    # Break it: the overview contradicts the title, so no key of it can be trusted. Its 23
    # issues must be left alone, not closed. (A repeated title no longer breaks a document:
    # the second gets its own key.)
    broken = data.replace(b"**Phase Number**: 2", b"**Phase Number**: 9", 1)
    assert broken != data
    path.write_bytes(broken)
    (h.root / "docs" / "phases" / BROKEN.name).write_bytes(BROKEN.read_bytes())
    h.emulator.reset_log()
    result = h.run("push")
    assert {d.path for d in result.broken} >= {f"docs/phases/{P2}", f"docs/phases/{BROKEN.name}"}
    assert h.writes() == 0
    assert {i.number: i for i in h.issues()} == before
    assert path.read_bytes() == broken


@pytest.mark.e2e
@pytest.mark.parametrize("kind", ["github"])
def test_the_cli_exits_1_when_a_document_has_errors(lb: Loopback, kind: str) -> None:
    shutil.copy(BROKEN, lb.cli.root / "docs" / "phases" / BROKEN.name)
    proc = lb.cli("push", check=1)
    assert "phase-5-broken.md:4:1: error:" in proc.stderr
    assert len(lb.harness.issues()) == 36  # the valid documents were synced
    assert not any("Dashboards" in i.title for i in lb.harness.issues())


# --- one run at a time -----------------------------------------------------------------------


def test_a_second_run_waits_for_the_first_to_end(harness: Harness) -> None:
    taken, done = threading.Event(), threading.Event()

    def first_run() -> None:  # filelock's locks belong to the thread that took them
        with FileLock(str(harness.root / "phasesync.lock.lock")):
            taken.set()
            time.sleep(1.0)
        done.set()

    threading.Thread(target=first_run).start()
    taken.wait(5)
    result = harness.run("push")
    assert done.is_set()  # it waited for the first run to let go
    assert result.outcome is not None and result.outcome.error is None


@pytest.mark.e2e
@pytest.mark.parametrize("kind", ["gitlab"])
def test_a_second_run_gives_up_after_a_while_with_a_clear_message(lb: Loopback, kind: str) -> None:
    held = FileLock(str(lb.cli.root / "phasesync.lock.lock"))
    with held:
        before = _tree(lb.cli.root)
        proc = lb.cli("sync", check=1)
    assert "another phasesync run is working on" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert lb.emulator.writes() == 0 and _tree(lb.cli.root) == before
    assert BusyError.exit_code == 1


# --- a document edited during the run --------------------------------------------------------


def test_a_document_changed_during_the_run_is_not_overwritten_and_the_next_run_converges(
    harness: Harness, references: dict[tuple[str, str], Expected]
) -> None:
    h = harness
    path = h.doc(P2)
    edited: list[bytes] = []

    def save_in_editor(_: object) -> None:
        data = path.read_bytes().replace(b"valid for 30 minutes", b"valid for 30 minutes!")
        path.write_bytes(data)
        edited.append(data)

    h.emulator.fail_next(where=nth_write(60, save_in_editor))  # the last forge write
    result = h.run("push")
    assert edited and result.outcome is not None
    assert isinstance(result.outcome.error, DocumentError)
    assert "changed on disk" in result.outcome.error.describe()
    assert path.read_bytes() == edited[0]  # the editor's save won
    assert b"([#" not in path.read_bytes()  # and phasesync wrote nothing into it
    assert b"([#" in h.doc("phase-3-workspaces.md").read_bytes()  # the others it did
    # The next run adds the links around the person's edit, and creates nothing again.
    result = h.run("push")
    assert result.outcome is not None and result.outcome.error is None
    assert b"valid for 30 minutes!" in path.read_bytes()
    assert len(h.issues()) == 36
    # Undone, the person's edit goes back to the forge: then all is as after a clean push.
    path.write_bytes(path.read_bytes().replace(b"30 minutes!", b"30 minutes"))
    h.run("push")
    assert_clean(check_converged(h, references[h.kind, "first"]))
