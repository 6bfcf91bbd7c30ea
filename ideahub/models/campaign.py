"""Campaigns: the strategic themes ideas are submitted to."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow
from .user import User

CAMPAIGN_STATES = ("draft", "open", "judging", "closed")


class Campaign(db.Model):
    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint(
            "state IN (" + ", ".join(f"'{s}'" for s in CAMPAIGN_STATES) + ")", name="state_known"
        ),
        CheckConstraint("idea_count >= 0", name="idea_count_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    theme: Mapped[str] = mapped_column(String(120), default="")
    opens_on: Mapped[date | None]
    closes_on: Mapped[date | None]
    state: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    idea_count: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Campaign {self.id} {self.title!r} {self.state}>"

    @property
    def url(self) -> str:
        from flask import url_for

        return url_for("campaigns.show", campaign_id=self.id)

    @property
    def is_open(self) -> bool:
        return self.state == "open"
