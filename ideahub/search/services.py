"""Searching: plain words in, highlighted results out, only what the reader may see."""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from markupsafe import Markup, escape

from ..clock import start_of
from ..database import resume_reading
from ..extensions import db
from ..models import Campaign
from ..permissions import can_manage_campaigns
from . import engine, indexer

logger = logging.getLogger(__name__)

KINDS = ("idea", "comment", "campaign")
MAX_QUERY = 200
MAX_TERMS = 12
HIGHLIGHT_CHARS = 300  # a snippet comes from the start of a text
SNIPPET_CHARS = 200
SNIPPET_BEFORE = 40  # characters shown before the first match


@dataclass
class SearchFilters:
    kind: str = ""
    campaign_id: int | None = None
    status: str = ""
    department_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    @property
    def chosen(self) -> bool:
        """Whether any filter is set (with no words, they alone choose what is listed)."""
        return any(
            (self.kind, self.campaign_id, self.status, self.department_id)
            + (self.date_from, self.date_to)
        )


@dataclass
class Hit:
    kind: str
    object_id: int
    idea_id: int
    campaign_id: int
    title: str
    snippet: Markup
    status: str
    created: datetime


@dataclass
class Results:
    query: str
    hits: list[Hit] = field(default_factory=list)
    page: int = 1
    per_page: int = 20
    more: bool = False
    # The time budget ran out before every match was scored: these are the best found.
    partial: bool = False
    # Names these results: the index's state and what was asked (() when nothing was).
    key: tuple[Any, ...] = ()
    # No words, only filters: the newest they choose, from the database (listing.py).
    by_filters: bool = False
    # Listed by filters, pages are given this far at most (listing.py): 0 when not reached.
    capped: int = 0

    @property
    def has_next(self) -> bool:
        return self.more


def terms(text: str) -> list[str]:
    """The analysed words of what was typed: query syntax typed by accident is just text."""
    cleaned = re.sub(r"[\"'`*?~^(){}\[\]:+!\\/<>=&|]", " ", (text or "")[:MAX_QUERY])
    seen: list[str] = []
    for token in engine.analyzer()(cleaned):
        if token.text not in seen:
            seen.append(token.text)
    return seen[:MAX_TERMS]


_HAN = re.compile(f"[{engine.HAN}]")  # the characters the analyzer segments
_OTHER_WORD = re.compile(f"[^\\W_{engine.HAN}]+")  # a run of letters/digits outside them


def _match_spans(text: str, words: set[str]) -> list[tuple[int, int]]:
    """Where `words` (as the analyzer makes them) occur in `text`.

    Chinese words are found as they are written; other words are compared by stem, as the
    analyzer compares them. Running Python's jieba analyzer over each hit's text cost
    ~1 ms per hit on English text, the better part of a results page."""
    spans = []
    for word in words:
        if _HAN.search(word):
            at = text.find(word)
            while at != -1:
                spans.append((at, at + len(word)))
                at = text.find(word, at + len(word))
    others = {w for w in words if not _HAN.search(w)}
    if others:
        spans += [m.span() for m in _OTHER_WORD.finditer(text) if engine.stem(m.group()) in others]
    return sorted(spans, key=lambda span: (span[0], -span[1]))  # the longest first


def snippet(text: str, words: set[str]) -> Markup:
    """A piece of `text` around its first match, every match of `words` in <mark>;
    everything else escaped."""
    whole, text = text, text[:HIGHLIGHT_CHARS]
    spans = _match_spans(text, words)
    if not spans:
        return escape(text[:SNIPPET_CHARS])
    start = max(0, spans[0][0] - SNIPPET_BEFORE)
    end = min(len(text), start + SNIPPET_CHARS)
    pieces = [Markup("… ") if start else Markup("")]
    pos = start
    for first, last in spans:
        if first < pos or last > end:  # overlaps a mark already made, or past the window
            continue
        pieces += [escape(text[pos:first]), Markup("<mark>%s</mark>") % text[first:last]]
        pos = last
    pieces += [escape(text[pos:end]), Markup(" …") if end < len(whole) else Markup("")]
    return Markup("").join(pieces)


def _query(words: list[str], fields: tuple[str, ...], require_all: bool) -> Any:
    from whoosh.query import And, Or, Term

    clauses = [Or([Term(f, w) for f in fields]) for w in words]
    return And(clauses) if require_all else Or(clauses)


def _filter(filters: SearchFilters) -> Any:
    """The filters but the dates (_created) as a query that every match must match too.

    A campaign or a department is one term, read as the matches come (constantscore=False):
    constant-scored, Whoosh 2.7.4 lists every document of it first (the bench's biggest
    campaign, 65,000 documents: 57 ms, past the search's time budget: nothing was found)."""
    from whoosh.query import And, NumericRange, Term

    parts: list[Any] = []
    if filters.kind in KINDS:
        parts.append(Term("kind", filters.kind))
    for name, value in (
        ("campaign_id", filters.campaign_id),
        ("department_id", filters.department_id),
    ):
        if value:
            parts.append(NumericRange(name, value, value, constantscore=False))
    if filters.status:
        parts.append(Term("status", filters.status))
    return And(parts) if parts else None


