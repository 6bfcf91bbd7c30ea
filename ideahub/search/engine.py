"""Whoosh behind a small interface (open, write, search), so the engine can be swapped.

Whoosh 2.7.4 is unmaintained; nothing outside this module imports it. Chinese and English
text both go through one analyzer, jieba's analyzer for Whoosh with jieba-rs (rjieba) doing
the segmenting: Chinese words, lower-casing, stop words and English stemming, so a
two-character word inside a long Chinese paragraph is found and "returns" finds "return".
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from whoosh.analysis import Token, Tokenizer

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_analyzer: Any = None

# jieba.analyse.analyzer's stop words, as the index was built with them.
STOP_WORDS = frozenset(
    ("a", "an", "and", "are", "as", "at", "be", "by", "can", "for", "from", "have", "if", "in")
    + ("is", "it", "may", "not", "of", "on", "or", "tbd", "that", "the", "this", "to", "us")
    + ("we", "when", "will", "with", "yet", "you", "your", "的", "了", "和")
)
# The Chinese characters jieba-rs segments: unified ideographs, their extensions and the
# compatibility ones (Python's jieba stopped at U+9FD5).
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_HAN_RUN = re.compile(f"[{HAN}]+")


def analyzer() -> Any:
    """The analyzer of every text field, made once per process. jieba-rs reads its
    dictionary at import: ~130 ms and ~30 MB, shared by the workers when gunicorn forks
    them after loading it (wsgi.py).

    Python's jieba gives the same words (the tests compare them; so do 12,000 of the bench's
    texts and 80,000 random ones) for ~80 MB per process, ~1.5 s to load and ~30x the time
    to segment; its analyzer module, jieba.analyse, also read keyword dictionaries at import:
    ~100 MB more. An index built with Python jieba's analyzer is searched as it was."""
    global _analyzer
    if _analyzer is None:
        with _lock:
            if _analyzer is None:
                import rjieba  # noqa: F401 (loads the dictionary)
                from whoosh.analysis import LowercaseFilter, StemFilter, StopFilter
                from whoosh.lang.porter import stem as porter_stem

                _analyzer = (
                    JiebaTokenizer()
                    | LowercaseFilter()
                    | StopFilter(stoplist=STOP_WORDS, minsize=1)
                    | StemFilter(stemfn=porter_stem, ignore=None, cachesize=50_000)
                )
    return _analyzer


# How Python jieba cuts letters and digits (its finalseg's re_skip): "ISO-9001" is "ISO"
# and "9001", "1.5" and "20%" stay whole.
_JIEBA_ASCII_WORD = re.compile(r"[a-zA-Z0-9]+(?:\.\d+)?%?")


class JiebaTokenizer(Tokenizer):  # type: ignore[misc]
    """jieba.analyse.analyzer.ChineseTokenizer, segmenting with jieba-rs: search-mode words
    (a long word and the shorter words inside it), skipping single characters other than
    Chinese ones. Module-level: Whoosh pickles the schema, with its analyzers, into the index.

    jieba-rs keeps letters and digits joined by a hyphen, dot or underscore as one word
    ("ISO-9001", with "ISO" but without "9001"); those are cut as Python jieba cut them, so
    "ISO 9001" finds "ISO-9001" and the words are Python jieba's, as the tests check."""

    def __call__(self, text: str, **kwargs: Any) -> Iterator[Token]:
        import rjieba

        words = rjieba.tokenize(text, mode="search")
        # Words with a joining character ("ISO-9001", "1.5"), where jieba-rs also gives
        # pieces ("ISO", "1") that Python jieba did not.
        joined = [(start, end) for word, start, end in words if _has_joiner(word)]
        token = Token()
        for word, start, end in words:
            parts = [(word, start, end)]
            if joined and word.isascii():
                if any(s <= start and end <= e and (s, e) != (start, end) for s, e in joined):
                    continue  # a piece of a joined word: that word gives its own pieces
                if _has_joiner(word) and not _whole(word):
                    parts = [
                        (m.group(), start + m.start(), start + m.end())
                        for m in _JIEBA_ASCII_WORD.finditer(word)
                    ]
            for part, first, last in parts:
                if len(part) <= 1 and not _HAN_RUN.match(part):
                    continue
                token.original = token.text = part
                token.pos = token.startchar = first
                token.endchar = last
                yield token


