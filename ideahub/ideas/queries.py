"""Reading ideas for pages, each in a fixed number of queries whatever the data size."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import BigInteger, Integer, Row, Select, bindparam, desc, func, or_
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import (
    Attachment,
    Campaign,
    Comment,
    Decision,
    Department,
    Idea,
    IdeaRevision,
    IdeaStatusChange,
    Panel,
    Tag,
    User,
    Vote,
    idea_tags,
    utcnow,
)
from ..models.discussion import THREAD_ORDER
from ..pagination import Page, page_number
from ..sql import MAX_ID, built_once, rows, written_limit

SORTS = {
    "top": (desc(Idea.vote_count), desc(Idea.id)),
    "newest": (desc(Idea.created_at), desc(Idea.id)),
    "discussed": (desc(Idea.comment_count), desc(Idea.id)),
}


@dataclass
class IdeaFilters:
    sort: str = "top"
    tag: str = ""
    status: str = ""
    department_id: int | None = None

    def as_args(self) -> dict[str, str | int]:
        args: dict[str, str | int] = {"sort": self.sort}
        if self.tag:
            args["tag"] = self.tag
        if self.status:
            args["status"] = self.status
        if self.department_id:
            args["department"] = self.department_id
        return args


def _card_options() -> tuple[Any, ...]:
    return (
        joinedload(Idea.author).joinedload(User.department),
        selectinload(Idea.tags),
        joinedload(Idea.campaign),
    )


# What an idea card shows that can change (see _partials/idea_card.html), as plain columns.
CARD_VERSION_COLUMNS = (
    Idea.id,
    Idea.status,
    Idea.vote_count,
    Idea.comment_count,
    Idea.title,
    Idea.summary,
    Idea.updated_at,  # set by every edit, which is how tags change
    User.name,
    Department.name,
    Campaign.title,
)


def card_version(idea: Idea) -> tuple[Any, ...]:
    """CARD_VERSION_COLUMNS as a loaded idea has them (to check a rendering against)."""
    department = idea.author.department
    return (
        idea.id,
        idea.status,
        idea.vote_count,
        idea.comment_count,
        idea.title,
        idea.summary,
        idea.updated_at,
        idea.author.name,
        department.name if department else None,
        idea.campaign.title,
    )


def _with_card_versions(query: Select) -> Select:
    """Joins for CARD_VERSION_COLUMNS, and a last column saying whether the reader (the
    `reader_id` parameter) voted for the idea: per reader, so never part of a shared key."""
    voted = Vote.user_id.is_not(None).label("reader_voted")
    return (
        query.add_columns(voted)
        .join(User, User.id == Idea.author_id)
        .outerjoin(Department, Department.id == User.department_id)
        .join(Campaign, Campaign.id == Idea.campaign_id)
        .outerjoin(Vote, (Vote.idea_id == Idea.id) & (Vote.user_id == bindparam("reader_id")))
    )


@dataclass
class CardVersions:
    """Cards' versions (CARD_VERSION_COLUMNS, as tuples) and which of them the reader voted for."""

    rows: list[tuple[Any, ...]]
    voted: set[int]

    @classmethod
    def of(cls, result: Iterable[Row[Any]]) -> CardVersions:
        listed = [tuple(row) for row in result]
        return cls(rows=[r[:-1] for r in listed], voted={r[0] for r in listed if r[-1]})


@built_once
def _campaign_card_versions(sort: str, status: bool, department: bool, tag: bool) -> Select:
    # The page's ids first, from the index for the sort alone; then the joins, for those 20
    # rows only. Joined before paging, PostgreSQL hashed all 20,000 users and sorted the
    # whole campaign for its last pages (8 ms instead of under 1).
    page = db.select(Idea.id).where(Idea.campaign_id == bindparam("campaign_id"))
    if status:
        page = page.where(Idea.status == bindparam("status"))
    if department:
        page = page.where(Idea.department_id == bindparam("department_id"))
    if tag:
        tagged = (
            db.select(idea_tags.c.idea_id)
            .join(Tag, Tag.id == idea_tags.c.tag_id)
            .where(Tag.name == bindparam("tag"))
        )
        page = page.where(Idea.id.in_(tagged))
    ids = (
        page.order_by(*SORTS[sort])
        .limit(written_limit())
        .offset(bindparam("offset", type_=Integer))
        .subquery("page")
    )
    query = db.select(*CARD_VERSION_COLUMNS).join(ids, ids.c.id == Idea.id)
    return _with_card_versions(query).order_by(*SORTS[sort])


