"""The applier's dependency phase (`dependencies = "links"`): after the items' and the
parents' writes, the relations, with every issue number this run knows."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from syncer.forges.base import Forge
from syncer.sync.actions import Plan
from syncer.sync.dependencies import DependencyPlan, known_numbers
from syncer.sync.dependencies_run import DependencyRun, blocking_of
from syncer.sync.lock import ForgeState
from syncer.sync.lock_store import LockStore
from syncer.sync.structure_run import StructureRun


def dependency_run(
    plan: DependencyPlan | None,
    forge: Forge,
    store: LockStore,
    base: ForgeState,
    note: Callable[[str], None],
) -> DependencyRun | None:
    adapter = blocking_of(forge)
    if plan is None or adapter is None:
        return None
    return DependencyRun(plan, adapter, store, base.capabilities, note)


class DependencyPhase:
    """`Applier`'s dependency phase, on the applier's state (declared below)."""

    plan: Plan
    base: ForgeState
    numbers: dict[str, int]
    structure: StructureRun | None

    if TYPE_CHECKING:  # the applier's paced, budgeted write

        def _write(self, call: Callable[[], Any]) -> Any: ...

    def _dependencies_phase(self, run: DependencyRun) -> None:
        numbers = known_numbers(self.base, self.plan.entries)
        numbers.update(self.numbers)  # this run's creations
        capabilities: dict[str, str] = {}
        if self.structure is not None:  # parents found or made this run, and their probe
            numbers.update({k: r.issue for k, r in self.structure.records.items()})
            capabilities.update(self.structure.capabilities)
        run.run(self._write, numbers, capabilities)
