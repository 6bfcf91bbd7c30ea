"""The migrations build exactly the schema the models describe, on both engines, and undo it."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import ENGINES, PG_ADMIN_URL
from flask_migrate import downgrade, upgrade

from ideahub import create_app
from ideahub.extensions import db


def _pg_database(name: str) -> Iterator[str]:
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true: {exc.orig}", pytrace=False)
        pytest.skip(f"PostgreSQL is not reachable: {exc.orig}")
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=ENGINES)
def empty_database(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    else:
        yield from _pg_database(f"ideahub_migrations_{os.getpid()}")


def _differences(connection: sa.Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    diffs = compare_metadata(context, db.metadata)
    # SQLite cannot reflect expression indexes; the email index is checked below instead.
    return [d for d in diffs if "uq_users_email_lower" not in repr(d)]


def _index_names(connection: sa.Connection) -> set[str]:
    """Every index in the database, those on expressions too (which reflection skips)."""
    if connection.dialect.name == "sqlite":
        found = "SELECT name FROM sqlite_master WHERE type = 'index'"
    else:
        found = "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"
    return set(connection.scalars(sa.text(found)))


@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression")
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_upgrade_matches_models_and_downgrade_empties(empty_database: str, tmp_path) -> None:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": empty_database,
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        }
    )
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            assert _differences(conn) == []
            # A batch migration on SQLite copies a table and leaves its expression indexes
            # behind: each the models declare is there.
            declared = {i.name for t in db.metadata.tables.values() for i in t.indexes}
            assert declared - _index_names(conn) == set()
        # The case-insensitive email index (not comparable by reflection) refuses a twin.
        db.session.execute(
            sa.text(
                "INSERT INTO users (email, name, password_hash, job_title, timezone, locale, "
                "is_active, created_at) VALUES ('A@x.test', 'A', 'h', '', '', '', true, "
                "CURRENT_TIMESTAMP)"
            )
        )
        db.session.commit()
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(
                sa.text(
                    "INSERT INTO users (email, name, password_hash, job_title, timezone, "
                    "locale, is_active, created_at) VALUES ('a@X.TEST', 'B', 'h', '', '', "
                    "'', true, CURRENT_TIMESTAMP)"
                )
            )
        db.session.rollback()
        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


FIRST_RELEASE = "3cdcc2b8f25e"  # the initial schema: ideas, comments, votes


@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression")
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_upgrade_from_an_older_schema_keeps_its_data(empty_database: str, tmp_path) -> None:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": empty_database,
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        }
    )
    with app.app_context():
        upgrade(revision=FIRST_RELEASE)
        db.session.execute(
            sa.text(
                "INSERT INTO departments (id, name, created_at) "
                "VALUES (1, 'Sales', CURRENT_TIMESTAMP)"
            )
        )
        db.session.execute(
            sa.text(
                "INSERT INTO users (id, email, name, password_hash, department_id, job_title, "
                "timezone, locale, is_active, created_at) "
                "VALUES (1, 'old@x.test', '老用户', 'h', 1, '', '', '', true, CURRENT_TIMESTAMP)"
            )
        )
        db.session.execute(
            sa.text(
                "INSERT INTO campaigns (id, title, description, theme, state, idea_count, "
                "created_at, updated_at) "
                "VALUES (1, 'Old campaign', '', '', 'open', 1, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        db.session.execute(
            sa.text(
                "INSERT INTO ideas (id, campaign_id, author_id, department_id, title, summary, "
                "description, status, vote_count, comment_count, created_at, updated_at) VALUES "
                "(1, 1, 1, 1, 'Old idea 旧想法', '', '', 'submitted', 0, 2, CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP)"
            )
        )
        # A discussion of three comments, one a reply and one removed: all three are its length.
        db.session.execute(
            sa.text(
                "INSERT INTO comments (id, idea_id, author_id, parent_id, body, created_at, "
                "deleted_at) VALUES (1, 1, 1, NULL, 'a', CURRENT_TIMESTAMP, NULL), "
                "(2, 1, 1, 1, 'b', CURRENT_TIMESTAMP, NULL), "
                "(3, 1, 1, NULL, 'c', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        db.session.commit()
        upgrade()
        assert db.session.execute(sa.text("SELECT discussion_length FROM ideas")).scalar() == 3
        row = db.session.execute(
            sa.text(
                "SELECT u.name, u.session_version, d.is_customer_facing FROM users u "
                "JOIN departments d ON d.id = u.department_id"
            )
        ).one()
        assert (row[0], row[1], bool(row[2])) == ("老用户", 1, False)
        assert db.session.execute(sa.text("SELECT title FROM ideas")).scalar() == "Old idea 旧想法"
        db.session.commit()
        downgrade(revision=FIRST_RELEASE)
        assert db.session.execute(sa.text("SELECT title FROM ideas")).scalar() == "Old idea 旧想法"
        db.session.commit()
        downgrade(revision="base")
        db.engine.dispose()
