"""Record what the search index must re-read, in the same transaction as the change itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from ..models import Campaign, Comment, Idea, IdeaRevision, SearchChange, utcnow

TRACKED = {Idea: "idea", Comment: "comment", Campaign: "campaign"}


def _changed_objects(session: Session) -> set[tuple[str, int]]:
    found: set[tuple[str, int]] = set()
    for obj in [*session.new, *session.deleted, *session.dirty]:
        kind = TRACKED.get(type(obj))
        if kind is None:
            if isinstance(obj, IdeaRevision):  # an edit; the idea itself is dirty too
                found.add(("idea", obj.idea_id))
            continue
        if obj in session.dirty and not session.is_modified(obj, include_collections=True):
            continue
        if getattr(obj, "id", None) is not None:
            found.add((kind, obj.id))
    return found


def _after_flush(session: Session, _context: Any) -> None:
    changed = _changed_objects(session)
    if not changed:
        return
    now = utcnow()
    session.connection().execute(
        insert(SearchChange),
        [{"kind": k, "object_id": i, "created_at": now} for k, i in sorted(changed)],
    )
    session.info["search_changed"] = True


def install() -> None:
    """Listen on every session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
