"""Engine set-up that the two database engines need to behave the same under load.

SQLite: every connection gets WAL, foreign keys, a busy timeout and synchronous=NORMAL.
Python's sqlite3 driver opens transactions lazily, so a transaction that reads and then
writes can fail with "database is locked" despite the busy timeout (measured: about half
did under two writers). We therefore take over BEGIN ourselves and start the transaction
of every state-changing request with BEGIN IMMEDIATE, which waits for the write lock
(honouring busy_timeout) before reading anything.

A view whose writes decide everything in SQL (a vote: insert-or-ignore, then an atomic
count; a new comment: an insert, then an atomic count) is marked `@writes_late`: it reads
without the lock and takes it just before writing (`begin_late_write`), so two workers'
votes wait for each other's write, not for whole requests.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
IMMEDIATE = "ideahub_sqlite_immediate"
WRITES_LATE = "_ideahub_writes_late"
CHANGES_AT_BEGIN = "ideahub_changes_at_begin"
View = TypeVar("View", bound=Callable[..., Any])


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA foreign_keys=ON",
            "PRAGMA busy_timeout=10000",
            "PRAGMA synchronous=NORMAL",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        # Rows changed so far on this connection: begin_late_write() checks nothing was since.
        conn.info[CHANGES_AT_BEGIN] = conn.connection.driver_connection.total_changes


def is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def begin_write_transaction() -> None:
    """Start the session's transaction holding SQLite's write lock (no-op elsewhere)."""
    if is_sqlite() and not db.session().in_transaction():
        db.session.connection(execution_options={IMMEDIATE: True})


def writes_late(view: View) -> View:
    """Mark a view that calls `begin_late_write()` itself before its only writes."""
    setattr(view, WRITES_LATE, True)
    return view


def begin_late_write() -> None:
    """SQLite: hold the write lock from here to the commit (no-op elsewhere).

    The read-only transaction so far ends and BEGIN IMMEDIATE starts the writing one under
    the ORM's feet, so what the request loaded stays loaded (a commit would expire it all).
    Those objects may then be a moment old: what is written must be decided in SQL. Sent
    through SQLAlchemy, a lock still held after the busy timeout is its OperationalError,
    which errors.py answers with 503 and Retry-After.
    """
    if not is_sqlite():
        return
    session = db.session()
    if not session.in_transaction():
        begin_write_transaction()
        return
    connection = session.connection()
    driver = connection.connection.driver_connection
    written = driver.total_changes != connection.info.get(CHANGES_AT_BEGIN)
    if written or session.new or session.dirty or session.deleted:
        raise RuntimeError("begin_late_write() after changes: they would be committed early")
    if driver.in_transaction:
        connection.exec_driver_sql("COMMIT")  # nothing was written: ends the read snapshot
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def init_database(app: Flask) -> None:
    """Bind the engine hooks and the per-request write-transaction rule."""
    with app.app_context():
        if is_sqlite():
            _configure_sqlite(db.engine)

    @app.before_request
    def write_requests_take_the_lock() -> None:
        view = app.view_functions.get(request.endpoint or "")
        if request.method not in SAFE_METHODS and not getattr(view, WRITES_LATE, False):
            begin_write_transaction()
