from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import Select, bindparam
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.interfaces import LoaderOption
from werkzeug.wrappers import Response

from ..comments.forms import CommentForm
from ..comments.listing import discussion
from ..database import begin_late_write, writes_late
from ..extensions import db
from ..forms import refuse_at
from ..htmx import is_htmx, render
from ..judging.queries import published_outcome
from ..models import Attachment, Campaign, Idea
from ..permissions import (
    can_change_idea_status,
    can_edit_idea,
    can_view_attachment,
    can_view_campaign,
    can_withdraw_idea,
    why_cannot_edit_idea,
    why_cannot_submit,
    why_cannot_vote,
)
from ..sql import built_once, parse_id
from ..uploads import UploadRejected, download_response, stored_path
from . import bp, queries
from .forms import AttachForm, IdeaForm, StatusForm, WithdrawForm
from .services import (
    IdeaData,
    IdeaError,
    Upload,
    change_status,
    edit_idea,
    parse_coauthors,
    parse_tags,
    set_vote,
    store_uploads,
    submit_idea,
    withdraw_idea,
)


@built_once
def _idea_with(*load: LoaderOption) -> Select[tuple[Idea]]:
    return (
        db.select(Idea)
        .where(Idea.id == bindparam("idea_id"))
        .options(joinedload(Idea.campaign), *load)
    )


# What the idea page shows of the idea, in the same statement (joined: a few rows at most).
PAGE_LOAD = (joinedload(Idea.author), joinedload(Idea.tags), joinedload(Idea.coauthors))


def _visible_idea(idea_id: int, *load: LoaderOption) -> Idea:
    """The idea, or 404 when the reader may not see its campaign. `load`: module-level loader
    options (PAGE_LOAD); the campaign always comes joined, as the check needs it."""
    found = db.session.scalars(_idea_with(*load), {"idea_id": idea_id})
    idea = found.unique().one_or_none()
    if idea is None or not can_view_campaign(current_user, idea.campaign):
        abort(404)
    return idea


def _uploads(field_name: str = "files") -> list[Upload]:
    files = [f for f in request.files.getlist(field_name) if f and f.filename]
    limit = current_app.config["MAX_FILES_PER_UPLOAD"]
    if len(files) > limit:
        raise UploadRejected(_("Attach at most %(n)s files at a time.", n=limit))
    return [Upload(f.filename, f.stream) for f in files]


def _idea_data(form: IdeaForm) -> IdeaData:
    return IdeaData(
        title=form.title.data or "",
        summary=form.summary.data or "",
        description=form.description.data or "",
        tags=parse_tags(form.tags.data or ""),
        coauthor_ids=parse_coauthors(form.coauthors.data or "", current_user),
    )


def _refused(form: IdeaForm, exc: IdeaError | UploadRejected) -> None:
    """Say what is wrong at the field at fault (its own messages, one each); files are
    never kept by a browser when a form comes back, so the person is asked for them again
    only when they had chosen some."""
    if isinstance(exc, IdeaError):
        refuse_at(form, exc.field, *exc.messages)
    else:
        refuse_at(form, "files", str(exc))
    if any(f.filename for f in request.files.getlist("files")):
        flash(_("Nothing was saved; please choose your files again."), "error")


@bp.route("/campaigns/<int:campaign_id>/ideas/new", methods=["GET", "POST"])
@login_required
def new(campaign_id: int) -> Response | str:
    """Submit an idea to an open campaign."""
    campaign = db.get_or_404(Campaign, campaign_id)
    if not can_view_campaign(current_user, campaign):
        abort(404)
    reason = why_cannot_submit(current_user, campaign)
    if reason:
        abort(403, description=reason)
    form = IdeaForm()
    if form.validate_on_submit():
        try:
            data = _idea_data(form)
            files = store_uploads(_uploads())
        except (IdeaError, UploadRejected) as exc:
            _refused(form, exc)
        else:
            idea = submit_idea(current_user, campaign, data, files)
            flash(
                _("Your idea is published. Everyone can now see, discuss and vote for it."),
                "success",
            )
            return redirect(idea.url)
    return render_template("ideas/form.html", form=form, campaign=campaign, idea=None)


@bp.route("/ideas/<int:idea_id>")
@login_required
def show(idea_id: int) -> str:
    """An idea with its material, discussion, votes and history."""
    idea = _visible_idea(idea_id, *PAGE_LOAD)
    page = queries.idea_page(idea, current_user)
    reply_to = parse_id(request.args.get("reply_to"))
    comment_form = CommentForm(formdata=None)
    return render_template(
        "ideas/show.html",
        idea=idea,
        page=page,
        discussion=discussion(
            idea, comment_form, reply_to, queries.discussion_page_number(request.args.get("page"))
        ),
        # Forms only for who will see them (building each cost ~0.1 ms of every view).
        status_form=(
            StatusForm(status=idea.status) if can_change_idea_status(current_user, idea) else None
        ),
        withdraw_form=WithdrawForm() if can_withdraw_idea(current_user, idea) else None,
        attach_form=AttachForm() if can_edit_idea(current_user, idea) else None,
        comment_form=comment_form,
        outcome=published_outcome(idea) if page.has_outcome else None,
        reply_to=reply_to,
    )


