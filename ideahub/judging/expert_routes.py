"""The expert's queue and scorecard, conflicts of interest, and the public results."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..extensions import db
from ..ideas import queries as idea_queries
from ..models import Campaign, Criterion, Idea
from ..permissions import can_view_campaign, is_panel_member, why_cannot_score
from . import bp, queries
from .arithmetic import idea_score
from .forms import ConflictForm, ScorecardForm
from .scoring import Entry, ScoringError, off_the_scale, save_scorecard
from .services import JudgingError, declare_conflict


@bp.route("/judging/queue")
@login_required
def queue() -> str:
    """The shortlisted ideas assigned to me, with my progress."""
    if not current_user.has_role("expert"):
        abort(403, description=_("The review queue is for experts."))
    return render_template("judging/queue.html", queue=queries.expert_queue(current_user))


def _entries(criteria: list[Criterion]) -> tuple[dict[int, Entry], dict[int, str]]:
    """Read score-<id> and comment-<id> fields; a non-number is an error, not a blank
    (criterion id -> message)."""
    entries: dict[int, Entry] = {}
    errors: dict[int, str] = {}
    for c in criteria:
        raw = (request.form.get(f"score-{c.id}") or "").strip()
        value: int | None = None
        if raw:
            try:
                value = int(raw)
            except ValueError:
                errors[c.id] = _("%(name)s: the score must be a whole number.", name=c.name)
        entries[c.id] = Entry(value, request.form.get(f"comment-{c.id}", "")[:2000])
    return entries, errors


@bp.route("/judging/ideas/<int:idea_id>/score", methods=["GET", "POST"])
@login_required
def score(idea_id: int) -> Response | str:
    """Score an idea against the campaign's criteria: save a draft or submit."""
    idea = db.get_or_404(Idea, idea_id)
    panel = queries.panel_for(idea.campaign_id)
    card = queries.scorecard_of(current_user.id, idea.id)
    reason = why_cannot_score(current_user, idea, panel)
    if reason and not (
        card is not None
        and request.method == "GET"
        and panel is not None
        and is_panel_member(current_user, panel)
    ):
        abort(403, description=reason)
    assert panel is not None
    criteria = queries.criteria_of(idea.campaign_id)
    form = ScorecardForm(obj=card)
    entries = {s.criterion_id: Entry(s.value, s.comment) for s in card.scores} if card else {}
    problem: ScoringError | None = None
    if request.method == "POST" and form.validate_on_submit():
        entries, errors = _entries(criteria)
        errors.update(off_the_scale(criteria, entries))  # every wrong score at once
        submit = request.form.get("action") == "submit"
        if errors:
            problem = ScoringError(" ".join(errors.values()), wrong=errors)
        else:
            try:
                save_scorecard(
                    current_user, idea, criteria, entries, form.overall_comment.data or "", submit
                )
            except ScoringError as exc:
                db.session.rollback()
                problem = exc
            else:
                if submit:
                    flash(_("Your scorecard is submitted."), "success")
                    return redirect(url_for("judging.queue"))
                flash(_("Draft saved. Submit it when every criterion has a score."), "success")
                return redirect(url_for("judging.score", idea_id=idea.id))
    others = None
    if card is not None and card.is_submitted:
        # Once an expert has submitted, they see the others' submitted scores as aggregates.
        cards = [
            v
            for c, v in queries.submitted_cards([idea.id]).get(idea.id, [])
            if c.expert_id != current_user.id
        ]
        others = idea_score(cards, queries.scales(criteria)) if cards else None
    page = idea_queries.idea_page(idea, current_user)
    return render_template(
        "judging/score.html",
        idea=idea,
        panel=panel,
        criteria=criteria,
        card=card,
        entries=entries,
        form=form,
        problem=problem,
        others=others,
        page=page,
        # The discussion's first page; a link leads to the whole discussion.
        threads=idea_queries.comment_threads(idea_queries.comment_page(idea)),
        conflict_form=ConflictForm(formdata=None),
        locked=reason is not None or (card is not None and card.is_submitted),
        lock_reason=reason,
    ), (422 if problem else 200)


@bp.route("/judging/ideas/<int:idea_id>/conflict", methods=["POST"])
@login_required
def conflict(idea_id: int) -> Response:
    """Declare a conflict of interest and step back from an idea."""
    idea = db.get_or_404(Idea, idea_id)
    panel = queries.panel_for(idea.campaign_id)
    if panel is None or not is_panel_member(current_user, panel):
        abort(403, description=_("You are not on this campaign's panel."))
    if panel.is_published:
        abort(403, description=_("The panel has published its decisions."))
    form = ConflictForm()
    if not form.validate_on_submit():
        flash(_("Say briefly why you have a conflict of interest (up to 500 characters)."), "error")
        return redirect(url_for("judging.score", idea_id=idea.id))
    try:
        declare_conflict(current_user, idea, form.reason.data or "")
    except JudgingError as exc:
        flash(str(exc), "error")
        return redirect(url_for("judging.score", idea_id=idea.id))
    flash(_("You are recused from this idea; the chair has been told why."), "success")
    return redirect(url_for("judging.queue"))


@bp.route("/campaigns/<int:campaign_id>/results")
@login_required
def results(campaign_id: int) -> str:
    """The published winners and decisions, with per-criterion aggregates and reasons."""
    campaign = db.get_or_404(Campaign, campaign_id)
    if not can_view_campaign(current_user, campaign):
        abort(404)
    panel = queries.panel_for(campaign.id)
    criteria = queries.criteria_of(campaign.id)
    published = panel is not None and panel.is_published
    return render_template(
        "judging/results.html",
        campaign=campaign,
        panel=panel,
        criteria=criteria,
        results=queries.published_results(panel, criteria) if published and panel else [],
        published=published,
    )