def _has_joiner(word: str) -> bool:
    return word.isascii() and any(c in "-._%" for c in word)


def _whole(word: str) -> bool:
    """Whether Python jieba kept this joined word whole: a number with decimals or a percent
    sign, or a word of its dictionary; otherwise it cut it into its letters and digits."""
    import rjieba

    return _JIEBA_ASCII_WORD.fullmatch(word) is not None or bool(rjieba.has_word(word))


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """A word other than Chinese as the analyzer indexes it: lower-cased, Porter-stemmed."""
    from whoosh.lang.porter import stem as porter_stem

    return str(porter_stem(word.lower()))


def schema() -> Any:
    from whoosh.fields import DATETIME, ID, NUMERIC, STORED, TEXT, Schema

    text = analyzer()
    return Schema(
        key=ID(unique=True, stored=True),  # "idea:12"
        kind=ID(stored=True),
        object_id=NUMERIC(stored=True),
        idea_id=NUMERIC(stored=True),
        campaign_id=NUMERIC(stored=True),
        department_id=NUMERIC(stored=True),
        status=ID(stored=True),
        # No longer written: whether a draft campaign's documents may be found is decided
        # at search time (services._draft_campaigns). Kept so that an index built before
        # opens with the schema it was written with.
        hidden=ID(stored=True),
        created=DATETIME(stored=True, sortable=True),
        title=TEXT(analyzer=text, stored=True, field_boost=3.0),
        body=TEXT(analyzer=text, stored=True),
        # What a comment is on (its idea's title): shown with it, never searched, or a word
        # of an idea's title found every comment on the idea, ranked with the idea.
        context=STORED(),
    )


@dataclass
class Document:
    kind: str
    object_id: int
    title: str
    body: str
    created: datetime
    idea_id: int = 0
    campaign_id: int = 0
    department_id: int = 0
    status: str = ""
    context: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.object_id}"

    def fields(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "object_id": self.object_id,
            "idea_id": self.idea_id,
            "campaign_id": self.campaign_id,
            "department_id": self.department_id,
            "status": self.status,
            "created": self.created.replace(tzinfo=None),
            "title": self.title,
            "body": self.body,
            "context": self.context,
        }


def _share_deleted_sets() -> None:
    """Whoosh reads a term's postings in a segment by first copying the segment's deleted
    documents into a new frozenset (SegmentReader.postings), for every term it looks up. A
    re-indexed document leaves its old version deleted in its segment until that segment is
    merged away, and the big first segment of an index is not merged by the commits that
    follow: after the bench's 64,000 comments were re-read, each lookup copied 64,000
    numbers (3 ms), which made catching up with a backlog slow down batch after batch. Here
    a segment's deleted documents are kept as one frozenset, made again only when their
    number changed (a writer deleting more); frozenset() of a frozenset is the same object,
    so Whoosh's copy costs nothing. Whoosh 2.7.4 is the last release: this stays true."""
    from whoosh.codec.whoosh3 import W3PerDocReader

    if getattr(W3PerDocReader, "ideahub_shared", False):
        return
    listed = W3PerDocReader.deleted_docs

    def deleted_docs(self: Any) -> frozenset[int]:
        known = getattr(self, "ideahub_deleted", None)
        if known is None or len(known) != self._segment.deleted_count():
            known = self.ideahub_deleted = frozenset(listed(self))
        return known

    W3PerDocReader.deleted_docs = deleted_docs
    W3PerDocReader.ideahub_shared = True


def open_index(path: str, create: bool = False) -> Any:
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import EmptyIndexError

    _share_deleted_sets()

    # Without mmap: Whoosh copies every file of a memory-mapped segment into a private
    # buffer (BytesIO of the map), ~460 MB per process for the bench's 400,000 documents;
    # plain reads share the operating system's page cache between the workers instead.
    storage = FileStorage(path, supports_mmap=False)
    if not create and os.path.isdir(path):
        # With our schema, not the one pickled in the index (storage.index_exists() would
        # unpickle it): an index built before names jieba.analyse's analyzer there.
        try:
            return storage.open_index(schema=schema())
        except EmptyIndexError:
            pass
    os.makedirs(path, exist_ok=True)
    return storage.create().create_index(schema())


