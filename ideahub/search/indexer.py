"""Keeps this host's index current: applies the change log in order from a watermark.

The index is derived data under instance/: if a write fails (lock held, disk full, process
killed) nothing is lost, because the change log is in the database and the watermark only
moves after the index commit. `rebuild()` makes a new index from the database.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import current_app
from sqlalchemy import func
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import Campaign, Comment, Idea, SearchChange
from . import engine
from .engine import Document

logger = logging.getLogger(__name__)
BATCH = 500
# How long an id skipped by the change log is looked for (longer than any transaction),
# and how many are kept at most.
GAP_PATIENCE = 600.0
MAX_GAPS = 10_000


def index_dir() -> str:
    return str(current_app.config["SEARCH_INDEX_DIR"])


@contextmanager
def _host_lock(blocking: bool) -> Iterator[bool]:
    """One indexer per host at a time (processes and threads alike)."""
    os.makedirs(os.path.dirname(index_dir()) or ".", exist_ok=True)
    # Beside the index, not in it: rebuild() swaps the index folder while holding the lock.
    with open(index_dir() + ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _watermark_path(path: str) -> str:
    return os.path.join(path, "watermark")


def version(path: str | None = None) -> tuple[int, int]:
    """(the watermark: the change log's id up to which the index is current, how many late
    changes (below it, see catch_up) have been applied): different after every catch-up
    that changed the index."""
    try:
        with open(_watermark_path(path or index_dir())) as f:
            parts = [int(p) for p in f.read().split()]
    except (FileNotFoundError, ValueError):
        return 0, 0
    watermark, late = (parts + [0, 0])[:2]
    return watermark, late


def read_watermark(path: str | None = None) -> int:
    return version(path)[0]


def _write_watermark(value: int, path: str | None = None, late: int = 0) -> None:
    target = _watermark_path(path or index_dir())
    tmp = target + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{value} {late}" if late else str(value))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, target)


def _idea_docs(ids: list[int]) -> tuple[list[Document], list[str]]:
    ideas = {
        i.id: i
        for i in db.session.scalars(
            db.select(Idea)
            .where(Idea.id.in_(ids))
            .options(selectinload(Idea.tags))
            .execution_options(populate_existing=True)  # as committed, not as remembered
        ).unique()
    }
    docs, gone = [], []
    for idea_id in ids:
        idea = ideas.get(idea_id)
        if idea is None or idea.is_withdrawn:
            gone.append(f"idea:{idea_id}")
            continue
        tags = " ".join(t.name for t in idea.tags)
        docs.append(
            Document(
                kind="idea",
                object_id=idea.id,
                idea_id=idea.id,
                title=idea.title,
                body=f"{idea.summary}\n{idea.description}\n{tags}",
                created=idea.created_at,
                campaign_id=idea.campaign_id,
                department_id=idea.department_id or 0,
                status=idea.status,
            )
        )
    return docs, gone


def _comment_docs(ids: list[int]) -> tuple[list[Document], list[str]]:
    comments = {
        c.id: c
        for c in db.session.scalars(
            db.select(Comment)
            .where(Comment.id.in_(ids))
            .options(joinedload(Comment.idea))
            .execution_options(populate_existing=True)
        ).unique()
    }
    docs, gone = [], []
    for comment_id in ids:
        c = comments.get(comment_id)
        if c is None or c.is_deleted or c.idea.is_withdrawn:
            gone.append(f"comment:{comment_id}")
            continue
        docs.append(
            Document(
                kind="comment",
                object_id=c.id,
                idea_id=c.idea_id,
                title="",
                context=c.idea.title,
                body=c.body,
                created=c.created_at,
                campaign_id=c.idea.campaign_id,
                department_id=c.idea.department_id or 0,
                status=c.idea.status,
            )
        )
    return docs, gone


def _campaign_docs(ids: list[int]) -> tuple[list[Document], list[str]]:
    campaigns = {
        c.id: c
        for c in db.session.scalars(
            db.select(Campaign)
            .where(Campaign.id.in_(ids))
            .execution_options(populate_existing=True)
        )
    }
    docs, gone = [], []
    for cid in ids:
        c = campaigns.get(cid)
        if c is None:
            gone.append(f"campaign:{cid}")
            continue
        docs.append(
            Document(
                kind="campaign",
                object_id=c.id,
                campaign_id=c.id,
                title=c.title,
                body=f"{c.theme}\n{c.description}",
                created=c.created_at,
                status=c.state,
            )
        )
    return docs, gone


BUILDERS: dict[str, Callable[[list[int]], tuple[list[Document], list[str]]]] = {
    "idea": _idea_docs,
    "comment": _comment_docs,
    "campaign": _campaign_docs,
}


def _apply(ix: object, changes: dict[str, set[int]], merge_limit: int | None) -> None:
    """Re-read each changed object: one document each (whether a draft campaign's ideas may
    be found is decided at search time, so a campaign's change re-reads the campaign only)."""
    upserts: list[Document] = []
    deletions: list[str] = []
    for kind, ids in changes.items():
        ordered = sorted(ids)
        for start in range(0, len(ordered), BATCH):
            docs, gone = BUILDERS[kind](ordered[start : start + BATCH])
            upserts += docs
            deletions += gone
    engine.write(ix, upserts, deletions, merge_limit=merge_limit)


def _gaps_path(path: str | None = None) -> str:
    return os.path.join(path or index_dir(), "gaps.json")


def read_gaps(path: str | None = None) -> dict[int, float]:
    """The change log's ids below the watermark not seen yet: {id: when first missed}."""
    try:
        with open(_gaps_path(path)) as f:
            return {int(k): float(v) for k, v in json.load(f).items()}
    except (FileNotFoundError, ValueError, AttributeError):
        return {}


def _write_gaps(gaps: dict[int, float], path: str | None = None) -> None:
    target = _gaps_path(path)
    with open(target + ".tmp", "w") as f:
        json.dump({str(k): v for k, v in sorted(gaps.items())[-MAX_GAPS:]}, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(target + ".tmp", target)


def _skipped(seen: set[int], after: int, below: int) -> list[int]:
    """The ids between `after` and `below` (both excluded) not seen: of the newest MAX_GAPS
    only, where a change in flight is (a log pruned further down is not)."""
    return [i for i in range(max(after + 1, below - MAX_GAPS), below) if i not in seen]


def _select_changes(*where: Any, limit: int | None = None) -> list[Any]:
    query = db.select(SearchChange.id, SearchChange.kind, SearchChange.object_id).where(*where)
    return list(db.session.execute(query.order_by(SearchChange.id).limit(limit)).all())


def catch_up(blocking: bool = False, limit: int = 5000, merge_limit: int | None = None) -> int:
    """Apply pending changes; returns how many were applied (0 when another holds the lock).
    `merge_limit` bounds the index's segment merging (engine.write): a web request's.

    The change log's ids are handed out as changes are made, not as they commit: on
    PostgreSQL a change can become visible after a higher id has been read and the
    watermark moved past it. The ids skipped are kept (gaps.json) and looked for again by
    each catch-up, until they appear or GAP_PATIENCE has passed (a rolled-back transaction
    leaves its id unused for ever)."""
    with _host_lock(blocking) as locked:
        if not locked:
            return 0
        try:
            (watermark, applied), now = version(), time.time()
            known = read_gaps()
            gaps = {i: t for i, t in known.items() if now - t < GAP_PATIENCE}
            rows = _select_changes(SearchChange.id > watermark, limit=limit)
            late = _select_changes(SearchChange.id.in_(sorted(gaps))) if gaps else []
            if not rows and not late:
                return 0
            changes: dict[str, set[int]] = {}
            for _id, kind, object_id in late + rows:
                if kind in BUILDERS:
                    changes.setdefault(kind, set()).add(object_id)
            # Opened only when there is work: every search checks the log first.
            _apply(engine.open_index(index_dir()), changes, merge_limit)
            newest = rows[-1][0] if rows else watermark
            gaps.update((i, now) for i in _skipped({r[0] for r in rows}, watermark, newest))
            for r in late:
                gaps.pop(r[0], None)
            if gaps != known:  # before the watermark: a crash between re-reads, never skips
                _write_gaps(gaps)
            _write_watermark(newest, late=applied + len(late))
            return len(rows) + len(late)
        finally:
            # End the read transaction, also when there was nothing to do: left open, its
            # old snapshot made this process's next write fail with "database is locked"
            # on SQLite (and kept the WAL from being checkpointed).
            db.session.rollback()


def pending() -> int:
    newest = db.session.scalar(db.select(func.max(SearchChange.id))) or 0
    return max(0, newest - read_watermark())


def rebuild(progress: Callable[[int], None] | None = None) -> int:
    """Index everything from the database into a fresh index, then swap it in."""
    with _host_lock(blocking=True):
        target = index_dir()
        fresh = target + ".rebuild"
        shutil.rmtree(fresh, ignore_errors=True)
        start_mark = db.session.scalar(db.select(func.max(SearchChange.id))) or 0
        # Ids below the start not yet visible (changes in flight, see catch_up): looked for.
        recent = set(
            db.session.scalars(
                db.select(SearchChange.id).where(SearchChange.id >= start_mark - MAX_GAPS)
            )
        )
        now = time.time()
        gaps = {i: now for i in _skipped(recent, 0, start_mark)}
        ix = engine.open_index(fresh, create=True)
        writer = engine.bulk_writer(ix)
        total = 0
        try:
            for kind, model in (("campaign", Campaign), ("idea", Idea), ("comment", Comment)):
                last = 0
                while True:
                    ids = list(
                        db.session.scalars(
                            db.select(model.id)
                            .where(model.id > last)
                            .order_by(model.id)
                            .limit(BATCH)
                        )
                    )
                    if not ids:
                        break
                    docs, _gone = BUILDERS[kind](ids)
                    for doc in docs:
                        writer.add_document(**doc.fields())
                    total += len(ids)
                    last = ids[-1]
                    if progress:
                        progress(len(ids))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        _write_gaps(gaps, fresh)
        _write_watermark(start_mark, fresh)
        old = target + ".old"
        shutil.rmtree(old, ignore_errors=True)
        if os.path.exists(target):
            os.replace(target, old)
        os.replace(fresh, target)
        shutil.rmtree(old, ignore_errors=True)
        engine.forget_searcher()
        return total
