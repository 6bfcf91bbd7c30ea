"""Lists rendered once and shared between readers: a campaign's ideas (campaigns/listing.py)
and an idea's discussion (comments/listing.py).

Each reader must still see their own "You voted" marks and their own Edit and Delete
buttons, and every change to what a list shows must appear on the next view."""

from __future__ import annotations

import re

import pytest
from flask import g

from ideahub.comments.services import delete_comment, edit_comment
from ideahub.extensions import db
from ideahub.ideas.services import IdeaData, edit_idea, set_vote


def _page(client, url: str, **headers: str) -> str:
    # The test holds an app context open, so `g` outlives a request here; Flask-Babel keeps
    # the reader's language and zone on `g`, which a real request starts without.
    g.pop("_flask_babel", None)
    r = client.get(url, headers=headers)
    assert r.status_code == 200
    return r.get_data(as_text=True)


def _card(page: str, idea_id: int) -> str:
    start = page.index(f'id="idea-{idea_id}"')
    return page[start : page.index("</article>", start)]


def test_a_campaign_list_is_shared_but_each_reader_sees_their_own_votes(
    app, client, login, make_user, make_campaign, make_idea, count_queries
):
    campaign = make_campaign()
    first, second = make_idea(campaign=campaign), make_idea(campaign=campaign)
    voter, other = make_user(), make_user()
    set_vote(voter, first, True)

    login(voter)
    page = _page(client, campaign.url)
    assert "You voted" in _card(page, first.id) and "You voted" not in _card(page, second.id)
    assert _page(client, campaign.url) == page

    login(other)
    with count_queries() as q:
        page = _page(client, campaign.url)
    assert "You voted" not in page
    # The list came from the cache: no idea was loaded (only their versions were read).
    assert not any("ideas.description" in s for s in q.statements), q.statements
    fragment = _page(client, campaign.url, **{"HX-Request": "true"})
    assert 'id="idea-list"' in fragment and "<html" not in fragment
    assert "you-voted:" not in page + fragment  # no hole is ever sent

    set_vote(other, second, True)  # a new count: the list is rendered again
    page = _page(client, campaign.url)
    assert "You voted" in _card(page, second.id) and "You voted" not in _card(page, first.id)
    assert '<span class="count">1</span>' in _card(page, second.id)


def test_a_campaign_list_follows_edits_tags_renames_and_paging(
    app, client, login, make_user, make_department, make_campaign, make_idea
):
    app.config["IDEAS_PER_PAGE"] = 2
    author = make_user(name="Cy Author", department=make_department(name="Logistics"))
    campaign = make_campaign()
    ideas = [make_idea(campaign=campaign, author=author, title=f"Plan {i}") for i in range(3)]
    login(make_user())
    url = campaign.url + "?sort=newest"
    page = _page(client, url)
    assert "Plan 2" in page and "Plan 1" in page and "Plan 0" not in page and 'rel="next"' in page
    assert "Cy Author" in page and "Logistics" in page

    edit_idea(author, ideas[2], IdeaData(title="Plan two", tags=["roofs"]), [])
    page = _page(client, url)
    assert "Plan two" in page and "#roofs" in page

    author.name = "Cy Renamed"
    author.department.name = "Supply chain"
    db.session.commit()
    page = _page(client, url)
    assert "Cy Renamed" in page and "Supply chain" in page and "Cy Author" not in page

    make_idea(campaign=campaign, title="Plan 3")  # page 2 now starts one later
    page = _page(client, url + "&page=2")
    assert "Plan 1" in page and "Plan 0" in page and 'rel="prev"' in page


def _thread_page(client, make_user, make_idea, make_comment):
    author = make_user(name="Di Author")
    idea = make_idea()
    comment = make_comment(idea, author, body="Use **bikes**")
    return idea, author, comment