def _merging_at_most(limit: int) -> Any:
    """Whoosh's merge policy (MERGE_SMALL), bounded: of the segments it would merge, only
    the smallest that hold at most `limit` documents together.

    Whoosh merges segments inside the commit that adds one, and lets a merge grow with the
    index: catching up 500 changes at a time, as the web workers do after a response, one
    commit in 76 merged ~38,000 documents of the bench's index in 44 s, past gunicorn's 30 s
    timeout; the worker is killed, the commit lost, and the next catch-up meets the same
    merge. Bounded, the segments that reach the bound stay as they are until the follower
    (`ideahub index-changes`, which merges without a bound) or a rebuild."""
    from whoosh.reading import SegmentReader
    from whoosh.util import fib

    def policy(writer: Any, segments: list[Any]) -> list[Any]:
        ordered = sorted(segments, key=lambda seg: seg.doc_count_all())
        total = 0
        for i, seg in enumerate(ordered):  # MERGE_SMALL's rule: where the merge ends
            total += seg.doc_count_all()
            if i > 3 and total < fib(i + 5):
                break
        else:
            return segments
        merged, total = [], 0
        for seg in ordered[: i + 1]:
            total += seg.doc_count_all()
            if total > limit:
                break
            merged.append(seg)
        if len(merged) < 2:
            return segments
        for seg in merged:
            reader = SegmentReader(writer.storage, writer.schema, seg)
            writer.add_reader(reader)
            reader.close()
        return [seg for seg in segments if seg not in merged]

    return policy


def write(
    ix: Any,
    upserts: list[Document],
    deletions: list[str],
    timeout: float = 10.0,
    merge_limit: int | None = None,
) -> None:
    """Apply one batch; waits up to `timeout` s for Whoosh's write lock (LockError after).
    `merge_limit`: merge only segments holding that many documents together (0: none);
    None: as Whoosh merges, without a bound (a process that no timeout stops)."""
    writer = ix.writer(timeout=timeout)
    try:
        # One searcher for the whole batch (update_document() opens a reader over every
        # segment for each document, which made catching up with a backlog crawl), and
        # every old version found before any is deleted: a deletion changes its segment's
        # deleted set, which the next lookup would have to copy again (_share_deleted_sets).
        with writer.searcher() as s:
            keys = deletions + [doc.key for doc in upserts]
            old = [n for key in keys for n in s.document_numbers(key=key)]
        for docnum in old:
            writer.delete_document(docnum)
        for doc in upserts:
            writer.add_document(**doc.fields())
    except BaseException:
        writer.cancel()
        raise
    if merge_limit is None:
        writer.commit()
    else:
        writer.commit(mergetype=_merging_at_most(merge_limit))


def bulk_writer(ix: Any) -> Any:
    """A writer for building a whole index: more memory, one commit at the end."""
    return ix.writer(limitmb=256)


