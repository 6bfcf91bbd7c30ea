"""Governance: CoE coverage, guideline versions over time, acknowledgments, diffs, per role."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from ideahub.extensions import db
from ideahub.governance.diff import diff_html
from ideahub.governance.queries import requirements_for
from ideahub.governance.services import (
    DraftData,
    GovernanceError,
    acknowledge,
    add_member,
    create_guideline,
    publish_version,
    save_draft,
)
from ideahub.models import Acknowledgment, AuditEntry, CoeMembership, GuidelineVersion, Notice

DAY0 = date(2026, 1, 1)


@pytest.fixture
def clock(app):
    """Set 'today' for the governance rules."""

    def set_day(day: date) -> None:
        app.config["TODAY"] = day

    set_day(DAY0)
    return set_day


@pytest.fixture
def author(make_user):
    return make_user(roles=["coe"], name="Community Writer")


def publish(author, guideline, body, *, major=True, day=DAY0, summary="Changes."):
    save_draft(
        author,
        guideline,
        DraftData(
            title=guideline.title,
            body=body,
            for_everyone=guideline.for_everyone,
            department_ids=tuple(d.id for d in guideline.departments),
            roles=tuple(guideline.role_list),
        ),
    )
    return publish_version(author, guideline, summary, major, day)


def status(user, guideline) -> str:
    return next(r.status for r in requirements_for(user) if r.guideline.id == guideline.id)


def test_versions_are_numbered_and_immutable_text_hashed(clock, author):
    g = create_guideline(author, "Posting rules")
    v1 = publish(author, g, "Be kind.")
    v2 = publish(author, g, "Be kind. Be brief.", major=False)
    assert (v1.number, v2.number) == (1, 2)
    assert v1.text_hash != v2.text_hash and len(v1.text_hash) == 64
    with pytest.raises(GovernanceError, match="same as version 2"):
        publish_version(author, g, "again", True, DAY0)


def test_major_needs_new_acknowledgment_minor_does_not(clock, author, make_user):
    reader = make_user()
    g = create_guideline(author, "Posting rules")
    v1 = publish(author, g, "Be kind.")
    assert status(reader, g) == "due"
    acknowledge(reader, v1)
    assert status(reader, g) == "done"
    clock(DAY0 + timedelta(days=10))
    publish(author, g, "Be kind. Fixed a typo.", major=False, day=DAY0 + timedelta(days=10))
    assert status(reader, g) == "done"
    v3 = publish(
        author, g, "Be kind. Never share customer data.", major=True, day=DAY0 + timedelta(days=20)
    )
    assert status(reader, g) == "done"  # not in effect yet
    clock(DAY0 + timedelta(days=20))
    assert status(reader, g) == "due"
    acknowledge(reader, v3)
    assert status(reader, g) == "done"


def test_superseded_and_future_versions_are_refused(clock, author, make_user):
    reader = make_user()
    g = create_guideline(author, "Rules")
    v1 = publish(author, g, "One.")
    v2 = publish(author, g, "Two.", day=DAY0 + timedelta(days=5))
    with pytest.raises(GovernanceError, match="not in effect"):
        acknowledge(reader, v2)
    clock(DAY0 + timedelta(days=5))
    with pytest.raises(GovernanceError, match="replaced by version 2"):
        acknowledge(reader, v1)
    assert db.session.scalar(db.select(db.func.count()).select_from(Acknowledgment)) == 0


def test_acknowledgment_records_exact_version_and_is_idempotent(clock, author, make_user):
    reader = make_user()
    g = create_guideline(author, "Rules")
    v1 = publish(author, g, "One.")
    first = acknowledge(reader, v1)
    again = acknowledge(reader, v1)
    assert first.id == again.id and first.text_hash == v1.text_hash
    assert first.on_behalf_by_id is None
    with pytest.raises(IntegrityError):
        db.session.add(Acknowledgment(user_id=reader.id, version_id=v1.id, text_hash="x"))
        db.session.commit()
    db.session.rollback()


def test_double_click_acknowledge_from_two_threads(app, clock, author, make_user, login):
    reader = make_user()
    g = create_guideline(author, "Rules")
    v1 = publish(author, g, "One.")
    url = f"/guidelines/versions/{v1.id}/acknowledge"
    clients = [login(reader, on=app.test_client()) for _ in range(6)]
    barrier = threading.Barrier(len(clients))
    codes: list[int] = []

    def click(c):
        barrier.wait()
        codes.append(c.post(url).status_code)

    threads = [threading.Thread(target=click, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert codes == [302] * 6
    db.session.rollback()  # end this test's read snapshot (SQLite WAL) to see the threads' commits
    count = db.session.scalar(
        db.select(db.func.count())
        .select_from(Acknowledgment)
        .where(Acknowledgment.user_id == reader.id)
    )
    assert count == 1


def sales_rules(author, sales):
    """A guideline drafted for the Sales department and HR only."""
    g = create_guideline(author, "Sales rules")
    save_draft(
        author,
        g,
        DraftData(
            title=g.title,
            body="Quote carefully.",
            for_everyone=False,
            department_ids=(sales.id,),
            roles=("hr",),
        ),
    )
    return g


def test_audience_by_department_and_role(clock, author, make_user, make_department):
    sales = make_department("Sales")
    seller, hr_person, other = make_user(department=sales), make_user(roles=["hr"]), make_user()
    g = sales_rules(author, sales)
    v1 = publish_version(author, g, "First.", True, DAY0)
    assert status(seller, g) == "due" and status(hr_person, g) == "due"
    assert status(other, g) == "not_required"
    with pytest.raises(GovernanceError, match="does not apply"):
        acknowledge(other, v1)
    with pytest.raises(GovernanceError, match="audience"):
        save_draft(author, g, DraftData(title=g.title, body="x", for_everyone=False))


def told(*users) -> list[list[tuple[str, str]]]:
    """Each user's notices (message, link), oldest first."""
    db.session.expire_all()
    return [
        [
            (n.message, n.link)
            for n in db.session.scalars(
                db.select(Notice).where(Notice.user_id == user.id).order_by(Notice.id)
            )
        ]
        for user in users
    ]


