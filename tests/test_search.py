"""Search: English and Chinese, visibility, malformed input, and an index that lags or is locked."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask import g, render_template

from ideahub.extensions import db
from ideahub.models import Campaign, Comment, Idea, SearchChange, User, utcnow
from ideahub.search import engine, indexer, services
from ideahub.search.services import SearchFilters, search, terms


def titles(response) -> list[str]:
    html = response.get_data(as_text=True)
    return re.findall(r'<li class="search-hit">.*?<a href="[^"]*">([^<]*)</a>', html, re.S)


@pytest.fixture
def employee(make_user, login):
    user = make_user()
    login(user)
    return user


def test_title_match_ranks_above_body_match(client, employee, make_idea):
    make_idea(title="Warehouse robots plan", description="Nothing about the sun here.")
    make_idea(title="Quarterly plan", description="Put solar panels on the warehouse roof.")
    make_idea(title="Solar warehouse roofs", description="Panels everywhere.")
    r = client.get("/search", query_string={"q": "solar"})
    assert titles(r) == ["Solar warehouse roofs", "Quarterly plan"]


def test_english_stemming_and_highlight(client, employee, make_idea):
    make_idea(title="Faster returns", description="Customers returning parcels wait too long.")
    r = client.get("/search", query_string={"q": "return"})
    html = r.get_data(as_text=True)
    assert titles(r) == ["Faster returns"]
    assert (
        "<mark>returning</mark>" in html
        or "<mark>Returns</mark>" in html
        or "<mark>returns</mark>" in html
    )


def test_two_character_chinese_word_inside_a_long_paragraph(client, employee, make_idea):
    make_idea(
        title="门店体验",
        description="我们在上海的三家门店试点自助退货机，平均排队时间从十二分钟降到四分钟，客服可以处理更复杂的咨询。",
    )
    r = client.get("/search", query_string={"q": "退货"})
    assert titles(r) == ["门店体验"]
    assert "<mark>退货</mark>" in r.get_data(as_text=True)


def test_mixed_chinese_and_english(client, employee, make_idea):
    make_idea(title="AI 自动整理客户反馈", description="Weekly report for the product team.")
    assert titles(client.get("/search", query_string={"q": "反馈 weekly"})) == [
        "AI 自动整理客户反馈"
    ]


@pytest.mark.parametrize(
    "typed",
    [
        '"unbalanced',
        "title:(",
        "AND OR NOT",
        "self-service",
        "café*",
        "(((",
        "'; DROP TABLE ideas;--",
        "<script>alert(1)</script>",
        "~!@#$%^&*()_+",
        "x" * 500,
        "  ",
    ],
)
def test_malformed_queries_never_error(client, employee, make_idea, typed):
    make_idea(title="Self-service kiosk", description="A café with a kiosk.")
    r = client.get("/search", query_string={"q": typed})
    assert r.status_code == 200
    assert "<script>alert(1)" not in r.get_data(as_text=True)


def test_hyphenated_words_are_found(client, employee, make_idea):
    make_idea(title="Self-service returns kiosk")
    assert titles(client.get("/search", query_string={"q": "self-service"})) == [
        "Self-service returns kiosk"
    ]
    assert titles(client.get("/search", query_string={"q": "self service"})) == [
        "Self-service returns kiosk"
    ]


def test_withdrawn_ideas_and_removed_comments_are_not_found(
    client, employee, make_idea, make_comment
):
    idea = make_idea(title="Zebra crossings at the depot")
    comment = make_comment(idea, employee, body="Zebra stripes would need repainting.")
    assert len(titles(client.get("/search", query_string={"q": "zebra"}))) == 2
    comment.deleted_at = utcnow()
    idea.status = "withdrawn"
    db.session.commit()
    assert titles(client.get("/search", query_string={"q": "zebra"})) == []


def test_draft_campaign_content_only_for_managers(
    client, app, make_user, login, make_campaign, make_idea
):
    draft = make_campaign(state="draft", title="Secret roadmap ideas")
    make_idea(campaign=draft, title="Unannounced product line")
    shown = make_campaign(title="Open for all")
    login(make_user())
    assert titles(client.get("/search", query_string={"q": "unannounced"})) == []
    assert titles(client.get("/search", query_string={"q": "secret roadmap"})) == []
    choices = client.get("/search?q=x").get_data(as_text=True).split('id="search-campaign"')[1]
    assert f'<option value="{shown.id}">Open for all</option>' in choices
    assert "Secret roadmap ideas" not in choices  # nor among the filter's campaigns
    manager = app.test_client()
    login(make_user(roles=["coe"]), on=manager)
    assert titles(manager.get("/search", query_string={"q": "unannounced"})) == [
        "Unannounced product line"
    ]
    assert "Secret roadmap ideas" in manager.get("/search?q=x").get_data(as_text=True)
    # The choices are shared between readers who have the same ones: not across roles.
    assert "Secret roadmap ideas" not in client.get("/search?q=x").get_data(as_text=True)


def test_filter_choices_show_the_chosen_one_and_follow_renames(client, employee, make_campaign):
    alpha = make_campaign(title="Alpha <b>bold</b>")
    beta = make_campaign(title="Beta")

    def choices(**query) -> str:
        html = client.get("/search", query_string={"q": "x", **query}).get_data(as_text=True)
        return html.split('id="search-campaign"')[1].split("</select>")[0]

    chosen = choices(campaign=beta.id)
    assert f'<option value="{beta.id}" selected>Beta</option>' in chosen
    assert f'<option value="{alpha.id}">Alpha &lt;b&gt;bold&lt;/b&gt;</option>' in chosen
    assert chosen.count("selected") == 1
    alpha.title = "Alpha renamed"
    db.session.commit()
    unchosen = choices()
    assert f'<option value="{alpha.id}">Alpha renamed</option>' in unchosen
    assert "selected" not in unchosen


def test_opening_a_draft_campaign_makes_its_ideas_findable(
    client, employee, make_campaign, make_idea
):
    draft = make_campaign(state="draft")
    make_idea(campaign=draft, title="Hidden gem proposal")
    assert titles(client.get("/search", query_string={"q": "gem"})) == []
    draft.state = "open"
    db.session.commit()
    assert titles(client.get("/search", query_string={"q": "gem"})) == ["Hidden gem proposal"]


def test_a_campaign_in_draft_is_hidden_at_once_even_before_the_index_hears(
    client, app, employee, make_user, login, make_campaign, make_idea, make_comment
):
    """Whether a campaign's ideas and comments may be found is its state in the database
    at the time of the search, not what the index was last told (the state is changed
    here behind the change log's back, as a lagging index would have it)."""
    campaign = make_campaign(title="Harbour works")
    idea = make_idea(campaign=campaign, title="Pelican crossing")
    make_comment(idea, employee, body="Pelican signs at both ends.")

    def found(on=client) -> list[str]:
        return titles(on.get("/search", query_string={"q": "pelican"}))

    assert found() == ["Pelican crossing", "On “Pelican crossing”"]

    def set_state(state: str) -> None:
        db.session.execute(
            sa.update(Campaign).where(Campaign.id == campaign.id).values(state=state)
        )
        db.session.commit()

    set_state("draft")
    assert found() == []  # the same words as before: not the results kept from then
    manager = app.test_client()
    login(make_user(roles=["coe"]), on=manager)
    assert found(manager) == ["Pelican crossing", "On “Pelican crossing”"]
    set_state("open")
    assert found() == ["Pelican crossing", "On “Pelican crossing”"]


def test_a_campaigns_change_re_reads_the_campaign_alone(
    client, employee, make_campaign, make_idea, make_comment
):
    """Its ideas and comments stay as indexed: re-reading them all (60,000 comments in the
    bench's biggest campaign) held the request that caught up for minutes."""
    campaign = make_campaign(title="Quay renewal")
    idea = make_idea(campaign=campaign, title="Bollard paint")
    comment = make_comment(idea, employee, body="Bright yellow bollards.")
    assert titles(client.get("/search", query_string={"q": "bollard"})) == [
        "Bollard paint",
        "On “Bollard paint”",
    ]
    # The comment's text changes where the change log cannot see it; the campaign's through
    # the application, which logs the campaign alone.
    db.session.execute(sa.update(Comment).where(Comment.id == comment.id).values(body="Walrus"))
    campaign.title = "Quay renewal 2027"
    db.session.commit()
    assert titles(client.get("/search", query_string={"q": "quay 2027"})) == ["Quay renewal 2027"]
    assert titles(client.get("/search", query_string={"q": "walrus"})) == []


def test_a_comment_follows_its_ideas_title_and_status(client, employee, make_idea, make_comment):
    """A comment is shown with its idea's title, filtered by its idea's status and not
    found while the idea is withdrawn: a change of either re-reads the idea's comments
    (through the change log, in its bounded batches); a change of anything else does not."""
    idea = make_idea(title="Zebra crossings at the depot")
    make_comment(idea, employee, body="Stripes would need repainting.")

    def stripes(**filters) -> list[str]:
        return titles(client.get("/search", query_string={"q": "stripes", **filters}))

    assert stripes() == ["On “Zebra crossings at the depot”"]
    idea.title, idea.status = "Painted crossings at the depot", "shortlisted"
    db.session.commit()
    assert stripes() == ["On “Painted crossings at the depot”"]
    assert stripes(status="shortlisted") == ["On “Painted crossings at the depot”"]
    assert stripes(status="submitted") == []
    idea.status = "withdrawn"
    db.session.commit()
    assert stripes() == []
    idea.status = "under_review"  # brought back
    db.session.commit()
    assert stripes(status="under_review") == ["On “Painted crossings at the depot”"]

    def comments_logged() -> int:
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(SearchChange)
            .where(SearchChange.kind == "comment")
        )

    logged = comments_logged()
    idea.description = "Thermoplastic paint lasts longer."
    idea.vote_count += 1
    db.session.commit()
    assert comments_logged() == logged


