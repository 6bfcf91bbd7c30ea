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

A GET (HEAD, OPTIONS) request only reads: a write statement in it is refused, on both
engines, so that none slips into a request that holds no write lock (SQLite) or no
transaction (PostgreSQL). A view that must write on GET is marked `@writes_on_read` and is
treated as a state-changing request.

PostgreSQL: such a request reads outside a transaction (autocommit). Under READ COMMITTED
each statement sees its own snapshot anyway, so no result changes; it saves the BEGIN and
ROLLBACK round trips, and, as psycopg forgets its prepared statements at every ROLLBACK, lets
hot statements stay prepared on the connection: planned once, not on every request (measured
on the benchmark's idea page: its discussion's query went from 5 ms to 0.9 ms).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, g, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
IMMEDIATE = "ideahub_sqlite_immediate"
READS_ONLY = "ideahub_reads_only"
WRITES_LATE = "_ideahub_writes_late"
WRITES_ON_READ = "_ideahub_writes_on_read"
READING = ("SELECT", "select", "WITH ", "with ", "BEGIN", "SHOW ", "show ")
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


def _refuse_writes_in_reads(engine: Engine) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def refuse(conn: Any, _cursor: Any, statement: str, *_args: Any, **_kwargs: Any) -> None:
        if conn.get_execution_options().get(READS_ONLY) and not statement.startswith(READING):
            raise RuntimeError(
                "A write in a GET request: make it a POST, or mark the view @writes_on_read."
            )


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


def writes_on_read(view: View) -> View:
    """Mark a view that writes on GET: it is then treated as a state-changing request."""
    setattr(view, WRITES_ON_READ, True)
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


def _reading() -> dict[str, Any]:
    """The execution options of a GET request's connection (see the module's docstring)."""
    if is_sqlite():
        return {READS_ONLY: True}
    return {READS_ONLY: True, "isolation_level": "AUTOCOMMIT"}


def resume_reading() -> None:
    """In a GET request whose transaction was ended midway (a rollback gives the connection
    back), read on as the request began: the next connection would otherwise be an ordinary
    one, in a transaction on PostgreSQL and without the guard that refuses writes."""
    if g.get("reads_only") and not db.session().in_transaction():
        db.session.connection(execution_options=_reading())


def init_database(app: Flask) -> None:
    """Bind the engine hooks and the per-request transaction rules."""
    with app.app_context():
        sqlite = is_sqlite()
        if sqlite:
            _configure_sqlite(db.engine)
        _refuse_writes_in_reads(db.engine)
        reading = _reading()

    @app.before_request
    def choose_the_transaction() -> None:
        view = app.view_functions.get(request.endpoint or "")
        if request.method not in SAFE_METHODS or getattr(view, WRITES_ON_READ, False):
            if not getattr(view, WRITES_LATE, False):
                begin_write_transaction()
        # (In tests a request may run inside the test's own transaction: it is left alone.)
        elif request.endpoint != "static" and not db.session().in_transaction():
            db.session.connection(execution_options=reading)
            g.reads_only = True

    @app.teardown_request
    def end_reading(_error: BaseException | None) -> None:
        # Gives the connection back now; on PostgreSQL no round trip (no transaction to end).
        if g.pop("reads_only", False):
            db.session.rollback()
