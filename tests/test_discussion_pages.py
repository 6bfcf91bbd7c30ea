"""A long discussion in pages: threads in order across pages, the links between pages, a link
to one comment finding its page, posting and replying from a later page, and the same number
of queries on every page."""

from __future__ import annotations

import re

import pytest
from test_comments import HX, article, comments_on, post

from ideahub.extensions import db
from ideahub.ideas.queries import FROM_THE_END
from ideahub.models import Comment, Idea

PER_PAGE = 3


@pytest.fixture
def reader(app, make_user, login):
    app.config["COMMENTS_PER_PAGE"] = PER_PAGE
    user = make_user()
    login(user)
    return user


@pytest.fixture
def long_discussion(make_idea, make_user, make_comment):
    """Three threads with 0, 4 and 1 replies: 8 comments, 3 pages of 3.
    Page 1: t0, t1, r1.0 / page 2: r1.1, r1.2, r1.3 (t1 goes on) / page 3: t2, r2.0."""
    idea = make_idea()
    people = [make_user(name=f"Person {n}") for n in range(3)]
    threads = []
    for n, replies in enumerate((0, 4, 1)):
        top = make_comment(idea, people[n], body=f"thread {n}")
        threads.append(
            [top]
            + [
                make_comment(idea, people[k % 3], body=f"reply {n}.{k}", parent=top)
                for k in range(replies)
            ]
        )
    return idea, threads


def shown(html: str) -> list[int]:
    """The ids of the comments a page shows, in order."""
    return [int(i) for i in re.findall(r'<article class="comment[^"]*" id="comment-(\d+)"', html)]


def pages_nav(html: str) -> str:
    nav = r'<nav class="pager" aria-label="Pages of the discussion">.*?</nav>'
    match = re.search(nav, html, re.S)
    assert match, "no links between pages"
    return match.group(0)


def ids(comments: list[Comment]) -> list[int]:
    return [c.id for c in comments]


def test_threads_run_on_across_pages_in_order(client, reader, long_discussion):
    idea, (t0, t1, t2) = long_discussion
    first = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    second = client.get(f"/ideas/{idea.id}?page=2").get_data(as_text=True)
    third = client.get(f"/ideas/{idea.id}?page=3").get_data(as_text=True)
    assert shown(first) == ids(t0 + t1[:2])
    assert shown(second) == ids(t1[2:])
    assert shown(third) == ids(t2)
    # Page 2 begins inside the second thread: it says so, links to the thread's start and
    # still offers a reply to that thread, on this page.
    assert "Replies continued from the previous page" in second
    assert f'href="/comments/{t1[0].id}"' in second
    assert f"/ideas/{idea.id}?page=2&amp;reply_to={t1[0].id}" in second
    assert "Replies continued" not in first + third
    # The replies sit in their thread's list on every page.
    assert second.index('class="replies"') < second.index(f'id="comment-{t1[2].id}"')


def test_links_between_pages(client, reader, long_discussion):
    idea, _ = long_discussion
    first = pages_nav(client.get(f"/ideas/{idea.id}").get_data(as_text=True))
    assert "Page 1 of 3" in first and 'aria-current="page"' in first
    assert "Previous" not in first and "First" not in first
    assert f'rel="next" href="/ideas/{idea.id}?page=2#discussion"' in first
    assert f'href="/ideas/{idea.id}?page=3#discussion">Last' in first
    middle = pages_nav(client.get(f"/ideas/{idea.id}?page=2").get_data(as_text=True))
    assert f'rel="prev" href="/ideas/{idea.id}#discussion"' in middle
    assert f'rel="next" href="/ideas/{idea.id}?page=3#discussion"' in middle
    last = pages_nav(client.get(f"/ideas/{idea.id}?page=3").get_data(as_text=True))
    assert "Page 3 of 3" in last and "Next" not in last and "Last" not in last
    assert f'rel="prev" href="/ideas/{idea.id}?page=2#discussion"' in last


