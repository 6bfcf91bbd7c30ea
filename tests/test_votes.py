"""Votes through HTTP and under concurrency: one per (user, idea), idempotent, refused with a
reason, and a vote_count that always equals the rows in `votes`, on both engines."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import has_app_context
from sqlalchemy.exc import IntegrityError

from ideahub.extensions import db
from ideahub.models import Idea, Vote, utcnow

HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def counts_match_rows_after_every_test(app):
    """Whatever a test did, every idea's vote_count equals its rows in `votes` afterwards."""
    yield
    db.session.rollback()
    assert mismatches() == {}


def mismatches() -> dict[int, tuple[int, int]]:
    rows = db.session.execute(
        sa.select(Idea.id, Idea.vote_count, sa.func.count(Vote.user_id))
        .outerjoin(Vote, Vote.idea_id == Idea.id)
        .group_by(Idea.id, Idea.vote_count)
    )
    return {idea_id: (n, real) for idea_id, n, real in rows if n != real}


def state(idea: Idea) -> tuple[int, int]:
    """(vote_count, rows) as the database has them now, outside any old snapshot."""
    db.session.rollback()
    count = db.session.scalar(sa.select(Idea.vote_count).where(Idea.id == idea.id))
    rows = db.session.scalar(
        sa.select(sa.func.count()).select_from(Vote).where(Vote.idea_id == idea.id)
    )
    return count, rows


def vote(client, idea, value, htmx=False):
    return client.post(f"/ideas/{idea.id}/vote", data={"value": value}, headers=HX if htmx else {})


@pytest.fixture
def voter(make_user, login):
    user = make_user()
    login(user)
    return user


# ---------------------------------------------------------------- one user, one request


def test_plain_vote_adds_and_redirects_to_the_idea(client, voter, make_idea):
    idea = make_idea()
    r = vote(client, idea, "1")
    assert r.status_code == 302 and r.location.endswith(f"/ideas/{idea.id}#vote")
    assert state(idea) == (1, 1)
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert 'data-testid="vote-count">1<' in html and "Take back my vote" in html


def test_value_0_takes_the_vote_back(client, voter, make_idea):
    idea = make_idea()
    vote(client, idea, "1")
    assert vote(client, idea, "0").status_code == 302
    assert state(idea) == (0, 0)


def test_voting_twice_counts_once_and_removing_twice_stays_at_zero(client, voter, make_idea):
    idea = make_idea()
    vote(client, idea, "1")
    vote(client, idea, "1")
    assert state(idea) == (1, 1)
    vote(client, idea, "0")
    vote(client, idea, "0")
    assert state(idea) == (0, 0)


def test_htmx_vote_returns_the_widget_with_the_new_count(client, voter, make_user, make_idea):
    idea = make_idea()
    db.session.add(Vote(user_id=make_user().id, idea_id=idea.id, created_at=utcnow()))
    idea.vote_count = 1
    db.session.commit()
    r = vote(client, idea, "1", htmx=True)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in html
    assert "HX-Request" in r.headers["Vary"]
    assert html.lstrip().startswith(f'<div class="vote" id="vote-{idea.id}"')
    assert 'data-testid="vote-count">2<' in html
    assert 'name="value" value="0"' in html and 'aria-pressed="true"' in html
    r = vote(client, idea, "0", htmx=True)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'data-testid="vote-count">1<' in html
    assert 'name="value" value="1"' in html
    assert state(idea) == (1, 1)


def test_a_vote_runs_a_fixed_number_of_queries(client, voter, make_user, make_idea, count_queries):
    """Load the voter and the idea, change the row and the count: nothing re-read after."""
    few, many = make_idea(), make_idea()
    voters = [voter] + [make_user() for _ in range(49)]
    db.session.add_all(Vote(user_id=u.id, idea_id=many.id, created_at=utcnow()) for u in voters)
    many.vote_count = 50
    db.session.commit()
    counts = []
    for idea in (few, many, few, many):
        db.session.expire_all()
        with count_queries() as q:
            assert vote(client, idea, "1" if idea is few else "0", htmx=True).status_code == 200
        counts.append(q.count)
    assert len(set(counts)) == 1 and counts[0] <= 8, counts
    assert state(few) == (1, 1) and state(many) == (49, 49)


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("own", "You cannot vote for your own idea."),
        ("withdrawn", "This idea was withdrawn by its author."),
        ("draft", "This campaign is still a draft and does not take ideas yet."),
        ("judging", "This campaign is being judged: submissions and votes are closed."),
        ("closed", "This campaign is closed."),
        ("past-closing-day", "This campaign closed on 2020-01-31."),
        ("before-opening-day", "This campaign opens on 2999-01-01."),
    ],
)
def test_vote_refused_with_the_reason(
    client, make_user, login, make_idea, make_campaign, case, reason, htmx
):
    user = make_user(
        ["coe"]
    )  # CoE members can see draft campaigns, so the reason is what stops them
    login(user)
    if case == "own":
        idea = make_idea(author=user)
    elif case == "withdrawn":
        idea = make_idea(status="withdrawn")
    elif case == "past-closing-day":
        idea = make_idea(campaign=make_campaign(closes_on=date(2020, 1, 31)))
    elif case == "before-opening-day":
        idea = make_idea(campaign=make_campaign(opens_on=date(2999, 1, 1)))
    else:
        idea = make_idea(campaign=make_campaign(state=case))
    r = vote(client, idea, "1", htmx=htmx)
    assert r.status_code == 403 and reason in r.get_data(as_text=True)
    assert ("<html" in r.get_data(as_text=True)) is not htmx
    assert state(idea) == (0, 0)


