"""Ideas through HTTP: submitting, editing with history, withdrawing, status changes, the idea
page, who may do what, and hostile text that must stay text."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest

from ideahub.clock import today
from ideahub.extensions import db
from ideahub.ideas.services import IdeaError, parse_tags
from ideahub.models import AuditEntry, Idea, IdeaRevision, IdeaStatusChange, Tag, Vote

ROLES = {
    "employee": (),
    "expert": ("expert",),
    "coe": ("coe",),
    "hr": ("hr",),
    "admin": ("admin",),
}
MANAGERS = ("coe", "admin")


@pytest.fixture
def employee(make_user, login):
    """A signed-in employee on `client`."""
    user = make_user()
    login(user)
    return user


def submit(client, campaign, **fields):
    data = {
        "title": "Solar panels on the roof",
        "summary": "Cut the power bill.",
        "description": "We have a **flat** roof.",
        "tags": "",
        **fields,
    }
    return client.post(f"/campaigns/{campaign.id}/ideas/new", data=data)


def edit(client, idea, **fields):
    data = {"title": idea.title, "summary": idea.summary, "description": idea.description}
    data["tags"] = ", ".join(t.name for t in idea.tags)
    data.update(fields)
    return client.post(f"/ideas/{idea.id}/edit", data=data)


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def history(idea) -> list[IdeaStatusChange]:
    return list(
        db.session.scalars(
            db.select(IdeaStatusChange)
            .where(IdeaStatusChange.idea_id == idea.id)
            .order_by(IdeaStatusChange.id)
        )
    )


def fresh(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def text_of(response) -> str:
    return response.get_data(as_text=True)


# ---------------------------------------------------------------- submitting


def test_new_idea_form_is_shown_for_an_open_campaign(client, employee, make_campaign):
    r = client.get(f"/campaigns/{make_campaign().id}/ideas/new")
    assert r.status_code == 200
    body = text_of(r)
    assert "Submit an idea" in body
    for name in ("title", "summary", "description", "tags", "files"):
        assert f'name="{name}"' in body
    assert 'enctype="multipart/form-data"' in body


def test_submit_redirects_to_the_new_idea_page(
    client, make_user, login, make_department, make_campaign
):
    author = make_user(department=make_department("Logistics"))
    login(author)
    r = submit(
        client,
        make_campaign(),
        title="  Solar panels on the roof  ",
        summary="  Cut the power bill.  ",
        description="We have a **flat** roof.",
        tags="Energy, roof",
    )
    idea = db.session.scalar(db.select(Idea))
    assert r.status_code == 302 and r.location == f"/ideas/{idea.id}"
    assert (idea.title, idea.summary, idea.description) == (
        "Solar panels on the roof",
        "Cut the power bill.",
        "We have a **flat** roof.",
    )
    assert [t.name for t in idea.tags] == ["energy", "roof"]
    assert (idea.author_id, idea.department_id, idea.status) == (
        author.id,
        author.department_id,
        "submitted",
    )
    page = text_of(client.get(r.location))
    assert "Your idea is published." in page
    assert "<strong>flat</strong>" in page


def test_submit_records_a_submitted_status_history_row(client, employee, make_campaign):
    submit(client, make_campaign())
    idea = db.session.scalar(db.select(Idea))
    [row] = history(idea)
    assert (row.from_status, row.to_status, row.changed_by_id) == (None, "submitted", employee.id)


def test_submit_increments_the_campaigns_idea_count(client, employee, make_campaign):
    campaign = make_campaign()
    submit(client, campaign, title="The first idea here")
    submit(client, campaign, title="The second idea here")
    assert fresh(campaign).idea_count == 2


def test_submit_writes_an_audit_entry(client, employee, make_campaign):
    campaign = make_campaign()
    submit(client, campaign)
    idea = db.session.scalar(db.select(Idea))
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "idea.submitted"))
    assert (entry.actor_id, entry.target_type, entry.target_id) == (employee.id, "idea", idea.id)
    assert entry.details["campaign_id"] == campaign.id


@pytest.mark.parametrize("title", ["Five!", "长标题测试吧", "x" * 150, "节" * 150])
def test_title_of_5_to_150_characters_is_accepted(client, employee, make_campaign, title):
    assert submit(client, make_campaign(), title=title).status_code == 302
    assert db.session.scalar(db.select(Idea.title)) == title


def test_summary_of_300_characters_and_empty_summary_are_accepted(client, employee, make_campaign):
    campaign = make_campaign()
    assert submit(client, campaign, title="Long summary idea", summary="s" * 300).status_code == 302
    assert submit(client, campaign, title="No summary idea", summary="").status_code == 302
    assert count(Idea) == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"title": "     "}, "This field is required."),
        ({"title": "Four"}, "Field must be between 5 and 150 characters long."),
        ({"title": "x" * 151}, "Field must be between 5 and 150 characters long."),
        ({"title": "Bell\x07 rings here"}, "Remove the invisible control characters"),
        ({"summary": "s" * 301}, "Field cannot be longer than 300 characters."),
        ({"description": "d" * 20001}, "Field cannot be longer than 20000 characters."),
        ({"tags": "fine, not/fine"}, "Tag not/fine: use letters, digits and dashes, up to 30."),
        ({"tags": "x" * 31}, "use letters, digits and dashes, up to 30."),
        ({"tags": "a b c d e f g h i"}, "Use at most 8 tags."),
        ({"coauthors": "nobody@example.test"}, "No active colleague has the email"),
    ],
    ids=lambda v: str(v)[:30] if isinstance(v, dict) else None,
)
def test_invalid_fields_show_the_error_and_save_nothing(
    client, employee, make_campaign, fields, message
):
    campaign = make_campaign()
    r = submit(client, campaign, **fields)
    assert r.status_code == 200
    assert message in text_of(r)
    assert count(Idea) == 0 and count(IdeaStatusChange) == 0 and count(Tag) == 0
    assert fresh(campaign).idea_count == 0


def test_wrong_co_authors_are_each_named_at_their_field(client, employee, make_campaign):
    r = submit(client, make_campaign(), coauthors="nobody@nowhere.example, not-an-email")
    body = text_of(r)
    errors = re.findall(r'<p class="error" id="coauthors-error-\d">([^<]*)</p>', body)
    assert errors == [
        "No active colleague has the email “nobody@nowhere.example”.",
        "“not-an-email” is not an email address.",
    ]
    assert 'value="nobody@nowhere.example, not-an-email"' in body  # kept to be corrected
    assert "Please fix the highlighted fields below." in body
    assert "choose your files again" not in body  # none were chosen
    assert count(Idea) == 0


def test_a_refused_form_asks_for_the_files_again_only_when_some_were_chosen(
    client, employee, make_campaign
):
    campaign = make_campaign()
    data = {"title": "Solar panels on the roof", "tags": "not/fine"}
    data["files"] = [(io.BytesIO(b"notes"), "notes.txt")]
    r = client.post(f"/campaigns/{campaign.id}/ideas/new", data=data)
    body = text_of(r)
    assert 'id="tags-error-1"' in body and "choose your files again" in body
    assert count(Idea) == 0


def test_form_keeps_what_was_typed_after_an_error(client, employee, make_campaign):
    r = submit(client, make_campaign(), title="Four", summary="My careful summary")
    body = text_of(r)
    assert 'value="Four"' in body and "My careful summary" in body
    assert 'aria-invalid="true"' in body


def test_description_with_a_nul_byte_is_refused_or_cleaned_never_a_server_error(
    client, employee, make_campaign
):
    r = submit(client, make_campaign(), description="before\x00after")
    assert r.status_code in (200, 302)
    if r.status_code == 302:
        assert "\x00" not in db.session.scalar(db.select(Idea.description))
    else:
        assert count(Idea) == 0


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("Green, energy  saving", ["green", "energy", "saving"]),
        ("#AI, ai, Ai", ["ai"]),
        ("节能，环保；低碳", ["节能", "环保", "低碳"]),
        ("c++, .net, front-end, c#", ["c++", ".net", "front-end", "c#"]),
        (" , ;; ", []),
        ("", []),
        ("a b c d e f g h", ["a", "b", "c", "d", "e", "f", "g", "h"]),
    ],
)
def test_parse_tags(app, text, tags):
    assert parse_tags(text) == tags


@pytest.mark.parametrize("text", ["a/b", "<script>", "x" * 31, "a b c d e f g h i", "tag%20"])
def test_parse_tags_refuses(app, text):
    with pytest.raises(IdeaError):
        parse_tags(text)


def test_ideas_share_tags_by_name(client, employee, make_campaign):
    campaign = make_campaign()
    submit(client, campaign, title="The first idea here", tags="Energy")
    submit(client, campaign, title="The second idea here", tags="energy, roof")
    assert sorted(db.session.scalars(db.select(Tag.name))) == ["energy", "roof"]


def test_coauthors_are_named_by_email(client, employee, make_user, make_campaign):
    colleague = make_user(email="li.na@example.test")
    submit(client, make_campaign(), coauthors="LI.NA@example.test")
    assert [u.id for u in db.session.scalar(db.select(Idea)).coauthors] == [colleague.id]


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        ("judging", "This campaign is being judged: submissions and votes are closed."),
        ("closed", "This campaign is closed."),
    ],
)
def test_submitting_to_a_campaign_that_is_not_open_is_403_with_the_reason(
    client, employee, make_campaign, state, reason
):
    campaign = make_campaign(state=state)
    for r in (client.get(f"/campaigns/{campaign.id}/ideas/new"), submit(client, campaign)):
        assert r.status_code == 403
        assert reason in text_of(r)
    assert count(Idea) == 0


def test_submitting_to_a_draft_campaign_is_403_for_its_managers(
    client, make_user, login, make_campaign
):
    login(make_user(["coe"]))
    r = submit(client, make_campaign(state="draft"))
    assert r.status_code == 403
    assert "This campaign is still a draft and does not take ideas yet." in text_of(r)
    assert count(Idea) == 0


def test_a_draft_campaign_does_not_exist_for_employees(client, employee, make_campaign):
    campaign = make_campaign(state="draft")
    assert client.get(f"/campaigns/{campaign.id}/ideas/new").status_code == 404
    assert submit(client, campaign).status_code == 404
    assert count(Idea) == 0


@pytest.mark.parametrize(
    ("field", "days", "reason"),
    [("closes_on", -1, "This campaign closed on"), ("opens_on", 1, "This campaign opens on")],
)
def test_open_campaign_outside_its_dates_refuses_ideas(
    client, employee, make_campaign, field, days, reason
):
    r = submit(client, make_campaign(**{field: today() + timedelta(days=days)}))
    assert r.status_code == 403 and reason in text_of(r)
    assert count(Idea) == 0


def test_campaign_closing_today_still_takes_ideas(client, employee, make_campaign):
    """Today is the company's (Asia/Shanghai here), whatever the server's zone."""
    assert submit(client, make_campaign(closes_on=today())).status_code == 302


def test_submitting_to_an_unknown_campaign_is_404(client, employee):
    assert client.get("/campaigns/999999/ideas/new").status_code == 404
    assert (
        client.post("/campaigns/999999/ideas/new", data={"title": "Hello world"}).status_code == 404
    )


# ---------------------------------------------------------------- editing and its history


def test_author_edits_and_the_previous_version_is_kept(client, employee, make_idea):
    idea = make_idea(
        author=employee,
        title="Old title here",
        summary="Old sum",
        description="Old *d*",
        tags=("old",),
    )
    r = edit(client, idea, title="New title here", summary="New sum", description="New", tags="new")
    assert r.status_code == 302 and r.location == f"/ideas/{idea.id}"
    idea = fresh(idea)
    assert (idea.title, idea.summary, idea.description) == ("New title here", "New sum", "New")
    assert [t.name for t in idea.tags] == ["new"]
    [rev] = db.session.scalars(db.select(IdeaRevision)).all()
    assert (rev.idea_id, rev.edited_by_id) == (idea.id, employee.id)
    assert (rev.title, rev.summary, rev.description, rev.tags) == (
        "Old title here",
        "Old sum",
        "Old *d*",
        "old",
    )
    assert (
        db.session.scalar(db.select(AuditEntry.action).where(AuditEntry.target_id == idea.id))
        == "idea.edited"
    )


def test_history_page_shows_the_earlier_version(client, employee, make_idea):
    idea = make_idea(author=employee, title="Old title here", description="Old **bold**")
    edit(client, idea, title="New title here")
    body = text_of(client.get(f"/ideas/{idea.id}/history"))
    assert "Old title here" in body and "<strong>bold</strong>" in body
    assert f"edited by {employee.name}" in body
    page = text_of(client.get(f"/ideas/{idea.id}"))
    assert "edited once" in page and f'href="/ideas/{idea.id}/history"' in page


def test_history_page_of_an_unedited_idea_says_so(client, employee, make_idea):
    body = text_of(client.get(f"/ideas/{make_idea().id}/history"))
    assert "This idea has not been edited." in body


def test_edit_form_is_prefilled(client, employee, make_idea):
    idea = make_idea(author=employee, title="Current title", tags=("roof", "energy"))
    body = text_of(client.get(f"/ideas/{idea.id}/edit"))
    assert 'value="Current title"' in body and 'value="energy, roof"' in body


def test_saving_an_unchanged_idea_keeps_no_revision(client, employee, make_idea):
    idea = make_idea(author=employee, tags=("roof",))
    assert edit(client, idea).status_code == 302
    assert count(IdeaRevision) == 0


def test_invalid_edit_shows_the_error_and_changes_nothing(client, employee, make_idea):
    idea = make_idea(author=employee, title="Current title")
    r = edit(client, idea, title="Bad")
    assert r.status_code == 200 and "Field must be between 5 and 150 characters long." in text_of(r)
    assert fresh(idea).title == "Current title" and count(IdeaRevision) == 0


def test_edit_that_leaves_out_the_tag_field_is_not_a_server_error(client, employee, make_idea):
    idea = make_idea(author=employee, tags=("roof",))
    r = client.post(f"/ideas/{idea.id}/edit", data={"title": "A new title here"})
    assert r.status_code == 302
    assert fresh(idea).title == "A new title here"


@pytest.mark.parametrize("role", ROLES)
def test_only_the_author_may_edit(client, make_user, login, make_idea, role):
    idea = make_idea(title="Original title")
    login(make_user(ROLES[role]))
    assert client.get(f"/ideas/{idea.id}/edit").status_code == 403
    r = edit(client, idea, title="Hijacked title")
    assert r.status_code == 403 and "Only the author can edit this idea." in text_of(r)
    assert fresh(idea).title == "Original title" and count(IdeaRevision) == 0


@pytest.mark.parametrize(
    ("state", "reason"),
    [("judging", "This campaign is being judged"), ("closed", "This campaign is closed.")],
)
def test_edit_only_while_the_campaign_is_open(
    client, employee, make_idea, make_campaign, state, reason
):
    idea = make_idea(campaign=make_campaign(state=state), author=employee, title="Original title")
    r = client.get(f"/ideas/{idea.id}/edit")
    assert r.status_code == 403 and reason in text_of(r)
    assert edit(client, idea, title="Changed title").status_code == 403
    assert fresh(idea).title == "Original title"


# ---------------------------------------------------------------- withdrawing


def test_author_withdraws_with_a_note(client, employee, make_idea):
    idea = make_idea(author=employee)
    r = client.post(f"/ideas/{idea.id}/withdraw", data={"note": "Merged into another idea."})
    assert r.status_code == 302 and r.location == f"/ideas/{idea.id}"
    assert fresh(idea).status == "withdrawn"
    last = history(idea)[-1]
    assert (last.from_status, last.to_status, last.changed_by_id, last.note) == (
        "submitted",
        "withdrawn",
        employee.id,
        "Merged into another idea.",
    )
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "idea.status_changed")
    )
    assert entry.details["after"] == "withdrawn"
    page = text_of(client.get(f"/ideas/{idea.id}"))
    assert "Your idea is withdrawn." in page and "Merged into another idea." in page


def test_withdraw_only_by_post(client, employee, make_idea):
    idea = make_idea(author=employee)
    assert client.get(f"/ideas/{idea.id}/withdraw").status_code == 405
    assert fresh(idea).status == "submitted"


@pytest.mark.parametrize("role", ROLES)
def test_only_the_author_may_withdraw(client, make_user, login, make_idea, role):
    idea = make_idea()
    login(make_user(ROLES[role]))
    assert client.post(f"/ideas/{idea.id}/withdraw", data={"note": ""}).status_code == 403
    assert fresh(idea).status == "submitted" and len(history(idea)) == 1


def test_withdrawn_idea_can_no_longer_be_edited(client, employee, make_idea):
    idea = make_idea(author=employee, title="Original title")
    client.post(f"/ideas/{idea.id}/withdraw", data={"note": ""})
    r = client.get(f"/ideas/{idea.id}/edit")
    assert r.status_code == 403 and "This idea was withdrawn." in text_of(r)
    assert edit(client, idea, title="Changed title").status_code == 403
    assert fresh(idea).title == "Original title"


def test_withdrawing_twice_or_after_a_decision_is_refused(client, employee, make_idea):
    withdrawn = make_idea(author=employee, status="withdrawn")
    selected = make_idea(author=employee, status="selected")
    for idea in (withdrawn, selected):
        assert client.post(f"/ideas/{idea.id}/withdraw", data={"note": ""}).status_code == 403
        assert len(history(idea)) == 1


def test_withdraw_note_over_500_characters_is_refused(client, employee, make_idea):
    idea = make_idea(author=employee)
    r = client.post(f"/ideas/{idea.id}/withdraw", data={"note": "n" * 501}, follow_redirects=True)
    assert "The note is too long (500 characters at most)." in text_of(r)
    assert fresh(idea).status == "submitted"


# ---------------------------------------------------------------- status changes


@pytest.mark.parametrize("role", MANAGERS)
def test_coe_and_admin_change_the_status_with_a_note(client, make_user, login, make_idea, role):
    idea = make_idea()
    manager = make_user(ROLES[role], name="Wang Fang")
    login(manager)
    r = client.post(
        f"/ideas/{idea.id}/status", data={"status": "under_review", "note": "Panel next week."}
    )
    assert r.status_code == 302 and r.location == f"/ideas/{idea.id}"  # where the message is
    assert fresh(idea).status == "under_review"
    last = history(idea)[-1]
    assert (last.from_status, last.to_status, last.changed_by_id, last.note) == (
        "submitted",
        "under_review",
        manager.id,
        "Panel next week.",
    )
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "idea.status_changed")
    )
    assert (entry.actor_id, entry.details["before"], entry.details["after"]) == (
        manager.id,
        "submitted",
        "under_review",
    )
    section = text_of(client.get(f"/ideas/{idea.id}")).split('id="history"', 1)[1]
    assert "Under review" in section and "Wang Fang" in section and "Panel next week." in section


def test_a_status_change_tells_the_author_and_voters_in_their_language(
    client, make_user, login, make_idea
):
    from ideahub.ideas.services import set_vote
    from ideahub.models import Notice

    author = make_user(name="Ann Author")
    idea = make_idea(author=author, title="Solar roof")
    voter = make_user(name="Vic Voter")
    voter.locale = "zh_Hans"
    set_vote(voter, idea, True)
    manager = make_user(ROLES["coe"])
    login(manager)
    client.post(f"/ideas/{idea.id}/status", data={"status": "under_review", "note": ""})
    told = dict(db.session.execute(db.select(Notice.user_id, Notice.message)).all())
    assert told == {
        author.id: "“Solar roof” is now Under review.",
        voter.id: "“Solar roof”现在的状态是：审核中。",
    }
    link = db.session.scalar(db.select(Notice.link).limit(1))
    assert link == f"/ideas/{idea.id}"


def test_a_status_change_tells_voters_without_reading_them(
    client, make_user, login, make_idea, count_queries
):
    """However many voted (a top idea: the whole company), their notices are written by the
    database in one INSERT ... SELECT; their ids never come to the application."""
    from ideahub.ideas.services import set_vote
    from ideahub.models import Notice

    manager = make_user(ROLES["coe"])
    login(manager)

    def change(voters: int, status: str) -> list[str]:
        idea = make_idea(title=f"Idea with {voters} voters")
        for n in range(voters):
            set_vote(make_user(name=f"Voter {voters}-{n}"), idea, True)
        set_vote(manager, idea, True)  # who changes it is not told
        with count_queries() as q:
            r = client.post(f"/ideas/{idea.id}/status", data={"status": status, "note": ""})
        assert r.status_code == 302
        told = db.session.scalar(
            db.select(db.func.count()).select_from(Notice).where(Notice.link == f"/ideas/{idea.id}")
        )
        assert told == voters + 1  # and its author
        return q.statements

    few, many = change(1, "under_review"), change(12, "shortlisted")
    assert len(few) == len(many)
    reads = [s for s in many if "votes" in s and not s.lstrip().upper().startswith("INSERT")]
    assert reads == []


@pytest.mark.parametrize("role", ["employee", "expert", "hr"])
def test_other_roles_cannot_change_the_status(client, make_user, login, make_idea, role):
    idea = make_idea()
    login(make_user(ROLES[role]))
    r = client.post(f"/ideas/{idea.id}/status", data={"status": "selected", "note": ""})
    assert r.status_code == 403
    assert fresh(idea).status == "submitted" and len(history(idea)) == 1


def test_the_author_cannot_change_their_own_status(client, employee, make_idea):
    idea = make_idea(author=employee)
    assert client.post(f"/ideas/{idea.id}/status", data={"status": "selected"}).status_code == 403


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "approved"}, "Choose a valid status"),
        ({"status": ""}, "Choose a valid status"),
        ({"status": "submitted"}, "The idea already has this status."),
        ({"status": "shortlisted", "note": "n" * 501}, "the note may have up to 500 characters"),
    ],
)
def test_invalid_status_change_is_refused(client, make_user, login, make_idea, data, message):
    idea = make_idea()
    login(make_user(["coe"]))
    r = client.post(f"/ideas/{idea.id}/status", data=data, follow_redirects=True)
    assert message in text_of(r)
    assert fresh(idea).status == "submitted" and len(history(idea)) == 1


def test_status_change_only_by_post(client, make_user, login, make_idea):
    idea = make_idea()
    login(make_user(["admin"]))
    assert client.get(f"/ideas/{idea.id}/status").status_code == 405


# ---------------------------------------------------------------- the idea page


def test_idea_page_shows_content_history_and_vote_widget(
    client, make_user, login, make_idea, make_campaign
):
    author = make_user(name="Zhang Wei")
    idea = make_idea(
        campaign=make_campaign(title="Green office"),
        author=author,
        title="Reuse rainwater",
        summary="Water the plants.",
        description="- tanks\n- pipes",
        tags=("water",),
        vote_count=3,
    )
    login(make_user())
    r = client.get(f"/ideas/{idea.id}")
    assert r.status_code == 200
    body = text_of(r)
    assert "<h1>Reuse rainwater</h1>" in body and "Water the plants." in body
    assert "<li>tanks</li>" in body and "Zhang Wei" in body and "Green office" in body
    assert f'href="/campaigns/{idea.campaign_id}?tag=water">#water</a>' in body
    assert 'id="attachments"' in body and "No files attached." in body
    assert 'id="history"' in body and "Submitted" in body
    assert 'data-testid="vote-count">3</strong>' in body
    assert f'action="/ideas/{idea.id}/vote"' in body and "Vote for this idea" in body


def test_author_sees_why_they_cannot_vote(client, employee, make_idea):
    body = text_of(client.get(f"/ideas/{make_idea(author=employee).id}"))
    assert "You cannot vote for your own idea." in body
    assert "Vote for this idea" not in body


def test_vote_plain_post_redirects_and_htmx_gets_the_widget(client, employee, make_idea):
    idea = make_idea()
    r = client.post(f"/ideas/{idea.id}/vote", data={"value": "1"})
    assert r.status_code == 302 and r.location == f"/ideas/{idea.id}#vote"
    r = client.post(f"/ideas/{idea.id}/vote", data={"value": "0"}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and "HX-Request" in r.headers["Vary"]
    body = text_of(r)
    assert body.startswith(f'<div class="vote" id="vote-{idea.id}">') and "<html" not in body
    assert 'data-testid="vote-count">0</strong>' in body
    assert count(Vote) == 0


@pytest.mark.parametrize(
    "url",
    ["/ideas/999999", "/ideas/999999/edit", "/ideas/999999/history"],
)
def test_unknown_idea_is_404(client, employee, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("action", ["withdraw", "status", "vote", "attachments"])
def test_posting_to_an_unknown_idea_is_404(client, make_user, login, action):
    login(make_user(["admin"]))
    assert client.post(f"/ideas/999999/{action}", data={"status": "selected"}).status_code == 404


def test_ideas_in_a_draft_campaign_are_404_for_employees(
    client, employee, make_idea, make_campaign
):
    idea = make_idea(campaign=make_campaign(state="draft"), author=employee)
    for url in (f"/ideas/{idea.id}", f"/ideas/{idea.id}/history", f"/ideas/{idea.id}/edit"):
        assert client.get(url).status_code == 404
    assert client.post(f"/ideas/{idea.id}/withdraw", data={}).status_code == 404
    assert fresh(idea).status == "submitted"


@pytest.mark.parametrize("role", MANAGERS)
def test_ideas_in_a_draft_campaign_are_visible_to_managers(
    client, make_user, login, make_idea, make_campaign, role
):
    idea = make_idea(campaign=make_campaign(state="draft"))
    login(make_user(ROLES[role]))
    assert client.get(f"/ideas/{idea.id}").status_code == 200


def test_withdrawn_idea_page_shows_it_and_offers_no_actions(client, employee, make_idea):
    idea = make_idea(author=employee, status="withdrawn")
    body = text_of(client.get(f"/ideas/{idea.id}"))
    assert "is-withdrawn" in body and "Withdrawn" in body
    assert f'href="/ideas/{idea.id}/edit"' not in body
    assert f'action="/ideas/{idea.id}/withdraw"' not in body
    assert f'action="/ideas/{idea.id}/attachments"' not in body


# ---------------------------------------------------------------- who may do what


@pytest.mark.parametrize("role", ROLES)
def test_every_signed_in_role_may_open_the_new_idea_form(
    client, make_user, login, make_campaign, role
):
    campaign = make_campaign()
    login(make_user(ROLES[role]))
    assert client.get(f"/campaigns/{campaign.id}/ideas/new").status_code == 200
    assert f'href="/campaigns/{campaign.id}/ideas/new"' in text_of(
        client.get(f"/campaigns/{campaign.id}")
    )


def test_campaign_page_shows_the_reason_instead_of_the_submit_button(
    client, employee, make_campaign
):
    campaign = make_campaign(state="closed")
    body = text_of(client.get(f"/campaigns/{campaign.id}"))
    assert "This campaign is closed." in body
    assert f'href="/campaigns/{campaign.id}/ideas/new"' not in body


@pytest.mark.parametrize("who", ["anonymous", "deactivated"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/campaigns/{c}/ideas/new"),
        ("post", "/campaigns/{c}/ideas/new"),
        ("get", "/ideas/{i}"),
        ("get", "/ideas/{i}/edit"),
        ("post", "/ideas/{i}/edit"),
        ("get", "/ideas/{i}/history"),
        ("post", "/ideas/{i}/withdraw"),
        ("post", "/ideas/{i}/status"),
    ],
)
def test_signed_out_and_deactivated_users_are_sent_to_sign_in(
    app, make_user, login, make_idea, who, method, path
):
    author = make_user(is_active=who != "deactivated")
    idea = make_idea(author=author)
    client = app.test_client()
    if who == "deactivated":
        login(author, on=client)  # even the idea's own author, once deactivated
    url = path.format(c=idea.campaign_id, i=idea.id)
    r = getattr(client, method)(url, data={"title": "Changed title", "status": "selected"})
    assert r.status_code == 302 and "/login" in r.location
    idea = fresh(idea)
    assert (idea.status, len(history(idea)), count(Idea)) == ("submitted", 1, 1)


@pytest.mark.parametrize("role", ROLES)
def test_idea_page_shows_only_the_controls_a_non_author_may_use(
    client, make_user, login, make_idea, role
):
    idea = make_idea()
    login(make_user(ROLES[role]))
    body = text_of(client.get(f"/ideas/{idea.id}"))
    assert f'href="/ideas/{idea.id}/edit"' not in body
    assert f'action="/ideas/{idea.id}/withdraw"' not in body
    assert f'action="/ideas/{idea.id}/attachments"' not in body
    assert (f'action="/ideas/{idea.id}/status"' in body) == (role in MANAGERS)


@pytest.mark.parametrize("role", ROLES)
def test_idea_page_shows_the_author_edit_and_withdraw(client, make_user, login, make_idea, role):
    author = make_user(ROLES[role])
    idea = make_idea(author=author)
    login(author)
    body = text_of(client.get(f"/ideas/{idea.id}"))
    assert f'href="/ideas/{idea.id}/edit"' in body
    assert f'action="/ideas/{idea.id}/withdraw"' in body
    assert f'action="/ideas/{idea.id}/attachments"' in body
    assert (f'action="/ideas/{idea.id}/status"' in body) == (role in MANAGERS)


def test_several_roles_without_coe_or_admin_still_cannot_change_status(
    client, make_user, login, make_idea
):
    idea = make_idea()
    login(make_user(["expert", "hr"]))
    assert client.post(f"/ideas/{idea.id}/status", data={"status": "selected"}).status_code == 403


# ---------------------------------------------------------------- hostile text stays text

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '"><svg onload=alert(1)>',
]


class Page(HTMLParser):
    """Elements, attributes, inline script bodies and visible text of a page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self.text = ""
        self._in_script = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)
        else:
            self.text += data


