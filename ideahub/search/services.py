"""Searching: plain words in, highlighted results out, only what the reader may see."""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any

from markupsafe import Markup, escape

from ..permissions import can_manage_campaigns
from . import engine, indexer

logger = logging.getLogger(__name__)

KINDS = ("idea", "comment", "campaign")
MAX_QUERY = 200
MAX_TERMS = 12
HIGHLIGHT_CHARS = 400


@dataclass
class SearchFilters:
    kind: str = ""
    campaign_id: int | None = None
    status: str = ""
    department_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


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


class _Marker:
    """Whoosh formatter that escapes the text and wraps matches in <mark>."""

    between = " … "

    def __call__(self, text: str, fragments: list[Any]) -> str:
        out = []
        for fragment in fragments:
            pos = fragment.startchar
            pieces = []
            for t in fragment.matches:
                if t.startchar < pos:
                    continue
                pieces.append(str(escape(text[pos : t.startchar])))
                pieces.append(f"<mark>{escape(text[t.startchar : t.endchar])}</mark>")
                pos = t.endchar
            pieces.append(str(escape(text[pos : fragment.endchar])))
            out.append("".join(pieces))
        return self.between.join(out)

    # whoosh calls format(fragments, replace=False) on formatters
    def format(self, fragments: list[Any], replace: bool = False) -> str:
        if not fragments:
            return ""
        return self(fragments[0].text, fragments)


def _query(words: list[str], fields: tuple[str, ...], require_all: bool) -> Any:
    from whoosh.query import And, Or, Term

    clauses = [Or([Term(f, w) for f in fields]) for w in words]
    return And(clauses) if require_all else Or(clauses)


def _filter(filters: SearchFilters) -> Any:
    from whoosh.query import And, DateRange, NumericRange, Term

    parts: list[Any] = []
    if filters.kind in KINDS:
        parts.append(Term("kind", filters.kind))
    if filters.campaign_id:
        parts.append(NumericRange("campaign_id", filters.campaign_id, filters.campaign_id))
    if filters.department_id:
        parts.append(NumericRange("department_id", filters.department_id, filters.department_id))
    if filters.status:
        parts.append(Term("status", filters.status))
    if filters.date_from or filters.date_to:
        start = datetime.combine(filters.date_from, time.min) if filters.date_from else None
        end = datetime.combine(filters.date_to, time.max) if filters.date_to else None
        parts.append(DateRange("created", start, end))
    return And(parts) if parts else None


def _refresh_index() -> None:
    try:
        indexer.catch_up(blocking=False)
    except Exception:  # a search still answers from the index it has
        logger.exception("search: catching up with the change log failed")


# Hot queries repeat: results are kept per index state (the change-log watermark and the
# rebuild generation, so a changed index never serves stale results) and visibility class.
_cache: OrderedDict[tuple[Any, ...], Results] = OrderedDict()
CACHE_SIZE = 512


def search(
    viewer: Any, text: str, filters: SearchFilters, page: int = 1, per_page: int = 20
) -> Results:
    """Search for plain words (all of them), best matches first, as `viewer` may see them."""
    words = terms(text)
    if not words:
        return Results(query=text, page=page, per_page=per_page)
    _refresh_index()
    manager = can_manage_campaigns(viewer)
    state = (indexer.index_dir(), indexer.read_watermark(), engine.generation())
    key = (state, tuple(words), repr(filters), page, per_page, manager)
    cached = _cache.get(key)
    if cached is not None:
        _cache.move_to_end(key)
        return replace(cached, query=text)
    results = _search(words, text, filters, page, per_page, manager)
    _cache[key] = results
    if len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return results


def _search(
    words: list[str], text: str, filters: SearchFilters, page: int, per_page: int, manager: bool
) -> Results:
    from whoosh import highlight
    from whoosh.query import Term

    results = Results(query=text, page=page, per_page=per_page)
    s = engine.searcher(indexer.index_dir())
    mask = None if manager else Term("hidden", "draft")
    # A bounded collector: only the top page*per_page (+1, to know there is more) are
    # ranked, and matches are never counted: counting costs seconds on common words.
    found = s.search(
        _query(words, ("title", "body"), require_all=True),
        limit=page * per_page + 1,
        filter=_filter(filters),
        mask=mask,
    )
    found.fragmenter = highlight.ContextFragmenter(maxchars=200, surround=40)
    found.formatter = _Marker()
    ranked = found.scored_length()  # never len(found): that counts every match
    results.more = ranked > page * per_page
    for position in range((page - 1) * per_page, min(page * per_page, ranked)):
        hit = found[position]
        # Highlight within the first part of the text only: re-analysing whole bodies
        # for every hit was most of a query's time.
        body = hit["body"][:HIGHLIGHT_CHARS]
        snippet = hit.highlights("body", text=body) or str(escape(body[:200]))
        results.hits.append(
            Hit(
                kind=hit["kind"],
                object_id=hit["object_id"],
                idea_id=hit["idea_id"],
                campaign_id=hit["campaign_id"],
                title=hit["title"],
                snippet=Markup(snippet),  # noqa: S704 - every piece escaped by _Marker
                status=hit["status"],
                created=hit["created"],
            )
        )
    return results


def similar_ideas(viewer: Any, title: str, limit: int = 5) -> list[Hit]:
    """Existing ideas whose titles share words with a new idea's title (duplicates check)."""
    from whoosh.query import Or, Term

    words = terms(title)
    if len(words) == 0:
        return []
    _refresh_index()
    s = engine.searcher(indexer.index_dir())
    mask = Or([Term("hidden", "draft"), Term("kind", "comment"), Term("kind", "campaign")])
    hits = s.search(_query(words, ("title", "body"), require_all=False), limit=limit, mask=mask)
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