def test_taking_back_is_refused_too_once_voting_closed(client, voter, make_idea, make_campaign):
    campaign = make_campaign()
    idea = make_idea(campaign=campaign)
    vote(client, idea, "1")
    campaign.state = "judging"
    db.session.commit()
    assert vote(client, idea, "0").status_code == 403
    assert state(idea) == (1, 1)


def test_draft_campaign_ideas_are_not_found_for_employees(client, voter, make_idea, make_campaign):
    idea = make_idea(campaign=make_campaign(state="draft"))
    assert vote(client, idea, "1").status_code == 404
    assert state(idea) == (0, 0)


def test_anonymous_vote_goes_to_sign_in(app, make_idea):
    idea = make_idea()
    r = vote(app.test_client(), idea, "1")
    assert r.status_code == 302 and "/login" in r.location
    assert state(idea) == (0, 0)


def test_vote_by_get_is_405_and_unknown_idea_404(client, voter, make_idea):
    idea = make_idea()
    assert client.get(f"/ideas/{idea.id}/vote").status_code == 405
    assert client.post("/ideas/999999/vote", data={"value": "1"}).status_code == 404
    assert state(idea) == (0, 0)


def test_database_refuses_a_second_vote_row(make_user, make_idea):
    idea, user = make_idea(), make_user()
    row = {"user_id": user.id, "idea_id": idea.id, "created_at": utcnow()}
    db.session.rollback()
    with db.engine.begin() as conn:
        conn.execute(sa.insert(Vote.__table__).values(**row))
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(sa.insert(Vote.__table__).values(**row))
    assert state(idea)[1] == 1
    db.session.execute(sa.update(Idea).where(Idea.id == idea.id).values(vote_count=1))
    db.session.commit()


def test_database_refuses_a_duplicate_through_the_orm_too(make_user, make_idea):
    user_id, idea_id = make_user().id, make_idea().id
    db.session.add(Vote(user_id=user_id, idea_id=idea_id, created_at=utcnow()))
    db.session.commit()
    db.session.expunge_all()  # like a second session: it does not know the first row
    db.session.add(Vote(user_id=user_id, idea_id=idea_id, created_at=utcnow()))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.execute(sa.update(Idea).where(Idea.id == idea_id).values(vote_count=1))
    db.session.commit()


# ---------------------------------------------------------------- concurrency