def test_filters_kind_campaign_status_and_dates(
    client, employee, make_campaign, make_idea, make_comment
):
    a, b = make_campaign(), make_campaign()
    idea = make_idea(campaign=a, title="Lantern festival stand")
    make_idea(campaign=b, title="Lantern repair kit", status="shortlisted")
    make_comment(idea, employee, body="Lantern colours: red and gold.")

    def q(**kw):
        return titles(client.get("/search", query_string={"q": "lantern", **kw}))

    assert len(q()) == 3
    assert q(kind="idea", campaign=str(b.id)) == ["Lantern repair kit"]
    assert q(status="shortlisted") == ["Lantern repair kit"]
    assert len(q(kind="comment")) == 1
    assert q(**{"from": "2999-01-01"}) == []
    assert len(q(**{"to": "2999-01-01", "kind": "idea"})) == 2
    assert (
        client.get("/search", query_string={"q": "lantern", "from": "not-a-date"}).status_code
        == 200
    )


def test_dates_typed_the_wrong_way_round_are_read_the_right_way(client, employee, make_idea):
    make_idea(title="Lantern festival stand")
    span = {"q": "lantern", "from": "2999-01-01", "to": "2000-01-01"}
    response = client.get("/search", query_string=span)
    page = response.get_data(as_text=True)
    assert titles(response) == ["Lantern festival stand"]
    assert 'name="from" type="date" value="2000-01-01"' in page  # shown as read
    assert 'name="to" type="date" value="2999-01-01"' in page


def test_a_page_past_the_last_says_so_and_leads_back(client, employee, make_idea):
    make_idea(title="Lantern festival stand")
    page = client.get("/search", query_string={"q": "lantern", "page": "999"})
    body = page.get_data(as_text=True)
    assert "No more results: page 999 is past the last one." in body
    assert 'href="/search?q=lantern">Back to the first page' in body
    assert "Nothing found" not in body


# ---------------------------------------------------------------- filters alone, no words