def test_a_discussion_is_shared_but_each_reader_gets_their_own_controls(
    client, login, make_user, make_idea, make_comment, count_queries
):
    idea, author, comment = _thread_page(client, make_user, make_idea, make_comment)
    other = make_comment(idea, make_user(), body="Or trains")
    delete_button = f'action="/comments/{comment.id}/delete"'
    edit_link = f'href="/comments/{comment.id}/edit"'
    others_delete = f'action="/comments/{other.id}/delete"'

    login(make_user())
    page = _page(client, idea.url)
    assert "Use <strong>bikes</strong>" in page and "/delete" not in page and "/edit" not in page
    assert "comment-actions:" not in page

    login(make_user())  # another reader who may act on none: the same rendering, not redone
    with count_queries() as q:
        page = _page(client, idea.url)
    assert "Use <strong>bikes</strong>" in page and "comment-actions:" not in page
    assert not any("comments.body" in s for s in q.statements), q.statements

    login(author)  # a rendering with holes for controls: the author's own controls only
    page = _page(client, idea.url)
    assert edit_link in page and delete_button in page and others_delete not in page

    login(make_user(roles=("coe",)))  # a moderator may remove anyone's comment, edit none
    with count_queries() as q:  # from the author's rendering, not redone
        page = _page(client, idea.url)
    assert not any("comments.body" in s for s in q.statements), q.statements
    assert delete_button in page and others_delete in page and "/edit" not in page
    assert "comment-actions:" not in page  # no hole is ever sent

    idea.campaign.state = "closed"  # a closed discussion: nobody edits, authors still delete
    db.session.commit()
    login(author)
    page = _page(client, idea.url)
    assert delete_button in page and edit_link not in page


def test_a_discussion_follows_edits_removals_renames_and_the_reply_box(
    client, login, make_user, make_idea, make_comment
):
    idea, author, comment = _thread_page(client, make_user, make_idea, make_comment)
    reader = make_user()
    login(reader)
    assert "bikes" in _page(client, idea.url)

    edit_comment(author, comment, "Use trains")
    page = _page(client, idea.url)
    assert "Use trains" in page and "bikes" not in page

    author.name = "Di Renamed"
    db.session.commit()
    assert "Di Renamed" in _page(client, idea.url)

    page = _page(client, f"{idea.url}?reply_to={comment.id}")
    assert f'id="reply-form-{comment.id}"' in page
    assert f'id="reply-form-{comment.id}"' not in _page(client, idea.url)

    delete_comment(make_user(roles=("coe",)), comment)
    page = _page(client, idea.url)
    assert "Comment removed." in page and "Use trains" not in page


def test_the_header_counts_unread_notices_loaded_with_the_reader(
    client, login, make_user, make_idea, count_queries
):
    from ideahub.notices import notify

    reader, other = make_user(), make_user()
    notify([reader.id], "Your idea was shortlisted", "/")
    notify([reader.id, other.id], "A campaign closes soon", "/")
    db.session.commit()
    login(reader)
    idea = make_idea()
    with count_queries() as q:
        page = _page(client, idea.url)
    assert '<span class="visually-hidden">(</span>2<span' in page
    # The count came with the reader: no statement of its own.
    assert sum("FROM notices" in s for s in q.statements) == 1, q.statements

    assert client.post("/people/me/notices/read").status_code == 302
    page = _page(client, idea.url)
    assert 'class="nav-count"' not in page


def test_the_home_page_is_shared_but_greets_and_marks_each_reader(
    client, login, make_user, make_campaign, make_idea, make_comment, count_queries
):
    campaign = make_campaign(title="Greener offices")
    idea = make_idea(campaign=campaign, title="Solar roofs")
    hidden = make_idea(campaign=make_campaign(state="draft"), title="Secret plan")
    ann, bo = make_user(name="Ann Voter"), make_user(name="Bo Reader")
    set_vote(ann, idea, True)
    make_comment(hidden, bo, body="Not yet public")

    login(ann)
    page = _page(client, "/")
    assert "Welcome, Ann Voter" in page and "You voted" in _card(page, idea.id)
    assert "Greener offices" in page and "1 idea" in page
    assert "Secret plan" not in page  # neither a draft campaign's idea nor a comment on it

    login(bo)
    with count_queries() as q:
        page = _page(client, "/")
    assert not any("ideas.description" in s for s in q.statements), q.statements  # shared
    assert "Welcome, Bo Reader" in page and "Ann Voter" not in page
    assert "You voted" not in page and "you-voted:" not in page
    assert '<span class="count">1</span>' in _card(page, idea.id)

    make_comment(idea, ann, body="Yes please")
    make_idea(campaign=campaign, title="Bike sheds")
    page = _page(client, "/")
    assert "Ann Voter" in page and "/comments/" in page  # the new comment, by its author
    assert "Bike sheds" in page and "2 ideas" in page


