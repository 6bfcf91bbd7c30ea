"""Cached fragments (a comment, an idea card) follow every change to what they show.

Comments and idea cards are rendered once and reused (`{% cache %}` in their templates);
their keys name what they show, so a page must never serve an outdated rendering."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import g

from ideahub.extensions import db
from ideahub.models import Comment, Tag


def _page(client, url: str) -> str:
    # The test holds an app context open, so `g` outlives a request here; Flask-Babel keeps
    # the reader's language and zone on `g`, which a real request starts without.
    g.pop("_flask_babel", None)
    r = client.get(url)
    assert r.status_code == 200
    return r.get_data(as_text=True)


def test_a_comment_follows_edits_renames_language_and_time_zone(
    client, login, make_user, make_idea
):
    author, reader = make_user(name="Ann Author"), make_user()
    idea = make_idea()
    comment = Comment(
        idea_id=idea.id,
        author_id=author.id,
        body="First **thought**",
        created_at=datetime(2030, 5, 1, 12, 0, tzinfo=UTC),
    )
    db.session.add(comment)
    db.session.commit()
    reader.timezone = "UTC"
    db.session.commit()
    login(reader)
    page = _page(client, idea.url)
    assert "First <strong>thought</strong>" in page and "Ann Author" in page
    assert "2030-05-01 12:00" in page

    comment.body = "Second thought"
    author.name = "Ann Renamed"
    db.session.commit()
    page = _page(client, idea.url)
    assert "Second thought" in page and "First" not in page
    assert "Ann Renamed" in page and "Ann Author" not in page

    comment.edited_at = datetime(2030, 5, 2, 9, 0, tzinfo=UTC)
    reader.timezone = "Asia/Shanghai"
    reader.locale = "zh_Hans"
    db.session.commit()
    page = _page(client, idea.url)
    assert "2030-05-01 20:00" in page  # noon UTC in Shanghai
    assert ">已编辑<" in page  # "edited", in the reader's language


def test_an_idea_card_follows_title_status_counts_tags_and_author(
    client, login, make_user, make_idea
):
    author = make_user(name="Bo Author")
    idea = make_idea(author=author, title="Solar roofs", tags=("energy",))
    login(make_user())
    page = _page(client, idea.campaign.url)
    assert "Solar roofs" in page and "#energy" in page and "Bo Author" in page

    idea.title = "Solar roofs everywhere"
    idea.status = "shortlisted"
    idea.comment_count = 7
    idea.tags.append(Tag(name="roofs"))
    author.name = "Bo Renamed"
    db.session.commit()
    page = _page(client, idea.campaign.url)
    assert "Solar roofs everywhere" in page
    assert "Shortlisted" in page and "7 comments" in page and "#roofs" in page
    assert "Bo Renamed" in page and "Bo Author" not in page
