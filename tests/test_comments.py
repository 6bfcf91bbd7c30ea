"""Comments through HTTP: posting and replying (plain forms and htmx), refusals with reasons,
editing, soft deletes and moderation, hostile Markdown, and a fixed query count per idea page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from ideahub.extensions import db
from ideahub.models import AuditEntry, Comment, Idea, utcnow

HX = {"HX-Request": "true"}
HOSTILE = (
    "**bold** and *soft*\n\n- one\n- two\n\n[safe](https://example.test/x)\n\n"
    "<script>alert('s')</script>\n\n<img src=x onerror=alert('i')>\n\n"
    "[click](javascript:alert('j'))\n\n<a href=\"javascript:alert('a')\">raw</a>\n\n"
    '<iframe src="https://evil.test"></iframe>'
)


@pytest.fixture
def employee(make_user, login):
    user = make_user()
    login(user)
    return user


def comments_on(idea: Idea) -> list[Comment]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Comment).where(Comment.idea_id == idea.id)))


def comment_count(idea: Idea) -> int:
    db.session.expire_all()
    return db.session.get(Idea, idea.id).comment_count


def fresh(comment: Comment) -> Comment:
    db.session.expire_all()
    return db.session.get(Comment, comment.id)


def post(client, idea, body, parent=None, htmx=False):
    data = {"body": body}
    if parent is not None:
        data["parent_id"] = str(parent if isinstance(parent, int) else parent.id)
    return client.post(f"/ideas/{idea.id}/comments", data=data, headers=HX if htmx else {})


def article(html: str, comment_id: int) -> str:
    """The <article> of one comment in a page."""
    match = re.search(rf'<article[^>]*id="comment-{comment_id}".*?</article>', html, re.S)
    assert match, f"comment-{comment_id} not in the page"
    return match.group(0)


def is_fragment(response) -> bool:
    return "<html" not in response.get_data(as_text=True) and "HX-Request" in response.headers.get(
        "Vary", ""
    )


# ---------------------------------------------------------------- posting


def test_plain_post_redirects_to_the_comment_anchor_and_the_page_shows_it(
    client, employee, make_idea, make_user, make_department
):
    idea = make_idea(author=make_user(department=make_department()))
    r = post(client, idea, "First thoughts on this")
    [comment] = comments_on(idea)
    assert r.status_code == 302
    assert r.location.endswith(f"/ideas/{idea.id}#comment-{comment.id}")
    assert comment.author_id == employee.id and comment.parent_id is None
    # Its idea's campaign and department, not its writer's (search lists it by them).
    assert (comment.campaign_id, comment.department_id) == (idea.campaign_id, idea.department_id)
    assert comment.department_id is not None and employee.department_id is None
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "First thoughts on this" in article(html, comment.id)
    assert "Your comment is posted." in html


def test_htmx_post_returns_only_the_discussion_with_the_new_comment(client, employee, make_idea):
    idea = make_idea()
    r = post(client, idea, "Via htmx", htmx=True)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and is_fragment(r)
    assert html.lstrip().startswith('<section id="discussion"')
    [comment] = comments_on(idea)
    assert "Via htmx" in article(html, comment.id)
    assert "(1)" in html  # the heading's count moved with it


def test_discussion_url_serves_page_or_fragment(client, employee, make_idea, make_comment):
    idea = make_idea()
    make_comment(idea, employee, body="Already here")
    page = client.get(f"/ideas/{idea.id}/comments")
    fragment = client.get(f"/ideas/{idea.id}/comments", headers=HX)
    assert page.status_code == fragment.status_code == 200
    assert "<html" in page.get_data(as_text=True) and is_fragment(fragment)
    assert "Already here" in fragment.get_data(as_text=True)
    assert "HX-Request" in page.headers["Vary"]


def test_reply_attaches_to_its_top_level_comment(
    client, employee, make_idea, make_comment, make_user
):
    idea = make_idea()
    top = make_comment(idea, make_user(), body="Top level")
    r = post(client, idea, "A reply", parent=top, htmx=True)
    assert r.status_code == 200
    reply = next(c for c in comments_on(idea) if c.body == "A reply")
    assert reply.parent_id == top.id
    replies = re.search(r'<ol class="replies">.*?</ol>', r.get_data(as_text=True), re.S)
    assert replies and f'id="comment-{reply.id}"' in replies.group(0)


def test_reply_to_a_reply_attaches_to_the_top_level_parent(
    client, employee, make_idea, make_comment, make_user
):
    idea = make_idea()
    top = make_comment(idea, make_user())
    reply = make_comment(idea, make_user(), parent=top)
    assert post(client, idea, "Deeper?", parent=reply).status_code == 302
    newest = next(c for c in comments_on(idea) if c.body == "Deeper?")
    assert newest.parent_id == top.id
    assert comment_count(idea) == 3


def notices_of(*users) -> dict[str, list[tuple[str, str]]]:
    """Each user's notices (message, link), by name."""
    from ideahub.models import Notice

    db.session.expire_all()
    told: dict[str, list[tuple[str, str]]] = {u.name: [] for u in users}
    for user in users:
        told[user.name] = [
            (n.message, n.link)
            for n in db.session.scalars(db.select(Notice).where(Notice.user_id == user.id))
        ]
    return told