@pytest.mark.parametrize(
    ("asked", "page"),
    [("99", 3), ("999999999999", 3), ("0", 1), ("-2", 1), ("two", 1), ("", 1), ("²", 1)],
)
def test_a_page_out_of_range_or_garbled_shows_the_nearest(
    client, reader, long_discussion, asked, page
):
    idea, _ = long_discussion
    for url in (f"/ideas/{idea.id}?page={asked}", f"/ideas/{idea.id}/comments?page={asked}"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert f"Page {page} of 3" in r.get_data(as_text=True), url


def test_a_short_discussion_has_no_links_between_pages(client, reader, make_idea, make_comment):
    idea = make_idea()
    empty = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "No comments yet" in empty and 'class="pager"' not in empty
    make_comment(idea, reader, body="just one")
    one = client.get(f"/ideas/{idea.id}?page=5").get_data(as_text=True)
    assert "just one" in one and 'class="pager"' not in one


def test_a_link_to_a_comment_finds_its_page(client, reader, long_discussion):
    idea, (t0, t1, t2) = long_discussion
    expected = {t0[0]: "", t1[1]: "", t1[2]: "?page=2", t1[4]: "?page=2", t2[1]: "?page=3"}
    for comment, query in expected.items():
        r = client.get(f"/comments/{comment.id}")
        assert r.status_code == 302
        assert r.location == f"/ideas/{idea.id}{query}#comment-{comment.id}"
        assert f'id="comment-{comment.id}"' in client.get(r.location).get_data(as_text=True)


def test_a_link_to_a_comment_is_refused_like_its_idea(
    app, client, reader, make_idea, make_campaign, make_comment
):
    hidden = make_comment(make_idea(campaign=make_campaign(state="draft")), reader)
    assert client.get(f"/comments/{hidden.id}").status_code == 404
    assert client.get("/comments/99999999").status_code == 404
    assert client.get("/comments/99999999999999").status_code == 404
    anonymous = app.test_client().get(f"/comments/{hidden.id}")
    assert anonymous.status_code == 302 and "/login" in anonymous.location


def test_a_new_comment_lands_on_the_last_page_and_a_reply_on_its_threads(
    client, reader, long_discussion
):
    idea, (t0, _, _) = long_discussion
    r = post(client, idea, "newest thoughts")
    newest = max(comments_on(idea), key=lambda c: c.id)
    assert r.status_code == 302 and r.location == f"/ideas/{idea.id}?page=3#comment-{newest.id}"
    assert "newest thoughts" in article(client.get(r.location).get_data(as_text=True), newest.id)
    # A reply to the first thread goes in that thread, on page 1, and moves the rest along.
    r = post(client, idea, "answer to the first", parent=t0[0])
    reply = max(comments_on(idea), key=lambda c: c.id)
    assert r.location == f"/ideas/{idea.id}#comment-{reply.id}"
    assert shown(client.get(f"/ideas/{idea.id}").get_data(as_text=True))[:2] == [t0[0].id, reply.id]
    page = client.get(f"/ideas/{idea.id}?page=4").get_data(as_text=True)
    assert "Page 4 of 4" in page and shown(page)[-1] == newest.id


def test_htmx_post_answers_with_the_page_the_comment_is_on(client, reader, long_discussion):
    idea, (t0, _, _) = long_discussion
    r = client.post(f"/ideas/{idea.id}/comments", data={"body": "via htmx"}, headers=HX)
    html = r.get_data(as_text=True)
    newest = max(comments_on(idea), key=lambda c: c.id)
    assert r.status_code == 200 and "<html" not in html
    assert "via htmx" in article(html, newest.id) and "Page 3 of 3" in html
    assert r.headers["HX-Replace-Url"] == f"/ideas/{idea.id}?page=3"
    r = client.post(
        f"/ideas/{idea.id}/comments?page=3",
        data={"body": "reply via htmx", "parent_id": str(t0[0].id)},
        headers=HX,
    )
    reply = max(comments_on(idea), key=lambda c: c.id)
    html = r.get_data(as_text=True)
    assert "reply via htmx" in article(html, reply.id) and "Page 1 of 4" in html
    assert r.headers["HX-Replace-Url"] == f"/ideas/{idea.id}"


def test_a_refused_comment_keeps_the_reader_on_their_page(client, reader, long_discussion):
    idea, (_, t1, _) = long_discussion
    before = comments_on(idea)
    r = client.post(f"/ideas/{idea.id}/comments?page=2", data={"body": "  "})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Page 2 of 3" in html and shown(html) == ids(t1[2:])
    # A reply box opened on page 2 sends its reply back to page 2 when it is refused.
    box = client.get(f"/ideas/{idea.id}/comments?page=2&reply_to={t1[0].id}", headers=HX)
    assert f'action="/ideas/{idea.id}/comments?page=2"' in box.get_data(as_text=True)
    r = client.post(
        f"/ideas/{idea.id}/comments?page=2", data={"body": "", "parent_id": str(t1[0].id)}
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Page 2 of 3" in html
    assert f'id="reply-form-{t1[0].id}"' in html and 'aria-invalid="true"' in html
    assert ids(comments_on(idea)) == ids(before)


def test_a_refused_reply_is_shown_in_its_thread_wherever_the_thread_went(
    client, reader, long_discussion, make_comment
):
    """The reader opened a reply box on page 1; meanwhile replies to the thread above moved
    their thread to page 2. The refused reply comes back in its box, error and text, there."""
    idea, (t0, t1, _) = long_discussion
    box = client.get(f"/ideas/{idea.id}?reply_to={t1[0].id}").get_data(as_text=True)
    assert f'id="reply-form-{t1[0].id}"' in box and "Page 1 of 3" in box
    for n in range(2):
        make_comment(idea, t0[0].author, body=f"late reply {n}", parent=t0[0])
    too_long = "Quite a lot to say. " * 300
    r = client.post(
        f"/ideas/{idea.id}/comments", data={"body": too_long, "parent_id": str(t1[0].id)}
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Page 2 of 4" in html
    form = re.search(rf'<form[^>]*id="reply-form-{t1[0].id}".*?</form>', html, re.S)
    assert form and 'aria-invalid="true"' in form.group(0)
    assert too_long.strip() in form.group(0) and "5000 characters" in form.group(0)
    assert f'action="/ideas/{idea.id}/comments?page=2"' in form.group(0)
    # With htmx, the address bar names the page now shown.
    r = client.post(
        f"/ideas/{idea.id}/comments", data={"body": "", "parent_id": str(t1[0].id)}, headers=HX
    )
    assert r.status_code == 422 and "Page 2 of 4" in r.get_data(as_text=True)
    assert r.headers["HX-Replace-Url"] == f"/ideas/{idea.id}?page=2"


def test_a_refused_reply_to_no_thread_here_says_so_at_the_main_form(
    client, reader, long_discussion, make_idea, make_comment
):
    idea, (t0, t1, _) = long_discussion
    elsewhere = make_comment(make_idea(), reader, body="on another idea")
    for parent in (str(elsewhere.id), str(t1[1].id), "99999999", "x"):
        r = client.post(f"/ideas/{idea.id}/comments?page=2", data={"body": "", "parent_id": parent})
        html = r.get_data(as_text=True)
        assert r.status_code == 422 and "Page 2 of 3" in html, parent
        main = re.search(r'<form[^>]*class="comment-form".*?</form>', html, re.S)
        assert main and "Write something before posting." in main.group(0), parent


def test_pages_past_the_ten_thousandth_are_reached(app, client, reader, make_idea, make_user):
    """One comment a page and 10,005 comments: the last pages are shown, not the 10,000th."""
    app.config["COMMENTS_PER_PAGE"] = 1
    idea, author = make_idea(), make_user()
    db.session.execute(
        Comment.__table__.insert(),
        [
            {
                "idea_id": idea.id,
                "campaign_id": idea.campaign_id,
                "author_id": author.id,
                "body": f"c{n}",
            }
            for n in range(10_005)
        ],
    )
    idea.discussion_length = 10_005  # inserted past the ORM, as bench/generate.py does
    db.session.commit()
    newest = db.session.scalar(db.select(db.func.max(Comment.id)).where(Comment.idea_id == idea.id))
    r = client.get(f"/comments/{newest}")
    assert r.location == f"/ideas/{idea.id}?page=10005#comment-{newest}"
    for url in (r.location, f"/ideas/{idea.id}?page=10005", f"/ideas/{idea.id}?page=99999999999"):
        html = client.get(url).get_data(as_text=True)
        assert "Page 10005 of 10005" in html and shown(html) == [newest], url
    html = client.get(f"/ideas/{idea.id}/comments?page=10004").get_data(as_text=True)
    assert "Page 10004 of 10005" in html and shown(html) == [newest - 1]
    # A comment's place is counted from the start when FROM_THE_END or more comments are at
    # or after it, from the end when fewer: both sides of that line, and far from it.
    for place in (1, 5_000, 10_005 - FROM_THE_END + 1, 10_005 - FROM_THE_END + 2, 10_000):
        comment_id = newest - 10_005 + place
        r = client.get(f"/comments/{comment_id}")
        assert (
            r.location
            == f"/ideas/{idea.id}{f'?page={place}' if place > 1 else ''}#comment-{comment_id}"
        )


def test_a_reply_box_opens_on_the_page_that_asked(client, reader, long_discussion):
    idea, (_, t1, _) = long_discussion
    html = client.get(f"/ideas/{idea.id}?page=2&reply_to={t1[0].id}").get_data(as_text=True)
    assert shown(html) == ids(t1[2:]) and f'id="reply-form-{t1[0].id}"' in html
    assert f"Your reply to {t1[0].author.name}" in html


def test_edit_and_removal_return_to_the_comments_page(client, reader, make_idea, make_comment):
    idea = make_idea()
    comments = [make_comment(idea, reader, body=f"mine {n}") for n in range(PER_PAGE + 1)]
    last = comments[-1]
    r = client.post(f"/comments/{last.id}/edit", data={"body": "changed"})
    assert r.location == f"/ideas/{idea.id}?page=2#comment-{last.id}"
    edit_form = client.get(f"/comments/{last.id}/edit").get_data(as_text=True)
    assert f'href="/comments/{last.id}">Cancel' in edit_form
    r = client.post(f"/comments/{last.id}/delete")
    assert r.location == f"/ideas/{idea.id}?page=2#comment-{last.id}"


def test_the_pages_are_counted_from_the_discussion_length(client, reader, make_idea, make_comment):
    """Every comment lengthens its discussion as it is added, whoever adds it (a post, a
    reply, the ORM directly); a removed one keeps its place, so the pages do not change."""
    idea = make_idea()
    for n in range(PER_PAGE):
        make_comment(idea, reader, body=f"mine {n}")
    post(client, idea, "posted")
    post(client, idea, "a reply", parent=comments_on(idea)[0])
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).discussion_length == PER_PAGE + 2 == len(comments_on(idea))
    client.post(f"/comments/{comments_on(idea)[-1].id}/delete")
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).discussion_length == PER_PAGE + 2
    assert db.session.get(Idea, idea.id).comment_count == PER_PAGE + 1
    html = client.get(f"/ideas/{idea.id}?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in html and len(shown(html)) == 2  # the removed comment still there


def test_links_to_comments_elsewhere_find_their_page(client, reader, long_discussion):
    idea, (t0, t1, t2) = long_discussion
    home = client.get("/").get_data(as_text=True)
    assert f'href="/comments/{t2[1].id}"' in home  # the home page's latest comments
    profile = client.get(t1[4].author.url).get_data(as_text=True)
    assert f'href="/comments/{t1[4].id}"' in profile


def test_every_page_of_a_long_discussion_runs_the_same_queries(
    app, client, reader, make_idea, make_user, make_department, count_queries
):
    """Page 1 of a short discussion, and the first, a middle and the last page of a long one
    (pages beginning inside a thread among them) run the same statements."""
    app.config["COMMENTS_PER_PAGE"] = 7
    people = [reader] + [make_user(department=make_department()) for _ in range(5)]
    short, long = make_idea(), make_idea()
    for idea, threads in ((short, 3), (long, 60)):  # 6 and 150 comments in threads of 1-4
        for n in range(threads):
            top = Comment(idea_id=idea.id, author_id=people[n % 6].id, body=f"t{n}")
            db.session.add(top)
            db.session.flush()
            for k in range(n % 4):
                db.session.add(
                    Comment(idea_id=idea.id, author_id=people[k].id, parent_id=top.id, body=f"r{k}")
                )
    db.session.commit()
    client.get(f"/ideas/{make_idea().id}")  # warm up: the signed-in user is loaded once
    counts = {}
    expected = {(short, 1): 6, (long, 1): 7, (long, 2): 7, (long, 11): 7, (long, 22): 3}
    for (idea, page), comments in expected.items():
        db.session.expire_all()
        with count_queries() as q:
            r = client.get(f"/ideas/{idea.id}?page={page}")
        html = r.get_data(as_text=True)
        assert r.status_code == 200 and len(shown(html)) == comments, (idea.id, page)
        counts[(idea.id, page)] = (q.count, "Replies continued" in html)
    assert len({count for count, _ in counts.values()}) == 1, counts
    assert counts[(long.id, 2)][1], "page 2 begins inside a thread"


def test_a_long_discussion_offers_a_way_down_to_its_form(
    client, login, make_user, make_idea, make_comment
):
    """On a phone the form came after a page of 200 comments (~40,000 px) with no way to it."""
    reader = make_user()
    login(reader)
    short, long = make_idea(), make_idea()
    for i in range(6):
        make_comment(long, reader, body=f"Point {i}")
    make_comment(short, reader, body="Only one")
    assert 'href="#body">Add a comment' in client.get(long.url).get_data(as_text=True)
    assert "Add a comment" not in client.get(short.url).get_data(as_text=True)