def campaign_card_versions(
    campaign: Campaign, filters: IdeaFilters, raw_page: object, per_page: int, reader: User
) -> tuple[Page[tuple[Any, ...]], set[int]]:
    """A page of the campaign's ideas as plain rows naming everything their cards show
    that can change (counts, status, edits, the author's name and department): one cheap
    query that tells whether a rendered list is still current, without loading the ideas;
    and which of them the reader voted for. Paged like pagination.paginate: one row more
    than a page says whether there is a next."""
    sort = filters.sort if filters.sort in SORTS else "top"
    query = _campaign_card_versions(
        sort, bool(filters.status), bool(filters.department_id), bool(filters.tag)
    )
    number = page_number(raw_page)
    params = {
        "campaign_id": campaign.id,
        "status": filters.status,
        "department_id": filters.department_id,
        "tag": filters.tag,
        "reader_id": reader.id,
        "limit": per_page + 1,
        "offset": (number - 1) * per_page,
    }
    found = CardVersions.of(rows(query, params))
    page = Page(
        items=found.rows[:per_page],
        number=number,
        per_page=per_page,
        has_next=len(found.rows) > per_page,
    )
    return page, found.voted


def ideas_in_order(ids: list[int]) -> list[Idea]:
    """These ideas, loaded for cards, in the order given."""
    if not ids:
        return []
    found = db.session.scalars(db.select(Idea).where(Idea.id.in_(ids)).options(*_card_options()))
    by_id = {idea.id: idea for idea in found.unique()}
    return [by_id[i] for i in ids if i in by_id]


_trending_cache: dict[tuple[int, int], tuple[float, list[int]]] = {}


def trending_ids(limit: int = 6, days: int = 7) -> list[int]:
    """Ideas with the most votes lately, best first, recomputed once a minute per process.

    Counting a week of votes on every home page view cost more than the rest of the page
    (a million votes in the benchmark); a trend a minute old is still the trend.
    """
    key = (limit, days)
    cached = _trending_cache.get(key)
    if (
        cached is None
        or time.monotonic() - cached[0] >= current_app.config["TRENDING_CACHE_SECONDS"]
    ):
        cached = (time.monotonic(), _trending_ids(limit, days))
        _trending_cache[key] = cached
    return cached[1]


@built_once
def _trending_card_versions() -> Select:
    query = _with_card_versions(db.select(*CARD_VERSION_COLUMNS))
    # The minute-old list may name an idea withdrawn or a campaign closed since.
    return query.where(
        Idea.id.in_(bindparam("idea_ids", expanding=True)),
        Campaign.state == "open",
        Idea.status != "withdrawn",
    )


def trending_card_versions(ids: list[int], reader: User) -> CardVersions:
    """The trending ideas still shown, in order, as plain rows (see CARD_VERSION_COLUMNS),
    and which of them the reader voted for."""
    if not ids:
        return CardVersions(rows=[], voted=set())
    found = CardVersions.of(
        rows(_trending_card_versions(), {"idea_ids": ids, "reader_id": reader.id})
    )
    by_id = {row[0]: row for row in found.rows}
    return CardVersions(rows=[by_id[i] for i in ids if i in by_id], voted=found.voted)


# The latest votes counted for "trending": the cost stays bounded whatever the totals.
# Counting a week of votes took 0.45 s (PostgreSQL) to 2 s (SQLite) with the benchmark's
# 500,000; a quieter week than this is counted whole.
TRENDING_WINDOW = 10_000