def test_a_comment_tells_the_ideas_authors_in_their_language(client, make_user, login, make_idea):
    author = make_user(name="Ann Author")
    coauthor = make_user(name="Cao Coauthor")
    coauthor.locale = "zh_Hans"
    idea = make_idea(author=author, title="Solar roof")
    idea.coauthors.append(coauthor)
    db.session.commit()
    commenter = make_user(name="Carl Commenter")
    login(commenter)
    post(client, idea, "What about hail?")
    comment = comments_on(idea)[0]
    assert notices_of(author, coauthor, commenter) == {
        "Ann Author": [
            ("Carl Commenter commented on your idea “Solar roof”.", f"/comments/{comment.id}")
        ],
        "Cao Coauthor": [
            ("Carl Commenter 评论了您的创意“Solar roof”。", f"/comments/{comment.id}")
        ],
        "Carl Commenter": [],
    }
    login(author)  # the author answering on their own idea: the co-author hears, not the author
    post(client, idea, "Hail-proof glass.")
    told = notices_of(author, coauthor)
    assert len(told["Ann Author"]) == 1 and len(told["Cao Coauthor"]) == 2


def test_a_reply_tells_whoever_was_replied_to_once(client, make_user, login, make_idea):
    author = make_user(name="Ann Author")
    idea = make_idea(author=author, title="Solar roof")
    first, second = make_user(name="Fay First"), make_user(name="Sam Second")
    login(first)
    post(client, idea, "Top-level remark.")
    top = comments_on(idea)[0]
    login(second)
    post(client, idea, "A reply.", parent=top)
    reply = max(comments_on(idea), key=lambda c: c.id)
    told = notices_of(author, first, second)
    assert told["Fay First"] == [
        ("Sam Second replied to your comment on “Solar roof”.", f"/comments/{reply.id}")
    ]
    assert told["Ann Author"][-1][0] == "Sam Second commented on your idea “Solar roof”."
    assert told["Sam Second"] == []
    login(author)  # the author replies to the reply: its writer hears, the author nothing
    post(client, idea, "Thanks both.", parent=reply)
    told = notices_of(author, first, second)
    assert told["Sam Second"] == [
        ("Ann Author replied to your comment on “Solar roof”.", told["Sam Second"][0][1])
    ]
    assert len(told["Ann Author"]) == 2 and len(told["Fay First"]) == 1
    login(first)  # replying to the author's own comment: one notice, the reply's
    post(client, idea, "Agreed.", parent=max(comments_on(idea), key=lambda c: c.id))
    told = notices_of(author)
    assert [m for m, _ in told["Ann Author"]][-1] == (
        "Fay First replied to your comment on “Solar roof”."
    )
    assert len(told["Ann Author"]) == 3


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "Write something before posting."),
        ("   \n  ", "Write something before posting."),
        ("x" * 5001, "5000"),
    ],
    ids=["empty", "blank", "too-long"],
)
def test_bad_body_is_422_with_the_error_and_nothing_saved(
    client, employee, make_idea, body, error, htmx
):
    idea = make_idea()
    r = post(client, idea, body, htmx=htmx)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and error in html
    assert ("<html" in html) is not htmx
    assert comments_on(idea) == [] and comment_count(idea) == 0