def test_a_campaign_page_shows_its_panel_to_the_chair_and_its_results_once_published(
    client, login, make_user, make_campaign, make_idea
):
    from ideahub.models import Panel, utcnow

    campaign = make_campaign()
    make_idea(campaign=campaign)
    chair, reader = make_user(roles=("expert",)), make_user()
    login(reader)
    page = _page(client, campaign.url)
    assert "Chair's board" not in page and "See the results" not in page

    panel = Panel(campaign_id=campaign.id, chair_id=chair.id)
    db.session.add(panel)
    db.session.commit()
    login(chair)
    assert "Chair's board" in _page(client, campaign.url)
    login(reader)
    assert "Chair's board" not in _page(client, campaign.url)

    panel.published_at = utcnow()
    db.session.commit()
    assert "See the results" in _page(client, campaign.url)


def test_a_campaign_head_follows_edits_and_new_departments(
    client, login, make_user, make_department, make_campaign
):
    campaign = make_campaign(title="Greener offices", description="Save **energy**")
    login(make_user())
    page = _page(client, campaign.url)
    assert "Greener offices" in page and "<strong>energy</strong>" in page
    assert "Submit an idea" in page

    campaign.title, campaign.description = "Greenest offices", "Save *water*"
    make_department(name="Facilities")
    page = _page(client, campaign.url)
    assert "Greenest offices" in page and "<em>water</em>" in page
    assert ">Facilities</option>" in page and "energy" not in page

    campaign.state = "closed"
    db.session.commit()
    page = _page(client, campaign.url)
    assert "Submit an idea" not in page  # the reader's actions are not shared


def test_the_idea_page_shows_the_readers_own_vote(client, login, make_user, make_idea):
    idea = make_idea()
    voter = make_user()
    set_vote(voter, idea, True)
    login(voter)
    assert 'aria-pressed="true"' in _page(client, idea.url)
    login(make_user())
    page = _page(client, idea.url)
    assert 'aria-pressed="false"' in page and "edited once" not in page


def test_a_campaign_list_sorts_filters_and_pages(
    app, client, login, make_user, make_department, make_campaign, make_idea
):
    import re

    sales, legal = make_department(name="Sales"), make_department(name="Legal")
    seller, lawyer = make_user(department=sales), make_user(department=legal)
    campaign = make_campaign()
    a = make_idea(campaign=campaign, author=seller, title="Alpha", tags=("energy",))
    b = make_idea(campaign=campaign, author=lawyer, title="Bravo", status="shortlisted")
    c = make_idea(campaign=campaign, author=seller, title="Charlie", tags=("energy",))
    a.vote_count, b.vote_count, c.vote_count = 5, 9, 1
    a.comment_count, b.comment_count, c.comment_count = 3, 0, 7
    db.session.commit()
    make_idea(campaign=make_campaign(), title="Elsewhere", tags=("energy",))
    login(make_user())

    def titles(args: str) -> list[str]:
        page = _page(client, f"{campaign.url}?{args}")
        listed = page[page.index('id="idea-list"') :]
        return re.findall(r'<h3><a href="/ideas/\d+">([^<]+)</a></h3>', listed)

    assert titles("sort=top") == ["Bravo", "Alpha", "Charlie"]
    assert titles("sort=newest") == ["Charlie", "Bravo", "Alpha"]
    assert titles("sort=discussed") == ["Charlie", "Alpha", "Bravo"]
    assert titles("sort=top&status=shortlisted") == ["Bravo"]
    assert titles(f"sort=top&department={sales.id}") == ["Alpha", "Charlie"]
    assert titles("sort=newest&tag=energy") == ["Charlie", "Alpha"]
    assert titles("sort=top&tag=nothing") == []
    app.config["IDEAS_PER_PAGE"] = 2
    assert titles("sort=top&page=2") == ["Charlie"]
    app.config["IDEAS_PER_PAGE"] = 1
    assert titles(f"sort=newest&department={sales.id}&page=2") == ["Alpha"]
    assert titles("sort=newest&tag=energy&page=3") == []
    past = _page(client, f"{campaign.url}?sort=newest&tag=energy&page=3")
    assert "No more results: page 3 is past the last one." in past  # not "No ideas yet"
    assert "Back to the first page" in past and "No ideas yet" not in past
    assert 'rel="prev"' not in past  # no link to page 2, past the last as well