def _at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def test_filters_alone_list_the_newest_they_match(
    client, employee, make_campaign, make_idea, make_comment
):
    a = make_campaign(title="Harbour campaign", created_at=_at(1))
    b = make_campaign(title="Inland campaign", created_at=_at(2))
    old = make_idea(campaign=a, title="Older harbour idea", created_at=_at(3))
    make_idea(campaign=a, title="Shortlisted harbour idea", status="shortlisted", created_at=_at(5))
    make_idea(campaign=b, title="Inland idea", status="shortlisted", created_at=_at(6))
    comment = make_comment(old, employee, body="Tides <b>matter</b> here.")
    comment.created_at = _at(4)
    db.session.commit()

    def listed(**filters) -> list[str]:
        return titles(client.get("/search", query_string=filters))

    assert listed(status="shortlisted") == ["Inland idea", "Shortlisted harbour idea"]
    assert listed(kind="idea", campaign=str(a.id)) == [
        "Shortlisted harbour idea",
        "Older harbour idea",
    ]
    # Every kind, newest first: the campaign itself too, and the comment named by its idea.
    assert listed(campaign=str(a.id)) == [
        "Shortlisted harbour idea",
        "On “Older harbour idea”",
        "Older harbour idea",
        "Harbour campaign",
    ]
    assert listed(kind="campaign") == ["Inland campaign", "Harbour campaign"]
    page = client.get("/search", query_string={"kind": "comment"}).get_data(as_text=True)
    assert f'href="/comments/{comment.id}"' in page
    assert "Tides &lt;b&gt;matter&lt;/b&gt; here." in page  # the comment's words, escaped
    assert "The newest the filters match." in page
    assert listed(status="selected") == []
    empty = client.get("/search", query_string={"status": "selected"}).get_data(as_text=True)
    assert "Nothing matches these filters." in empty and "Nothing found" not in empty
    # Nothing typed, nothing chosen: nothing listed, and how to start.
    start = client.get("/search").get_data(as_text=True)
    assert titles(client.get("/search")) == [] and "Type some words" in start
    # Listed from the database each time: a new idea is there at once.
    make_idea(campaign=b, title="Newest inland idea", status="shortlisted", created_at=_at(7))
    assert listed(status="shortlisted")[0] == "Newest inland idea"


def test_filters_alone_keep_to_what_the_reader_may_see(
    client, app, employee, make_user, login, make_campaign, make_idea, make_comment
):
    draft = make_campaign(state="draft", title="Secret campaign")
    make_idea(campaign=draft, title="Secret idea")
    campaign = make_campaign(title="Open campaign")
    shown = make_idea(campaign=campaign, title="Shown idea")
    gone = make_idea(campaign=campaign, title="Withdrawn idea", status="withdrawn")
    make_comment(gone, employee, body="On a withdrawn idea.")
    removed = make_comment(shown, employee, body="Removed remark.")
    removed.deleted_at = utcnow()
    make_comment(shown, employee, body="Kept remark.")
    db.session.commit()
    everything = {"from": "2000-01-01"}
    assert sorted(titles(client.get("/search", query_string=everything))) == [
        "On “Shown idea”",
        "Open campaign",
        "Shown idea",
    ]
    manager = app.test_client()
    login(make_user(roles=["coe"]), on=manager)
    seen = titles(manager.get("/search", query_string=everything))
    assert {"Secret campaign", "Secret idea"} <= set(seen)
    assert "Withdrawn idea" not in seen and "On “Withdrawn idea”" not in seen


def test_comments_are_listed_by_their_ideas_campaign_and_department(
    client, employee, make_user, make_department, make_campaign, make_idea, make_comment
):
    """A comment carries its idea's campaign and department (not its writer's)."""
    harbour, inland = make_department("Harbour"), make_department("Inland")
    campaign, draft = make_campaign(), make_campaign(state="draft")
    idea = make_idea(campaign=campaign, author=make_user(department=harbour), title="Quay")
    make_comment(idea, make_user(department=inland), body="From inland.")
    hidden = make_idea(campaign=draft, author=make_user(department=harbour), title="Dock")
    make_comment(hidden, employee, body="In a draft campaign.")
    shortlisted = make_idea(author=make_user(department=inland), status="shortlisted")
    make_comment(shortlisted, employee, body="On a shortlisted idea.")
    db.session.commit()
    stored = db.session.scalars(db.select(Comment).order_by(Comment.id)).all()
    assert [(c.campaign_id, c.department_id) for c in stored] == [
        (campaign.id, harbour.id),
        (draft.id, harbour.id),
        (shortlisted.campaign_id, inland.id),
    ]

    def comments(**filters) -> list[str]:
        return titles(client.get("/search", query_string={"kind": "comment", **filters}))

    assert comments(department=harbour.id) == ["On “Quay”"]  # the draft's is not shown
    assert comments(department=inland.id) == [f"On “{shortlisted.title}”"]
    assert comments(campaign=campaign.id) == ["On “Quay”"]
    assert comments(campaign=draft.id) == []
    assert comments(department=inland.id, status="shortlisted") == [f"On “{shortlisted.title}”"]
    assert comments(department=harbour.id, status="shortlisted") == []


@pytest.mark.parametrize("listed_at_most", [500, -1], ids=["as a query", "match by match"])
def test_dates_are_company_days_with_words_and_without(
    client, employee, make_idea, monkeypatch, listed_at_most
):
    """20:00 UTC on March 4th is 04:00 on March 5th in Shanghai, the company's zone. A dates
    filter with few documents is a query; a wider one is checked on each match: both alike."""
    monkeypatch.setattr(services, "DATES_LISTED_AT_MOST", listed_at_most)
    make_idea(title="Lantern night market", created_at=datetime(2026, 3, 4, 20, tzinfo=UTC))
    for words in ({"q": "lantern"}, {"kind": "idea"}):
        on_the_5th = {**words, "from": "2026-03-05", "to": "2026-03-05"}
        on_the_4th = {**words, "from": "2026-03-04", "to": "2026-03-04"}
        assert titles(client.get("/search", query_string=on_the_5th)) == ["Lantern night market"]
        assert titles(client.get("/search", query_string=on_the_4th)) == []
        assert titles(client.get("/search", query_string={**words, "to": "2026-03-04"})) == []