def _trending_ids(limit: int, days: int) -> list[int]:
    """The open ideas with the most of the latest votes (within `days`), then, to fill the
    list in a quiet week, the open ideas with the most votes."""
    since = utcnow() - timedelta(days=days)
    window = (
        db.select(Vote.idea_id)
        .where(Vote.created_at >= since)
        .order_by(desc(Vote.created_at))
        .limit(TRENDING_WINDOW)
        .subquery()
    )
    recent = (
        db.select(window.c.idea_id, func.count().label("n")).group_by(window.c.idea_id).subquery()
    )
    shown = (Campaign.state == "open", Idea.status != "withdrawn")
    ids = list(
        db.session.scalars(
            db.select(Idea.id)
            .join(recent, recent.c.idea_id == Idea.id)
            .join(Campaign, Campaign.id == Idea.campaign_id)
            .where(*shown)
            .order_by(desc(recent.c.n), desc(Idea.vote_count), desc(Idea.id))
            .limit(limit)
        )
    )
    if len(ids) < limit:
        ids += db.session.scalars(
            db.select(Idea.id)
            .join(Campaign, Campaign.id == Idea.campaign_id)
            .where(*shown, Idea.id.not_in(ids))
            .order_by(desc(Idea.vote_count), desc(Idea.id))
            .limit(limit - len(ids))
        )
    return ids


@built_once
def _recent_ideas(limit: int) -> Select:
    return (
        db.select(Idea.id, Idea.title, Idea.created_at, User.name.label("author_name"))
        .join(Campaign, Campaign.id == Idea.campaign_id)
        .join(User, User.id == Idea.author_id)
        .where(Campaign.state != "draft")
        .order_by(desc(Idea.created_at), desc(Idea.id))
        .limit(written_limit(limit))
    )


def recent_ideas(limit: int = 8) -> list[Row[Any]]:
    """The newest ideas outside draft campaigns, as the rows the home page shows."""
    return list(rows(_recent_ideas(limit)))


@built_once
def _recent_comments(limit: int) -> Select:
    return (
        db.select(
            Comment.id,
            Comment.idea_id,
            Comment.created_at,
            User.name.label("author_name"),
            Idea.title.label("idea_title"),
        )
        .join(User, User.id == Comment.author_id)
        .join(Idea, Idea.id == Comment.idea_id)
        .join(Campaign, Campaign.id == Idea.campaign_id)
        .where(Comment.deleted_at.is_(None), Campaign.state != "draft")
        .order_by(desc(Comment.created_at), desc(Comment.id))
        .limit(written_limit(limit))
    )


def recent_comments(limit: int = 8) -> list[Row[Any]]:
    """The newest comments not removed, outside draft campaigns, as the rows the home page
    shows."""
    return list(rows(_recent_comments(limit)))


@dataclass
class Thread:
    """A top-level comment and its replies. A page of a discussion may begin inside a thread:
    that thread is `continued`, its comment shown on the page before."""

    comment: Comment
    replies: list[Comment] = field(default_factory=list)
    continued: bool = False


@dataclass
class IdeaPage:
    attachments: list[Attachment]
    history: list[IdeaStatusChange]
    revision_count: int
    has_voted: bool
    has_outcome: bool  # a published decision: judging.queries.published_outcome says which


def comments_per_page() -> int:
    return max(1, current_app.config["COMMENTS_PER_PAGE"])  # a setting of 0 is 1


def discussion_page_number(raw: Any) -> int:
    """The discussion page asked for (?page=). Any number: comment_page shows the last page
    for one past the end, and the list pages' MAX_PAGE would cut off the pages of a
    discussion past its 10,000th."""
    return page_number(raw, maximum=MAX_ID)


@dataclass(frozen=True)
class CommentPage:
    """One page of a discussion: its number, the last page's, and the comment_versions rows
    of the comments on it, in order."""

    number: int
    last: int
    versions: list[tuple[Any, ...]]


def comment_threads(page: CommentPage) -> list[Thread]:
    """The comments on a page of a discussion (comment_page), as threads; when the page
    begins inside a thread, that thread's top-level comment is loaded too."""
    if not page.versions:
        return []
    ids = [row[0] for row in page.versions]
    leading = page.versions[0][2]  # the first comment's thread, if it is a reply
    if leading is not None:
        ids.append(leading)
    comments = db.session.scalars(
        db.select(Comment)
        .where(Comment.id.in_(ids))
        .order_by(*THREAD_ORDER)
        .options(joinedload(Comment.author).joinedload(User.department))
    ).unique()
    threads: list[Thread] = []
    for c in comments:
        if c.parent_id is None:
            threads.append(Thread(c, continued=c.id == leading))
        else:  # in THREAD_ORDER a reply follows its thread's comment
            threads[-1].replies.append(c)
    return threads


