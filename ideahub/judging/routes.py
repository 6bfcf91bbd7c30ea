"""Panel set-up (CoE members, admins) and the chair's board."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..extensions import db
from ..i18n import from_local, to_local
from ..models import Campaign, Criterion, Idea, Panel, ShortlistEntry, User
from ..permissions import can_manage_panel, is_chair
from ..sql import parse_id
from . import bp, queries
from .decisions import decide, publish
from .forms import (
    CriterionForm,
    DecisionForm,
    PanelForm,
    PublishForm,
    ReplacementForm,
    ShortlistForm,
)
from .services import (
    JudgingError,
    PanelSettings,
    add_to_shortlist,
    assign_replacement,
    delete_criterion,
    save_criterion,
    save_panel,
    start_judging,
)


def _campaign_for_manager(campaign_id: int) -> Campaign:
    campaign = db.get_or_404(Campaign, campaign_id)
    if not can_manage_panel(current_user, campaign):
        abort(403)
    return campaign


def _panel_for_chair(campaign_id: int) -> tuple[Campaign, Panel]:
    campaign = db.get_or_404(Campaign, campaign_id)
    panel = queries.panel_for(campaign.id)
    if panel is None:
        abort(404)
    if not is_chair(current_user, panel):
        abort(403, description=_("Only the panel's chair can do this."))
    return campaign, panel


def _panel_form(panel: Panel | None, experts: list[User]) -> PanelForm:
    form = PanelForm(obj=panel)
    choices = [(u.id, f"{u.name} ({u.department.name if u.department else '—'})") for u in experts]
    form.chair_id.choices = [(0, _("No chair yet"))] + choices
    form.member_ids.choices = choices
    if request.method == "GET" and panel is not None:
        form.chair_id.data = panel.chair_id or 0
        form.member_ids.data = sorted(queries.member_ids_of(panel))
        if panel.scoring_deadline:
            form.scoring_deadline.data = to_local(panel.scoring_deadline)
    return form


def _settings(form: PanelForm) -> PanelSettings:
    deadline = form.scoring_deadline.data
    if deadline is not None:  # typed in the person's own time zone
        deadline = from_local(deadline)
    return PanelSettings(
        chair_id=form.chair_id.data or None,
        member_ids=list(form.member_ids.data or []),
        min_reviews=form.min_reviews.data or 3,
        shortlist_size=form.shortlist_size.data if form.shortlist_size.data is not None else 10,
        scoring_deadline=deadline,
        exclude_same_department=bool(form.exclude_same_department.data),
        disagreement_threshold=form.disagreement_threshold.data
        if form.disagreement_threshold.data is not None
        else 20.0,
    )


@bp.route("/campaigns/<int:campaign_id>/panel", methods=["GET", "POST"])
@login_required
def setup(campaign_id: int) -> Response | str:
    """Criteria, panel members, chair, minimum reviews and deadline of a campaign."""
    campaign = _campaign_for_manager(campaign_id)
    panel = queries.panel_for(campaign.id)
    experts = queries.experts()
    form = _panel_form(panel, experts)
    if form.validate_on_submit():
        try:
            save_panel(current_user, campaign, _settings(form))
        except JudgingError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(_("Panel saved."), "success")
            return redirect(url_for("judging.setup", campaign_id=campaign.id))
    return render_template(
        "judging/setup.html",
        campaign=campaign,
        panel=panel,
        form=form,
        criteria=queries.criteria_of(campaign.id),
        criterion_form=CriterionForm(formdata=None),
        members=queries.members_of(panel) if panel else [],
    )


@bp.route("/campaigns/<int:campaign_id>/panel/criteria", methods=["POST"])
@login_required
def add_criterion(campaign_id: int) -> Response:
    """Add an evaluation criterion."""
    campaign = _campaign_for_manager(campaign_id)
    form = CriterionForm()
    if form.validate_on_submit():
        try:
            save_criterion(
                current_user,
                campaign,
                form.name.data or "",
                form.description.data or "",
                float(form.weight.data or 1),
                form.scale_min.data or 0,
                form.scale_max.data or 5,
            )
        except JudgingError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Criterion added."), "success")
    else:
        flash(_("Check the criterion: %(errors)s", errors=_errors(form)), "error")
    return redirect(url_for("judging.setup", campaign_id=campaign.id) + "#criteria")


def _errors(form: object) -> str:
    return "; ".join(  # messages may be lazy strings: str() each one
        f"{getattr(form, k).label.text}: {' '.join(str(m) for m in v)}"
        for k, v in form.errors.items()  # type: ignore[attr-defined]
    )


@bp.route("/criteria/<int:criterion_id>/delete", methods=["POST"])
@login_required
def remove_criterion(criterion_id: int) -> Response:
    """Remove a criterion before judging starts."""
    criterion = db.get_or_404(Criterion, criterion_id)
    campaign = _campaign_for_manager(criterion.campaign_id)
    try:
        delete_criterion(current_user, criterion)
    except JudgingError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Criterion removed."), "success")
    return redirect(url_for("judging.setup", campaign_id=campaign.id) + "#criteria")


@bp.route("/campaigns/<int:campaign_id>/panel/start", methods=["POST"])
@login_required
def start(campaign_id: int) -> Response:
    """Close submissions and votes and build the shortlist."""
    campaign = _campaign_for_manager(campaign_id)
    try:
        top = start_judging(current_user, campaign)
    except JudgingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("judging.setup", campaign_id=campaign.id))
    flash(_("Judging has started: %(n)s ideas are on the shortlist.", n=len(top)), "success")
    if is_chair(
        current_user, queries.panel_for(campaign.id)
    ):  # only the chair may see the board's scores
        return redirect(url_for("judging.board", campaign_id=campaign.id))
    return redirect(url_for("judging.setup", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/panel/board")
@login_required
def board(campaign_id: int) -> str:
    """The chair's board: scores, spreads, missing reviews, decisions."""
    campaign, panel = _panel_for_chair(campaign_id)
    criteria = queries.criteria_of(campaign.id)
    rows = queries.board(panel, criteria, current_user.id)
    shortlisted = {r.entry.idea_id for r in rows}
    candidates = db.session.scalars(
        db.select(Idea)
        .where(
            Idea.campaign_id == campaign.id,
            Idea.status != "withdrawn",
            Idea.id.not_in(shortlisted or {0}),
        )
        .order_by(Idea.vote_count.desc(), Idea.id)
        .limit(200)
    ).all()
    shortlist_form = ShortlistForm(formdata=None)
    shortlist_form.idea_id.choices = [(i.id, f"{i.title} ({i.vote_count})") for i in candidates]
    replacement_form = ReplacementForm(formdata=None)
    replacement_form.idea_id.choices = [(r.entry.idea_id, r.entry.idea.title) for r in rows]
    replacement_form.expert_id.choices = [(u.id, u.name) for u in queries.experts()]
    return render_template(
        "judging/board.html",
        campaign=campaign,
        panel=panel,
        criteria=criteria,
        rows=rows,
        shortlist_form=shortlist_form,
        replacement_form=replacement_form,
        decision_form=DecisionForm(formdata=None),
        publish_form=PublishForm(formdata=None),
    )


@bp.route("/campaigns/<int:campaign_id>/panel/shortlist", methods=["POST"])
@login_required
def shortlist_add(campaign_id: int) -> Response:
    """The chair adds an idea to the shortlist with a reason."""
    campaign, panel = _panel_for_chair(campaign_id)
    idea = db.get_or_404(Idea, parse_id(request.form.get("idea_id")) or 0)
    try:
        add_to_shortlist(current_user, panel, idea, request.form.get("reason", "")[:500])
    except JudgingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(_("Added to the shortlist."), "success")
    return redirect(url_for("judging.board", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/panel/replacements", methods=["POST"])
@login_required
def replacement(campaign_id: int) -> Response:
    """The chair assigns another expert to an idea short of reviews."""
    campaign, panel = _panel_for_chair(campaign_id)
    idea = db.get_or_404(Idea, parse_id(request.form.get("idea_id")) or 0)
    expert = db.get_or_404(User, parse_id(request.form.get("expert_id")) or 0)
    if idea.campaign_id != campaign.id or not db.session.scalar(
        db.select(ShortlistEntry.id).where(ShortlistEntry.idea_id == idea.id)
    ):
        abort(404)
    try:
        assign_replacement(current_user, panel, idea, expert)
    except JudgingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(_("%(name)s now reviews this idea.", name=expert.name), "success")
    return redirect(url_for("judging.board", campaign_id=campaign.id))


@bp.route("/ideas/<int:idea_id>/decision", methods=["POST"])
@login_required
def decision(idea_id: int) -> Response:
    """The chair records (or, after publishing, corrects) the decision on an idea."""
    idea = db.get_or_404(Idea, idea_id)
    campaign, panel = _panel_for_chair(idea.campaign_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            decide(current_user, panel, idea, form.outcome.data or "", form.reason.data or "")
        except JudgingError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(_("Decision recorded."), "success")
    else:
        flash(_("Choose selected or not selected, and write the reason."), "error")
    return redirect(url_for("judging.board", campaign_id=campaign.id) + f"#idea-{idea.id}")


@bp.route("/campaigns/<int:campaign_id>/panel/publish", methods=["POST"])
@login_required
def publish_results(campaign_id: int) -> Response:
    """Publish all decisions at once and close the campaign."""
    campaign, panel = _panel_for_chair(campaign_id)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        publish(current_user, panel, form.override_reason.data or "")
    except JudgingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("judging.board", campaign_id=campaign.id) + "#publish")
    flash(_("The results are published and everyone can see them."), "success")
    return redirect(url_for("judging.results", campaign_id=campaign.id))