def _created(filters: SearchFilters) -> tuple[datetime | None, datetime | None] | None:
    """The dates filter as the index holds times (company days, clock.py, as naive UTC);
    "to" is inclusive. None when no date is set."""
    if not (filters.date_from or filters.date_to):
        return None
    start = end = None
    if filters.date_from:
        start = start_of(filters.date_from).replace(tzinfo=None)
    if filters.date_to:
        end = start_of(filters.date_to + timedelta(days=1)).replace(tzinfo=None)
        end -= timedelta(microseconds=1)
    return start, end


# A search applies at most this many pending changes before answering: a backlog (the
# follower stopped, a bulk import) is the follower's work, not one reader's wait.
CATCH_UP_PER_SEARCH = 100


def _refresh_index() -> None:
    """Apply what the change log holds that the index lacks. Most searches find nothing
    pending: they only compare the newest change with the watermark, without the host
    lock, and keep the request's read-only connection. That took ~0.6 ms of every search.
    catch_up() ends its transaction: the search then reads on read-only again."""
    try:
        if indexer.pending():
            # Merging segments is left to the writers' catch-ups: the reader is waiting.
            indexer.catch_up(blocking=False, limit=CATCH_UP_PER_SEARCH, merge_limit=0)
    except Exception:  # a search still answers from the index it has
        logger.exception("search: catching up with the change log failed")
    finally:
        resume_reading()


# Hot queries repeat: results are kept per index state (indexer.version(): the change-log
# watermark and the late changes applied; and the rebuild generation, so a changed index
# never serves stale results) and visibility class.
_cache: OrderedDict[tuple[Any, ...], Results] = OrderedDict()
CACHE_SIZE = 512


def search(
    viewer: Any, text: str, filters: SearchFilters, page: int = 1, per_page: int = 20
) -> Results:
    """Search for plain words (all of them), best matches first, as `viewer` may see them;
    with no words but filters, the newest of what the filters choose."""
    words = terms(text)
    if not words:
        if filters.chosen:
            from .listing import newest  # it builds on this module's results

            listed = newest(filters, page, per_page, can_manage_campaigns(viewer))
            return replace(listed, query=text)
        return Results(query=text, page=page, per_page=per_page)
    _refresh_index()
    manager = can_manage_campaigns(viewer)
    drafts = None if manager else _draft_campaigns()
    state = (indexer.index_dir(), indexer.version(), engine.generation())
    key = (state, tuple(words), repr(filters), page, per_page, drafts)
    cached = _cache.get(key)
    if cached is not None:
        _cache.move_to_end(key)
        return replace(cached, query=text)
    results = _search(words, text, filters, page, per_page, drafts)
    results.key = key
    _cache[key] = results
    if len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return results


# A dates filter holding at most this many documents is matched as a query (listed first,
# ~20 µs a document: 500 in ~10 ms); a wider one is checked match by match (engine).
DATES_LISTED_AT_MOST = 500


def _bounded_search(
    s: Any,
    query: Any,
    limit: int,
    filter: Any = None,
    mask: Any = None,
    created: tuple[datetime | None, datetime | None] | None = None,
) -> tuple[Any, bool]:
    """The best `limit` matches that can be scored within the time budget and among the
    first SEARCH_EXAMINED_AT_MOST, and whether either cut them short. Whoosh scores in
    Python: three common words across 400,000 documents took ~3 s here. Only the top
    `limit` are ranked and matches are never counted.
    `filter`, a query, must match too, adding the same to every match's score; `mask`, a
    set of document numbers, is left out; `created` (from, to) bounds when they were written.

    A narrow dates filter is a query: its few documents are listed at once, and a common
    word's matches need not be walked to find them (a month holding 31 documents, with the
    bench's "customer": all 9 found, 15 ms). A wide one is checked on each match: as a
    query its list alone took up to 3 s (a year)."""
    from whoosh.collectors import TimeLimit
    from whoosh.query import And, DateRange

    if created is not None:
        dates = DateRange("created", *created)
        if dates.estimate_size(s.reader()) <= DATES_LISTED_AT_MOST:
            filter = dates if filter is None else And([filter, dates])
            created = None
    if filter is not None:
        # The filter's terms (a kind, a status, a campaign, a department: the same weight
        # in every document; a date range scores as a constant) add the same to every
        # match's score: the ranking is the query's.
        # (whoosh 2.7.4's Require, meant for this, excludes instead, and ConstantScoreQuery
        # stops the matchers skipping: 67 ms for the first 20 of a kind, And 0.2 ms.)
        query = And([query, filter])
    config = current_app.config
    collector = engine.bounded_collector(
        limit,
        config["SEARCH_TIME_BUDGET_MS"] / 1000,
        restrict=mask,
        created=created,
        examined_at_most=config["SEARCH_EXAMINED_AT_MOST"],
    )
    try:
        s.search_with_collector(query, collector)
    except TimeLimit:
        return collector.results(), True
    return collector.results(), False