def _comment_page_in(order: tuple[Any, ...]) -> Select:
    page = (  # from the index alone; the authors are joined to the page's rows only
        db.select(
            Comment.id,
            Comment.author_id,
            Comment.parent_id,
            Comment.edited_at,
            Comment.deleted_at,
            THREAD_ORDER[0].label("thread"),
        )
        .where(Comment.idea_id == bindparam("idea_id"))
        .order_by(*order)
        .limit(written_limit())
        # A parameter, not written: each of a long discussion's pages would be its own
        # statement (and, on psycopg, its own prepared statement). Timed alike either way.
        .offset(bindparam("offset", type_=BigInteger))  # up to MAX_ID pages of comments
        .subquery()
    )
    return (
        db.select(
            page.c.id,
            page.c.author_id,
            page.c.parent_id,
            page.c.edited_at,
            page.c.deleted_at,
            User.name,
        )
        .join_from(page, User, User.id == page.c.author_id)
        .order_by(page.c.thread, page.c.id)
    )


@built_once
def _comment_pages() -> tuple[Select, Select]:
    """A page counted from the start of the discussion, and one counted from its end."""
    return (
        _comment_page_in(THREAD_ORDER),
        _comment_page_in(tuple(column.desc() for column in THREAD_ORDER)),
    )


