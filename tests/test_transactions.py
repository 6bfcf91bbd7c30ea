"""How a request uses the database (database.py): a GET only reads, and on PostgreSQL it
reads outside a transaction, so that hot statements stay prepared from one request to the
next; a state-changing request writes in one transaction."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ideahub import create_app
from ideahub.database import writes_on_read
from ideahub.extensions import db
from ideahub.models import Idea, Tag
from ideahub.sql import rows


@pytest.fixture
def app_config(app_config):
    app_config["PROPAGATE_EXCEPTIONS"] = False  # a refused write answers with the 500 page
    return app_config


def _in_transaction() -> bool:
    """Whether the database connection of this request is inside a transaction now."""
    driver = db.session.connection().connection.driver_connection
    if db.engine.dialect.name == "sqlite":
        return driver.in_transaction
    import psycopg

    return driver.info.transaction_status != psycopg.pq.TransactionStatus.IDLE


def _as_a_request_starts() -> None:
    # Requests in these tests share the test's app context and session; in production each
    # request starts with no transaction: end the test's own before each request.
    db.session.commit()


def test_a_get_reads_in_a_snapshot_on_sqlite_and_outside_a_transaction_on_postgresql(
    app, client, engine_name
):
    seen = {}

    def probe() -> str:
        db.session.execute(sa.text("SELECT 1"))
        seen["get"] = _in_transaction()
        return "ok"

    def post_probe() -> str:
        db.session.execute(sa.text("SELECT 1"))
        seen["post"] = _in_transaction()
        return "ok"

    app.add_url_rule("/_probe", "probe", probe)
    app.add_url_rule("/_probe", "post_probe", post_probe, methods=["POST"])
    _as_a_request_starts()
    assert client.get("/_probe").status_code == 200
    _as_a_request_starts()
    assert client.post("/_probe").status_code == 200
    # SQLite: the reads of a page share one snapshot; PostgreSQL's READ COMMITTED gives each
    # statement its own anyway, so the GET skips BEGIN and ROLLBACK.
    assert seen == {"get": engine_name == "sqlite", "post": True}


def test_a_write_in_a_get_is_refused_and_nothing_is_saved(app, client):
    def writes() -> str:
        db.session.add(Tag(name="written-by-a-get"))
        db.session.commit()
        return "ok"

    app.add_url_rule("/_writes", "writes", writes)
    _as_a_request_starts()
    r = client.get("/_writes")
    assert r.status_code == 500
    db.session.rollback()
    assert db.session.scalar(db.select(Tag).filter_by(name="written-by-a-get")) is None


def test_a_search_that_catches_up_with_the_index_still_only_reads(
    app, client, engine_name, make_idea
):
    """A search applies pending index changes first; that ends the GET's transaction, and it
    then reads on a read-only connection again: outside a transaction on PostgreSQL, and a
    write is still refused."""
    from ideahub.search import indexer
    from ideahub.search.services import _refresh_index

    seen = {}

    def searches_then_writes() -> str:
        _refresh_index()
        seen["pending"] = indexer.pending()
        seen["in_transaction"] = _in_transaction()
        db.session.add(Tag(name="written-by-a-search"))
        db.session.commit()
        return "ok"

    app.add_url_rule("/_searches", "searches", searches_then_writes)
    make_idea(title="Waiting to be indexed")
    assert indexer.pending() > 0
    _as_a_request_starts()
    assert client.get("/_searches").status_code == 500
    assert seen == {"pending": 0, "in_transaction": engine_name == "sqlite"}
    db.session.rollback()
    assert db.session.scalar(db.select(Tag).filter_by(name="written-by-a-search")) is None


def test_a_get_marked_writes_on_read_may_write(app, client):
    @writes_on_read
    def writes() -> str:
        db.session.add(Tag(name="written-on-purpose"))
        db.session.commit()
        return "ok"

    app.add_url_rule("/_writes", "writes", writes)
    _as_a_request_starts()
    assert client.get("/_writes").status_code == 200
    assert db.session.scalar(db.select(Tag).filter_by(name="written-on-purpose")) is not None


def test_hot_statements_stay_prepared_across_get_requests_on_postgresql(
    app_config, engine_name, login, make_user, make_idea
):
    if engine_name != "postgresql":
        pytest.skip("psycopg's prepared statements")
    idea, user = make_idea(), make_user()
    db.session.commit()
    # Its own app: each request then has its own app context and session, as in production.
    own = create_app(app_config)
    own.add_url_rule(
        "/_prepared",
        "prepared",
        lambda: str(
            db.session.scalar(
                sa.text(
                    "SELECT count(*) FROM pg_prepared_statements"
                    " WHERE statement LIKE '%FROM notices%'"  # the signed-in user's
                )
            )
        ),
    )
    client = login(user, on=own.test_client())
    try:
        for _ in range(8):  # psycopg prepares a statement on its sixth run on a connection
            assert client.get(f"/ideas/{idea.id}").status_code == 200
        # A ROLLBACK at the end of each request would have made psycopg deallocate it.
        assert client.get("/_prepared").get_data(as_text=True) == "1"
    finally:
        with own.app_context():
            db.engine.dispose()


def test_a_campaign_page_query_is_planned_once_not_on_every_request_on_postgresql(
    app_config, engine_name, login, make_user, make_campaign
):
    if engine_name != "postgresql":
        pytest.skip("PostgreSQL's plans of prepared statements")
    campaign, author = make_campaign(), make_user()
    # A campaign of a size where an unknown LIMIT (a tenth of its rows, PostgreSQL guesses)
    # makes the one plan for every run look costlier than planning each run afresh.
    ideas = [
        {"campaign_id": campaign.id, "author_id": author.id, "title": f"Idea {n}"}
        for n in range(3000)
    ]
    db.session.execute(sa.insert(Idea), ideas)
    db.session.commit()
    db.session.execute(sa.text("ANALYZE ideas"))
    db.session.commit()
    own = create_app(app_config)
    own.add_url_rule(
        "/_plans",
        "plans",
        lambda: [
            list(row)
            for row in db.session.execute(
                sa.text(
                    "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
                    " WHERE statement LIKE '%reader_voted%'"  # the page's list of ideas
                )
            )
        ],
    )
    client = login(make_user(), on=own.test_client())
    try:
        for _ in range(16):  # prepared on its fifth run; PostgreSQL then tries five custom plans
            assert client.get(f"/campaigns/{campaign.id}?sort=newest").status_code == 200
        [[generic, custom]] = client.get("/_plans").get_json()
        # With the LIMIT sent as a parameter: generic 0, custom 11 (planned on every run).
        assert generic > 0 and custom <= 5, (generic, custom)
    finally:
        with own.app_context():
            db.engine.dispose()


def test_plain_rows_read_on_the_sessions_connection_see_its_pending_changes(
    app, make_idea, make_user
):
    # sql.rows() skips the ORM's result handling, not its flush: a change made but not yet
    # flushed in this transaction is in what it reads, as with session.execute().
    idea = make_idea()
    # Built before the change: reading idea.id after it would reload the idea, and flush.
    title = sa.select(Idea.title).where(Idea.id == idea.id)
    idea.title = "Renamed, not yet flushed"
    db.session.add(Tag(name="pending-tag"))
    assert rows(title).scalar_one() == "Renamed, not yet flushed"
    assert rows(sa.select(Tag.id).where(Tag.name == "pending-tag")).scalar_one() is not None
    db.session.rollback()
    assert rows(title).scalar_one() != "Renamed, not yet flushed"