def bounded_collector(
    limit: int,
    seconds: float,
    restrict: Any = None,
    created: tuple[datetime | None, datetime | None] | None = None,
    examined_at_most: int = 0,
) -> Any:
    """A collector of the top `limit` matches that raises Whoosh's TimeLimit once `seconds`
    have passed, or once it has been offered `examined_at_most` matches (0: no such bound;
    a count cuts alike in every process, a time does not); `restrict`, a set of document
    numbers, is left out of them, and with
    `created` (from, to: naive UTC, inclusive, either None), so is every match written
    outside it.

    `created` is checked match by match against the field's column (a seek and an 8-byte
    read), as the matches come: as a query (DateRange), Whoosh lists every document in the
    range before the first match, term by term at each of the field's resolutions (a month
    of the bench's 400,000 documents: 89,000 of them, 1.9 s), and the search found nothing
    in its time.

    Filters belong in the query (services._bounded_search), where matching intersects them
    lazily: as a filter of the collector, Whoosh listed every document a filter matches
    first (kind=comment: 300,000, 123 ms at full size), inside the budget, and the alarm
    then went off before the collector was ready, a 500. `restrict` is a set, kept per
    searcher (services._drafts), so nothing is listed here, and the budget starts last.

    Whoosh's own TimeLimitCollector fires from a thread, which needs the GIL to run and
    came up to 30 ms late here, and wrapped around a filter it drops the filter (it
    collects from the filter's child directly). Here the filter wraps the budget. In the
    main thread (gunicorn's workers serve requests there) the kernel's timer (setitimer)
    raises an alarm that also stops a matcher finding nothing for long; elsewhere (the
    development server) the clock is read at each match."""
    import signal
    from time import monotonic

    from whoosh.collectors import FilterCollector, TimeLimit, TopCollector, WrappingCollector

    class Budget(WrappingCollector):  # type: ignore[misc]
        main = threading.current_thread() is threading.main_thread()
        armed = False
        deadline = 0.0
        column: Any = None  # this segment's `created` values, when they are checked
        lowest, highest = 0, 0
        examined = 0

        def prepare(self, top_searcher: Any, q: Any, context: Any) -> None:
            self.child.prepare(top_searcher, q, context)
            self.examined = 0
            if created is not None:
                field = top_searcher.schema["created"]
                start, end = created
                self.lowest = 0 if start is None else field.to_column_value(start)
                self.highest = 2**64 - 1 if end is None else field.to_column_value(end)
            self.deadline = monotonic() + seconds
            if self.main:
                signal.signal(signal.SIGALRM, self._alarm)
                self.armed = True
                # At least a millisecond: setitimer(0) would cancel the alarm, not set it.
                signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))

        def _alarm(self, signum: int, frame: Any) -> None:
            if self.armed:  # an alarm arriving once the search is over stops nothing
                raise TimeLimit

        def set_subsearcher(self, subsearcher: Any, offset: int) -> None:
            super().set_subsearcher(subsearcher, offset)
            if created is not None:  # the sortable numbers, not datetimes
                self.column = subsearcher.reader().column_reader("created", translate=False)

        def collect_matches(self) -> None:
            for docnum in self.child.matches():
                self.collect(docnum)

        def collect(self, sub_docnum: int) -> Any:
            self.examined += 1
            if monotonic() > self.deadline or 0 < examined_at_most < self.examined:
                raise TimeLimit
            if self.column is not None and not (
                self.lowest <= self.column[sub_docnum] <= self.highest
            ):
                return None
            return self.child.collect(sub_docnum)

        def finish(self) -> None:
            if self.main:
                self.armed = False
                signal.setitimer(signal.ITIMER_REAL, 0)
            self.child.finish()

    class Restricted(FilterCollector):  # type: ignore[misc]
        def prepare(self, top_searcher: Any, q: Any, context: Any) -> None:
            # FilterCollector.prepare, with its child (the budget, which arms the timer)
            # prepared after the filter is ready, not before.
            self._allow = None
            self._restrict = top_searcher._filter_to_comb(self.restrict)
            self.filtered_count = 0
            self.child.prepare(top_searcher, q, context)

    budget = Budget(TopCollector(limit))
    if restrict is None:
        return budget
    return Restricted(budget, restrict=restrict)


# One searcher per thread and index folder, reopened only when the index changed: opening
# one per query cost ~5x in latency here. Per thread, since Whoosh promises no thread safety.
_local = threading.local()
_generation = 0


def searcher(path: str) -> Any:
    cache = getattr(_local, "searchers", None)
    if cache is None or getattr(_local, "generation", -1) != _generation:
        for s in (cache or {}).values():
            s.close()
        cache = _local.searchers = {}
        _local.generation = _generation
    for other in [p for p in cache if p != path]:  # one index per process (tests use many)
        cache.pop(other).close()  # searchers hold files open
    current = cache.get(path)
    if current is not None:
        try:
            if current.up_to_date():
                return current
            fresh = current.refresh()
        except (OSError, ValueError):  # the folder was swapped by a rebuild
            fresh = open_index(path).searcher()
    else:
        fresh = open_index(path).searcher()
    cache[path] = fresh
    return fresh


def close_searchers() -> None:
    """Close this thread's searchers (they hold the index's files open)."""
    for s in getattr(_local, "searchers", {}).values():
        s.close()
    _local.searchers = {}


def generation() -> int:
    """Changes whenever a rebuild replaced the index folder."""
    return _generation


def forget_searcher() -> None:
    """After a rebuild: every thread opens a new searcher on its next query."""
    global _generation
    _generation += 1
