"""The search change log: written in the same transaction as the change it records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class SearchChange(db.Model):
    """ "Re-index this object": each host's indexer applies these in id order from a watermark."""

    __tablename__ = "search_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<SearchChange {self.id} {self.kind}:{self.object_id}>"