def race(app, login, plan, htmx=True):
    """Each (user, idea, value) posts from its own thread and test client, released together.

    Returns one (status, body) per entry, or the exception its thread raised.
    """
    clients = [login(user, on=app.test_client()) for user, _, _ in plan]
    ids = [idea.id for _, idea, _ in plan]
    db.session.rollback()  # the fixture's session holds no snapshot or lock while they run
    barrier = threading.Barrier(len(plan))
    results: list[object] = [None] * len(plan)

    def go(i: int, client, idea_id: int, value: str) -> None:
        try:
            # No inherited app context: the request pushes its own, with its own session.
            assert not has_app_context()
            barrier.wait(timeout=30)
            r = client.post(
                f"/ideas/{idea_id}/vote", data={"value": value}, headers=HX if htmx else {}
            )
            results[i] = (r.status_code, r.get_data(as_text=True))
        except BaseException as exc:  # reported by the test, not lost in a thread
            results[i] = exc

    threads = [
        threading.Thread(target=go, args=(i, c, idea_id, value))
        for i, (c, idea_id, (_, _, value)) in enumerate(zip(clients, ids, plan, strict=True))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a voter never finished"
    return results


def assert_all_succeeded(results, expected_status=200):
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == [], errors
    statuses = Counter(status for status, _ in results)
    assert statuses == {expected_status: len(results)}, statuses
    assert not any("database is locked" in body for _, body in results)


def test_twenty_voters_at_once_lose_no_vote(app, login, make_user, make_idea):
    idea = make_idea()
    voters = [make_user() for _ in range(20)]
    results = race(app, login, [(u, idea, "1") for u in voters])
    assert_all_succeeded(results)
    assert state(idea) == (20, 20)
    # Each answer shows a count that existed at some moment: 1..20, the last one 20.
    shown = sorted(
        int(body.split('data-testid="vote-count">')[1].split("<")[0]) for _, body in results
    )
    assert shown[-1] == 20 and all(1 <= n <= 20 for n in shown)


def test_double_click_from_ten_threads_counts_once(app, login, make_user, make_idea):
    idea = make_idea()
    user = make_user()
    results = race(app, login, [(user, idea, "1")] * 10, htmx=False)
    assert_all_succeeded(results, expected_status=302)
    assert state(idea) == (1, 1)


def test_add_and_remove_storms_keep_the_count_equal_to_the_rows(app, login, make_user, make_idea):
    ideas = [make_idea(), make_idea()]
    voters = [make_user() for _ in range(6)]
    for round_ in range(4):
        plan = [
            (user, ideas[(i + k) % 2], "1" if (i + k + round_) % 3 else "0")
            for i, user in enumerate(voters)
            for k in range(4)
        ]
        assert_all_succeeded(race(app, login, plan))
        for idea in ideas:
            count, rows = state(idea)
            assert count == rows, (round_, idea.id, count, rows)
    assert mismatches() == {}


def test_many_voters_adding_and_removing_end_where_their_last_word_says(
    app, login, make_user, make_idea
):
    idea = make_idea()
    voters = [make_user() for _ in range(12)]
    assert_all_succeeded(race(app, login, [(u, idea, "1") for u in voters]))
    leaving = voters[::2]
    assert_all_succeeded(race(app, login, [(u, idea, "0") for u in leaving] * 2))
    assert state(idea) == (6, 6)


def test_a_late_write_keeps_what_was_read_and_holds_the_lock(
    app, make_idea, engine_name, count_queries
):
    """`begin_late_write()`, as the vote view uses it: the objects read before stay loaded,
    and from then on (SQLite) this session holds the write lock until it commits."""
    import sqlite3

    from ideahub.database import begin_late_write

    idea = make_idea()
    db.session.rollback()
    loaded = db.session.get(Idea, idea.id)
    title = loaded.title
    begin_late_write()
    with count_queries() as q:
        assert loaded.title == title
    assert q.count == 0
    if engine_name == "sqlite":
        other = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()
    db.session.execute(
        sa.update(Idea).where(Idea.id == idea.id).values(vote_count=Idea.vote_count + 0)
    )
    db.session.commit()

    loaded.title = "Changed, not yet flushed"
    db.session.execute(sa.select(Idea.id))  # a read transaction with a pending change
    if engine_name == "sqlite":
        with pytest.raises(RuntimeError, match="after changes"):
            begin_late_write()
    db.session.rollback()


def test_a_vote_that_cannot_get_the_write_lock_is_a_503_not_a_500(
    app, client, login, make_user, make_idea, engine_name
):
    """Another writer holds SQLite's lock past the busy timeout: the voter is told to retry."""
    import sqlite3

    if engine_name != "sqlite":
        pytest.skip("SQLite's write lock")
    idea = make_idea()
    login(make_user())
    db.session.rollback()

    def short_wait(dbapi_connection, _record) -> None:  # after the app's 10 s busy_timeout
        dbapi_connection.execute("PRAGMA busy_timeout=50")

    sa.event.listen(db.engine, "connect", short_wait)
    db.engine.dispose()  # pooled connections are made again, with the short wait
    holder = sqlite3.connect(db.engine.url.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        r = client.post(f"/ideas/{idea.id}/vote", data={"value": "1"}, headers=HX)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        sa.event.remove(db.engine, "connect", short_wait)
        db.engine.dispose()
    assert r.status_code == 503 and r.headers["Retry-After"] == "2"
    assert state(idea) == (0, 0)


# ---------------------------------------------------------------- trending on the home page


def test_trending_counts_the_latest_votes_of_the_week_then_fills_with_the_most_voted(
    app, make_user, make_idea, make_campaign, monkeypatch
):
    from ideahub.ideas import queries

    campaign = make_campaign()
    old_favourite, busy, newest, unvoted = (make_idea(campaign) for _ in range(4))
    closed = make_idea(make_campaign(state="closed"))
    withdrawn = make_idea(campaign, status="withdrawn")
    voters = [make_user() for _ in range(3)]
    now = utcnow()

    def cast(idea: Idea, voter, minutes_ago: float) -> None:
        db.session.add(
            Vote(user_id=voter.id, idea_id=idea.id, created_at=now - timedelta(minutes=minutes_ago))
        )
        idea.vote_count += 1

    for v in voters:  # three votes, all older than a week
        cast(old_favourite, v, minutes_ago=8 * 24 * 60)
    cast(busy, voters[0], 30)
    cast(busy, voters[1], 20)
    cast(newest, voters[2], 1)
    for v in voters:  # the most recent votes, but not shown on the home page
        cast(closed, v, 5)
        cast(withdrawn, v, 5)
    db.session.commit()

    ids = [i.id for i in (busy, newest, old_favourite, unvoted)]
    assert queries.trending_ids(limit=4) == ids  # then by all their votes: 3, then 0
    assert queries.trending_ids(limit=2) == ids[:2]

    # Only the latest votes count: with a window of the newest seven, busy's two are out
    # (after six votes on the closed and withdrawn ideas and newest's one).
    monkeypatch.setattr(queries, "TRENDING_WINDOW", 7)
    assert queries.trending_ids(limit=3) == [newest.id, old_favourite.id, busy.id]