def test_a_rendering_that_disagrees_with_its_key_is_shown_but_not_kept(app):
    """Objects read after the versions may be newer (a write in between, on PostgreSQL):
    kept under the older key, that rendering would come back if the value returned to it."""
    from ideahub.shared_rendering import shared

    calls = []

    def render(result: object):
        def go() -> tuple[str, object]:
            calls.append(result)
            return f"<p>{len(calls)}</p>", result

        return go

    with app.test_request_context():
        assert shared("t", ("v1",), render(("v2",))) == "<p>1</p>"  # newer than its key
        assert shared("t", ("v1",), render(("v1",))) == "<p>2</p>"  # rendered again, kept
        assert shared("t", ("v1",), render(("v1",))) == "<p>2</p>"  # from the cache
    assert len(calls) == 2


# The statements a discussion is read with (ideas.queries): a page from its start or its
# end, and a comment's place counted from the end or the start.
DISCUSSION_STATEMENTS = {
    "page from the start": ("_comment_pages", 0),
    "page from the end": ("_comment_pages", 1),
    "place from the end": ("_place_counts", 0),
    "place from the start": ("_place_counts", 1),
}


@pytest.mark.parametrize("query", DISCUSSION_STATEMENTS)
def test_a_discussion_page_is_read_from_an_index_alone(app, engine_name, make_idea, query):
    """A page of a discussion, with what tells whether its rendering is current, is read on
    every view of the idea, and a comment's position on every link to it: both from
    ix_comments_discussion, without a table row per comment (page 321 of a discussion of
    64,000 comments skips 64,000 of them); a place as a range of it (SQLite read the whole
    discussion when the range was only inside an OR)."""
    from ideahub.ideas import queries

    idea = make_idea()
    built, which = DISCUSSION_STATEMENTS[query]
    statement = getattr(queries, built)()[which].params(
        limit=200, offset=0, idea_id=idea.id, thread=1, comment_id=1
    )
    sql = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
    with db.engine.connect() as connection:
        if engine_name == "sqlite":  # with bound parameters, as the app runs it
            bound = statement.compile(db.engine).construct_expanded_state()
            plan = connection.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {bound.statement}", bound.positional_parameters
            ).all()
            comments = [row[-1] for row in plan if " comments " in row[-1]]
            assert comments, plan
            assert all("COVERING INDEX ix_comments_discussion" in row for row in comments), plan
            if query.startswith("place"):
                assert all("(idea_id=? AND <expr>" in row for row in comments), plan
        else:  # the table is tiny here: tell the planner to leave the table scans alone
            connection.exec_driver_sql("SET enable_seqscan = off; SET enable_bitmapscan = off")
            plan = [r[0] for r in connection.exec_driver_sql(f"EXPLAIN {sql}").all()]
            comments = [row for row in plan if " on comments" in row]
            assert comments, plan
            index_only = re.compile(r"Index Only Scan (Backward )?using ix_comments_discussion")
            assert all(index_only.search(r) for r in comments), plan
