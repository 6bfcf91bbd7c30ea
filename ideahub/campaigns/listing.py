"""The campaign page's idea list, rendered once and shared by every reader while it is current.

Loading twenty ideas with their authors and tags and rendering their cards was most of a
campaign page's cost. The rendered list is shared (see shared_rendering.py) under a key made of
what one cheap query says its cards show (`queries.campaign_card_versions`: counts, status,
edits, authors' names and departments). The one part that differs per reader, the "You
voted" mark, is left as a hole in the shared HTML (`_partials/idea_card.html`) and filled per
request.
"""

from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user
from markupsafe import Markup

from ..ideas import queries
from ..ideas.queries import IdeaFilters
from ..models import Campaign
from ..pagination import Page
from ..shared_rendering import fill_voted_marks, shared


def idea_list(campaign: Campaign, filters: IdeaFilters, raw_page: object) -> Markup:
    """The list section of the campaign page (campaigns/_ideas.html) as this reader sees it."""
    per_page = current_app.config["IDEAS_PER_PAGE"]
    versions = queries.campaign_card_versions(campaign, filters, raw_page, per_page)
    ids = [row[0] for row in versions.items]
    described = (
        campaign.id,
        sorted(filters.as_args().items()),
        versions.number,
        versions.has_next,
        versions.items,
    )

    def render() -> str:
        page = Page(
            items=queries.ideas_in_order(ids),
            number=versions.number,
            per_page=per_page,
            has_next=versions.has_next,
        )
        return render_template(
            "campaigns/_ideas.html", campaign=campaign, page=page, filters=filters, voted=None
        )

    html = shared("idea-list", described, render)
    return fill_voted_marks(html, queries.voted_ids(current_user, ids))
