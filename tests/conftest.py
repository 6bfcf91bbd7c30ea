"""Fixtures: an app per test on each database engine, a client, and factories.

Database tests run once on SQLite and once on PostgreSQL (127.0.0.1:5432). Where no
PostgreSQL answers, its tests are skipped with the reason, except under CI=true, where
that is a failure. IDEAHUB_TEST_ENGINES=sqlite (or postgresql) picks one engine.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, g, request_started
from flask.testing import FlaskClient
from sqlalchemy import event

from ideahub import create_app
from ideahub.extensions import db
from ideahub.models import Campaign, Comment, Department, Idea, IdeaStatusChange, Tag, User
from ideahub.search import engine

PG_ADMIN_URL = os.environ.get(
    "IDEAHUB_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
# One database per test run, so parallel runs (developers, helpers, CI) never collide.
PG_TEST_DB = f"ideahub_test_{os.getpid()}"
PASSWORD = "correct horse battery"
ENGINES = [e for e in os.environ.get("IDEAHUB_TEST_ENGINES", "sqlite,postgresql").split(",") if e]

# One password hash for every factory-made user: hashing is slow on purpose.
_HASH_CACHE: dict[str, str] = {}


def _drop_postgres_database() -> None:
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{PG_TEST_DB}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _postgres_url() -> str:
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{PG_TEST_DB}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{PG_TEST_DB}"'))
    except sa.exc.OperationalError as exc:
        message = f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {exc.orig}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (required under CI=true)", pytrace=False)
        pytest.skip(message)
    finally:
        admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_TEST_DB


@pytest.fixture(scope="session", params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh, empty database with the schema, once per engine per run."""
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    else:
        url = _postgres_url()
        request.addfinalizer(_drop_postgres_database)
    app = create_app(_test_config(url, str(tmp_path_factory.mktemp("uploads"))))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return url


def _test_config(url: str, uploads: str) -> dict[str, Any]:
    return {
        "SEARCH_INDEX_DIR": uploads.rstrip("/") + "-search-index",
        "TESTING": True,
        "IDEAHUB_ENV": "testing",
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": url,
        "UPLOAD_FOLDER": uploads,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "SERVER_NAME": "ideahub.test",
        "TRENDING_CACHE_SECONDS": 0,
        # Production cuts a search at 25 ms of wall-clock time; on a test machine busy with
        # other work that cut came early and a search found less (a flaky test). The
        # budget's own tests set it.
        "SEARCH_TIME_BUDGET_MS": 5000,
    }


def _empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
        db.session.execute(
            sa.text("DELETE FROM sqlite_sequence")
        ) if _has_sqlite_sequence() else None
    db.session.commit()


def _has_sqlite_sequence() -> bool:
    return (
        db.session.scalar(
            sa.text("SELECT name FROM sqlite_master WHERE type='table' AND name='sqlite_sequence'")
        )
        is not None
    )


@pytest.fixture
def app_config(database_url: str, tmp_path: Any) -> dict[str, Any]:
    """The settings the `app` fixture is built with; override it to change one."""
    return _test_config(database_url, str(tmp_path / "uploads"))


def _forget_request_user(sender: Flask, **extra: Any) -> None:
    # Requests reuse the test's app context, and with it `g`; in production every request
    # has its own. Without this, Flask-Login's cached user would leak between clients.
    g.pop("_login_user", None)


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(app_config)
    request_started.connect(_forget_request_user, app)
    ctx = app.app_context()
    ctx.push()
    try:
        yield app
    finally:
        engine.close_searchers()  # each test has its own index folder
        db.session.remove()
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()
        ctx.pop()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def engine_name(app: Flask) -> str:
    return db.engine.dialect.name


# ---------------------------------------------------------------- factories

_seq = itertools.count(1)


@pytest.fixture
def make_department(app: Flask) -> Callable[..., Department]:
    def make(name: str | None = None) -> Department:
        dept = Department(name=name or f"Department {next(_seq)}")
        db.session.add(dept)
        db.session.commit()
        return dept

    return make


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    def make(
        roles: tuple[str, ...] | list[str] = (),
        *,
        name: str | None = None,
        email: str | None = None,
        department: Department | None = None,
        is_active: bool = True,
        password: str = PASSWORD,
    ) -> User:
        n = next(_seq)
        user = User(
            email=email or f"user{n}@example.test",
            name=name or f"User {n}",
            department_id=department.id if department else None,
            job_title="Tester",
            hire_date=date(2024, 1, 1),
            is_active=is_active,
        )
        if password not in _HASH_CACHE:
            user.set_password(password)
            _HASH_CACHE[password] = user.password_hash
        user.password_hash = _HASH_CACHE[password]
        user.set_roles(list(roles))
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_campaign(app: Flask, make_user: Callable[..., User]) -> Callable[..., Campaign]:
    def make(state: str = "open", **fields: Any) -> Campaign:
        campaign = Campaign(
            title=fields.pop("title", f"Campaign {next(_seq)}"),
            description=fields.pop("description", "Tell us your ideas."),
            state=state,
            **fields,
        )
        db.session.add(campaign)
        db.session.commit()
        return campaign

    return make


@pytest.fixture
def make_idea(
    app: Flask, make_user: Callable[..., User], make_campaign: Callable[..., Campaign]
) -> Callable[..., Idea]:
    def make(
        campaign: Campaign | None = None,
        author: User | None = None,
        *,
        tags: tuple[str, ...] = (),
        **fields: Any,
    ) -> Idea:
        campaign = campaign or make_campaign()
        author = author or make_user()
        idea = Idea(
            campaign_id=campaign.id,
            author_id=author.id,
            department_id=author.department_id,
            title=fields.pop("title", f"Idea number {next(_seq)}"),
            summary=fields.pop("summary", "A short summary."),
            description=fields.pop("description", "The **details**."),
            **fields,
        )
        for name in tags:
            tag = db.session.scalar(db.select(Tag).where(Tag.name == name)) or Tag(name=name)
            idea.tags.append(tag)
        db.session.add(idea)
        db.session.flush()
        db.session.add(IdeaStatusChange(idea_id=idea.id, to_status=idea.status or "submitted"))
        campaign.idea_count += 1
        db.session.commit()
        return idea

    return make


@pytest.fixture
def make_comment(app: Flask) -> Callable[..., Comment]:
    def make(
        idea: Idea, author: User, body: str = "A comment.", parent: Comment | None = None
    ) -> Comment:
        comment = Comment(
            idea_id=idea.id, author_id=author.id, body=body, parent_id=parent.id if parent else None
        )
        db.session.add(comment)
        idea.comment_count += 1
        db.session.commit()
        return comment

    return make


@pytest.fixture
def login(client: FlaskClient) -> Callable[[User], FlaskClient]:
    """Sign a user in on the test client without the (deliberately slow) password check."""

    def do(user: User, on: FlaskClient | None = None) -> FlaskClient:
        target = on or client
        with target.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return target

    return do


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], Any]:
    """`with count_queries() as q: ...; q.count` counts the SQL statements run inside."""
    from contextlib import contextmanager

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting
