from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import Select, bindparam, func
from werkzeug.wrappers import Response

from ..extensions import db
from ..htmx import is_htmx, vary_on_htmx
from ..ideas import queries
from ..models import IDEA_STATUSES, Campaign, Department, Panel
from ..pagination import page_number
from ..permissions import can_manage_campaigns, can_view_campaign
from ..sql import built_once, parse_id, rows
from . import bp
from .forms import CampaignForm
from .listing import campaign_head, idea_list
from .services import CampaignData, CampaignError, create_campaign, update_campaign


def _data(form: CampaignForm) -> CampaignData:
    return CampaignData(
        title=form.title.data or "",
        theme=form.theme.data or "",
        description=form.description.data or "",
        opens_on=form.opens_on.data,
        closes_on=form.closes_on.data,
        state=form.state.data or "draft",
    )


def _filters() -> queries.IdeaFilters:
    args = request.args
    sort = args.get("sort", "top")
    status = args.get("status", "")
    department = args.get("department", "")
    return queries.IdeaFilters(
        sort=sort if sort in queries.SORTS else "top",
        tag=(args.get("tag") or "").strip().lower()[:30],
        status=status if status in IDEA_STATUSES else "",
        department_id=parse_id(department),
    )


# The index lists one state at a time, newest first, in pages: all 200 of the bench's
# campaigns on one page made it ~40,000 px tall (helper's review).
INDEX_STATES = ("open", "judging", "closed", "draft")
CAMPAIGNS_PER_PAGE = 20


@bp.route("/")
@login_required
def index() -> str:
    """The campaigns of one state (open ones unless asked, or the first state that has
    any), newest first, with how many each state has."""
    states = INDEX_STATES if can_manage_campaigns(current_user) else INDEX_STATES[:3]
    counts = dict(
        rows(
            db.select(Campaign.state, func.count())
            .where(Campaign.state.in_(states))
            .group_by(Campaign.state)
        ).all()
    )
    asked = request.args.get("state")
    state = asked if asked in states else next((s for s in states if counts.get(s)), "open")
    last = max(1, -(-counts.get(state, 0) // CAMPAIGNS_PER_PAGE))
    number = page_number(request.args.get("page"), maximum=last)  # past the end: the last
    campaigns = db.session.scalars(
        db.select(Campaign)
        .where(Campaign.state == state)
        .order_by(Campaign.id.desc())
        .limit(CAMPAIGNS_PER_PAGE)
        .offset((number - 1) * CAMPAIGNS_PER_PAGE)
    ).all()
    return render_template(
        "campaigns/index.html",
        campaigns=campaigns,
        states=states,
        state=state,
        counts=counts,
        number=number,
        last=last,
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> Response | str:
    """Create a campaign (admins and CoE members)."""
    if not can_manage_campaigns(current_user):
        abort(403)
    form = CampaignForm()
    if form.validate_on_submit():
        try:
            campaign = create_campaign(current_user, _data(form))
        except CampaignError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Campaign created."), "success")
            return redirect(campaign.url)
    return render_template("campaigns/form.html", form=form, campaign=None)


@built_once
def _campaign_and_panel() -> Select[tuple[Campaign, Panel]]:
    """The campaign and its panel (at most one), in one statement."""
    return (
        db.select(Campaign, Panel)
        .outerjoin(Panel, Panel.campaign_id == Campaign.id)
        .where(Campaign.id == bindparam("campaign_id"))
    )


@built_once
def _departments() -> Select[tuple[int, str]]:
    return db.select(Department.id, Department.name).order_by(Department.name)


@bp.route("/<int:campaign_id>")
@login_required
def show(campaign_id: int) -> Response:
    """A campaign and its ideas: sorted, filtered, paged; htmx gets just the list."""
    found = db.session.execute(_campaign_and_panel(), {"campaign_id": campaign_id}).first()
    if found is None:
        abort(404)
    campaign, panel = found
    if not can_view_campaign(current_user, campaign):
        abort(404)
    filters = _filters()
    ideas = idea_list(campaign, filters, request.args.get("page"))
    if is_htmx():
        return vary_on_htmx(make_response(ideas))
    departments = rows(_departments()).all()
    head = campaign_head(campaign, panel, filters, departments)
    page = render_template("campaigns/show.html", campaign=campaign, head=head, idea_list=ideas)
    return vary_on_htmx(make_response(page))


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@login_required
def edit(campaign_id: int) -> Response | str:
    """Edit a campaign or move it to another state."""
    campaign = db.get_or_404(Campaign, campaign_id)
    if not can_manage_campaigns(current_user):
        abort(403)
    form = CampaignForm(obj=campaign)
    if form.validate_on_submit():
        try:
            update_campaign(current_user, campaign, _data(form))
        except CampaignError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(_("Campaign saved."), "success")
            return redirect(url_for("campaigns.show", campaign_id=campaign.id))
    return render_template("campaigns/form.html", form=form, campaign=campaign)
