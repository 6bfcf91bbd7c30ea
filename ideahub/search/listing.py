"""Listing by filters alone: with no words there is nothing to rank, so the newest of what
the filters choose ("every shortlisted idea", "IT's comments this month") come from the
database in one statement (and one to choose how to read comments), not from the index.
Whoosh sorting every idea or comment by date took 136-443 ms at the bench's size; the
database walks an index on creation time.

The same rules as the index's (indexer.py): withdrawn ideas, removed comments and the
comments of withdrawn ideas are not listed; draft campaigns and what is in them only for
campaign managers; a comment has its idea's campaign, department and status.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, literal_column, union_all

from ..clock import start_of
from ..extensions import db
from ..models import Campaign, Comment, Idea
from ..sql import rows, written_limit
from .services import Hit, Results, SearchFilters, snippet

TEXT_CHARS = 300  # of a description or comment: what a snippet can show


def _kind(name: str) -> Any:
    return literal_column(f"'{name}'").label("kind")  # one of ours, never the reader's


def _since_until(column: Any, filters: SearchFilters) -> list[Any]:
    """Company days, as everywhere else (clock.py): "to" includes the whole of its day."""
    bounds = []
    if filters.date_from:
        bounds.append(column >= start_of(filters.date_from))
    if filters.date_to:
        bounds.append(column < start_of(filters.date_to + timedelta(days=1)))
    return bounds


def _in_place(
    filters: SearchFilters, manager: bool, campaign_id: Any, department_id: Any
) -> list[Any]:
    """The campaign and department chosen, and only campaigns the reader may see: given as
    the columns of ideas or of comments, which carry their idea's (models/discussion.py)."""
    chosen = []
    if not manager:
        drafts = db.select(Campaign.id).where(Campaign.state == "draft")
        chosen.append(campaign_id.not_in(drafts.scalar_subquery()))
    if filters.campaign_id:
        chosen.append(campaign_id == filters.campaign_id)
    if filters.department_id:
        chosen.append(department_id == filters.department_id)
    return chosen


def _of_status(filters: SearchFilters) -> list[Any]:
    """The idea's status, for ideas and comments alike."""
    chosen = [Idea.status != "withdrawn"]
    if filters.status:
        chosen.append(Idea.status == filters.status)
    return chosen


def _idea_filters(filters: SearchFilters, manager: bool) -> list[Any]:
    return [
        *_of_status(filters),
        *_in_place(filters, manager, Idea.campaign_id, Idea.department_id),
    ]


def _ideas(filters: SearchFilters, manager: bool) -> Any:
    return db.select(
        _kind("idea"),
        Idea.id.label("object_id"),
        Idea.id.label("idea_id"),
        Idea.campaign_id.label("campaign_id"),
        Idea.title.label("title"),
        Idea.summary.label("text"),
        Idea.status.label("status"),
        Idea.created_at.label("created"),
    ).where(*_idea_filters(filters, manager), *_since_until(Idea.created_at, filters))


# Comments chosen by their idea's status: when the filters choose few ideas with few
# comments between them, those comments are read idea by idea and sorted; otherwise the
# newest comments (of the campaign or department chosen: an index each) are walked until
# enough match. Each way alone was slow at the bench's size where the other was fast:
# walking took 1.2 s for a status no idea had, reading idea by idea 225 ms for a quarter of
# all ideas (75,000 comments).
FEW_IDEAS = 1_000
FEW_COMMENTS = 5_000


def _few_comments(filters: SearchFilters) -> bool:
    if not filters.status:
        return False
    chosen = db.select(Idea.discussion_length).where(*_idea_filters(filters, manager=True))
    bounded = chosen.limit(written_limit(FEW_IDEAS + 1)).subquery()
    ideas, comments = rows(
        db.select(func.count(), func.coalesce(func.sum(bounded.c.discussion_length), 0))
    ).one()
    return ideas <= FEW_IDEAS and comments <= FEW_COMMENTS


def _comments(filters: SearchFilters, manager: bool) -> Any:
    statement = (
        db.select(
            _kind("comment"),
            Comment.id.label("object_id"),
            Comment.idea_id.label("idea_id"),
            Comment.campaign_id.label("campaign_id"),
            Idea.title.label("title"),
            func.substr(Comment.body, 1, TEXT_CHARS).label("text"),
            Idea.status.label("status"),
            Comment.created_at.label("created"),
        )
        .join(Idea, Idea.id == Comment.idea_id)
        .where(Comment.deleted_at.is_(None), *_since_until(Comment.created_at, filters))
    )
    if _few_comments(filters):
        ideas = db.select(Idea.id).where(*_idea_filters(filters, manager))
        return statement.where(Comment.idea_id.in_(ideas.scalar_subquery()))
    return statement.where(
        *_of_status(filters),
        *_in_place(filters, manager, Comment.campaign_id, Comment.department_id),
    )


def _campaigns(filters: SearchFilters, manager: bool) -> Any:
    statement = db.select(
        _kind("campaign"),
        Campaign.id.label("object_id"),
        literal_column("0").label("idea_id"),
        Campaign.id.label("campaign_id"),
        Campaign.title.label("title"),
        func.substr(Campaign.description, 1, TEXT_CHARS).label("text"),
        Campaign.state.label("status"),
        Campaign.created_at.label("created"),
    ).where(*_since_until(Campaign.created_at, filters))
    if not manager:
        statement = statement.where(Campaign.state != "draft")
    if filters.campaign_id:
        statement = statement.where(Campaign.id == filters.campaign_id)
    return statement


# Listed this deep at most: each kind gives its newest page * per_page, and walking the
# newest comments for a rare filter costs more the deeper the page.
LISTED_PAGES = 50


def _newest_first(statement: Any) -> Any:
    return statement.order_by(literal_column("created").desc(), literal_column("object_id").desc())


def newest(filters: SearchFilters, page: int, per_page: int, manager: bool) -> Results:
    """The newest ideas, comments and campaigns the filters choose, a page of them."""
    results = Results(query="", page=page, per_page=per_page, by_filters=True)
    if page > LISTED_PAGES:
        results.capped = LISTED_PAGES
        return results
    branches = []
    if filters.kind in ("", "idea"):
        branches.append(_ideas(filters, manager))
    if filters.kind in ("", "comment"):
        branches.append(_comments(filters, manager))
    # A campaign has no author's department, and a state rather than an idea's status.
    if filters.kind in ("", "campaign") and not (filters.status or filters.department_id):
        branches.append(_campaigns(filters, manager))
    if not branches:
        return results
    if len(branches) == 1:
        statement = branches[0]
    else:
        # Each kind's newest, enough for this page, merged: one ORDER BY over the union
        # sorted all 400,000 rows on PostgreSQL (1.1 s) instead of reading three indexes.
        enough = written_limit(page * per_page + 1)
        statement = union_all(
            *(
                db.select(newest.c)
                for newest in (_newest_first(b).limit(enough).subquery() for b in branches)
            )
        )
    found = rows(
        _newest_first(statement).limit(written_limit(per_page + 1)).offset((page - 1) * per_page)
    ).all()
    results.more = len(found) > per_page
    if results.more and page == LISTED_PAGES:
        results.more, results.capped = False, LISTED_PAGES
    for row in found[:per_page]:
        results.hits.append(
            Hit(
                kind=row.kind,
                object_id=row.object_id,
                idea_id=row.idea_id,
                campaign_id=row.campaign_id,
                title=row.title,
                snippet=snippet(row.text or "", set()),
                status=row.status,
                created=row.created,
            )
        )
    return results
