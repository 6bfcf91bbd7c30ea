"""Writing comments: post, edit (marked edited), remove softly."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from .. import notices
from ..audit import record
from ..database import begin_late_write
from ..extensions import db
from ..models import Comment, Idea, User, utcnow


class CommentError(ValueError):
    """A comment that cannot be posted; the message says why."""


def post_comment(actor: User, idea: Idea, body: str, parent_id: int | None = None) -> Comment:
    """Post a comment or a reply; the idea's authors are told, and whoever was replied to.

    What it reads comes first: from its first write, the idea's row stays locked to the
    commit (its counts move), as SQLite's whole database does from begin_late_write()."""
    parent = None
    if parent_id is not None:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.idea_id != idea.id:
            raise CommentError(_("The comment you replied to is not on this idea."))
    told = _notices_about(actor, idea, parent)
    begin_late_write()
    comment = Comment(
        idea_id=idea.id,
        author_id=actor.id,
        parent_id=thread_of(parent) if parent else None,
        body=body,
    )
    db.session.add(comment)
    db.session.flush()  # its id, for the notices' link
    notices.write(told, comment.url)
    db.session.execute(
        update(Idea).where(Idea.id == idea.id).values(comment_count=Idea.comment_count + 1)
    )
    db.session.commit()
    return comment


def thread_of(comment: Comment) -> int:
    """The top-level comment a reply to `comment` goes under: replies stay one level deep."""
    return comment.parent_id or comment.id


def _notices_about(actor: User, idea: Idea, parent: Comment | None) -> list[dict[str, Any]]:
    """The idea's authors hear of a comment; whoever was replied to, of the reply (once,
    though they wrote the idea too). Nobody hears of their own."""
    replied_to = {parent.author_id} - {actor.id} if parent else set()
    return notices.addressed(
        replied_to,
        _l("%(name)s replied to your comment on “%(title)s”.", name=actor.name, title=idea.title),
    ) + notices.addressed(
        notices.author_ids(idea.id, idea.author_id) - replied_to - {actor.id},
        _l("%(name)s commented on your idea “%(title)s”.", name=actor.name, title=idea.title),
    )


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
