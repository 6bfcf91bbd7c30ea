"""The campaign page's parts rendered once and shared by every reader while they are current:
its head with the filters, and its idea list.

Loading twenty ideas with their authors and tags and rendering their cards was most of a
campaign page's cost. The rendered list is shared (see shared_rendering.py) under a key made of
what one cheap query says its cards show (`queries.campaign_card_versions`: counts, status,
edits, authors' names and departments). The one part that differs per reader, the "You
voted" mark, is left as a hole in the shared HTML (`_partials/idea_card.html`) and filled per
request.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template
from flask_login import current_user
from markupsafe import Markup

from ..ideas import queries
from ..ideas.queries import IdeaFilters
from ..models import IDEA_STATUSES, Campaign, Panel
from ..pagination import Page
from ..shared_rendering import fill_voted_marks, shared

ACTIONS_HOLE = "<!--campaign-actions-->"


def idea_list(campaign: Campaign, filters: IdeaFilters, raw_page: object) -> Markup:
    """The list section of the campaign page (campaigns/_ideas.html) as this reader sees it."""
    per_page = current_app.config["IDEAS_PER_PAGE"]
    versions, voted = queries.campaign_card_versions(
        campaign, filters, raw_page, per_page, current_user
    )
    ids = [row[0] for row in versions.items]
    described = (
        campaign.id,
        sorted(filters.as_args().items()),
        versions.number,
        versions.has_next,
        versions.items,
    )

    def render() -> tuple[str, object]:
        page = Page(
            items=queries.ideas_in_order(ids),
            number=versions.number,
            per_page=per_page,
            has_next=versions.has_next,
        )
        html = render_template(
            "campaigns/_ideas.html", campaign=campaign, page=page, filters=filters
        )
        return html, (*described[:-1], [queries.card_version(i) for i in page.items])

    html = shared("idea-list", described, render)
    return fill_voted_marks(html, voted)


def campaign_head(
    campaign: Campaign, panel: Panel | None, filters: IdeaFilters, departments: list[Any]
) -> Markup:
    """The head and filters of the campaign page (campaigns/_head.html) with this reader's
    actions (campaigns/_actions.html) in them. The key names all the head shows."""
    described = (
        campaign.id,
        campaign.title,
        campaign.state,
        campaign.theme,
        campaign.idea_count,
        campaign.opens_on,
        campaign.closes_on,
        campaign.description,
        sorted(filters.as_args().items()),
        [tuple(d) for d in departments],
    )

    def render() -> tuple[str, object]:
        html = render_template(
            "campaigns/_head.html",
            campaign=campaign,
            filters=filters,
            departments=departments,
            statuses=IDEA_STATUSES,
        )
        return html, described  # rendered from the very values the key names

    head = shared("campaign-head", described, render)
    actions = render_template("campaigns/_actions.html", campaign=campaign, panel=panel)
    # Both are our own autoescaped renderings (Markup.replace would escape the actions again).
    return Markup(str(head).replace(ACTIONS_HOLE, actions, 1))  # noqa: S704
