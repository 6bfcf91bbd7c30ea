"""Writing comments: post, edit (marked edited), remove softly."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import update

from ..audit import record
from ..extensions import db
from ..models import Comment, Idea, User, utcnow


class CommentError(ValueError):
    """A comment that cannot be posted; the message says why."""


def post_comment(actor: User, idea: Idea, body: str, parent_id: int | None = None) -> Comment:
    if parent_id is not None:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.idea_id != idea.id:
            raise CommentError(_("The comment you replied to is not on this idea."))
        if parent.parent_id is not None:
            parent_id = parent.parent_id  # replies stay one level deep
    comment = Comment(idea_id=idea.id, author_id=actor.id, parent_id=parent_id, body=body)
    db.session.add(comment)
    db.session.execute(
        update(Idea).where(Idea.id == idea.id).values(comment_count=Idea.comment_count + 1)
    )
    db.session.commit()
    return comment


def edit_comment(actor: User, comment: Comment, body: str) -> Comment:
    if body != comment.body:
        comment.body = body
        comment.edited_at = utcnow()
        db.session.commit()
    return comment


def delete_comment(actor: User, comment: Comment) -> Comment:
    """Soft delete: the thread keeps a 'comment removed' marker; the text is kept for audit."""
    if comment.is_deleted:
        return comment
    comment.deleted_at = utcnow()
    comment.deleted_by_id = actor.id
    db.session.execute(
        update(Idea)
        .where(Idea.id == comment.idea_id, Idea.comment_count > 0)
        .values(comment_count=Idea.comment_count - 1)
    )
    if actor.id != comment.author_id:
        record(actor, "comment.removed_by_moderator", comment, idea_id=comment.idea_id)
    db.session.commit()
    return comment