@pytest.mark.parametrize("words", [{"q": "lantern"}, {"kind": "idea"}])
def test_days_at_the_ends_of_the_calendar_are_kept_within_it(client, employee, make_idea, words):
    make_idea(title="Lantern night market")
    span = {**words, "from": "0001-01-01", "to": "9999-12-31"}
    response = client.get("/search", query_string=span)
    assert response.status_code == 200 and titles(response) == ["Lantern night market"]
    page = response.get_data(as_text=True)
    assert 'value="1900-01-01"' in page and 'value="9998-12-31"' in page  # shown as read


def test_filters_alone_page_through_with_a_fixed_number_of_queries(
    client, employee, make_campaign, make_idea, count_queries
):
    campaign = make_campaign()

    def add(n: int) -> None:
        for i in range(n):
            make_idea(campaign=campaign, title=f"Pier idea {i:02d}", created_at=_at(1, i % 24))

    def count(page: int) -> int:
        db.session.expire_all()
        with count_queries() as q:
            r = client.get(
                "/search", query_string={"campaign": campaign.id, "kind": "idea", "page": page}
            )
        assert r.status_code == 200 and "Pier idea" in r.get_data(as_text=True)
        return q.count

    add(2)
    few = count(1)
    add(23)
    assert count(1) == few and count(2) == few
    first = client.get("/search", query_string={"campaign": campaign.id, "kind": "idea"})
    second = client.get(
        "/search", query_string={"campaign": campaign.id, "kind": "idea", "page": 2}
    )
    assert len(titles(first)) == 20 and len(titles(second)) == 5
    assert not set(titles(first)) & set(titles(second))
    assert 'rel="next"' in first.get_data(as_text=True)
    assert 'rel="next"' not in second.get_data(as_text=True)
    past = client.get("/search", query_string={"campaign": campaign.id, "page": 4})
    assert "page 4 is past the last one" in past.get_data(as_text=True)
    fragment = client.get(
        "/search", query_string={"campaign": campaign.id}, headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert "<html" not in fragment and "Pier idea" in fragment


def test_filters_alone_list_so_many_pages_and_say_so(
    client, employee, make_campaign, make_idea, monkeypatch
):
    from ideahub.search import listing

    monkeypatch.setattr(listing, "LISTED_PAGES", 2)
    campaign = make_campaign()
    for i in range(45):
        make_idea(campaign=campaign, title=f"Dock idea {i:02d}", created_at=_at(1 + i % 20))
    chosen = {"campaign": campaign.id, "kind": "idea"}
    last = client.get("/search", query_string={**chosen, "page": 2}).get_data(as_text=True)
    assert 'rel="next"' not in last and "list 2 pages at most" in last
    beyond = client.get("/search", query_string={**chosen, "page": 3})
    assert titles(beyond) == [] and "list 2 pages at most" in beyond.get_data(as_text=True)
    first = client.get("/search", query_string=chosen).get_data(as_text=True)
    assert 'rel="next"' in first and "pages at most" not in first


def test_htmx_gets_results_fragment(client, employee, make_idea):
    make_idea(title="Bamboo bicycles")
    r = client.get("/search", query_string={"q": "bamboo"}, headers={"HX-Request": "true"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in html and 'id="search-results"' in html
    assert "HX-Request" in r.headers["Vary"]


def test_the_shared_results_list_is_each_readers_own(client, employee, make_idea):
    """The results list is rendered once and shared: by language, by what was typed, and
    only until the index changes."""
    make_idea(title="Solar roofs", description="Panels.")
    assert "Solar roofs" in titles(client.get("/search", query_string={"q": "solar"}))
    html = client.get("/search", query_string={"q": "SOLAR "}).get_data(as_text=True)
    assert '<span class="badge">Idea</span>' in html and 'value="SOLAR"' in html
    for typed in ("zzqx", "ZZQX"):  # the same search, each page saying what was typed
        html = client.get("/search", query_string={"q": typed}).get_data(as_text=True)
        assert f"Nothing found for “{typed}”" in html
    make_idea(title="Solar carports", description="Shade and power.")  # the index changes
    assert sorted(titles(client.get("/search", query_string={"q": "solar"}))) == [
        "Solar carports",
        "Solar roofs",
    ]
    employee.locale = "zh_Hans"
    db.session.commit()
    g.pop("_flask_babel", None)  # the test's app context outlives requests: as a new one
    html = client.get("/search", query_string={"q": "solar"}).get_data(as_text=True)
    assert '<span class="badge">创意</span>' in html and "Idea</span>" not in html


def test_similar_ideas_are_visible_ideas_only(
    client, employee, make_idea, make_campaign, make_comment
):
    """Not a comment or a campaign that shares the words, nor an idea in a draft campaign."""
    shown = make_idea(title="Returns kiosk in every store")
    make_comment(shown, employee, body="A returns kiosk by the door")
    make_campaign(title="Returns kiosk week")
    make_idea(campaign=make_campaign(state="draft"), title="Returns kiosk pilot")
    r = client.get("/search/similar", query_string={"title": "returns kiosk"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Returns kiosk in every store" in html
    assert "by the door" not in html and "kiosk week" not in html and "pilot" not in html


def test_similar_ideas_while_typing(client, employee, make_idea):
    make_idea(title="Self-service returns kiosk")
    make_idea(title="Unrelated canteen menu")
    r = client.get("/search/similar", query_string={"title": "returns kiosk"})
    assert "Self-service returns kiosk" in r.get_data(as_text=True)
    assert "canteen" not in r.get_data(as_text=True)
    assert (
        client.get("/search/similar", query_string={"title": "ab"})
        .get_data(as_text=True)
        .count("<li")
        == 0
    )


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get("/search?q=x").status_code == 302


def test_a_change_committed_after_a_later_one_was_indexed_is_indexed_too(
    client, employee, engine_name, make_idea
):
    """PostgreSQL hands out the change log's ids as changes are made, not as they commit: a
    change can become visible after a higher id has been indexed. The ids skipped are looked
    for again by the catch-ups that follow (SQLite commits its writers one at a time)."""
    if engine_name != "postgresql":
        pytest.skip("SQLite's writers commit one at a time, in the order of their ids")
    idea = make_idea(title="Harbour crane")
    client.get("/search", query_string={"q": "crane"})  # indexed; the watermark is current
    slow = db.engine.connect()
    transaction = slow.begin()
    try:
        slow.execute(sa.update(Idea).where(Idea.id == idea.id).values(title="Harbour walrus"))
        slow.execute(sa.insert(SearchChange).values(kind="idea", object_id=idea.id))
        make_idea(title="Quick walrus")  # a higher id, committed first
        assert titles(client.get("/search", query_string={"q": "walrus"})) == ["Quick walrus"]
        transaction.commit()
    finally:
        slow.close()
    indexer.catch_up()  # as after the late change's own response, or by the follower
    found = titles(client.get("/search", query_string={"q": "walrus"}))
    assert sorted(found) == ["Harbour walrus", "Quick walrus"]
    assert indexer.read_gaps() == {}

    # The same while the index is rebuilt: the change in flight as it starts.
    slow = db.engine.connect()
    transaction = slow.begin()
    try:
        slow.execute(sa.update(Idea).where(Idea.id == idea.id).values(title="Harbour otter"))
        slow.execute(sa.insert(SearchChange).values(kind="idea", object_id=idea.id))
        make_idea(title="Quick otter")
        indexer.rebuild()
        assert titles(client.get("/search", query_string={"q": "otter"})) == ["Quick otter"]
        transaction.commit()
    finally:
        slow.close()
    indexer.catch_up()
    found = titles(client.get("/search", query_string={"q": "otter"}))
    assert sorted(found) == ["Harbour otter", "Quick otter"]


def test_an_id_the_log_skipped_is_looked_for_until_it_appears_or_patience_runs_out(
    app, monkeypatch, make_idea
):
    idea = make_idea(title="Pelican")
    indexer.catch_up(blocking=True)
    top = indexer.read_watermark()

    def log(change_id: int) -> None:
        db.session.execute(
            sa.insert(SearchChange).values(id=change_id, kind="idea", object_id=idea.id)
        )
        db.session.commit()

    log(top + 3)
    assert indexer.catch_up(blocking=True) == 1
    assert sorted(indexer.read_gaps()) == [top + 1, top + 2]
    log(top + 1)  # committed late
    assert indexer.catch_up(blocking=True) == 1
    assert sorted(indexer.read_gaps()) == [top + 2]
    assert indexer.read_watermark() == top + 3
    monkeypatch.setattr(indexer, "GAP_PATIENCE", 0.0)  # top + 2 was rolled back: given up
    log(top + 4)
    assert indexer.catch_up(blocking=True) == 1
    assert indexer.read_gaps() == {}


def test_change_committed_while_index_is_locked_is_indexed_later(app, client, employee, make_idea):
    make_idea(title="First entry")
    client.get("/search", query_string={"q": "first"})  # index exists and is current
    ix = engine.open_index(indexer.index_dir())
    held = ix.writer()  # another process holds Whoosh's write lock
    try:
        r = client.post(
            f"/campaigns/{make_idea().campaign_id}/ideas/new",
            data={"title": "Locked but saved idea"},
        )
        assert r.status_code == 302  # the user's action succeeded
        assert indexer.pending() > 0
    finally:
        held.cancel()
    assert titles(client.get("/search", query_string={"q": "locked saved"})) == [
        "Locked but saved idea"
    ]
    assert indexer.pending() == 0


def test_reindex_rebuilds_from_the_database(app, employee, make_idea):
    make_idea(title="Rebuilt from scratch")
    indexer.rebuild()
    found = search(employee, "rebuilt", SearchFilters())
    assert [h.title for h in found.hits] == ["Rebuilt from scratch"]


def _write_in_other_process(url: str, index_dir: str, uploads: str, n: int, tag: str) -> None:
    from conftest import _test_config

    from ideahub import create_app
    from ideahub.database import begin_write_transaction
    from ideahub.models import Campaign, Idea, IdeaStatusChange, User

    config = _test_config(url, uploads)
    config["SEARCH_INDEX_DIR"] = index_dir
    app = create_app(config)
    with app.app_context():
        campaign = db.session.scalar(db.select(Campaign))
        user = db.session.scalar(db.select(User))
        campaign_id, user_id = campaign.id, user.id
        db.session.rollback()  # end the read transaction: each write below starts its own
        for i in range(n):
            begin_write_transaction()  # as a write request does: take the lock first
            idea = Idea(campaign_id=campaign_id, author_id=user_id, title=f"{tag} parallel {i}")
            db.session.add(idea)
            db.session.flush()
            db.session.add(IdeaStatusChange(idea_id=idea.id, to_status="submitted"))
            db.session.commit()
            indexer.catch_up(blocking=False)
        indexer.catch_up(blocking=True)
        db.engine.dispose()


@pytest.mark.parametrize("on_commit", [True, False], ids=["worker indexes", "follower indexes"])
def test_a_change_is_indexed_after_its_response_unless_left_to_the_follower(
    app, client, employee, make_idea, on_commit
):
    idea = make_idea(title="Rooftop beehives")
    indexer.catch_up(blocking=True)
    app.config["SEARCH_INDEX_ON_COMMIT"] = on_commit
    r = client.post(f"/ideas/{idea.id}/comments", data={"body": "Honey for the canteen"})
    r.close()  # the response is sent: what runs after it runs now
    assert r.status_code == 302
    assert indexer.pending() == (0 if on_commit else 1)
    indexer.catch_up(blocking=True)  # the follower's turn
    assert indexer.pending() == 0


def test_two_processes_writing_lose_nothing(app, employee, make_idea, database_url, tmp_path):
    make_idea(title="seed")
    viewer_id = employee.id
    db.session.remove()
    db.engine.dispose()
    ctx = multiprocessing.get_context("spawn")
    uploads = str(tmp_path / "uploads")
    procs = [
        ctx.Process(
            target=_write_in_other_process,
            args=(database_url, app.config["SEARCH_INDEX_DIR"], uploads, 15, tag),
        )
        for tag in ("alpha", "beta")
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    indexer.catch_up(blocking=True)
    viewer = db.session.get(User, viewer_id)
    found = search(viewer, "parallel", SearchFilters(), per_page=100)
    assert len(found.hits) == 30 and not found.more


def test_terms_are_plain_words():
    assert terms('title:(foo AND "bar') == ["titl", "foo", "bar"] or "foo" in terms(
        'title:(foo AND "bar'
    )
    assert terms("") == []


def test_comment_search_links_to_the_comment(client, employee, make_idea):
    idea = make_idea(title="Host idea")
    c = Comment(idea_id=idea.id, author_id=employee.id, body="Walrus enclosure budget")
    db.session.add(c)
    db.session.commit()
    html = client.get("/search", query_string={"q": "walrus"}).get_data(as_text=True)
    assert f"/comments/{c.id}" in html
    assert '<span class="badge">Comment</span>' in html
    assert "On “Host idea”" in html  # what the comment is on
    html = client.get("/search", query_string={"q": "host"}).get_data(as_text=True)
    assert '<span class="badge">Idea</span>' in html


def test_comments_are_found_by_their_own_words_not_their_ideas_title(client, employee, make_idea):
    """A word of an idea's title found every comment on it, ranked with the idea."""
    idea = make_idea(title="Self-service expense reports")
    for body in ("Love this.", "Pilot it in one site?", "Expense claims take too long."):
        db.session.add(Comment(idea_id=idea.id, author_id=employee.id, body=body))
    db.session.commit()
    html = client.get("/search", query_string={"q": "expense"}).get_data(as_text=True)
    assert re.findall(r'<span class="badge">(Idea|Comment)</span>', html) == ["Idea", "Comment"]
    assert "Expense claims take too long." in re.sub(r"</?mark>", "", html)


def test_search_runs_a_fixed_number_of_queries(
    client, employee, make_campaign, make_idea, count_queries
):
    """Ideas, comments and campaigns found: the same statements for 3 hits or 60 (a page
    and the next), and htmx's results-only answer skips the filters' two lists of choices."""

    def add(n: int) -> None:
        campaign = make_campaign(title=f"Otter campaign {n}")
        for i in range(n):
            idea = make_idea(campaign, title=f"Otter idea {n}-{i}")
            db.session.add(Comment(idea_id=idea.id, author_id=employee.id, body="Otter note"))
        db.session.commit()
        client.get("/search", query_string={"q": "otter"})  # the index catches up

    def count(page: int, headers: dict[str, str]) -> int:
        db.session.expire_all()  # the same starting point each time (a fresh request)
        with count_queries() as q:
            r = client.get("/search", query_string={"q": "otter", "page": page}, headers=headers)
        assert r.status_code == 200 and "Otter" in r.get_data(as_text=True)
        return q.count

    htmx = {"HX-Request": "true"}
    add(1)
    few = count(1, {}), count(1, htmx)
    add(29)
    assert (count(1, {}), count(1, htmx)) == few
    assert (count(2, {}), count(2, htmx)) == few
    assert few[1] <= few[0] - 2


# ---------------------------------------------------------------- bounded time, snippets


def test_a_search_out_of_time_answers_with_what_it_found_and_says_so(
    app, client, employee, make_idea
):
    for i in range(30):
        make_idea(title=f"Recycling idea {i}", description="Recycling bins on every floor.")
    r = client.get("/search", query_string={"q": "recycling"})
    assert len(titles(r)) == 20 and "very common" not in r.get_data(as_text=True)
    app.config["SEARCH_TIME_BUDGET_MS"] = 0  # out of time at once: after the first match
    r = client.get("/search", query_string={"q": "recycling bins"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Nothing found" not in html
    assert ("These words are very common" in html and 1 <= len(titles(r)) <= 20) or (
        "nothing could be ranked in time" in html and titles(r) == []
    )


def test_every_page_of_the_words_comes_from_one_ranking(app, client, employee, make_idea):
    """A page ranked on its own within the time budget ranked other matches than the page
    before it (the bench: a common word's pages repeated some ideas and skipped others)."""
    for i in range(45):
        make_idea(title=f"Recycling idea {i}", description="Recycling bins on every floor.")
    indexer.catch_up(blocking=True)  # the index as it stays while the reader pages
    first = titles(client.get("/search", query_string={"q": "recycling"}))
    app.config["SEARCH_TIME_BUDGET_MS"] = 0  # a page ranked now would find one match at most
    second = titles(client.get("/search", query_string={"q": "recycling", "page": "2"}))
    third = titles(client.get("/search", query_string={"q": "recycling", "page": "3"}))
    assert (len(first), len(second), len(third)) == (20, 20, 5)
    assert len(set(first + second + third)) == 45


def test_a_search_weighs_so_many_matches_at_most_the_same_everywhere(app, employee, make_idea):
    """The time budget cuts where the moment says, so two workers ranked a common word's
    matches differently; a count cuts at the same match in every process."""
    for i in range(12):
        make_idea(title=f"Recycling idea {i}")
    app.config["SEARCH_EXAMINED_AT_MOST"] = 5
    viewer = db.session.get(User, employee.id)
    first = search(viewer, "recycling", SearchFilters())
    assert first.partial and len(first.hits) == 5
    engine.close_searchers()  # another worker: its own searcher, ranking afresh
    services._cache.clear()
    again = search(viewer, "recycling", SearchFilters())
    assert [h.object_id for h in again.hits] == [h.object_id for h in first.hits]
    app.config["SEARCH_EXAMINED_AT_MOST"] = 0  # no count: the time budget alone
    engine.close_searchers()
    services._cache.clear()
    assert len(search(viewer, "recycling", SearchFilters()).hits) == 12


def test_words_rank_so_many_pages_and_say_so(app, client, employee, make_idea):
    for i in range(21):
        make_idea(title=f"Lantern {i}")
    viewer = db.session.get(User, employee.id)
    tenth = search(viewer, "lantern", SearchFilters(), page=10, per_page=2)
    assert len(tenth.hits) == 2 and not tenth.more and tenth.capped == services.RANKED_PAGES
    assert search(viewer, "lantern", SearchFilters(), page=9, per_page=2).more
    past = search(viewer, "lantern", SearchFilters(), page=11, per_page=2)
    assert past.hits == [] and past.capped == services.RANKED_PAGES
    with app.test_request_context():
        html = render_template("search/_results.html", results=past, args={"q": "lantern"})
    assert "Words list their best 10 pages of matches." in html
    assert 'href="/search?q=lantern">Back to the first page' in html
    assert "nothing could be ranked" not in html and "past the last" not in html
    # Fewer matches than the pages ranked: a page past them says so.
    html = client.get("/search", query_string={"q": "lantern", "page": "11"}).get_data(as_text=True)
    assert "No more results: page 11 is past the last one." in html


def test_nothing_found_in_time_within_dates_says_to_widen_them(app):
    """A dates filter is checked match by match: common words may run out of time before
    one of their matches from those dates comes; more filters would not help, wider dates do."""
    out_of_time = services.Results(query="customer", partial=True)
    with app.test_request_context():
        within = render_template(
            "search/_results.html",
            results=out_of_time,
            args={"q": "customer", "from": "2026-03-05"},
        )
        without = render_template(
            "search/_results.html", results=out_of_time, args={"q": "customer"}
        )
    assert "Add a word, or widen or remove the dates." in within
    assert "Add a word or a filter to narrow the search." in without


def test_an_alarm_after_the_search_stops_nothing(app, make_idea):
    import signal
    import threading

    from whoosh.collectors import TimeLimit
    from whoosh.query import Term

    make_idea(title="Solar roofs")
    indexer.catch_up(blocking=True)
    s = engine.searcher(indexer.index_dir())
    for seconds in (0.0, 5.0):  # out of time at once, and plenty of time
        collector = engine.bounded_collector(5, seconds)
        with contextlib.suppress(TimeLimit):
            s.search_with_collector(Term("title", "solar"), collector)
        if threading.current_thread() is threading.main_thread():
            assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # disarmed
            signal.raise_signal(signal.SIGALRM)  # a late alarm: must not raise here


@pytest.mark.parametrize(
    ("text", "words", "expected"),
    [
        ("Customers returning parcels", {"return"}, "Customers <mark>returning</mark> parcels"),
        ("我们在上海试点自助退货机", {"退货"}, "我们在上海试点自助<mark>退货</mark>机"),
        (
            "AI 自动整理客户反馈 weekly",
            {"ai", "反馈"},
            "<mark>AI</mark> 自动整理客户<mark>反馈</mark> weekly",
        ),
        (
            "<script>alert(1)</script> solar & <b>panels</b>",
            {"solar", "script"},
            "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt; <mark>solar</mark>"
            " &amp; &lt;b&gt;panels&lt;/b&gt;",
        ),
        ("No match <here>", {"solar"}, "No match &lt;here&gt;"),
        ("社交媒体社交", {"社交", "社交媒体"}, "<mark>社交媒体</mark><mark>社交</mark>"),
    ],
)
def test_snippets_mark_what_the_index_matched_and_escape_the_rest(text, words, expected):
    from ideahub.search.services import snippet

    assert str(snippet(text, words)) == expected


def test_a_long_text_is_cut_around_its_first_match():
    from ideahub.search.services import snippet

    text = "word " * 40 + "solar panels " + "tail " * 100  # the match at character 200
    html = str(snippet(text, {"solar"}))
    assert html.startswith("… ") and html.endswith(" …") and "<mark>solar</mark>" in html
    assert len(html) < 260


def test_a_search_applies_a_bounded_part_of_a_backlog_the_command_the_rest(
    app, employee, make_idea, make_campaign
):
    from ideahub.search.services import CATCH_UP_PER_SEARCH

    campaign = make_campaign()
    db.session.add_all(
        Idea(campaign_id=campaign.id, author_id=employee.id, title=f"Backlog {i}")
        for i in range(CATCH_UP_PER_SEARCH + 30)
    )
    db.session.commit()
    before = indexer.pending()
    assert before >= CATCH_UP_PER_SEARCH + 30
    search(employee, "backlog", SearchFilters())
    assert indexer.pending() == before - CATCH_UP_PER_SEARCH  # the reader did not wait for all
    result = app.test_cli_runner().invoke(args=["index-changes"])
    assert result.exit_code == 0 and indexer.pending() == 0
    found = search(employee, "backlog", SearchFilters(), per_page=200)
    assert len(found.hits) == CATCH_UP_PER_SEARCH + 30


MIXED_TEXT = (
    "我们提出二维码退货流程，无需排队。The returns desk is running faster; 繁體中文的搜尋功能"
    "客户满意度提高了 20%，and we'll publish the Q3 results: 二维码 QR-codes, café, 的了和 a I. "
    "ISO-9001, COVID-19, 2023-2024, v1.2.3, 1.5倍, e-mail a.b@example.com, snake_case, "
    "AT&T公司, C++和C#, U.S.A., T恤, 卡拉OK."
)


def test_the_analyzer_gives_python_jiebas_words():
    """jieba-rs, with hyphenated and dotted words cut as Python jieba cut them, gives Python
    jieba's words at the same places, so an index built by jieba's own analyzer is searched
    as before, and "ISO 9001" finds "ISO-9001". (Python jieba also indexed runs of
    punctuation such as "--": nobody searches for those.)"""
    from jieba.analyse import ChineseAnalyzer

    def tokens(analyzer, text=MIXED_TEXT, **kwargs):
        return [
            (t.text, t.pos, t.startchar, t.endchar)
            for t in analyzer(text, **kwargs)
            if re.search(r"[^\W_]", t.text)
        ]

    for kwargs in ({}, {"positions": True, "chars": True, "mode": "index"}, {"mode": "query"}):
        assert tokens(engine.analyzer(), **kwargs) == tokens(ChineseAnalyzer(), **kwargs)
    words = [t[0] for t in tokens(engine.analyzer())]
    assert ("二维码", 4, 4, 7) in tokens(engine.analyzer())
    assert {"iso", "9001", "covid", "19", "2023", "2024", "v1.2", "1.5", "mail"} <= set(words)
    assert not {"iso-9001", "e-mail", "example.com", "v1"} & set(words)


_OLD_INDEX = """
import sys
from jieba.analyse import ChineseAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
ix = FileStorage(sys.argv[1]).create().create_index(
    Schema(key=ID(unique=True, stored=True), title=TEXT(analyzer=ChineseAnalyzer(), stored=True))
)
with ix.writer() as w:
    w.add_document(key="idea:1", title="二维码退货流程: ISO-9001")
"""

_OPEN_IT = """
import sys
from whoosh.qparser import QueryParser
from ideahub.search import engine
ix = engine.open_index(sys.argv[1])
with ix.searcher() as s:
    for text in ("退货", "ISO 9001", "iso-9001"):
        found = [hit["key"] for hit in s.search(QueryParser("title", ix.schema).parse(text))]
        assert found == ["idea:1"], (text, found)
loaded = [name for name in sys.modules if name.split(".")[0] == "jieba"]
assert not loaded, loaded
"""


def test_an_index_built_with_jiebas_analyzer_opens_without_jieba(tmp_path):
    """An index made by Python jieba's analyzer (named in its pickled schema) opens and
    finds what it found, without importing jieba."""
    import subprocess
    import sys

    for script in (_OLD_INDEX, _OPEN_IT):
        done = subprocess.run(  # noqa: S603 (our interpreter, our scripts)
            [sys.executable, "-c", script, str(tmp_path / "index")],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr


def test_an_index_built_before_comments_had_a_context_still_serves_them(
    app, client, employee, make_idea
):
    """Comments indexed with their idea's title as their own (before `context`) are shown
    on their idea as before, and new ones go into the same index beside them."""
    from whoosh.filedb.filestore import FileStorage

    idea = make_idea(title="Rooftop garden")
    old = Comment(idea_id=idea.id, author_id=employee.id, body="Tomatoes grow well up there.")
    db.session.add(old)
    db.session.commit()
    indexer.catch_up(blocking=True)
    folder = indexer.index_dir()
    watermark = indexer.read_watermark()  # the old comment counts as indexed
    engine.close_searchers()
    for name in os.listdir(folder):
        os.remove(os.path.join(folder, name))
    before = engine.schema()
    before.remove("context")
    ix = FileStorage(folder).create().create_index(before)
    doc = engine.Document("comment", old.id, idea.title, old.body, old.created_at, idea.id)
    doc.campaign_id = idea.campaign_id
    fields = doc.fields()
    del fields["context"]
    with ix.writer() as writer:
        writer.add_document(**fields)
    with open(os.path.join(folder, "watermark"), "w") as f:
        f.write(str(watermark))
    engine.close_searchers()
    new = Comment(idea_id=idea.id, author_id=employee.id, body="Tomatoes need water daily.")
    db.session.add(new)
    db.session.commit()
    indexer.catch_up(blocking=True)
    html = client.get("/search", query_string={"q": "tomatoes"}).get_data(as_text=True)
    assert html.count("On “Rooftop garden”") == 2
    assert f"/comments/{old.id}" in html and f"/comments/{new.id}" in html


def test_a_segments_deleted_documents_are_read_again_once_more_are_deleted(tmp_path):
    """The engine keeps each segment's deleted documents as one set rather than copying
    them for every term looked up; a writer deleting more must not be served the old set,
    and re-indexing the same documents leaves one live version of each."""
    from whoosh.query import Term

    ix = engine.open_index(str(tmp_path / "index"), create=True)

    def otters(n: int) -> list[engine.Document]:
        made = datetime(2026, 3, 1, tzinfo=UTC)
        return [engine.Document("idea", i, f"Otter {i}", "", made) for i in range(1, n + 1)]

    engine.write(ix, otters(3), [])
    engine.write(ix, [], ["idea:1"])  # a deleted document in the first segment
    writer = ix.writer()
    try:
        with writer.searcher() as s:
            (second,) = s.document_numbers(key="idea:2")
            writer.delete_document(second)
            assert list(s.document_numbers(key="idea:2")) == []
            assert len(list(s.document_numbers(key="idea:3"))) == 1
    finally:
        writer.cancel()
    for _ in range(3):
        engine.write(ix, otters(3), [])
    with ix.searcher() as s:
        found = s.search(Term("title", "otter"), limit=None)
        assert sorted(hit["object_id"] for hit in found) == [1, 2, 3]


def test_a_web_requests_catch_up_merges_only_small_segments(tmp_path):
    """Whoosh merges segments inside a commit, and its merges grow with the index (44 s in
    a web worker at the bench's size, past gunicorn's timeout): a web request's catch-up
    merges only the smallest segments up to a bound, a search's none; without a bound (the
    follower) Whoosh merges as it always has."""
    made = datetime(2026, 3, 1, tzinfo=UTC)

    def segments_after(merge_limit: int | None) -> list[int]:
        ix = engine.open_index(str(tmp_path / f"index-{merge_limit}"), create=True)
        big = [engine.Document("idea", i, f"Heron {i}", "", made) for i in range(100, 130)]
        engine.write(ix, big, [], merge_limit=0)
        for i in range(1, 5):  # four segments of one document
            egret = engine.Document("idea", i, "Egret", "", made)
            engine.write(ix, [egret], [], merge_limit=0)
        egret = engine.Document("idea", 5, "Egret", "", made)
        engine.write(ix, [egret], [], merge_limit=merge_limit)
        with ix.reader() as reader:
            assert reader.doc_count() == 35
            return sorted(r.doc_count_all() for r, _ in reader.leaf_readers())

    assert segments_after(None) == [35]  # Whoosh's own choice: all five merged, with the new
    assert segments_after(5) == [5, 30]  # the four small ones (and the new), not the 30
    assert segments_after(0) == [1, 1, 1, 1, 1, 30]  # a search's: nothing merged
