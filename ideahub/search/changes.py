"""Record what the search index must re-read, in the same transaction as the change itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, insert, inspect, literal, select
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


def _ideas_seen_anew(session: Session) -> list[int]:
    """Ideas whose title or status changed: each of their comments shows the title, is
    filtered by the status and is not found while the idea is withdrawn."""
    return sorted(
        obj.id
        for obj in session.dirty
        if isinstance(obj, Idea)
        and obj.id is not None
        and any(inspect(obj).attrs[a].history.has_changes() for a in ("title", "status"))
    )


def _after_flush(session: Session, _context: Any) -> None:
    changed = _changed_objects(session)
    if not changed:
        return
    now = utcnow()
    connection = session.connection()
    connection.execute(
        insert(SearchChange),
        [{"kind": k, "object_id": i, "created_at": now} for k, i in sorted(changed)],
    )
    ideas = _ideas_seen_anew(session)
    if ideas:
        # Their comments, one statement however many (an idea had 64,000 in the bench):
        # the indexers re-read them from the log in their bounded batches, not all at once
        # inside one request.
        connection.execute(
            insert(SearchChange).from_select(
                ["kind", "object_id", "created_at"],
                select(
                    literal("comment", SearchChange.kind.type),
                    Comment.id,
                    literal(now, SearchChange.created_at.type),
                )
                .where(Comment.idea_id.in_(ideas), Comment.deleted_at.is_(None))
                .order_by(Comment.id),
            )
        )
    session.info["search_changed"] = True


def install() -> None:
    """Listen on every session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