@bp.route("/ideas/<int:idea_id>/edit", methods=["GET", "POST"])
@login_required
def edit(idea_id: int) -> Response | str:
    """The author edits their idea while the campaign is open (history is kept)."""
    idea = _visible_idea(idea_id)
    reason = why_cannot_edit_idea(current_user, idea)
    if reason:
        abort(403, description=reason)
    # Filled from the idea as text (not obj=idea: a field left out of a POST would fall back
    # to idea.tags, a list of Tag objects); fields sent in the POST replace these values.
    form = IdeaForm(
        data={
            "title": idea.title,
            "summary": idea.summary,
            "description": idea.description,
            "tags": ", ".join(t.name for t in idea.tags),
            "coauthors": ", ".join(u.email for u in idea.coauthors),
        }
    )
    if form.validate_on_submit():
        try:
            data = _idea_data(form)
            files = store_uploads(_uploads())
        except (IdeaError, UploadRejected) as exc:
            _refused(form, exc)
        else:
            edit_idea(current_user, idea, data, files)
            flash(
                _("Your changes are saved; the earlier version is kept in the history."), "success"
            )
            return redirect(idea.url)
    return render_template("ideas/form.html", form=form, campaign=idea.campaign, idea=idea)


@bp.route("/ideas/<int:idea_id>/history")
@login_required
def history(idea_id: int) -> str:
    """Earlier versions of an idea."""
    idea = _visible_idea(idea_id)
    return render_template("ideas/history.html", idea=idea, revisions=queries.revisions(idea.id))


@bp.route("/ideas/<int:idea_id>/withdraw", methods=["POST"])
@login_required
def withdraw(idea_id: int) -> Response:
    """The author withdraws their idea; it stays visible, marked withdrawn."""
    idea = _visible_idea(idea_id)
    if not can_withdraw_idea(current_user, idea):
        abort(
            403,
            description=_("Only the author can withdraw this idea, and only before a decision."),
        )
    form = WithdrawForm()
    if form.validate_on_submit():
        withdraw_idea(current_user, idea, form.note.data or "")
        flash(_("Your idea is withdrawn."), "success")
    else:
        flash(_("The note is too long (500 characters at most)."), "error")
    return redirect(idea.url)


@bp.route("/ideas/<int:idea_id>/status", methods=["POST"])
@login_required
def set_status(idea_id: int) -> Response:
    """CoE members and admins move an idea through its statuses."""
    idea = _visible_idea(idea_id)
    if not can_change_idea_status(current_user, idea):
        abort(403)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            change_status(current_user, idea, form.status.data or "", form.note.data or "")
        except IdeaError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Status changed."), "success")
    else:
        flash(_("Choose a valid status; the note may have up to 500 characters."), "error")
    # The top of the page, where the message and the new status badge are (sent down to the
    # history, the message was off screen).
    return redirect(idea.url)


@bp.route("/ideas/<int:idea_id>/vote", methods=["POST"])
@login_required
@writes_late
def vote(idea_id: int) -> Response:
    """Add (value=1) or take back (value=0) the current user's vote; htmx gets the widget."""
    idea = _visible_idea(idea_id)
    reason = why_cannot_vote(current_user, idea)
    if reason:
        abort(403, description=reason)  # htmx shows the reason in the page's alert region
    wanted = request.form.get("value", "1") == "1"
    begin_late_write()  # set_vote decides in SQL; the checks above need no write lock
    has_voted, _count = set_vote(current_user, idea, wanted, commit=False)
    if is_htmx():
        response = render("ideas/_vote.html", "ideas/_vote.html", idea=idea, has_voted=has_voted)
    else:
        response = redirect(idea.url + "#vote")
    # Committed after rendering: a commit expires every loaded object, and rendering after
    # it re-read the idea, its campaign and the voter (5 queries more per vote).
    db.session.commit()
    return response


@bp.route("/ideas/<int:idea_id>/attachments", methods=["POST"])
@login_required
def attach(idea_id: int) -> Response:
    """The author adds supporting material while they may edit."""
    idea = _visible_idea(idea_id)
    reason = why_cannot_edit_idea(current_user, idea)
    if reason:
        abort(403, description=reason)
    form = AttachForm()
    if form.validate_on_submit():
        try:
            files = store_uploads(_uploads())
        except UploadRejected as exc:
            flash(str(exc) + " " + _("Nothing was saved."), "attachments error")
        else:
            if files:
                edit_idea(current_user, idea, _unchanged(idea), files)
                flash(_("%(n)s file(s) attached.", n=len(files)), "attachments success")
            else:
                flash(_("Choose at least one file."), "attachments error")
    # The page lands on its attachments, and says there what became of the upload (a
    # message at the top of the page was out of sight).
    return redirect(idea.url + "#attachments")


def _unchanged(idea: Idea) -> IdeaData:
    return IdeaData(
        idea.title,
        idea.summary,
        idea.description,
        [t.name for t in idea.tags],
        [u.id for u in idea.coauthors],
    )


def _attachment(attachment_id: int) -> Attachment:
    attachment = db.get_or_404(Attachment, attachment_id)
    if not can_view_attachment(current_user, attachment):
        abort(404)  # as for the idea itself: a hidden campaign's files do not exist for you
    return attachment


@bp.route("/attachments/<int:attachment_id>/download")
@login_required
def download_attachment(attachment_id: int) -> Response:
    """Download a file (never shown inline, never sniffed)."""
    attachment = _attachment(attachment_id)
    return download_response(attachment.content_hash, attachment.mime_type, attachment.filename)


@bp.route("/attachments/<int:attachment_id>/preview")
@login_required
def preview_attachment(attachment_id: int) -> Response:
    """Show an image inline for its preview; other types are only downloaded."""
    attachment = _attachment(attachment_id)
    if not attachment.is_image:
        abort(404)
    response = send_file(
        stored_path(attachment.content_hash), mimetype=attachment.mime_type, max_age=0
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
