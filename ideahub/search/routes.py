from __future__ import annotations

from datetime import date
from typing import Any

from flask import make_response, render_template, request
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response

from ..extensions import db
from ..htmx import is_htmx, render, vary_on_htmx
from ..models import IDEA_STATUSES, Campaign, Department
from ..pagination import page_number
from ..permissions import can_manage_campaigns
from ..shared_rendering import shared
from ..sql import parse_id, rows
from . import bp
from .services import KINDS, Results, SearchFilters, search, similar_ideas

PER_PAGE = 20


# Days a search can start or end on: beyond them a day has no start in the company's time
# zone that Python can represent (0001-01-01 overflowed), and no idea was written there.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)


def _day(raw: str | None) -> date | None:
    """A day typed in a date box, kept within FIRST_DAY..LAST_DAY; garbled is no day."""
    try:
        day = date.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    return min(max(day, FIRST_DAY), LAST_DAY) if day else None


def _int(raw: str | None) -> int | None:
    return parse_id(raw)


@bp.route("/search")
@login_required
def results() -> Response:
    """Search ideas, comments and campaigns; htmx gets the results list only."""
    args = request.args
    q = (args.get("q") or "").strip()[:200]
    date_from, date_to = _day(args.get("from")), _day(args.get("to"))
    if date_from and date_to and date_from > date_to:  # typed the wrong way round
        date_from, date_to = date_to, date_from
    filters = SearchFilters(
        kind=args.get("kind", "") if args.get("kind") in KINDS else "",
        campaign_id=_int(args.get("campaign")),
        status=args.get("status", "") if args.get("status") in IDEA_STATUSES else "",
        department_id=_int(args.get("department")),
        date_from=date_from,
        date_to=date_to,
    )
    found = search(current_user, q, filters, page_number(args.get("page")), PER_PAGE)
    kept = {k: v for k, v in args.items() if k != "page"}
    listed = _listed(found, kept)
    if is_htmx():  # a filter changed: the results only, not the choices
        return vary_on_htmx(make_response(listed))
    return vary_on_htmx(
        make_response(
            render_template(
                "search/results.html",
                results=found,
                listed=listed,
                filters=filters,
                args=kept,
                kinds=KINDS,
                statuses=IDEA_STATUSES,
                **_filter_choices(filters),
            )
        )
    )


def _listed(found: Results, args: dict[str, str]) -> Markup:
    """The results list (search/_results.html), rendered once for every reader who asks the
    same in the same language and time zone: the hits are the index's, named by found.key,
    so a rendering is never stale (it took ~1 ms of each search, hot queries repeating).
    A listing by filters alone is rendered each time."""
    if found.by_filters:  # read from the database now: nothing names it for sharing
        return Markup(render_template("search/_results.html", results=found, args=args))  # noqa: S704
    described = (found.key, found.query, sorted(args.items()))
    return shared(
        "search-results",
        described,
        lambda: (render_template("search/_results.html", results=found, args=args), described),
    )


def _filter_choices(filters: SearchFilters) -> dict[str, Markup]:
    """The campaign and department filters' <option>s, the chosen one selected. Read as
    plain (id, name) rows (whole Campaign objects, descriptions and all, cost ~1.5 ms for
    the bench's 200) and rendered once for every reader who has the same choices."""
    campaigns = db.select(Campaign.id, Campaign.title).order_by(Campaign.title)
    if not can_manage_campaigns(current_user):
        campaigns = campaigns.where(Campaign.state != "draft")
    departments = db.select(Department.id, Department.name).order_by(Department.name)
    return {
        "campaign_options": _options(rows(campaigns).all(), filters.campaign_id),
        "department_options": _options(rows(departments).all(), filters.department_id),
    }


def _options(choices: list[Any], chosen: int | None) -> Markup:
    """<option>s for (id, name) rows, shared (rendering 200 of them took ~1 ms a search)."""
    choices = [tuple(row) for row in choices]
    html = shared(
        "search-options",
        choices,
        lambda: (render_template("search/_options.html", choices=choices), choices),
    )
    if chosen is None:
        return html
    # Our own rendering, and an integer id: only the chosen option gets `selected`.
    option = f'<option value="{chosen}">'
    chosen_option = f'<option value="{chosen}" selected>'
    return Markup(str(html).replace(option, chosen_option, 1))  # noqa: S704


@bp.route("/search/similar")
@login_required
def similar() -> Response:
    """Ideas like the title being typed (shown while submitting, to avoid duplicates)."""
    title = (request.args.get("title") or "").strip()[:150]
    hits = similar_ideas(current_user, title) if len(title) >= 3 else []
    return render("search/_similar.html", "search/_similar.html", hits=hits)