def test_a_major_version_tells_everyone_it_applies_to_in_their_language(clock, author, make_user):
    reader, gone = make_user(), make_user()
    reader_zh = make_user()
    reader_zh.locale = "zh_Hans"
    gone.is_active = False
    db.session.commit()
    g = create_guideline(author, "Posting rules")
    publish(author, g, "Be kind.", day=date(2026, 1, 5))
    link = f"/guidelines/{g.id}"
    assert told(reader, reader_zh, gone, author) == [
        [
            (
                "“Posting rules” has a new version (1), in effect from Jan 5, 2026: "
                "read it and acknowledge it.",
                link,
            )
        ],
        [("“Posting rules”有新版本（1），自 2026年1月5日 起生效：请阅读并确认。", link)],
        [],  # no longer here
        [],  # who published it knows
    ]
    publish(author, g, "Be kind. Be brief.", major=False)  # nothing new to acknowledge
    publish(author, g, "Be kind, brief and honest.")
    assert [len(n) for n in told(reader, reader_zh, gone, author)] == [2, 2, 0, 0]


def test_a_major_version_tells_only_its_audience(clock, author, make_user, make_department):
    sales = make_department("Sales")
    seller, hr_person, other = make_user(department=sales), make_user(roles=["hr"]), make_user()
    g = sales_rules(author, sales)
    publish_version(author, g, "First.", True, DAY0)
    assert [len(n) for n in told(seller, hr_person, other)] == [1, 1, 0]


def test_employee_who_moves_department_gets_what_applies(clock, author, make_user, make_department):
    sales, it = make_department("Sales"), make_department("IT")
    person = make_user(department=it)
    g = create_guideline(author, "Sales rules")
    save_draft(
        author,
        g,
        DraftData(
            title=g.title, body="Quote carefully.", for_everyone=False, department_ids=(sales.id,)
        ),
    )
    publish_version(author, g, "First.", True, DAY0)
    assert status(person, g) == "not_required"
    person.department_id = sales.id
    db.session.commit()
    assert status(person, g) == "due"


