from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import desc
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response

from ..extensions import db
from ..models import Campaign, Comment, Idea, Notice, User, Vote
from ..notices import mark_all_read, unread_count
from ..pagination import paginate
from . import bp
from .forms import SettingsForm
from .services import save_preferences

PROFILE_LIMIT = 50
NOTICES_PER_PAGE = 50


def _visible_ideas():  # type: ignore[no-untyped-def]
    """Ideas in campaigns the viewer may see (drafts only for their managers)."""
    from ..permissions import can_manage_campaigns

    query = db.select(Idea).join(Campaign, Campaign.id == Idea.campaign_id)
    if not can_manage_campaigns(current_user):
        query = query.where(Campaign.state != "draft")
    return query.options(joinedload(Idea.campaign), selectinload(Idea.tags))


@bp.route("/<int:user_id>")
@login_required
def profile(user_id: int) -> str:
    """A person's ideas, comments and the ideas they voted for."""
    person = db.get_or_404(User, user_id)
    ideas = (
        db.session.scalars(
            _visible_ideas()
            .where(Idea.author_id == person.id)
            .order_by(desc(Idea.created_at))
            .limit(PROFILE_LIMIT)
        )
        .unique()
        .all()
    )
    voted = (
        db.session.scalars(
            _visible_ideas()
            .join(Vote, Vote.idea_id == Idea.id)
            .where(Vote.user_id == person.id)
            .order_by(desc(Vote.created_at))
            .limit(PROFILE_LIMIT)
        )
        .unique()
        .all()
    )
    comments = (
        db.session.scalars(
            db.select(Comment)
            .join(Idea, Idea.id == Comment.idea_id)
            .join(Campaign, Campaign.id == Idea.campaign_id)
            .where(
                Comment.author_id == person.id,
                Comment.deleted_at.is_(None),
                Campaign.state != "draft",
            )
            .order_by(desc(Comment.created_at))
            .limit(PROFILE_LIMIT)
            .options(joinedload(Comment.idea))
        )
        .unique()
        .all()
    )
    return render_template(
        "people/profile.html", person=person, ideas=ideas, voted=voted, comments=comments
    )


@bp.route("/me/settings", methods=["GET", "POST"])
@login_required
def settings() -> Response | str:
    """The signed-in person's language and time zone."""
    form = SettingsForm(obj=current_user)
    if form.validate_on_submit():
        save_preferences(current_user, form.locale.data or "", form.timezone.data or "")
        session.pop("locale", None)
        flash(_("Your settings are saved."), "success")
        return redirect(url_for("people.settings"))
    return render_template("people/settings.html", form=form)


@bp.route("/me/notices")
@login_required
def notices() -> str:
    """What happened to the ideas I wrote or voted for, and who answered me: newest first,
    in pages (a voter on many ideas has thousands)."""
    page = paginate(
        db.select(Notice).where(Notice.user_id == current_user.id).order_by(desc(Notice.id)),
        request.args.get("page"),
        NOTICES_PER_PAGE,
    )
    return render_template(
        "people/notices.html", notices=page.items, page=page, unread=unread_count(current_user)
    )


@bp.route("/me/notices/read", methods=["POST"])
@login_required
def read_notices() -> Response:
    """Mark every notice as read."""
    mark_all_read(current_user)
    return redirect(url_for("people.notices"))