def test_body_of_exactly_5000_characters_is_accepted(client, employee, make_idea):
    idea = make_idea()
    assert post(client, idea, "意" * 5000).status_code == 302  # characters, not bytes
    assert [len(c.body) for c in comments_on(idea)] == [5000]


def test_empty_reply_shows_the_error_in_its_reply_box(
    client, employee, make_idea, make_comment, make_user
):
    idea = make_idea()
    top = make_comment(idea, make_user())
    r = post(client, idea, "", parent=top, htmx=True)
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert f'<p class="error" id="reply-{top.id}-error">Write something before posting.' in html
    assert len(comments_on(idea)) == 1


def test_a_reply_box_opens_on_request_not_once_per_thread(
    client, employee, make_idea, make_comment, make_user
):
    idea = make_idea()
    tops = [make_comment(idea, make_user(name=f"Writer {i}")) for i in range(3)]
    reply = make_comment(idea, make_user(), parent=tops[1])
    html = client.get(idea.url).get_data(as_text=True)
    assert 'class="reply-form"' not in html  # no reply box until one is asked for
    assert html.count('class="reply-link"') == 3
    assert f'href="/ideas/{idea.id}?reply_to={tops[1].id}#reply-form-{tops[1].id}"' in html

    # Without JavaScript: the link reloads the page with that thread's box open.
    html = client.get(f"/ideas/{idea.id}?reply_to={tops[1].id}").get_data(as_text=True)
    assert html.count('class="reply-form"') == 1
    assert f'id="reply-form-{tops[1].id}"' in html and "Your reply to Writer 1" in html
    assert f'name="parent_id" value="{tops[1].id}"' in html

    # With htmx: only the box, in place of the link; a reply's link answers its thread.
    for asked in (tops[2], reply):
        r = client.get(f"/ideas/{idea.id}/comments?reply_to={asked.id}", headers=HX)
        box = r.get_data(as_text=True)
        thread = tops[2] if asked is tops[2] else tops[1]
        assert r.status_code == 200 and is_fragment(r)
        assert box.strip().startswith("<form") and box.count("<form") == 1
        assert f'name="parent_id" value="{thread.id}"' in box and "autofocus" in box
        assert "csrf_token" in box and 'class="comment"' not in box


@pytest.mark.parametrize("asked", ["other-idea", "unknown", "junk"])
def test_a_reply_box_for_a_comment_elsewhere_is_not_found(
    client, employee, make_idea, make_comment, make_user, asked
):
    idea, other = make_idea(), make_idea()
    foreign = make_comment(other, make_user())
    reply_to = {"other-idea": str(foreign.id), "unknown": "999999", "junk": "1x"}[asked]
    r = client.get(f"/ideas/{idea.id}/comments?reply_to={reply_to}", headers=HX)
    # Junk is no id at all: the whole discussion answers, as without the parameter.
    assert r.status_code == (200 if asked == "junk" else 404)


def test_a_reply_box_is_refused_when_the_discussion_is_closed(
    client, employee, make_idea, make_comment, make_user
):
    idea = make_idea()
    top = make_comment(idea, make_user())
    idea.campaign.state = "closed"
    db.session.commit()
    r = client.get(f"/ideas/{idea.id}/comments?reply_to={top.id}", headers=HX)
    assert r.status_code == 403
    html = client.get(f"/ideas/{idea.id}?reply_to={top.id}").get_data(as_text=True)
    assert 'class="reply-form"' not in html and "reply-link" not in html


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_parent_on_another_idea_is_refused_with_a_message(
    client, employee, make_idea, make_comment, make_user, htmx
):
    idea, elsewhere = make_idea(), make_idea()
    foreign = make_comment(elsewhere, make_user())
    r = post(client, idea, "Cross-posted reply", parent=foreign, htmx=htmx)
    assert r.status_code == 422
    assert "The comment you replied to is not on this idea." in r.get_data(as_text=True)
    assert comments_on(idea) == [] and comment_count(idea) == 0
    assert len(comments_on(elsewhere)) == 1