def test_hr_acknowledges_on_behalf_with_reason(client, clock, author, make_user, login):
    reader = make_user()
    g = create_guideline(author, "Rules")
    v1 = publish(author, g, "One.")
    hr = make_user(roles=["hr"])
    login(hr)
    r = client.post(
        f"/guidelines/versions/{v1.id}/acknowledge", data={"user_id": reader.id, "reason": ""}
    )
    assert r.status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(Acknowledgment)) == 0
    client.post(
        f"/guidelines/versions/{v1.id}/acknowledge",
        data={"user_id": reader.id, "reason": "Signed on paper during onboarding"},
    )
    ack = db.session.scalar(db.select(Acknowledgment))
    assert (ack.user_id, ack.on_behalf_by_id) == (reader.id, hr.id)
    assert db.session.scalar(
        db.select(AuditEntry.action).where(AuditEntry.action == "acknowledgment.on_behalf")
    )


def test_hr_finds_the_person_by_email_not_in_a_list_of_everyone(
    client, clock, author, make_user, login
):
    reader = make_user(email="Rita.Reader@example.test", name="Rita Reader")
    g = create_guideline(author, "Rules")
    v1 = publish(author, g, "One.")
    login(make_user(roles=["hr"]))
    page = client.get(f"/guidelines/{g.id}").get_data(as_text=True)
    assert 'name="email" required type="email"' in page  # an email field, not a select
    assert "Rita Reader" not in page  # of every employee's name
    url = f"/guidelines/versions/{v1.id}/acknowledge"
    r = client.post(url, data={"email": "nobody@example.test", "reason": "On leave"})
    after = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "No active employee has the email nobody@example.test." in after
    assert db.session.scalar(db.select(db.func.count()).select_from(Acknowledgment)) == 0
    client.post(url, data={"email": "rita.READER@example.test", "reason": "On leave"})
    ack = db.session.scalar(db.select(Acknowledgment))
    assert ack.user_id == reader.id and ack.on_behalf_reason == "On leave"


def test_employee_cannot_acknowledge_for_someone_else(client, clock, author, make_user, login):
    reader, intruder = make_user(), make_user()
    v1 = publish(author, create_guideline(author, "Rules"), "One.")
    login(intruder)
    r = client.post(
        f"/guidelines/versions/{v1.id}/acknowledge", data={"user_id": reader.id, "reason": "x"}
    )
    assert r.status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(Acknowledgment)) == 0


def test_reader_sees_what_changed_since_their_version(client, clock, author, make_user, login):
    reader = make_user()
    g = create_guideline(author, "Rules")
    v1 = publish(author, g, "Be kind online.")
    acknowledge(reader, v1)
    publish(author, g, "Be kind and honest online.")
    login(reader)
    html = client.get(f"/guidelines/{g.id}").get_data(as_text=True)
    assert "<ins>" in html and "honest" in html
    assert "I have read and understood version 2" in html


def test_diff_marks_additions_and_removals_and_escapes():
    out = str(diff_html("Be kind <b>online</b>.", "Be kind and honest <b>online</b>!"))
    assert "<ins> and honest</ins>" in out or "<ins>and honest </ins>" in out or "honest" in out
    assert "&lt;b&gt;" in out and "<b>" not in out
    zh = str(diff_html("不要分享客户数据。", "不要分享客户和员工数据。"))
    assert "<ins>和员工</ins>" in zh


