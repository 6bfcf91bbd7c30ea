from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..database import writes_late
from ..extensions import db
from ..htmx import is_htmx, render
from ..ideas.queries import Thread, discussion_page_number, page_of, thread_pages
from ..models import Comment, Idea
from ..permissions import (
    can_delete_comment,
    can_edit_comment,
    can_view_campaign,
    why_cannot_comment,
)
from ..sql import parse_id
from . import bp
from .forms import CommentForm, DeleteCommentForm, EditCommentForm
from .listing import discussion as discussion_of
from .services import CommentError, delete_comment, edit_comment, post_comment


def _visible_comment(comment_id: int) -> Comment:
    comment = db.get_or_404(Comment, comment_id)
    if not can_view_campaign(current_user, comment.idea.campaign):
        abort(404)
    return comment


def _where(comment: Comment) -> str:
    """The idea page at the discussion page that shows the comment, scrolled to it."""
    page = page_of(comment)
    return f"{comment.idea.url}{f'?page={page}' if page > 1 else ''}#{comment.anchor}"


def _discussion(
    idea: Idea,
    form: CommentForm | None = None,
    status: int = 200,
    reply_to: int | None = None,
    page: int = 1,
    posted: bool = False,
) -> Response:
    form = form or CommentForm(formdata=None)
    shown = discussion_of(idea, form, reply_to, page)
    response = render(
        "comments/page.html",
        "comments/_discussion.html",
        status=status,
        idea=idea,
        discussion=shown,
        comment_form=form,
        reply_to=reply_to,
    )
    if posted and is_htmx():
        # The page shown (the new comment's, or a refused reply's thread's) may not be the
        # one the reader posted from: the address names it, so a reload shows it too.
        number = shown.page.number
        response.headers["HX-Replace-Url"] = f"{idea.url}?page={number}" if number > 1 else idea.url
    return response


def _reply_form(idea: Idea, reply_to: int, page: int) -> Response:
    """The reply box of one thread, for htmx to open in place of its Reply link."""
    parent = db.session.get(Comment, reply_to)
    if parent is None or parent.idea_id != idea.id:
        abort(404)
    if parent.parent_id is not None:  # replies stay one level deep: answer the thread
        parent = db.session.get(Comment, parent.parent_id) or parent
    reason = why_cannot_comment(current_user, idea)
    if reason:
        abort(403, description=reason)
    response = make_response(
        render_template("comments/_reply_form.html", idea=idea, thread=Thread(parent), page=page)
    )
    response.vary.add("HX-Request")  # the same URL without htmx is the whole discussion
    return response


def _refused_on(idea: Idea, form: CommentForm, page: int) -> int:
    """The page to show a refused comment on: the reader's; for a reply, the reader's if its
    thread is still on it, else the page the thread begins on now (replies posted since the
    box was opened may have moved it on, and the box, with the error and the reader's text,
    is in the thread)."""
    parent_id = parse_id(form.parent_id.data)
    parent = db.session.get(Comment, parent_id) if parent_id is not None else None
    if parent is None or parent.idea_id != idea.id or parent.parent_id is not None:
        form.parent_id.data = ""  # no such thread here: the error shows at the main form
        return page
    pages = thread_pages(parent)
    return page if page in pages else pages.start


@bp.route("/ideas/<int:idea_id>/comments", methods=["GET", "POST"])
@login_required
@writes_late
def discussion(idea_id: int) -> Response:
    """The discussion of an idea; POST adds a comment or a reply."""
    idea = db.get_or_404(Idea, idea_id)
    if not can_view_campaign(current_user, idea.campaign):
        abort(404)
    page = discussion_page_number(request.args.get("page"))  # the page the reader is on
    if request.method == "GET":
        reply_to = parse_id(request.args.get("reply_to"))
        if reply_to is not None and is_htmx():
            return _reply_form(idea, reply_to, page)
        return _discussion(idea, reply_to=reply_to, page=page)
    reason = why_cannot_comment(current_user, idea)
    if reason:
        abort(403, description=reason)
    form = CommentForm()
    if not form.validate_on_submit():
        page = _refused_on(idea, form, page)
        return _discussion(idea, form, status=422, page=page, posted=True)
    parent_id = parse_id(form.parent_id.data)
    try:  # (post_comment takes SQLite's write lock once it has read what it needs)
        comment = post_comment(current_user, idea, form.body.data or "", parent_id)
    except CommentError as exc:  # the parent is not on this idea: say so at the main form
        form.body.errors = [str(exc)]
        form.parent_id.data = ""
        return _discussion(idea, form, status=422, page=page, posted=True)
    if is_htmx():  # the page the new comment is on: the last one, or its thread's
        return _discussion(idea, page=page_of(comment), posted=True)
    flash(_("Your comment is posted."), "success")
    return redirect(_where(comment))


@bp.route("/comments/<int:comment_id>")
@login_required
def show(comment_id: int) -> Response:
    """A link to one comment (search, the home page, a profile): its page of the discussion."""
    return redirect(_where(_visible_comment(comment_id)))


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(comment_id: int) -> Response:
    """The author edits their comment; it is then marked edited."""
    comment = _visible_comment(comment_id)
    if not can_edit_comment(current_user, comment):
        abort(
            403,
            description=_("Only its author can edit this comment, while the discussion is open."),
        )
    form = EditCommentForm(obj=comment)
    # Its own id: the idea page's new-comment box is "body" too, and a label for it
    # would name (and focus) that box instead.
    form.body.id = f"edit-{comment.id}-body"
    if form.validate_on_submit():
        edit_comment(current_user, comment, form.body.data or "")
        if is_htmx():
            return render(
                "comments/_comment.html",
                "comments/_comment.html",
                comment=comment,
                idea=comment.idea,
            )
        flash(_("Your comment is saved."), "success")
        return redirect(_where(comment))
    status = 422 if request.method == "POST" else 200
    return render(
        "comments/edit.html", "comments/_edit_form.html", status=status, comment=comment, form=form
    )


@bp.route("/comments/<int:comment_id>/delete", methods=["POST"])
@login_required
def delete(comment_id: int) -> Response:
    """Remove a comment softly: the thread shows that it was removed."""
    comment = _visible_comment(comment_id)
    if not can_delete_comment(current_user, comment):
        abort(403)
    if not DeleteCommentForm().validate_on_submit():
        abort(400)
    delete_comment(current_user, comment)
    if is_htmx():
        return render(
            "comments/_comment.html", "comments/_comment.html", comment=comment, idea=comment.idea
        )
    flash(_("The comment is removed."), "success")
    return redirect(_where(comment))
