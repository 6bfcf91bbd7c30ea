"""Recording audit entries; services call record() before they commit."""

from __future__ import annotations

from typing import Any

from .extensions import db
from .models import AuditEntry, User


def record(actor: User | None, action: str, target: Any, **details: Any) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits)."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=type(target).__name__.lower(),
        target_id=getattr(target, "id", None),
        details=details,
    )
    db.session.add(entry)
    return entry