def test_coe_vacancy_warning_and_membership(client, clock, make_user, make_department, login):
    service = make_department("Customer Service")
    service.is_customer_facing = True
    db.session.commit()
    admin = make_user(roles=["admin"])
    login(admin)
    assert "Vacant seats" in client.get("/coe").get_data(as_text=True)
    # A member in another role does not fill the seat, and the function's card says so too
    # (it listed the member alone, under a notice that the function had nobody).
    add_member(admin, make_user(name="Sponsor Person"), service, "sponsor", DAY0, None)
    html = client.get("/coe").get_data(as_text=True)
    assert "Vacant seats" in html and "Sponsor Person" in html
    assert "No representative yet." in html
    add_member(admin, make_user(name="Rep Person"), service, "representative", DAY0, None)
    html = client.get("/coe").get_data(as_text=True)
    assert "Vacant seats" not in html and "Rep Person" in html
    assert "No representative yet." not in html
    with pytest.raises(GovernanceError):
        add_member(admin, make_user(), service, "sponsor", DAY0, DAY0 - timedelta(days=1))


def test_the_draft_page_says_when_its_text_has_not_changed(client, clock, author, login):
    g = create_guideline(author, "Rules")
    publish(author, g, "Be kind.")
    login(author)
    page = client.get(f"/guidelines/{g.id}/draft").get_data(as_text=True)
    assert "The draft's text is the same as this version's." in page
    save_draft(author, g, DraftData(g.title, "Be kind. Be brief.", True, (), ()))
    page = client.get(f"/guidelines/{g.id}/draft").get_data(as_text=True)
    assert "the same as this version" not in page and 'class="diff"' in page


def test_a_term_is_ended_once_after_a_question(client, clock, make_user, make_department, login):
    admin = make_user(roles=["admin"])
    service = make_department("Customer Service")
    rep = make_user(name="Rep Person")
    add_member(admin, rep, service, "representative", DAY0 - timedelta(days=30), None)
    membership = db.session.scalar(db.select(CoeMembership))
    login(admin)
    page = client.get("/coe").get_data(as_text=True)
    assert 'data-confirm="End Rep Person’s term today?"' in page
    r = client.post(f"/coe/members/{membership.id}/end", follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "The term has ended." in page and "End term" not in page  # ends today: no button
    again = client.post(f"/coe/members/{membership.id}/end", follow_redirects=True)
    assert "This term has already ended." in again.get_data(as_text=True)
    entries = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "coe.member_ended")
    ).all()
    assert len(entries) == 1  # the second click recorded nothing


def test_a_coe_seat_is_held_once_at_a_time(clock, make_user, make_department):
    """A person's terms for one function may follow each other but not overlap."""
    admin, rep, service = make_user(roles=["admin"]), make_user(), make_department("Service")
    day = timedelta(days=1)
    add_member(admin, rep, service, "representative", DAY0, DAY0 + 30 * day)
    for starts, ends in (
        (DAY0 + 30 * day, None),
        (DAY0 - 10 * day, DAY0),
        (DAY0 + 5 * day, DAY0 + 6 * day),
    ):
        with pytest.raises(GovernanceError) as refused:
            add_member(admin, rep, service, "sponsor", starts, ends)
        assert refused.value.field == "email"
    add_member(admin, rep, service, "sponsor", DAY0 + 31 * day, None)  # the next term
    add_member(admin, rep, make_department("Sales"), "sponsor", DAY0, None)  # another function
    with pytest.raises(GovernanceError):  # open-ended: any later term overlaps it
        add_member(admin, rep, service, "sponsor", DAY0 + 400 * day, DAY0 + 500 * day)
    assert db.session.scalar(db.select(db.func.count()).select_from(CoeMembership)) == 3