def test_unknown_parent_is_refused_and_nothing_saved(client, employee, make_idea):
    idea = make_idea()
    r = post(client, idea, "Reply to nothing", parent=999999)
    assert r.status_code == 422
    assert comments_on(idea) == []


@pytest.mark.parametrize("state", ["open", "judging"])
def test_comments_allowed_in_open_and_judging_campaigns(
    client, employee, make_idea, make_campaign, state
):
    idea = make_idea(campaign=make_campaign(state=state))
    assert post(client, idea, "Still discussing").status_code == 302
    assert comment_count(idea) == 1


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("withdrawn", "This idea was withdrawn: the discussion is closed."),
        ("closed", "The discussion is closed: this campaign is closed."),
        ("draft", "The discussion is closed: this campaign is draft."),
    ],
)
def test_comment_refused_with_the_reason(
    client, make_user, login, make_idea, make_campaign, case, reason, htmx
):
    login(
        make_user(["coe"])
    )  # CoE members can see draft campaigns, so the reason is what stops them
    if case == "withdrawn":
        idea = make_idea(status="withdrawn")
    else:
        idea = make_idea(campaign=make_campaign(state=case))
    r = post(client, idea, "Too late?", htmx=htmx)
    assert r.status_code == 403 and reason in r.get_data(as_text=True)
    assert comments_on(idea) == [] and comment_count(idea) == 0
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert reason in page and "Post comment" not in page


def test_draft_campaign_ideas_are_not_found_for_employees(
    client, employee, make_idea, make_campaign
):
    idea = make_idea(campaign=make_campaign(state="draft"))
    assert post(client, idea, "Hello?").status_code == 404
    assert comments_on(idea) == []


def test_anonymous_comment_goes_to_sign_in(app, make_idea):
    idea = make_idea()
    r = post(app.test_client(), idea, "Who am I")
    assert r.status_code == 302 and "/login" in r.location
    assert comments_on(idea) == []


def test_comment_count_moves_with_posts_and_soft_deletes(
    client, employee, make_idea, make_user, login
):
    idea = make_idea()
    for body in ("one", "two", "three"):
        post(client, idea, body)
    first, second, _ = sorted(comments_on(idea), key=lambda c: c.id)
    post(client, idea, "reply", parent=first)
    assert comment_count(idea) == 4
    client.post(f"/comments/{second.id}/delete")
    assert comment_count(idea) == 3
    login(make_user(["admin"]))
    client.post(f"/comments/{first.id}/delete")
    assert comment_count(idea) == 2
    assert client.post(f"/comments/{first.id}/delete").status_code == 403  # already removed
    assert comment_count(idea) == 2
    assert len(comments_on(idea)) == 4  # soft: every row is still there


# ---------------------------------------------------------------- editing


def test_author_gets_the_edit_form_as_page_or_fragment(client, employee, make_idea, make_comment):
    comment = make_comment(make_idea(), employee, body="Draft wording")
    page = client.get(f"/comments/{comment.id}/edit")
    fragment = client.get(f"/comments/{comment.id}/edit", headers=HX)
    assert page.status_code == fragment.status_code == 200
    assert "<html" in page.get_data(as_text=True) and is_fragment(fragment)
    for r in (page, fragment):
        assert re.search(r"<textarea[^>]*>\s*Draft wording</textarea>", r.get_data(as_text=True))
        # its own id (the idea page's new-comment box is "body"), its label naming it
        box = f"edit-{comment.id}-body"
        html = r.get_data(as_text=True)
        assert f'<label for="{box}">' in html and f'id="{box}"' in html
        assert 'id="body"' not in html


def test_edit_saves_and_marks_the_comment_edited(client, employee, make_idea, make_comment):
    idea = make_idea()
    comment = make_comment(idea, employee, body="Teh typo")
    r = client.post(f"/comments/{comment.id}/edit", data={"body": "The fix"})
    assert r.status_code == 302
    assert r.location.endswith(f"/ideas/{idea.id}#comment-{comment.id}")
    saved = fresh(comment)
    assert saved.body == "The fix" and saved.edited_at is not None
    html = article(client.get(f"/ideas/{idea.id}").get_data(as_text=True), comment.id)
    assert "The fix" in html and "Teh typo" not in html
    assert '<span class="edited"' in html and ">edited<" in html


