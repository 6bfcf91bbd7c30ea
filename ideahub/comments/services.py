"""Writing comments: post, edit (marked edited), remove softly."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from ..audit import record
from ..database import begin_late_write
from ..extensions import db
from ..models import Comment, Idea, User, utcnow
from ..notices import notify, notify_authors


class CommentError(ValueError):
    """A comment that cannot be posted; the message says why."""


def post_comment(actor: User, idea: Idea, body: str, parent_id: int | None = None) -> Comment:
    """Post a comment or a reply; the idea's authors are told, and whoever was replied to."""
    parent = None
    if parent_id is not None:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.idea_id != idea.id:
            raise CommentError(_("The comment you replied to is not on this idea."))
    # From the first write, SQLite's database and PostgreSQL's idea row (its counts move)
    # stay locked to the commit: the parent is read before, and the authors' notices are
    # one statement built once (reading them first, or building it each time, doubled a
    # post's cost: bench/RESULTS.md, eighth session).
    begin_late_write()
    comment = Comment(
        idea_id=idea.id,
        campaign_id=idea.campaign_id,
        department_id=idea.department_id,
        author_id=actor.id,
        parent_id=thread_of(parent) if parent else None,
        body=body,
    )
    db.session.add(comment)
    db.session.flush()  # its id, for the notices' link
    _tell_about(actor, idea, comment, parent)
    db.session.execute(
        update(Idea).where(Idea.id == idea.id).values(comment_count=Idea.comment_count + 1)
    )
    db.session.commit()
    return comment


def thread_of(comment: Comment) -> int:
    """The top-level comment a reply to `comment` goes under: replies stay one level deep."""
    return comment.parent_id or comment.id


def _tell_about(actor: User, idea: Idea, comment: Comment, parent: Comment | None) -> None:
    """The idea's authors hear of a comment; whoever was replied to, of the reply (once,
    though they wrote the idea too). Nobody hears of their own."""
    not_told = {actor.id}
    if parent is not None and parent.author_id not in not_told:
        replied = _l(
            "%(name)s replied to your comment on “%(title)s”.", name=actor.name, title=idea.title
        )
        notify([parent.author_id], replied, comment.url)
        not_told.add(parent.author_id)
    notify_authors(
        idea.id,
        idea.author_id,
        _l("%(name)s commented on your idea “%(title)s”.", name=actor.name, title=idea.title),
        comment.url,
        not_told,
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