def test_coe_member_added_by_email(client, clock, make_user, make_department, login):
    """The person is named by email (a list of every employee was unusable at 20,000); a
    wrong email or term is said at its field and adds no one."""
    service = make_department("Customer Service")
    login(make_user(roles=["admin"]))
    rep = make_user(name="Rep Person", email="rep.person@example.test")
    gone = make_user(name="Gone Person", email="gone@example.test")
    gone.is_active = False
    db.session.commit()
    page = client.get("/coe").get_data(as_text=True)
    assert 'name="email"' in page and "rep.person@example.test" not in page

    def add(email: str, ends_on: str = "") -> tuple[int, str]:
        data = {"email": email, "department_id": service.id, "role": "representative"}
        r = client.post("/coe", data=data | {"starts_on": DAY0.isoformat(), "ends_on": ends_on})
        return r.status_code, r.get_data(as_text=True)

    for email, problem in (
        ("nobody@example.test", "No active employee has the email nobody@example.test."),
        ("gone@example.test", "No active employee has the email gone@example.test."),
        ("", "This field is required."),
        ("x" * 300, "254"),
    ):
        status, html = add(email)
        assert status == 422 and problem in html, email
    status, html = add("rep.person@example.test", ends_on="2025-12-31")
    assert status == 422 and "The term cannot end before it starts." in html
    assert 'value="rep.person@example.test"' in html  # what was typed is kept
    assert db.session.scalar(db.select(db.func.count()).select_from(CoeMembership)) == 0
    r = client.post(
        "/coe",
        data={
            "email": " Rep.Person@Example.TEST ",
            "department_id": service.id,
            "role": "representative",
            "starts_on": DAY0.isoformat(),
        },
    )
    assert r.status_code == 302 and r.location == f"/coe#fn-{service.id}"
    # The same seat again, in a term that overlaps: refused at the person's field.
    status, html = add("rep.person@example.test")
    assert status == 422
    assert "Rep Person already has a seat for Customer Service in this term, from" in html
    member = db.session.scalars(db.select(CoeMembership)).one()
    assert (member.user_id, member.department_id) == (rep.id, service.id)
    assert "Rep Person" in client.get("/coe").get_data(as_text=True)


def test_a_refused_publication_keeps_what_was_typed(client, clock, author, login):
    g = create_guideline(author, "Rules")
    login(author)
    summary = "Journalists: ask the community team first"
    r = client.post(
        f"/guidelines/{g.id}/publish", data={"change_summary": summary, "is_major": "y"}
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert summary in page and "Summarise what changed and give the date" in page
    assert 'id="effective_on-error-1"' in page  # the missing date, at its field
    assert 'value="Rules"' in page  # the draft's own form, as saved
    publish(author, g, "Be kind.")
    data = {"change_summary": summary, "effective_on": DAY0.isoformat()}
    r = client.post(f"/guidelines/{g.id}/publish", data=data)  # the draft is unchanged
    assert r.status_code == 422 and summary in r.get_data(as_text=True)


@pytest.mark.parametrize(
    ("roles", "draft", "coe_post"),
    [
        ((), 403, 403),
        (("expert",), 403, 403),
        (("hr",), 403, 403),
        (("coe",), 200, 403),
        (("admin",), 200, 302),
    ],
)
def test_access_per_role(
    client, clock, author, make_user, login, make_department, roles, draft, coe_post
):
    g = create_guideline(author, "Rules")
    login(make_user(roles=list(roles)))
    assert client.get(f"/guidelines/{g.id}/draft").status_code == draft
    assert client.post(f"/guidelines/{g.id}/publish", data={}).status_code in (
        (403,) if draft == 403 else (422,)  # allowed: the form again, with what is missing
    )
    dept = make_department()
    r = client.post(
        "/coe",
        data={
            "email": author.email,
            "department_id": dept.id,
            "role": "sponsor",
            "starts_on": "2026-01-01",
        },
    )
    assert r.status_code == coe_post


def test_unpublished_guideline_is_hidden_from_readers(client, clock, author, make_user, login):
    g = create_guideline(author, "Secret draft")
    save_draft(author, g, DraftData(title=g.title, body="Not ready."))
    login(make_user())
    assert client.get(f"/guidelines/{g.id}").status_code == 404
    assert "Secret draft" not in client.get("/guidelines").get_data(as_text=True)


def test_publishing_is_audited(clock, author):
    g = create_guideline(author, "Rules")
    v = publish(author, g, "One.")
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "guideline.published")
    )
    assert entry.target_id == v.id and entry.actor_id == author.id
    assert db.session.get(GuidelineVersion, v.id).is_major