def assert_no_executable_markup(html: str) -> None:
    page = Page(html)
    assert not any(s.strip() for s in page.scripts), "inline script"
    assert "<script>alert" not in html and "<svg" not in html
    for tag, attrs in page.tags:
        assert tag not in ("svg", "iframe", "object", "embed"), tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            if name in ("href", "src", "action", "formaction"):
                assert not re.sub(r"\s", "", value).lower().startswith("javascript:"), value
        if tag == "img":
            assert attrs.get("src") != "x"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_text_in_an_idea_is_shown_as_text(client, employee, make_campaign, payload):
    campaign = make_campaign()
    r = submit(
        client,
        campaign,
        title="Idea " + payload,
        summary="Summary " + payload,
        description="Description " + payload,
    )
    assert r.status_code == 302
    idea_page = text_of(client.get(r.location))
    campaign_page = text_of(client.get(f"/campaigns/{campaign.id}"))
    for html in (idea_page, campaign_page):
        assert_no_executable_markup(html)
        assert "Idea " + payload in Page(html).text  # shown, escaped
        assert "Summary " + payload in Page(html).text
    assert "Description " + payload in Page(idea_page).text


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_text_in_an_earlier_version_is_shown_as_text(client, employee, make_idea, payload):
    idea = make_idea(author=employee, title="Idea " + payload, description=payload)
    edit(client, idea, title="A clean title now", description="clean")
    html = text_of(client.get(f"/ideas/{idea.id}/history"))
    assert_no_executable_markup(html)
    assert "Idea " + payload in Page(html).text


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_tags_are_refused_and_the_message_escaped(client, employee, make_campaign, payload):
    r = submit(client, make_campaign(), tags="fine, " + payload)
    assert r.status_code == 200
    html = text_of(r)
    assert_no_executable_markup(html)
    assert "use letters, digits and dashes" in html
    assert count(Idea) == 0 and count(Tag) == 0


def test_hostile_status_note_is_shown_as_text(client, make_user, login, make_idea):
    idea = make_idea()
    login(make_user(["coe"]))
    note = PAYLOADS[0] + PAYLOADS[1]
    client.post(f"/ideas/{idea.id}/status", data={"status": "under_review", "note": note})
    html = text_of(client.get(f"/ideas/{idea.id}"))
    assert_no_executable_markup(html)
    assert note in Page(html).text


def test_hostile_campaign_title_is_escaped_on_the_idea_page(
    client, employee, make_idea, make_campaign
):
    idea = make_idea(campaign=make_campaign(title=PAYLOADS[4]))
    html = text_of(client.get(f"/ideas/{idea.id}"))
    assert_no_executable_markup(html)
    assert PAYLOADS[4] in Page(html).text
