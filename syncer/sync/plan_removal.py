"""The planner's removals: items the lock knows that no document has any more (closed as not
planned, kept, or a conflict), and open issues with a marker that nothing claims (a note).
Pure: no I/O.
"""

from __future__ import annotations

from syncer.model import subtask_parent
from syncer.sync.actions import Conflict, Note, UpdateIssue
from syncer.sync.body import file_of
from syncer.sync.compose import removal_marker
from syncer.sync.plan_changes import ARROW
from syncer.sync.plan_state import PlannerState
from syncer.sync.render import remote_content


class RemovalPlanner(PlannerState):
    def _raw_hash(self, number: int) -> str | None:
        """The content hash of a listed issue under the names it shows (no renames)."""
        issue = self.by_number.get(number)
        if issue is None:
            return None
        return remote_content(
            self.cfg.render, issue.title, issue.body, issue.labels, issue.milestone
        ).hash

    def plan_removed(self, present: set[str], unsure_files: set[str]) -> None:
        """Items the lock knows that no document has any more."""
        renamed_from = set(self.renamed.values())  # a set: looked up once per lock entry
        for key, entry in sorted(self.base.items.items()):
            if key in present or key in renamed_from or entry.issue in self.claimed:
                continue
            if self.cfg.scope is not None and entry.file not in self.cfg.scope:
                self.entries.setdefault(key, entry)
                continue
            if entry.file in unsure_files:
                continue  # its document has errors: nothing about it is known this run
            remote = self._remote(entry.issue, entry)
            if remote is None:
                self.entries[key] = None  # gone from the forge too: forget it
                continue
            if self.direction == "pull":
                continue
            if remote.closed:
                # Closed already (by hand, or by a run that died before it recorded its own
                # close): both sides agree the item is gone and nothing is left to write.
                self.entries[key] = None
                continue
            if not self.cfg.subtask_issues and subtask_parent(key) is not None:
                # Back to `subtasks = "checklist"`: the sub-task's issue is left open.
                self.entries[key] = None
                self.notes.append(Note(key, f"a checklist line again; #{entry.issue} kept"))
                continue
            if self.cfg.on_removed == "keep":
                self.entries[key] = None
                self.notes.append(Note(key, f"removed from the document; #{entry.issue} kept"))
                continue
            if (remote.hash != entry.hash and self._raw_hash(entry.issue) != entry.hash) or (
                remote.closed != entry.checked
            ):
                # Removed in the document but changed on the forge since the last sync.
                self.conflicts.append(
                    Conflict(
                        key,
                        entry.file,
                        0,
                        "removed from the document but changed on the forge",
                        document="(removed)",
                        forge=f"#{entry.issue} {remote.title} "
                        f"({'closed' if remote.closed else 'open'})",
                        number=entry.issue,
                        title=remote.title,
                    )
                )
                continue
            self.removal_closes += 1
            self.issues.append(
                UpdateIssue(
                    key=key,
                    number=entry.issue,
                    reasons=("removed from the document",),
                    state="closed",
                    state_reason="not_planned",
                    comment=(
                        f"phasesync: `{key}` was removed from `{entry.file}`, so this issue "
                        "is closed as not planned. Put the item back in the document to "
                        f"reopen it.\n\n{removal_marker(key)}"
                    ),
                    remote_comments=remote.comments,
                    comment_marker=removal_marker(key),
                    title=remote.title,
                    file=entry.file,
                    changes=(f"state: open {ARROW} closed (not planned)", "comment"),
                )
            )
            self.entries[key] = None

    def orphan_notes(self, present: set[str]) -> None:
        """Open issues with a marker that no document and no lock entry claims."""
        for key, issue in self.by_marker.items():
            if key in present or key in self.base.items or issue.number in self.claimed:
                continue
            if issue.state == "open" and (
                self.cfg.scope is None or file_of(issue.body) in self.cfg.scope
            ):
                self.notes.append(
                    Note(key, f"#{issue.number} is not in any document; left as it is")
                )
