"""The ideation core end to end through HTTP: uploads, votes under concurrency, comments via
htmx and plain forms, refusals with reasons, hostile text, and fixed query counts."""

from __future__ import annotations

import io
import os
import struct
import threading
import zipfile
import zlib

import pytest

from ideahub.extensions import db
from ideahub.models import Attachment, Comment, Idea, IdeaRevision, Vote


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"\x00\xff\x00\x00" * 4
    header = struct.pack(">IIBBBBB", 1, 4, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


@pytest.fixture
def employee(make_user, login):
    user = make_user()
    login(user)
    return user


def submit(client, campaign, files=(), **fields):
    data = {"title": "A perfectly good idea", **fields}
    data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(
        f"/campaigns/{campaign.id}/ideas/new", data=data, content_type="multipart/form-data"
    )


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


# ---------------------------------------------------------------- attachments


def test_submit_with_valid_attachments_stores_them_by_hash(client, employee, make_campaign, app):
    campaign = make_campaign()
    r = submit(
        client,
        campaign,
        files=[("chart.png", png()), ("plan.docx", docx()), ("notes.md", "# 计划\n".encode())],
    )
    assert r.status_code == 302
    stored = db.session.scalars(db.select(Attachment).order_by(Attachment.id)).all()
    assert [a.mime_type for a in stored] == [
        "image/png",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "text/markdown",
    ]
    path = os.path.join(
        app.config["UPLOAD_FOLDER"], stored[0].content_hash[:2], stored[0].content_hash[2:]
    )
    with open(path, "rb") as f:
        assert f.read() == png()
    assert "static" not in os.path.relpath(path, app.root_path).split(os.sep)[:1]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 200, "does not contain what its name says"),
        ("tool.exe", b"MZ\x90\x00", "not allowed"),
        ("drawing.svg", b"<svg onload=alert(1)>", "not allowed"),
        ("page.html", b"<script>", "not allowed"),
        ("data.csv", b"a,b\x00,c", "not a plain UTF-8 text"),
        ("empty.txt", b"", "is empty"),
    ],
)
def test_bad_files_are_refused_and_nothing_saved(
    client, employee, make_campaign, name, content, message
):
    campaign = make_campaign()
    r = submit(client, campaign, files=[("chart.png", png()), (name, content)])
    assert r.status_code == 200
    assert message in r.get_data(as_text=True)
    assert count(Idea) == 0 and count(Attachment) == 0


@pytest.fixture
def small_uploads(app_config):
    app_config["MAX_UPLOAD_BYTES"] = 1024
    app_config["MAX_CONTENT_LENGTH"] = 8 * 1024
    return app_config


def test_file_over_the_limit_and_request_over_the_limit(
    small_uploads, client, employee, make_campaign
):
    campaign = make_campaign()
    r = submit(client, campaign, files=[("big.txt", b"a" * 2000)])
    assert r.status_code == 200 and "larger than the" in r.get_data(as_text=True)
    r = submit(client, campaign, files=[("huge.txt", b"a" * 20_000)])
    assert r.status_code == 413
    assert "Too large" in r.get_data(as_text=True)
    assert count(Idea) == 0


def test_download_is_an_attachment_preview_only_for_images(
    client, employee, make_campaign, login, make_user, app
):
    campaign = make_campaign()
    submit(client, campaign, files=[("chart.png", png()), ("notes.txt", b"hello")])
    image, text = db.session.scalars(db.select(Attachment).order_by(Attachment.id)).all()
    r = client.get(f"/attachments/{text.id}/download")
    assert r.status_code == 200 and r.data == b"hello"
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    r.close()
    assert client.get(f"/attachments/{text.id}/preview").status_code == 404
    r = client.get(f"/attachments/{image.id}/preview")
    assert r.status_code == 200 and r.mimetype == "image/png"
    assert "sandbox" in r.headers["Content-Security-Policy"]
    r.close()
    assert (
        app.test_client().get(f"/attachments/{image.id}/download").status_code == 302
    )  # anonymous


