from __future__ import annotations

import logging

from flask import jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import Select, text
from werkzeug.wrappers import Response

from ..extensions import csrf, db
from ..i18n import LANGUAGE_NAMES
from ..ideas import queries
from ..models import Campaign
from ..shared_rendering import fill_voted_marks, shared
from ..sql import built_once, rows, written_limit
from . import bp

logger = logging.getLogger(__name__)

# The home page lists the open campaigns closing soonest; Campaigns lists them all.
HOME_CAMPAIGNS = 12


@built_once
def _open_campaigns() -> Select:
    """The open campaigns closing soonest, as the rows the home page shows (one more than
    it lists, to know whether to link to all)."""
    return (
        db.select(
            Campaign.id, Campaign.title, Campaign.theme, Campaign.idea_count, Campaign.closes_on
        )
        .where(Campaign.state == "open")
        .order_by(Campaign.closes_on, Campaign.id)
        .limit(written_limit(HOME_CAMPAIGNS + 1))
    )


@bp.route("/")
@login_required
def home() -> str:
    """Open campaigns, trending ideas and what happened lately.

    Everyone sees the same page but for their name and "You voted" marks: its body is
    rendered once and shared (shared_rendering.py) while the rows it shows are unchanged.
    """
    campaigns = rows(_open_campaigns()).all()
    trending_ids = queries.trending_ids()
    trending = queries.trending_card_versions(trending_ids, current_user)
    recent_ideas, recent_comments = queries.recent_ideas(), queries.recent_comments()

    described = (
        [tuple(c) for c in campaigns],
        trending.rows,
        [tuple(r) for r in recent_ideas],
        [tuple(r) for r in recent_comments],
    )

    def render() -> tuple[str, object]:
        cards = queries.ideas_in_order([row[0] for row in trending.rows])  # still trending
        html = render_template(
            "main/_home_body.html",
            campaigns=campaigns[:HOME_CAMPAIGNS],
            more_campaigns=len(campaigns) > HOME_CAMPAIGNS,
            trending=cards,
            recent_ideas=recent_ideas,
            recent_comments=recent_comments,
        )
        # Campaigns and recent activity are rendered from the rows themselves.
        return html, (*described[:1], [queries.card_version(i) for i in cards], *described[2:])

    body = shared("home", described, render)
    return render_template("main/home.html", body=fill_voted_marks(body, trending.voted))


@bp.route("/language", methods=["POST"])
def set_language() -> Response:
    """Choose the interface language for this browser."""
    chosen = request.form.get("language", "")
    if chosen in LANGUAGE_NAMES:
        session["locale"] = chosen
        if current_user.is_authenticated and current_user.locale != chosen:
            current_user.locale = chosen
            db.session.commit()
    back = request.form.get("next") or ""
    from ..auth.routes import safe_next

    return redirect(safe_next(back) if back else url_for("main.home"))


@bp.route("/healthz")
@csrf.exempt
def healthz() -> tuple[Response, int]:
    """Machine-readable health: is the database answering?"""
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except Exception:  # any failure means unhealthy; log it, answer 503
        logger.exception("health check: database unreachable")
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200
