"""Ideas, their tags, edit history and status history."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .campaign import Campaign
from .types import UTCDateTime, utcnow
from .user import Department, User

IDEA_STATUSES = (
    "submitted",
    "under_review",
    "shortlisted",
    "selected",
    "not_selected",
    "implemented",
    "withdrawn",
)

idea_tags = Table(
    "idea_tags",
    db.metadata,
    Column("idea_id", ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


idea_coauthors = Table(
    "idea_coauthors",
    db.metadata,
    Column("idea_id", ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)

    def __repr__(self) -> str:
        return f"<Tag {self.name!r}>"


class Idea(db.Model):
    __tablename__ = "ideas"
    __table_args__ = (
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in IDEA_STATUSES) + ")", name="status_known"
        ),
        CheckConstraint("vote_count >= 0", name="vote_count_positive"),
        CheckConstraint("comment_count >= 0", name="comment_count_positive"),
        CheckConstraint("discussion_length >= 0", name="discussion_length_positive"),
        # One index per sort order of the campaign page; id breaks ties so paging is stable.
        Index("ix_ideas_campaign_top", "campaign_id", "vote_count", "id"),
        Index("ix_ideas_campaign_newest", "campaign_id", "created_at", "id"),
        Index("ix_ideas_campaign_discussed", "campaign_id", "comment_count", "id"),
        Index("ix_ideas_campaign_status", "campaign_id", "status"),
        Index("ix_ideas_campaign_department", "campaign_id", "department_id"),
        Index("ix_ideas_created", "created_at", "id"),  # recent activity on the home page
        # The newest of a status or a department, over every campaign: search by filters
        # alone (search/listing.py).
        Index("ix_ideas_status_newest", "status", "created_at", "id"),
        Index("ix_ideas_department_newest", "department_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The author's department when submitted, so filters need no join and history holds.
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(150))
    summary: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    vote_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    # Every comment of the discussion, removed ones too (they keep their place): what its
    # pages are counted from, instead of counting the comments on every view. Kept at each
    # comment's insert (models/discussion.py), whoever adds it; comments are never deleted.
    discussion_length: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    campaign: Mapped[Campaign] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    department: Mapped[Department | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=idea_tags, order_by=Tag.name)
    coauthors: Mapped[list[User]] = relationship(secondary=idea_coauthors, order_by=User.name)

    def __repr__(self) -> str:
        return f"<Idea {self.id} {self.title!r}>"

    @property
    def url(self) -> str:
        from flask import url_for

        return url_for("ideas.show", idea_id=self.id)

    @property
    def is_withdrawn(self) -> bool:
        return self.status == "withdrawn"

    @property
    def card_key(self) -> str:
        """Names everything a card in a list shows (see _partials/idea_card.html), so a
        cached rendering of it is never stale."""
        text = hashlib.blake2b(
            "\x1f".join(
                [self.title, self.summary or "", self.author.name, self.campaign.title]
                + [self.author.department.name if self.author.department else ""]
                + [t.name for t in self.tags]
            ).encode(),
            digest_size=10,
        ).hexdigest()
        return (
            f"{self.id}:{self.status}:{self.comment_count}:{self.author_id}:"
            f"{self.campaign_id}:{self.created_at.isoformat()}:{text}"
        )


class IdeaRevision(db.Model):
    """The content an idea had before one of its edits."""

    __tablename__ = "idea_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(150))
    summary: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    edited_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<IdeaRevision {self.id} of idea {self.idea_id}>"


class IdeaStatusChange(db.Model):
    __tablename__ = "idea_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    changed_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<IdeaStatusChange {self.idea_id} {self.from_status}->{self.to_status}>"