def comment_page(idea: Idea, number: int = 1) -> CommentPage:
    """Page `number` of the idea's discussion (the last one if it has fewer), with its
    comments as plain rows naming everything their rendering shows that can change (edits,
    removal, the author's name): what tells whether a rendered page is still current,
    without loading the comments. The author id is second. One query.

    The number of pages comes from the idea's discussion_length. An OFFSET costs as many
    index entries as it skips, so a page in the second half is counted from the end: the
    last pages, where new comments land, cost what the first do (with page_of counting
    from the end: the benchmark's 64,075-comment discussion, its newest comment's link
    followed to its page, 13.5 -> 7.2 ms on SQLite, 25.6 -> 11.0 ms on PostgreSQL)."""
    per_page, length = comments_per_page(), idea.discussion_length
    last = max(1, -(-length // per_page))
    number = min(number, last)  # past the end (an old link, a hand-typed number): the last
    start = (number - 1) * per_page
    from_start, from_end = _comment_pages()
    if start <= length // 2:
        params = {"idea_id": idea.id, "limit": per_page, "offset": start}
        found = rows(from_start, params).all()  # one fetch: row by row cost 0.3 ms (psycopg)
    else:  # the comments start .. start + per_page - 1, read backwards from the last one
        shown = min(per_page, length - start)
        params = {"idea_id": idea.id, "limit": per_page, "offset": length - start - shown}
        found = rows(from_end, params).all()[-shown:]  # a last page's few, not the page before
    return CommentPage(number=number, last=last, versions=[tuple(row) for row in found])


def comment_version(comment: Comment) -> tuple[Any, ...]:
    """A comment_page version row as a loaded comment has it (to check a rendering against)."""
    return (
        comment.id,
        comment.author_id,
        comment.parent_id,
        comment.edited_at,
        comment.deleted_at,
        comment.author.name,
    )


# A comment's place is counted from the end of its discussion first: a link is most often
# to a recent comment (one just posted, a notice of a new one), near the end. Only when more
# than this many come after it are the comments before it counted instead.
FROM_THE_END = 1000


@built_once
def _place_counts() -> tuple[Select, Select]:
    """A place's count from the end (the discussion's length and the comments from the place
    on, read in one statement, one snapshot, so that their difference is exact) and from the
    start (the comments before it)."""
    thread, comment_id = bindparam("thread"), bindparam("comment_id")
    from_here = (
        db.select(Comment.id)
        .where(
            Comment.idea_id == bindparam("idea_id"),
            THREAD_ORDER[0] >= thread,  # the index's range: SQLite does not see it in the OR
            or_(THREAD_ORDER[0] > thread, Comment.id >= comment_id),
        )
        .limit(written_limit(FROM_THE_END))
        .subquery()
    )
    return (
        db.select(
            Idea.discussion_length, db.select(func.count()).select_from(from_here).scalar_subquery()
        ).where(Idea.id == bindparam("idea_id")),
        db.select(func.count())
        .select_from(Comment)
        .where(
            Comment.idea_id == bindparam("idea_id"),
            THREAD_ORDER[0] <= thread,
            or_(THREAD_ORDER[0] < thread, Comment.id < comment_id),
        ),
    )


def _before(idea_id: int, thread: int, comment_id: int) -> int:
    """How many comments come before a place (a thread, a comment id) in the discussion."""
    params = {"idea_id": idea_id, "thread": thread, "comment_id": comment_id}
    from_the_end, from_the_start = _place_counts()
    length, from_here = rows(from_the_end, params).one()
    if from_here < FROM_THE_END:
        return max(0, length - from_here)
    return rows(from_the_start, params).scalar_one()


def page_of(comment: Comment) -> int:
    """The number of the discussion page that shows the comment."""
    before = _before(comment.idea_id, comment.parent_id or comment.id, comment.id)
    return before // comments_per_page() + 1


def thread_pages(thread: Comment) -> range:
    """The numbers of the discussion pages a thread (a top-level comment and its replies)
    is on: one, or several when it runs on across pages."""
    through = _before(thread.idea_id, thread.id, MAX_ID)  # up to the thread's last reply
    return range(page_of(thread), (through - 1) // comments_per_page() + 2)


@built_once
def _idea_page() -> tuple[Select, Select, Select]:
    by_idea = bindparam("idea_id")
    return (
        db.select(Attachment).where(Attachment.idea_id == by_idea).order_by(Attachment.id),
        db.select(IdeaStatusChange)
        .where(IdeaStatusChange.idea_id == by_idea)
        .order_by(IdeaStatusChange.created_at, IdeaStatusChange.id)
        .options(joinedload(IdeaStatusChange.changed_by)),
        # One statement for the page's numbers: earlier versions, attachments, status changes,
        # whether a published panel decided on it, and the reader's vote. A list is then
        # read only when it has something (most ideas have no attachments, history or
        # decision: three statements, three round trips on PostgreSQL, saved).
        db.select(
            _count_of(IdeaRevision, IdeaRevision.idea_id == by_idea),
            _count_of(Attachment, Attachment.idea_id == by_idea),
            _count_of(IdeaStatusChange, IdeaStatusChange.idea_id == by_idea),
            db.select(Decision.id)
            .join(Panel, Panel.campaign_id == Decision.campaign_id)
            .where(Decision.idea_id == by_idea, Panel.published_at.is_not(None))
            .exists(),
            db.select(Vote.idea_id)
            .where(Vote.idea_id == by_idea, Vote.user_id == bindparam("viewer_id"))
            .exists(),
        ),
    )


def _count_of(model: type, *where: Any) -> Any:
    return db.select(func.count()).select_from(model).where(*where).scalar_subquery()


def idea_page(idea: Idea, viewer: User) -> IdeaPage:
    attachments, history, numbers = _idea_page()
    params = {"idea_id": idea.id, "viewer_id": viewer.id}
    row = rows(numbers, params).one()
    revisions, attached, changes, decided, has_voted = row
    return IdeaPage(
        attachments=list(db.session.scalars(attachments, params)) if attached else [],
        history=list(db.session.scalars(history, params)) if changes else [],
        revision_count=revisions or 0,
        has_voted=bool(has_voted),
        has_outcome=bool(decided),
    )


def revisions(idea_id: int) -> list[IdeaRevision]:
    return list(
        db.session.scalars(
            db.select(IdeaRevision)
            .where(IdeaRevision.idea_id == idea_id)
            .order_by(desc(IdeaRevision.created_at), desc(IdeaRevision.id))
            .options(joinedload(IdeaRevision.edited_by))
        )
    )
