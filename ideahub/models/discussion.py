"""What employees add to an idea: attachments, comments and votes."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, ForeignKey, Index, String, Text, event, func, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .idea import Idea
from .types import UTCDateTime, utcnow
from .user import User

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


class Attachment(db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    mime_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by: Mapped[User | None] = relationship()
    idea: Mapped[Idea] = relationship()

    def __repr__(self) -> str:
        return f"<Attachment {self.id} {self.filename!r}>"

    @property
    def is_image(self) -> bool:
        return self.mime_type in IMAGE_TYPES

    @property
    def url(self) -> str:
        from flask import url_for

        return url_for("ideas.download_attachment", attachment_id=self.id)

    @property
    def preview_url(self) -> str:
        from flask import url_for

        return url_for("ideas.preview_attachment", attachment_id=self.id)


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_created", "created_at", "id"),  # recent activity on the home page
        # The newest of a campaign's or a department's comments: search by filters alone
        # (search/listing.py).
        Index("ix_comments_campaign_newest", "campaign_id", "created_at", "id"),
        Index("ix_comments_department_newest", "department_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    # Its idea's campaign and department (which never change), copied at insert
    # (_place_with_idea below) so that listing them by either walks an index of comments.
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL")
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Replies go one level deep: a reply's parent is always a top-level comment.
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    idea: Mapped[Idea] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])

    def __repr__(self) -> str:
        return f"<Comment {self.id} on idea {self.idea_id}>"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def anchor(self) -> str:
        return f"comment-{self.id}"

    @property
    def url(self) -> str:
        """Where the comment is shown: its discussion's page, found when followed
        (comments.routes.show), since later replies move it to a later page."""
        from flask import url_for

        return url_for("comments.show", comment_id=self.id)

    @property
    def fragment_key(self) -> str:
        """Names everything its rendered text shows, so a cached rendering is never stale."""
        body = hashlib.blake2b(self.body.encode(), digest_size=10).hexdigest()
        return (
            f"{self.id}:{self.author_id}:{self.author.name}:{self.created_at.isoformat()}:"
            f"{self.edited_at.isoformat() if self.edited_at else ''}:{body}"
        )


@event.listens_for(Comment, "before_insert")
def _place_with_idea(_mapper: Any, _connection: Connection, comment: Comment) -> None:
    """A comment added through the ORM without its idea's campaign and department (the demo
    data, a test) takes them inside its own INSERT, no statement of its own. Posting sets
    them (comments.services); inserts that bypass the ORM (bench/generate.py) too."""
    if comment.campaign_id is None:
        ideas = Idea.__table__
        of_idea = ideas.c.id == comment.idea_id
        comment.campaign_id = select(ideas.c.campaign_id).where(of_idea).scalar_subquery()
        comment.department_id = select(ideas.c.department_id).where(of_idea).scalar_subquery()


@event.listens_for(Comment, "after_insert")
def _lengthen_discussion(_mapper: Any, connection: Connection, comment: Comment) -> None:
    """Each comment added through the ORM, by any writer (a post, the demo data, a test),
    lengthens its discussion in the same flush, atomically. Inserts that bypass the ORM
    (bench/generate.py) set Idea.discussion_length themselves."""
    ideas = Idea.__table__
    connection.execute(
        update(ideas)
        .where(ideas.c.id == comment.idea_id)
        .values(discussion_length=ideas.c.discussion_length + 1)
    )


# A discussion in its order: each thread (a top-level comment, then its replies) in turn, by
# id, which is the order they were written in. A page of it, the position of one comment and
# what tells whether a page's rendering is current (ideas.queries) are all read from this
# index alone.
THREAD_ORDER = (func.coalesce(Comment.parent_id, Comment.id), Comment.id)
Index(
    "ix_comments_discussion",
    Comment.idea_id,
    *THREAD_ORDER,
    Comment.author_id,
    Comment.parent_id,
    Comment.edited_at,
    Comment.deleted_at,
)


class Vote(db.Model):
    """One vote per (user, idea): the primary key is the database's guarantee."""

    __tablename__ = "votes"
    __table_args__ = (
        # The latest votes and their ideas, from the index alone ("trending" on the home page).
        Index("ix_votes_created_idea", "created_at", "idea_id"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Vote user={self.user_id} idea={self.idea_id}>"
