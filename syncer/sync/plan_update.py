"""The planner's decision for an item that has its issue: its content (the document's, with
forge-side edits per `syncer.sync.content_edits`) and its done state (a three-way merge
against the lock's last synced value). Pure: no I/O.
"""

from __future__ import annotations

from typing import Literal

from syncer.model import Item, Phase
from syncer.sync.actions import Conflict, EditDocument, UpdateIssue
from syncer.sync.compose import compose_final
from syncer.sync.content_edits import RemoteView, decide, desc_digest, managed_block, retitled
from syncer.sync.lock import LockEntry
from syncer.sync.plan_changes import issue_changes
from syncer.sync.plan_state import PlannerState, Remote
from syncer.sync.render import Rendered, render_item
from syncer.sync.text_safety import escape_title


class UpdatePlanner(PlannerState):
    def _plan_existing(
        self,
        phase: Phase,
        item: Item,
        key: str,
        rendered: Rendered,
        number: int,
        entry: LockEntry | None,
        remote: Remote,
    ) -> None:
        push, pull = self.direction != "pull", self.direction != "push"
        reasons: list[str] = []
        shown = rendered.title  # the plan's rows: the item's title as the document has it

        # --- content: three-way against the lock's hash (`syncer.sync.content_edits`) ---
        send_content = False
        retitle: str | None = None
        redescribe: str | None = None
        keep_base = False  # a push saw forge edits the document takes in: the next pull does
        if remote.hash == rendered.hash:
            pass  # both sides agree: nothing to send
        elif entry is not None and self._title_conflict(entry.title, rendered.title, remote.title):
            # Title changed on both sides to different values.
            if self.cfg.prefer is None:
                self.conflicts.append(
                    Conflict(
                        key,
                        item.pos.file,
                        item.pos.line,
                        "title changed in the document and on the forge",
                        document=rendered.title,
                        forge=remote.title,
                        number=number,
                        title=shown,
                    )
                )
                return  # the item is left untouched; the rest of the run proceeds
            if self.cfg.prefer == "forge":
                # The forge's title goes into the document line as text, never as markup,
                # and so into the key.
                retitle = escape_title(remote.title)
                item = retitled(item, retitle)
                rendered = render_item(self.cfg.render, phase, item, self.cfg.source_url)
                reasons.append("title taken from the forge (--prefer forge)")
            else:
                reasons.append("title taken from the document (--prefer document)")
            send_content = push and remote.hash != rendered.hash
        elif entry is not None and remote.body is not None:
            doc_changed = not self._same_as_base(rendered, entry)
            decision = decide(
                self.cfg.render,
                phase,
                item,
                rendered,
                entry.title,
                entry.desc,
                doc_changed,
                RemoteView(
                    remote.title, managed_block(remote.body), remote.managed, remote.milestone
                ),
                self.cfg.forge_edits,
                self.cfg.prefer,
                self.cfg.source_url,
            )
            if decision.conflict is not None:
                message, on_doc, on_forge = decision.conflict
                self.conflicts.append(
                    Conflict(
                        key,
                        item.pos.file,
                        item.pos.line,
                        message,
                        on_doc,
                        on_forge,
                        number=number,
                        title=shown,
                    )
                )
                return
            if decision.title is not None or decision.description is not None:
                if pull:
                    item, retitle, redescribe = decision.item, decision.title, decision.description
                else:
                    keep_base = True  # push: the forge keeps its edit; pull writes it in
            rendered = decision.rendered
            if doc_changed:
                reasons.append("changed in the document")
            reasons.extend(decision.reasons)
            if not reasons:
                reasons.append("restored: edited on the forge")
            send_content = push and remote.hash != rendered.hash
        elif entry is not None and not self._same_as_base(rendered, entry):
            reasons.append("changed in the document")  # not listed: the forge is as locked
            send_content = push
        else:
            # Changed on the forge (or no base): bring the issue in line with the document.
            reasons.append("restored: edited on the forge" if entry else "brought in line")
            send_content = push

        if send_content and self._too_long(item, self._body(rendered, remote, entry)):
            return  # the item is left as it is; the rest of the run proceeds

        # --- done state: three-way against the lock ---
        doc, forge = item.checked, remote.closed
        if entry is None and doc and not forge and self._untouched(number):
            # A ticked item's issue that nobody touched since it was created: a run that
            # created it died before its close (and before its journal line). Closing it
            # undoes nobody's work.
            entry = LockEntry(number, item.pos.file, remote.title, remote.hash, False)
        if entry is None and doc != forge and self.cfg.prefer is None:
            # No base (a lost lock, an adopted issue): either side may be the one that moved,
            # so neither is changed on a guess, in either direction.
            self.conflicts.append(
                Conflict(
                    key,
                    item.pos.file,
                    item.pos.line,
                    "done in one place and not in the other, and the lock has no record of "
                    "which moved",
                    document="ticked" if doc else "not ticked",
                    forge=f"#{number} {'closed' if forge else 'open'}",
                    number=number,
                    title=shown,
                )
            )
            return
        if entry is None:
            target = doc if self.cfg.prefer == "document" else forge
        elif doc != entry.checked and forge == entry.checked:
            target = doc  # changed in the document only -> close or reopen the issue
        elif doc == entry.checked and forge != entry.checked:
            target = forge  # changed on the forge only -> tick or untick the box
        else:
            target = doc  # unchanged, or changed on both sides to the same value: record
        state: Literal["open", "closed"] | None = None
        agreed = target
        if target != forge:
            if push:
                state = "closed" if target else "open"
                reasons.append("ticked in the document" if target else "unticked in the document")
            else:
                agreed = forge
        if target != doc:
            if pull:
                self.documents.append(
                    EditDocument(
                        key,
                        item.pos,
                        "tick" if target else "untick",
                        number=number,
                        issue_title=shown,
                    )
                )
            else:
                agreed = doc if state is None else agreed

        if send_content or state is not None:
            self._want_labels(rendered.labels)
            changes = issue_changes(
                self.cfg.render,
                rendered=rendered if send_content else None,
                title=remote.title,
                body=remote.body,
                labels=remote.labels,
                milestone=remote.milestone,
                closed=remote.closed,
                state=state,
                state_reason=("completed" if state == "closed" else "reopened") if state else None,
                drop=self.retired,
            )
            self.issues.append(
                UpdateIssue(
                    key=key,
                    number=number,
                    reasons=tuple(reasons),
                    rendered=rendered if send_content else None,
                    remote_body=remote.body,
                    remote_labels=remote.labels,
                    drop=self.retired,
                    plain=remote.body is None and entry is not None and not entry.extra,
                    state=state,
                    state_reason=("completed" if state == "closed" else "reopened")
                    if state
                    else None,
                    title=remote.title,
                    file=item.pos.file,
                    line=item.pos.line,
                    changes=changes,
                )
            )
        new_key = str(item.key)
        if retitle is not None:
            self.documents.append(
                EditDocument(key, item.pos, "retitle", number, title=retitle, issue_title=shown)
            )
            if new_key != key:
                self.renamed[new_key] = self.renamed.pop(key, key)
        if redescribe is not None:
            self.documents.append(
                EditDocument(key, item.pos, "describe", number, title=redescribe, issue_title=shown)
            )
        if push and self.cfg.write_links and item.link is None:
            self.documents.append(
                EditDocument(
                    key,
                    item.pos,
                    "link",
                    number=number,
                    url=self.cfg.issue_url(number),
                    issue_title=shown,
                )
            )
        desc = entry.desc if entry is not None else None
        if keep_base and entry is not None:
            agreed_title, agreed_hash = entry.title, entry.hash
        elif send_content or remote.hash == rendered.hash:
            agreed_title, agreed_hash = rendered.title, rendered.hash
            desc = desc_digest(item, rendered.block)
        elif entry is not None:
            agreed_title, agreed_hash = entry.title, entry.hash  # pull: the base stays
        else:
            agreed_title, agreed_hash = remote.title, remote.hash
            desc = desc_digest(item, remote.body) if remote.body is not None else None
        extra = remote.extra
        if extra is None:  # not listed: as the lock knows it
            extra = entry.extra if entry is not None else True
        self.entries[new_key] = LockEntry(
            issue=number,
            file=item.pos.file,
            title=agreed_title,
            hash=agreed_hash,
            checked=agreed,
            milestone=rendered.milestone,
            extra=extra,
            desc=desc,
        )

    def _untouched(self, number: int) -> bool:
        issue = self.by_number.get(number)
        return issue is not None and issue.untouched

    @staticmethod
    def _title_conflict(base: str, doc: str, forge: str) -> bool:
        return doc != base and forge != base and doc != forge

    @staticmethod
    def _body(rendered: Rendered, remote: Remote, entry: LockEntry | None) -> str | None:
        """The whole body an update would send, when the plan can know it."""
        if remote.body is not None:
            return compose_final(rendered.block, remote.body)
        if entry is not None and not entry.extra:
            return rendered.block  # all phasesync's, as the lock knows it
        return None  # apply reads the issue, composes the body and checks it there
