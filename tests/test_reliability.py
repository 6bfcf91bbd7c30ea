"""A failure in the middle of an action leaves nothing half-written; rate limits are shared."""

from __future__ import annotations

import sqlite3

import pytest
import redis
from sqlalchemy.exc import OperationalError

from ideahub import create_app
from ideahub.extensions import db
from ideahub.ideas import routes as idea_routes
from ideahub.ideas import services as idea_services
from ideahub.models import AuditEntry, Campaign, Idea, IdeaStatusChange, SearchChange, Tag


@pytest.fixture
def app_config(app_config):
    app_config["PROPAGATE_EXCEPTIONS"] = False  # let the app's own 500 handler answer
    return app_config


def counts() -> dict[str, int]:
    return {
        m.__tablename__: db.session.scalar(db.select(db.func.count()).select_from(m))
        for m in (Idea, Tag, IdeaStatusChange, AuditEntry, SearchChange)
    }


def test_failure_between_two_writes_rolls_everything_back(
    client, login, make_user, make_campaign, monkeypatch
):
    campaign = make_campaign()
    login(make_user())
    before = counts()

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")  # after the idea, tags and history were flushed

    monkeypatch.setattr(idea_services, "record", explode)
    r = client.post(
        f"/campaigns/{campaign.id}/ideas/new",
        data={"title": "Half-written idea", "tags": "brand-new-tag"},
    )
    assert r.status_code == 500
    assert "Nothing was half-saved" in r.get_data(as_text=True)
    db.session.expire_all()
    assert counts() == before
    assert db.session.get(Campaign, campaign.id).idea_count == 0


def test_database_busy_is_a_friendly_503(client, login, make_user, make_idea, monkeypatch):
    idea = make_idea()
    login(make_user())

    def locked(*args, **kwargs):
        raise OperationalError("UPDATE ideas", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(idea_routes, "set_vote", locked)
    r = client.post(f"/ideas/{idea.id}/vote", data={"value": "1"})
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "2"
    assert "nothing was saved" in r.get_data(as_text=True)
    r = client.post(f"/ideas/{idea.id}/vote", data={"value": "1"}, headers={"HX-Request": "true"})
    assert r.status_code == 503 and "<html" not in r.get_data(as_text=True)


def _redis_or_skip() -> str:
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError as exc:
        import os

        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required under CI=true: {exc}", pytrace=False)
        pytest.skip(f"Redis not reachable at {url}: {exc}")
    return url


def test_sign_in_limit_is_shared_by_all_workers(app_config, make_user):
    """Two app instances stand for two gunicorn workers: the limit holds across both."""
    url = _redis_or_skip()
    config = dict(app_config)
    config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=url, SIGNIN_LIMIT="5 per minute")
    redis.Redis.from_url(url).flushdb()  # database 15 is the tests' own
    workers = [create_app(config).test_client() for _ in range(2)]
    user = make_user()
    codes = [
        workers[i % 2].post("/login", data={"email": user.email, "password": "wrong"}).status_code
        for i in range(10)
    ]
    assert codes[:5] == [200] * 5  # refused sign-ins, form shown again
    assert codes[5:] == [429] * 5  # then locked out, whichever worker answers
    page = workers[0].post("/login", data={"email": user.email, "password": "wrong"})
    assert "Too many attempts" in page.get_data(as_text=True)
    redis.Redis.from_url(url).flushdb()
    for worker in workers:
        with worker.application.app_context():
            db.engine.dispose()