def _draft_campaigns() -> tuple[int, ...]:
    """The campaigns in draft, whose ideas and comments only campaign managers may find.

    Read from the database at each search, not kept in the index: a campaign's state then
    decides at once, and changing it re-indexes the campaign alone. Kept in each of its
    documents, a change of state (or any edit, which could not tell) re-read every idea and
    comment of the campaign into the index, inside whichever request caught up with it:
    the bench's biggest campaign, ~60,000 comments, held a worker for over 20 minutes."""
    return tuple(
        db.session.scalars(
            db.select(Campaign.id).where(Campaign.state == "draft").order_by(Campaign.id)
        )
    )


def _drafts(s: Any, campaigns: tuple[int, ...]) -> Any:
    """The documents of the draft `campaigns`: worked out once per searcher (it lives until
    the index changes) and set of draft campaigns, not on every query (~5 ms)."""
    from whoosh.query import NumericRange, Or

    known = getattr(s, "ideahub_drafts", None)
    if known is None or known[0] != campaigns:
        chosen = Or([NumericRange("campaign_id", c, c) for c in campaigns])
        found = set(s.docs_for_query(chosen)) if campaigns else set()
        known = s.ideahub_drafts = (campaigns, found)
    return known[1]


# Words rank at most this many pages of matches, once for all of them: a page ranked on
# its own, within the time budget, ranked a different set of the matches each time, and
# paging through a common word showed some twice and skipped others.
RANKED_PAGES = 10
RANKINGS_PER_SEARCHER = 64


def _ranking(
    s: Any, words: list[str], filters: SearchFilters, per_page: int, drafts: Any
) -> tuple[list[int], bool]:
    """The document numbers of the best matches, RANKED_PAGES pages and one more (to know
    there is more), and whether the ranking was cut short (_bounded_search). Kept on the
    searcher that ranked them, whose document numbers they are: it serves until the index
    changes (a rebuild, a catch-up), so every page of the words comes from one ranking."""
    kept = getattr(s, "ideahub_rankings", None)
    if kept is None:
        kept = s.ideahub_rankings = OrderedDict()
    key = (tuple(words), repr(filters), per_page, drafts)
    known = kept.get(key)
    if known is not None:
        kept.move_to_end(key)
        return known
    mask = None if drafts is None else _drafts(s, drafts)
    found, partial = _bounded_search(
        s,
        _query(words, ("title", "body"), require_all=True),
        RANKED_PAGES * per_page + 1,
        filter=_filter(filters),
        mask=mask,
        created=_created(filters),
    )
    ranked = [docnum for _score, docnum in found.top_n]  # never len(found): counts every match
    kept[key] = (ranked, partial)
    if len(kept) > RANKINGS_PER_SEARCHER:
        kept.popitem(last=False)
    return ranked, partial


def _search(
    words: list[str],
    text: str,
    filters: SearchFilters,
    page: int,
    per_page: int,
    drafts: tuple[int, ...] | None,
) -> Results:
    """The page of matches; `drafts` are the draft campaigns whose documents are left out
    (None for a campaign manager, who may find them)."""
    results = Results(query=text, page=page, per_page=per_page)
    s = engine.searcher(indexer.index_dir())
    ranked, results.partial = _ranking(s, words, filters, per_page, drafts)
    results.more = len(ranked) > page * per_page
    if len(ranked) > RANKED_PAGES * per_page and page >= RANKED_PAGES:
        results.more, results.capped = False, RANKED_PAGES  # matches go on past the ranking
    wanted = set(words)
    shown = ranked[: RANKED_PAGES * per_page]  # the one more only tells there is more
    for docnum in shown[(page - 1) * per_page : page * per_page]:
        hit = s.stored_fields(docnum)
        results.hits.append(
            Hit(
                kind=hit["kind"],
                object_id=hit["object_id"],
                idea_id=hit["idea_id"],
                campaign_id=hit["campaign_id"],
                # A comment indexed before "context" kept its idea's title as its own.
                title=hit.get("context") or hit["title"],
                snippet=snippet(hit["body"], wanted),
                status=hit["status"],
                created=hit["created"],
            )
        )
    return results


def similar_ideas(viewer: Any, title: str, limit: int = 5) -> list[Hit]:
    """Existing ideas whose titles share words with a new idea's title (duplicates check)."""
    from whoosh.query import Term

    words = terms(title)
    if len(words) == 0:
        return []
    _refresh_index()
    s = engine.searcher(indexer.index_dir())
    hits, _partial = _bounded_search(
        s,
        _query(words, ("title", "body"), require_all=False),
        limit,
        filter=Term("kind", "idea"),
        mask=_drafts(s, _draft_campaigns()),
    )
    return [
        Hit(
            kind="idea",
            object_id=h["object_id"],
            idea_id=h["idea_id"],
            campaign_id=h["campaign_id"],
            title=h["title"],
            snippet=Markup(""),
            status=h["status"],
            created=h["created"],
        )
        for h in hits
    ]
