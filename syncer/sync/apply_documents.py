"""The applier's document phase: the plan's edits to the documents (ticks, titles,
descriptions, new issues' links), by exact byte spans, verified, written atomically."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from syncer.errors import DocumentError, EditError
from syncer.files import write_atomic
from syncer.forges.base import Forge
from syncer.markdown.edit import (
    Edit,
    apply_edits,
    box_edit,
    description_edit,
    link_edit,
    title_edit,
)
from syncer.model import Document
from syncer.sync.actions import CreateIssue, EditDocument, Plan
from syncer.sync.apply_types import Outcome, Reporter


class DocumentPhase:
    """`Applier`'s document phase, on the applier's state (declared below)."""

    plan: Plan
    docs: dict[str, Document]
    forge: Forge
    root: Path
    reporter: Reporter
    outcome: Outcome
    numbers: dict[str, int]
    failed: set[str]

    # --- documents ------------------------------------------------------------------------

    def _documents_phase(self) -> None:
        by_file: dict[str, list[EditDocument]] = defaultdict(list)
        for edit in self.plan.documents:
            by_file[edit.pos.file].append(edit)
        for action in self.plan.issues:
            if isinstance(action, CreateIssue) and action.link and action.key in self.numbers:
                number = self.numbers[action.key]
                url = self.forge.issue_url(number)
                by_file[action.pos.file].append(
                    EditDocument(
                        action.key, action.pos, "link", number, url, replaces=action.replaces
                    )
                )
        for path, edits in sorted(by_file.items()):
            doc = self.docs[path]
            usable = [e for e in edits if e.what != "link" or e.key not in self.failed]
            try:
                data = apply_edits(doc.data, [self._edit(e, doc) for e in usable])
                if data != doc.data:
                    write_atomic(self.root / path, data, expected=doc.data)
                    self.outcome.files.append(path)
            except (DocumentError, EditError) as exc:
                # The file is left as it was; its items keep their old base and are redone.
                self.failed.update(e.key for e in edits)
                self.reporter.note(exc.describe())
                if self.outcome.error is None:
                    self.outcome.error = exc
                continue
            for e in usable:
                if e.what == "tick":
                    self.outcome.ticked += 1
                elif e.what == "untick":
                    self.outcome.unticked += 1
                elif e.what == "link":
                    self.outcome.linked += 1

    @staticmethod
    def _edit(e: EditDocument, doc: Document) -> Edit:
        if e.what in ("tick", "untick"):
            # With the bytes, a stale position is refused instead of editing the wrong byte.
            return box_edit(e.pos, e.what == "tick", doc.data)
        if e.what == "link":
            assert e.number is not None and e.url is not None
            return link_edit(e.pos, e.number, e.url, replaces=e.replaces)
        assert e.title is not None
        if e.what == "describe":
            return description_edit(e.pos, e.title, "utf-8")
        return title_edit(e.pos, e.title, "utf-8")
