"""Engine set-up that the two database engines need to behave the same under load.

SQLite: every connection gets WAL, foreign keys, a busy timeout and synchronous=NORMAL.
Python's sqlite3 driver opens transactions lazily, so a transaction that reads and then
writes can fail with "database is locked" despite the busy timeout (measured: about half
did under two writers). We therefore take over BEGIN ourselves and start the transaction
of every state-changing request with BEGIN IMMEDIATE, which waits for the write lock
(honouring busy_timeout) before reading anything.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
IMMEDIATE = "ideahub_sqlite_immediate"


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


def is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def begin_write_transaction() -> None:
    """Start the session's transaction holding SQLite's write lock (no-op elsewhere)."""
    if is_sqlite() and not db.session().in_transaction():
        db.session.connection(execution_options={IMMEDIATE: True})


def init_database(app: Flask) -> None:
    """Bind the engine hooks and the per-request write-transaction rule."""
    with app.app_context():
        if is_sqlite():
            _configure_sqlite(db.engine)

    @app.before_request
    def write_requests_take_the_lock() -> None:
        if request.method not in SAFE_METHODS:
            begin_write_transaction()