# ---------------------------------------------------------------- votes


def test_vote_htmx_and_plain(client, employee, make_idea):
    idea = make_idea()
    r = client.post(f"/ideas/{idea.id}/vote", data={"value": "1"}, headers={"HX-Request": "true"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in html and 'data-testid="vote-count">1<' in html
    assert "HX-Request" in r.headers["Vary"]
    r = client.post(f"/ideas/{idea.id}/vote", data={"value": "0"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).vote_count == 0


@pytest.mark.parametrize("case", ["own", "withdrawn", "draft", "judging", "closed"])
def test_vote_refusals_say_why(client, employee, make_idea, make_campaign, case):
    if case == "own":
        idea = make_idea(author=employee)
    elif case == "withdrawn":
        idea = make_idea(status="withdrawn")
    else:
        idea = make_idea(campaign=make_campaign(state=case))
    r = client.post(f"/ideas/{idea.id}/vote", data={"value": "1"})
    assert r.status_code in (403, 404)
    assert count(Vote) == 0


def _race(app, login, users, idea_id, values):
    barrier = threading.Barrier(len(users))
    clients = [login(u, on=app.test_client()) for u in users]
    codes = []

    def go(c, v):
        barrier.wait()
        codes.append(c.post(f"/ideas/{idea_id}/vote", data={"value": v}).status_code)

    threads = [
        threading.Thread(target=go, args=(c, v)) for c, v in zip(clients, values, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return codes


def test_many_voters_at_once_lose_no_vote(app, login, make_user, make_idea):
    idea = make_idea()
    voters = [make_user() for _ in range(16)]
    codes = _race(app, login, voters, idea.id, ["1"] * 16)
    assert codes == [302] * 16
    db.session.rollback()
    assert db.session.get(Idea, idea.id).vote_count == 16 == count(Vote)


def test_double_click_counts_once(app, login, make_user, make_idea):
    idea = make_idea()
    voter = make_user()
    codes = _race(app, login, [voter] * 8, idea.id, ["1"] * 8)
    assert codes == [302] * 8
    db.session.rollback()
    assert db.session.get(Idea, idea.id).vote_count == 1 == count(Vote)


def test_add_and_remove_storm_keeps_count_equal_to_rows(app, login, make_user, make_idea):
    idea = make_idea()
    voters = [make_user() for _ in range(6)]
    for round_ in range(3):
        _race(app, login, voters * 2, idea.id, ["1", "0"] * 6 if round_ % 2 else ["0", "1"] * 6)
    db.session.rollback()
    assert db.session.get(Idea, idea.id).vote_count == count(Vote)


# ---------------------------------------------------------------- comments


def test_comment_via_htmx_returns_fragment_and_plain_post_redirects(client, employee, make_idea):
    idea = make_idea()
    r = client.post(
        f"/ideas/{idea.id}/comments", data={"body": "Via **htmx**"}, headers={"HX-Request": "true"}
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in html and "<strong>htmx</strong>" in html
    r = client.post(f"/ideas/{idea.id}/comments", data={"body": "Plain form"})
    assert r.status_code == 302 and "#comment-" in r.location
    r = client.post(
        f"/ideas/{idea.id}/comments", data={"body": "  "}, headers={"HX-Request": "true"}
    )
    assert r.status_code == 422 and "Write something" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).comment_count == 2


def test_reply_to_a_reply_stays_one_level(client, employee, make_idea, make_comment, make_user):
    idea = make_idea()
    top = make_comment(idea, make_user())
    reply = make_comment(idea, make_user(), parent=top)
    client.post(f"/ideas/{idea.id}/comments", data={"body": "Nested?", "parent_id": reply.id})
    newest = db.session.scalar(db.select(Comment).order_by(Comment.id.desc()))
    assert newest.parent_id == top.id


def test_soft_delete_keeps_the_place_and_the_text(client, employee, make_idea, make_comment):
    idea = make_idea()
    mine = make_comment(idea, employee, body="Regrettable remark")
    client.post(f"/comments/{mine.id}/delete")
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Comment removed." in html and "Regrettable remark" not in html
    assert db.session.get(Comment, mine.id).body == "Regrettable remark"


def test_comment_refused_on_closed_campaign_and_withdrawn_idea(
    client, employee, make_idea, make_campaign
):
    for idea in (make_idea(campaign=make_campaign(state="closed")), make_idea(status="withdrawn")):
        assert client.post(f"/ideas/{idea.id}/comments", data={"body": "Hi"}).status_code == 403
    assert count(Comment) == 0


# ---------------------------------------------------------------- editing and hostile text


def test_edit_keeps_history_and_other_users_get_403(
    client, employee, make_idea, login, make_user, app
):
    idea = make_idea(author=employee, title="First title here")
    r = client.post(f"/ideas/{idea.id}/edit", data={"title": "Second title here"})
    assert r.status_code == 302
    rev = db.session.scalar(db.select(IdeaRevision))
    assert rev.title == "First title here"
    other = login(make_user(), on=app.test_client())
    assert other.get(f"/ideas/{idea.id}/edit").status_code == 403
    assert other.post(f"/ideas/{idea.id}/edit", data={"title": "Hijacked title"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).title == "Second title here"


@pytest.mark.parametrize("title", ["", "abc", "x" * 151])
def test_title_length_rules(client, employee, make_campaign, title):
    r = submit(client, make_campaign(), title=title)
    assert r.status_code == 200 and 'aria-invalid="true"' in r.get_data(as_text=True)
    assert count(Idea) == 0


def test_script_in_every_idea_field_is_never_executed(client, employee, make_campaign):
    campaign = make_campaign()
    payload = "<script>alert(1)</script><img src=x onerror=alert(1)>[x](javascript:alert(1))"
    r = submit(client, campaign, title="T " + payload[:100], summary=payload, description=payload)
    assert r.status_code == 302
    for url in (r.location, campaign.url, "/"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x onerror" not in html
        assert 'href="javascript:' not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text


def test_unknown_ids_are_404(client, employee):
    for url in (
        "/ideas/999999",
        "/campaigns/999999",
        "/comments/999999/edit",
        "/attachments/999999/download",
    ):
        assert client.get(url).status_code == 404


# ---------------------------------------------------------------- fixed query counts


def _bulk_ideas(campaign, authors, n):
    db.session.add_all(
        Idea(
            campaign_id=campaign.id,
            author_id=authors[i % len(authors)].id,
            department_id=authors[i % len(authors)].department_id,
            title=f"Bulk idea {i:04d}",
            vote_count=i % 13,
            comment_count=i % 7,
        )
        for i in range(n)
    )
    campaign.idea_count += n
    db.session.commit()


def test_campaign_page_queries_do_not_grow_with_ideas(
    client, employee, make_campaign, make_user, make_department, count_queries, make_idea
):
    authors = [make_user(department=make_department()) for _ in range(4)]
    small, big = make_campaign(), make_campaign()
    _bulk_ideas(small, authors, 10)
    _bulk_ideas(big, authors, 500)
    make_idea(campaign=small, tags=("energy",))
    make_idea(campaign=big, tags=("energy",))
    client.get(make_campaign().url)  # warm up: the signed-in user is loaded once per session
    counts = []
    for campaign in (small, big):
        db.session.expire_all()  # each page starts from what the database says
        for args in ("sort=top", "sort=newest&status=submitted", "sort=discussed&tag=energy"):
            with count_queries() as q:
                assert client.get(f"/campaigns/{campaign.id}?{args}").status_code == 200
            counts.append(q.count)
    assert counts[:3] == counts[3:], counts


def test_idea_page_reads_its_attachments_only_when_it_has_some(
    client, employee, make_idea, count_queries
):
    bare, attached = make_idea(), make_idea()
    db.session.add(
        Attachment(
            idea_id=attached.id,
            uploaded_by_id=attached.author_id,
            filename="plan.pdf",
            content_hash="0" * 64,
            mime_type="application/pdf",
            size=1234,
        )
    )
    db.session.commit()
    client.get(f"/ideas/{make_idea().id}")  # warm up: the signed-in user is loaded once
    counts, pages = [], []
    for idea in (bare, attached):
        db.session.expire_all()
        with count_queries() as q:
            r = client.get(f"/ideas/{idea.id}")
        assert r.status_code == 200
        counts.append(q.count)
        pages.append(r.get_data(as_text=True))
    assert counts[1] == counts[0] + 1, counts
    assert "plan.pdf" in pages[1] and "plan.pdf" not in pages[0]


def test_idea_page_queries_do_not_grow_with_comments(
    client, employee, make_idea, make_user, count_queries
):
    people = [make_user() for _ in range(5)]
    few, many = make_idea(), make_idea()
    for idea, n in ((few, 3), (many, 200)):
        db.session.add_all(
            Comment(idea_id=idea.id, author_id=people[i % 5].id, body=f"c{i}") for i in range(n)
        )
    db.session.commit()
    client.get(f"/ideas/{make_idea().id}")  # warm up: the signed-in user is loaded once
    counts = []
    for idea in (few, many):
        db.session.expire_all()
        with count_queries() as q:
            assert client.get(f"/ideas/{idea.id}").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1], counts


def test_home_lists_the_open_campaigns_closing_soonest(
    client, employee, make_campaign, count_queries
):
    from datetime import date, timedelta

    start = date(2030, 1, 1)
    for i in range(3):
        make_campaign(title=f"Few {i}", closes_on=start + timedelta(days=i))
    with count_queries() as few:
        page = client.get("/").get_data(as_text=True)
    assert "Few 2" in page and "All open campaigns" not in page

    for i in range(30):
        make_campaign(title=f"Later {i:02d}", closes_on=start + timedelta(days=100 + i))
    make_campaign(title="Draft soonest", state="draft", closes_on=start - timedelta(days=1))
    with count_queries() as many:
        page = client.get("/").get_data(as_text=True)
    shown = [f"Later {i:02d}" for i in range(30) if f"Later {i:02d}<" in page]
    assert "Few 0" in page and shown == [f"Later {i:02d}" for i in range(9)]  # 3 + 9 = 12
    assert "Draft soonest" not in page
    assert 'href="/campaigns/">All open campaigns' in page
    assert many.count == few.count


def test_campaigns_are_listed_by_state_in_pages(client, employee, make_campaign, login, make_user):
    """One state at a time with each state's count; all 200 of the bench's on one page made
    a list ~40,000 px tall."""
    for i in range(23):
        make_campaign(title=f"Open {i:02d}")
    make_campaign(state="closed", title="Old one")
    make_campaign(state="draft", title="Secret plan")
    first = client.get("/campaigns/").get_data(as_text=True)
    assert "Open 22" in first and "Open 03" in first and "Open 02" not in first  # newest first
    assert "Page 1 of 2" in first and "Old one" not in first
    assert "(23)</span>" in first and "(1)</span>" in first  # open and closed counted
    assert "Draft" not in first and "Secret plan" not in first  # not for an employee
    second = client.get("/campaigns/?page=2").get_data(as_text=True)
    assert "Open 02" in second and "Open 00" in second and "Page 2 of 2" in second
    closed = client.get("/campaigns/?state=closed&page=7").get_data(as_text=True)
    assert "Old one" in closed and "Open 22" not in closed and "Page " not in closed
    assert client.get("/campaigns/?state=draft").get_data(as_text=True).count("Secret plan") == 0
    judging = client.get("/campaigns/?state=judging").get_data(as_text=True)
    assert "No campaign is in this state." in judging

    login(make_user(["coe"]))
    assert "Secret plan" in client.get("/campaigns/?state=draft").get_data(as_text=True)
