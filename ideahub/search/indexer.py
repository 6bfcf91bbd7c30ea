"""Keeps this host's index current: applies the change log in order from a watermark.

The index is derived data under instance/: if a write fails (lock held, disk full, process
killed) nothing is lost, because the change log is in the database and the watermark only
moves after the index commit. `rebuild()` makes a new index from the database.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import current_app
from sqlalchemy import func
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import Campaign, Comment, Idea, SearchChange
from . import engine
from .engine import Document

logger = logging.getLogger(__name__)
BATCH = 500


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


def read_watermark(path: str | None = None) -> int:
    try:
        with open(_watermark_path(path or index_dir())) as f:
            return int(f.read().strip() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def _write_watermark(value: int, path: str | None = None) -> None:
    target = _watermark_path(path or index_dir())
    tmp = target + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(value))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, target)


def _idea_docs(ids: list[int]) -> tuple[list[Document], list[str]]:
    ideas = {
        i.id: i
        for i in db.session.scalars(
            db.select(Idea).where(Idea.id.in_(ids)).options(selectinload(Idea.tags))
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
            db.select(Comment).where(Comment.id.in_(ids)).options(joinedload(Comment.idea))
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
        c.id: c for c in db.session.scalars(db.select(Campaign).where(Campaign.id.in_(ids)))
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


def catch_up(blocking: bool = False, limit: int = 5000, merge_limit: int | None = None) -> int:
    """Apply pending changes; returns how many were applied (0 when another holds the lock).
    `merge_limit` bounds the index's segment merging (engine.write): a web request's."""
    with _host_lock(blocking) as locked:
        if not locked:
            return 0
        try:
            watermark = read_watermark()
            rows = db.session.execute(
                db.select(SearchChange.id, SearchChange.kind, SearchChange.object_id)
                .where(SearchChange.id > watermark)
                .order_by(SearchChange.id)
                .limit(limit)
            ).all()
            if not rows:
                return 0
            changes: dict[str, set[int]] = {}
            for _id, kind, object_id in rows:
                if kind in BUILDERS:
                    changes.setdefault(kind, set()).add(object_id)
            # Opened only when there is work: every search checks the log first.
            _apply(engine.open_index(index_dir()), changes, merge_limit)
            _write_watermark(rows[-1][0])
            return len(rows)
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
        _write_watermark(start_mark, fresh)
        old = target + ".old"
        shutil.rmtree(old, ignore_errors=True)
        if os.path.exists(target):
            os.replace(target, old)
        os.replace(fresh, target)
        shutil.rmtree(old, ignore_errors=True)
        engine.forget_searcher()
        return total