def test_htmx_edit_returns_the_edited_comment(client, employee, make_idea, make_comment):
    comment = make_comment(make_idea(), employee, body="Before")
    r = client.post(f"/comments/{comment.id}/edit", data={"body": "After"}, headers=HX)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and is_fragment(r)
    assert html.lstrip().startswith('<article class="comment ') and "After" in html
    assert f'id="comment-{comment.id}"' in html
    assert ">edited<" in html


def test_saving_an_unchanged_comment_does_not_mark_it_edited(
    client, employee, make_idea, make_comment
):
    comment = make_comment(make_idea(), employee, body="Same words")
    client.post(f"/comments/{comment.id}/edit", data={"body": "  Same words  "})
    assert fresh(comment).edited_at is None


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@pytest.mark.parametrize(
    ("body", "error"),
    [("   ", "A comment cannot be empty; delete it instead."), ("z" * 5001, "5000")],
    ids=["empty", "too-long"],
)
def test_bad_edit_is_422_and_the_original_is_kept(
    client, employee, make_idea, make_comment, body, error, htmx
):
    comment = make_comment(make_idea(), employee, body="Original words")
    r = client.post(f"/comments/{comment.id}/edit", data={"body": body}, headers=HX if htmx else {})
    assert r.status_code == 422 and error in r.get_data(as_text=True)
    assert ("<html" in r.get_data(as_text=True)) is not htmx
    saved = fresh(comment)
    assert saved.body == "Original words" and saved.edited_at is None


@pytest.mark.parametrize("roles", [(), ("coe",), ("admin",)], ids=["employee", "coe", "admin"])
def test_only_the_author_may_edit(client, login, make_user, make_idea, make_comment, roles):
    comment = make_comment(make_idea(), make_user(), body="Mine alone")
    login(make_user(list(roles)))
    assert client.get(f"/comments/{comment.id}/edit").status_code == 403
    r = client.post(f"/comments/{comment.id}/edit", data={"body": "Hijacked"})
    assert r.status_code == 403 and "Only its author can edit" in r.get_data(as_text=True)
    saved = fresh(comment)
    assert saved.body == "Mine alone" and saved.edited_at is None


@pytest.mark.parametrize("case", ["closed", "deleted", "withdrawn"])
def test_author_cannot_edit_once_the_discussion_is_closed_or_the_comment_removed(
    client, employee, make_idea, make_campaign, make_comment, case
):
    if case == "closed":
        idea = make_idea(campaign=make_campaign(state="closed"))
    elif case == "withdrawn":
        idea = make_idea(status="withdrawn")  # why_cannot_comment: "the discussion is closed"
    else:
        idea = make_idea()
    comment = make_comment(idea, employee, body="As it was")
    if case == "deleted":
        client.post(f"/comments/{comment.id}/delete")
    r = client.post(f"/comments/{comment.id}/edit", data={"body": "Rewritten later"})
    assert r.status_code == 403
    assert fresh(comment).body == "As it was"


# ---------------------------------------------------------------- deleting


def test_author_removes_softly_and_the_thread_keeps_its_place(
    client, employee, make_idea, make_comment, make_user
):
    idea = make_idea()
    top = make_comment(idea, employee, body="Regrettable remark")
    reply = make_comment(idea, make_user(), body="A reply that stays", parent=top)
    r = client.post(f"/comments/{top.id}/delete")
    assert r.status_code == 302 and r.location.endswith(f"/ideas/{idea.id}#comment-{top.id}")
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Comment removed." in article(html, top.id)
    assert "Regrettable remark" not in html
    assert "A reply that stays" in article(html, reply.id)
    saved = fresh(top)
    assert saved.body == "Regrettable remark"  # kept for audit
    assert saved.deleted_at is not None and saved.deleted_by_id == employee.id
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry)) == 0


def test_htmx_delete_returns_the_removed_marker(client, employee, make_idea, make_comment):
    comment = make_comment(make_idea(), employee, body="Gone soon")
    r = client.post(f"/comments/{comment.id}/delete", headers=HX)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and is_fragment(r)
    assert f'id="comment-{comment.id}"' in html and "Comment removed." in html
    assert "Gone soon" not in html


@pytest.mark.parametrize("role", ["coe", "admin"])
def test_moderator_removal_is_audited(client, login, make_user, make_idea, make_comment, role):
    idea = make_idea()
    comment = make_comment(idea, make_user(), body="Off-topic rant")
    moderator = make_user([role])
    login(moderator)
    assert client.post(f"/comments/{comment.id}/delete").status_code == 302
    assert fresh(comment).deleted_by_id == moderator.id
    [entry] = db.session.scalars(db.select(AuditEntry)).all()
    assert (entry.action, entry.actor_id) == ("comment.removed_by_moderator", moderator.id)
    assert (entry.target_type, entry.target_id) == ("comment", comment.id)
    assert entry.details == {"idea_id": idea.id}


@pytest.mark.parametrize("roles", [(), ("expert",), ("hr",)], ids=["employee", "expert", "hr"])
def test_others_cannot_remove_a_comment(client, login, make_user, make_idea, make_comment, roles):
    idea = make_idea()
    comment = make_comment(idea, make_user(), body="Not yours")
    login(make_user(list(roles)))
    assert client.post(f"/comments/{comment.id}/delete").status_code == 403
    assert client.post(f"/comments/{comment.id}/delete", headers=HX).status_code == 403
    assert fresh(comment).deleted_at is None and comment_count(idea) == 1


def test_delete_by_get_is_405_and_changes_nothing(client, employee, make_idea, make_comment):
    comment = make_comment(make_idea(), employee)
    assert client.get(f"/comments/{comment.id}/delete").status_code == 405
    assert fresh(comment).deleted_at is None


# ---------------------------------------------------------------- hostile Markdown


class _ActiveContent(HTMLParser):
    """Collects what a browser would run: scripts, event handlers, javascript: URLs, frames."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not (values.get("src") or "").startswith("/static/"):
            self.found.append(f"<script {values}>")
        if tag in ("iframe", "img", "object", "embed") and "evil" in str(values) + tag:
            self.found.append(f"<{tag} {values}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}={value}")
            if (value or "").strip().lower().replace("\x00", "").startswith("javascript:"):
                self.found.append(f"{tag} {name}={value}")


def active_content(html: str) -> list[str]:
    parser = _ActiveContent()
    parser.feed(html)
    return parser.found


def test_markdown_in_comments_is_rendered_and_sanitised(client, employee, make_idea):
    idea = make_idea()
    r = post(client, idea, HOSTILE, htmx=True)
    assert r.status_code == 200
    [comment] = comments_on(idea)
    for html in (
        r.get_data(as_text=True),
        client.get(f"/ideas/{idea.id}").get_data(as_text=True),
        client.get(f"/ideas/{idea.id}/comments").get_data(as_text=True),
    ):
        body = article(html, comment.id)
        assert "<strong>bold</strong>" in body and "<em>soft</em>" in body
        assert "<li>one</li>" in body and 'href="https://example.test/x"' in body
        assert active_content(html) == []
        assert "<script>alert" not in html and "<iframe" not in html


def test_edited_markdown_is_sanitised_too(client, employee, make_idea, make_comment):
    idea = make_idea()
    comment = make_comment(idea, employee, body="harmless")
    r = client.post(f"/comments/{comment.id}/edit", data={"body": HOSTILE}, headers=HX)
    assert r.status_code == 200 and active_content(r.get_data(as_text=True)) == []
    assert active_content(client.get(f"/ideas/{idea.id}").get_data(as_text=True)) == []


# ---------------------------------------------------------------- query counts


def _discussion_of(idea, n, people):
    """n top-level comments, every third with two replies; some edited, some removed."""
    made = 0
    while made < n:
        top = Comment(idea_id=idea.id, author_id=people[made % len(people)].id, body=f"c{made}")
        db.session.add(top)
        db.session.flush()
        made += 1
        if made % 3 == 0:
            for k in range(2):
                db.session.add(
                    Comment(
                        idea_id=idea.id,
                        author_id=people[(made + k) % len(people)].id,
                        parent_id=top.id,
                        body=f"**reply** {made}.{k}",
                        edited_at=utcnow() if k else None,
                    )
                )
                made += 1
        if made % 7 == 0:
            top.deleted_at = utcnow()
    idea.comment_count = made
    db.session.commit()


def test_filled_controls_name_their_own_comment(client, login, make_user, make_idea, make_comment):
    """The Edit and Delete controls put into a shared discussion are rendered once per request
    with a stand-in id and each comment's id put in (comments/listing.py): each comment's
    controls act on that comment, and on no other."""
    from ideahub.comments.listing import STAND_IN

    moderator = make_user(["coe"])
    idea = make_idea()
    mine = [make_comment(idea, moderator, body=f"mine {n}") for n in range(2)]
    theirs = [make_comment(idea, make_user(), body=f"theirs {n}") for n in range(3)]
    login(moderator)
    html = client.get(idea.url).get_data(as_text=True)
    assert STAND_IN not in html
    for comment in mine + theirs:
        controls = article(html, comment.id)
        assert f'action="/comments/{comment.id}/delete"' in controls
        assert controls.count(f'hx-target="#comment-{comment.id}"') == (2 if comment in mine else 1)
        assert (f'href="/comments/{comment.id}/edit"' in controls) == (comment in mine)
        others = {c.id for c in mine + theirs} - {comment.id}
        assert not any(f"/comments/{other}/" in controls for other in others)


@pytest.mark.parametrize("roles", [(), ("coe",)], ids=["employee", "moderator"])
def test_idea_page_queries_do_not_grow_with_comments(
    client, login, make_user, make_department, make_idea, count_queries, roles
):
    viewer = make_user(list(roles))
    login(viewer)
    people = [viewer] + [make_user(department=make_department()) for _ in range(12)]
    few, many = make_idea(), make_idea()
    _discussion_of(few, 5, people)
    _discussion_of(many, 200, people)
    client.get(f"/ideas/{make_idea().id}")  # warm up: the signed-in user is loaded once
    counts = {}
    for url in ("/ideas/{}", "/ideas/{}/comments"):
        for idea in (few, many):
            db.session.expire_all()  # each page starts from what the database says
            with count_queries() as q:
                r = client.get(url.format(idea.id))
            assert r.status_code == 200
            assert r.get_data(as_text=True).count('<article class="comment') == (
                5 if idea is few else 200
            )
            counts[url.format(idea.id)] = q.count
    assert counts[f"/ideas/{few.id}"] == counts[f"/ideas/{many.id}"], counts
    assert counts[f"/ideas/{few.id}/comments"] == counts[f"/ideas/{many.id}/comments"], counts


def test_twelve_people_commenting_at_once_lose_nothing(app, login, make_user, make_idea):
    """Posting takes the write lock late (database.begin_late_write): every comment and the
    counts still arrive, replies included, with no "database is locked" on either engine."""
    import threading

    idea = make_idea()
    first = Comment(idea_id=idea.id, author_id=make_user().id, body="Start")
    db.session.add(first)
    db.session.execute(
        db.update(Idea).where(Idea.id == idea.id).values(comment_count=Idea.comment_count + 1)
    )
    db.session.commit()
    idea_id, parent_id = idea.id, first.id
    clients = [login(make_user(), on=app.test_client()) for _ in range(12)]
    db.session.rollback()  # hold no snapshot or lock while they run
    barrier = threading.Barrier(len(clients))
    results: list[object] = [None] * len(clients)

    def post(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            data = {"body": f"Comment {i}", "parent_id": str(parent_id) if i % 2 else ""}
            r = clients[i].post(f"/ideas/{idea_id}/comments", data=data, headers=HX)
            results[i] = (r.status_code, r.get_data(as_text=True))
        except BaseException as exc:  # reported by the test, not lost in a thread
            results[i] = exc

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads)
    assert [r[0] if isinstance(r, tuple) else r for r in results] == [200] * 12
    assert not any("database is locked" in r[1] for r in results)
    db.session.rollback()
    rows = db.session.scalars(db.select(Comment).where(Comment.idea_id == idea_id)).all()
    assert sorted(c.body for c in rows) == sorted(["Start"] + [f"Comment {i}" for i in range(12)])
    assert sum(c.parent_id == parent_id for c in rows) == 6
    assert db.session.get(Idea, idea_id).comment_count == 13
    assert db.session.get(Idea, idea_id).discussion_length == 13  # what the pages count from
