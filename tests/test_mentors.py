"""Mentors: new employees listed for the CoE, assignment rules, the mentor's view, per role."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest

from ideahub.extensions import db
from ideahub.governance import mentor_routes, mentors
from ideahub.governance.services import (
    DraftData,
    acknowledge,
    add_member,
    create_guideline,
    publish_version,
    save_draft,
)
from ideahub.models import AuditEntry, Mentorship, Notice

DAY0 = date(2026, 5, 4)


@pytest.fixture
def world(app, make_user, make_department):
    app.config["TODAY"] = DAY0
    sales, ops = make_department("Sales"), make_department("Operations")
    admin = make_user(["admin"], name="Ada Admin")
    coe_sales = make_user(["coe"], name="Sam Sales-Rep", department=sales)
    coe_ops = make_user(["coe"], name="Olga Ops-Rep", department=ops)
    former = make_user(["coe"], name="Fred Former", department=sales)
    add_member(admin, coe_sales, sales, "representative", DAY0 - timedelta(days=100), None)
    add_member(admin, coe_ops, ops, "representative", DAY0 - timedelta(days=100), None)
    add_member(
        admin, former, sales, "community", DAY0 - timedelta(days=400), DAY0 - timedelta(days=1)
    )
    newbie = make_user(name="Nina New", department=sales)
    newbie.hire_date = DAY0 - timedelta(days=10)
    veteran = make_user(name="Victor Veteran", department=sales)
    veteran.hire_date = DAY0 - timedelta(days=400)
    future = make_user(name="Felix Future", department=ops)
    future.hire_date = DAY0 + timedelta(days=5)
    edge = make_user(name="Edgar Edge", department=ops)
    edge.hire_date = DAY0 - timedelta(days=90)
    db.session.commit()

    class W:
        pass

    w = W()
    w.__dict__.update(locals())
    return w


def test_new_hires_without_mentor_within_the_window(world):
    names = [u.name for u in mentors.new_hires_without_mentor()]
    assert names == ["Nina New", "Edgar Edge"]  # newest first; 90 days is still inside


def test_candidates_are_current_coe_members_same_department_first(world):
    w = world
    pool = mentors.candidates()
    assert [c.user.name for c in pool] == ["Olga Ops-Rep", "Sam Sales-Rep"]  # not Fred (ended)
    assert [c.user.name for c in mentors.suggested(w.newbie, pool)][0] == "Sam Sales-Rep"
    assert [c.user.name for c in mentors.suggested(w.edge, pool)][0] == "Olga Ops-Rep"


def test_assign_notifies_audits_and_leaves_the_list(client, login, world):
    w = world
    login(w.coe_ops)
    r = client.post("/coe/mentors", data={"mentee_id": w.newbie.id, "mentor_id": w.coe_sales.id})
    assert r.status_code == 302
    page = client.get("/coe/mentors").get_data(as_text=True)
    assert "Sam Sales-Rep now mentors Nina New." in page
    waiting = page.split('id="waiting-heading"')[1].split('id="recent-heading"')[0]
    assert "Nina New" not in waiting and "Edgar Edge" in waiting
    m = db.session.get(Mentorship, w.newbie.id)
    assert m.mentor_id == w.coe_sales.id and m.assigned_by_id == w.coe_ops.id
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "mentor.assigned"))
    told = {n.user_id for n in db.session.scalars(db.select(Notice))}
    assert told == {w.newbie.id, w.coe_sales.id}


def test_another_department_by_choice_and_reassignment(client, login, world):
    w = world
    login(w.admin)
    client.post("/coe/mentors", data={"mentee_id": w.newbie.id, "mentor_id": w.coe_ops.id})
    assert db.session.get(Mentorship, w.newbie.id).mentor_id == w.coe_ops.id
    client.post("/coe/mentors", data={"mentee_id": w.newbie.id, "mentor_id": w.coe_sales.id})
    db.session.expire_all()
    assert db.session.get(Mentorship, w.newbie.id).mentor_id == w.coe_sales.id
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "mentor.reassigned"))
    assert db.session.scalar(db.select(db.func.count()).select_from(Mentorship)) == 1
    told = [
        n.message
        for n in db.session.scalars(db.select(Notice).where(Notice.user_id == w.coe_ops.id))
    ]
    assert told == [
        "You are now the mentor of Nina New.",
        "Nina New now has Sam Sales-Rep as mentor.",
    ]


def test_a_notice_is_in_its_readers_language_not_the_senders(client, login, world):
    w = world
    w.admin.locale = "zh_Hans"  # who assigns reads Chinese
    w.coe_sales.locale = "en"  # the mentor English; the mentee chose nothing: the default
    w.newbie.locale = ""
    db.session.commit()
    login(w.admin)
    client.post("/coe/mentors", data={"mentee_id": w.newbie.id, "mentor_id": w.coe_sales.id})
    notices = {n.user_id: n.message for n in db.session.scalars(db.select(Notice))}
    assert notices == {
        w.coe_sales.id: "You are now the mentor of Nina New.",
        w.newbie.id: "Sam Sales-Rep is your mentor.",
    }
    w.newbie.locale = "zh_Hant"
    db.session.commit()
    client.post("/coe/mentors", data={"mentee_id": w.newbie.id, "mentor_id": w.coe_ops.id})
    mine = db.session.scalars(
        db.select(Notice.message).where(Notice.user_id == w.newbie.id).order_by(Notice.id)
    ).all()
    assert mine[-1] == "Olga Ops-Rep 是您的導師。"


@pytest.mark.parametrize(
    ("mentor", "message"),
    [
        ("former", "is not a current member of the Center of Excellence"),
        ("veteran", "is not a current member of the Center of Excellence"),
        ("newbie", "Nobody can mentor themselves."),
    ],
)
def test_refused_assignments_say_why_and_change_nothing(client, login, world, mentor, message):
    w = world
    login(w.coe_sales)
    r = client.post(
        "/coe/mentors",
        data={"mentee_id": w.newbie.id, "mentor_id": getattr(w, mentor).id},
        follow_redirects=True,
    )
    assert message in r.get_data(as_text=True)
    assert db.session.get(Mentorship, w.newbie.id) is None


@pytest.mark.parametrize(
    "data",
    [{}, {"mentee_id": "x"}, {"mentee_id": "999999"}, {"mentee_id": "99999999999999999999"}],
)
def test_bad_ids_are_404_or_a_message_never_a_500(client, login, world, data):
    login(world.coe_sales)
    assert client.post("/coe/mentors", data=data).status_code == 404
    r = client.post("/coe/mentors", data={"mentee_id": world.newbie.id}, follow_redirects=True)
    assert "Choose a mentor for Nina New." in r.get_data(as_text=True)


@pytest.mark.parametrize(
    ("roles", "expected"),
    [((), 403), (("expert",), 403), (("hr",), 403), (("coe",), 200), (("admin",), 200)],
)
def test_mentor_page_per_role(client, login, make_user, world, roles, expected):
    login(make_user(list(roles)))
    assert client.get("/coe/mentors").status_code == expected
    r = client.post(
        "/coe/mentors", data={"mentee_id": world.newbie.id, "mentor_id": world.coe_sales.id}
    )
    assert r.status_code == (403 if expected == 403 else 302)


def test_two_coe_members_assigning_at_once_keep_one_mentor(app, login, world):
    w = world
    pairs = [(w.coe_sales, w.coe_sales), (w.coe_ops, w.coe_ops)] * 3  # (who clicks, mentor)
    clients = [(login(actor, on=app.test_client()), mentor.id) for actor, mentor in pairs]
    barrier = threading.Barrier(len(clients))
    codes: list[int] = []
    mentee_id = w.newbie.id

    def click(client, mentor_id):
        barrier.wait()
        data = {"mentee_id": mentee_id, "mentor_id": mentor_id}
        codes.append(client.post("/coe/mentors", data=data).status_code)

    threads = [threading.Thread(target=click, args=pair) for pair in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert codes == [302] * len(clients)  # each one answered (a message at worst), no 500
    db.session.rollback()  # end this test's read snapshot (SQLite WAL) to see the threads' work
    rows = db.session.scalars(db.select(Mentorship)).all()
    assert len(rows) == 1 and rows[0].mentor_id in {m.id for _a, m in pairs}


def test_mentor_sees_mentees_standing(client, login, world):
    w = world
    g = create_guideline(w.coe_sales, "Posting rules")
    save_draft(
        w.coe_sales,
        g,
        DraftData(title=g.title, body="Be kind.", for_everyone=True, department_ids=(), roles=()),
    )
    v1 = publish_version(w.coe_sales, g, "First.", True, DAY0 - timedelta(days=30))
    mentors.assign_mentor(w.admin, w.newbie, w.coe_sales)
    mentors.assign_mentor(w.admin, w.edge, w.coe_sales)
    acknowledge(w.edge, v1)
    login(w.coe_sales)
    page = client.get("/me/mentees").get_data(as_text=True)
    nina = page.split("Nina New")[1].split("</tr>")[0]
    edgar = page.split("Edgar Edge")[1].split("</tr>")[0]
    # hired 10 days ago: 14 days to do it
    assert "Posting rules" in nina and "acknowledge v1" in nina and "Due" in nina
    assert "Done" in edgar
    login(w.coe_ops)
    assert "You have no mentees." in client.get("/me/mentees").get_data(as_text=True)


def test_anonymous_is_sent_to_sign_in(client, world):
    for url in ("/coe/mentors", "/me/mentees"):
        assert client.get(url).status_code == 302


def test_mentor_may_see_a_mentees_certificate_others_may_not(client, login, world):
    from ideahub.training.services import create_module, start_attempt, submit_attempt

    w = world
    g = create_guideline(w.coe_sales, "Posting rules")
    save_draft(
        w.coe_sales,
        g,
        DraftData(title=g.title, body="Be kind.", for_everyone=True, department_ids=(), roles=()),
    )
    publish_version(w.coe_sales, g, "First.", True, DAY0)
    module = create_module(w.coe_sales, g, "Posting safely", "Read.", 100, 30, "Q?\n* yes\n- no")
    attempt = start_attempt(w.newbie, module)
    right = next(c for c in module.questions[0].choices if c.is_correct)
    submit_attempt(w.newbie, attempt, {module.questions[0].id: right.id})
    mentors.assign_mentor(w.admin, w.newbie, w.coe_sales)
    url = f"/training/attempts/{attempt.id}/certificate"
    login(w.coe_sales)
    assert "Nina New" in client.get(url).get_data(as_text=True)
    login(w.coe_ops)
    assert client.get(url).status_code == 404


def test_new_hires_come_in_pages_and_an_assignment_returns_to_its_page(
    client, login, make_user, world
):
    """With many new hires each listed with a choice of every mentor, the page grew with
    both (the bench's 437 new hires and 80 members: 1.6 MB)."""
    w = world
    for i in range(30):
        make_user(name=f"Hire {i:02d}", department=w.sales).hire_date = DAY0 - timedelta(days=3)
    db.session.commit()
    login(w.coe_sales)
    first = client.get("/coe/mentors").get_data(as_text=True)
    assert "32 new employees wait for a mentor." in first and "Page 1 of 2" in first
    assert first.count('name="mentee_id"') == mentor_routes.WAITING_PER_PAGE
    second = client.get("/coe/mentors?page=2").get_data(as_text=True)
    assert second.count('<select id="mentor-') == 32 - mentor_routes.WAITING_PER_PAGE
    assert "Nina New" in second and "Edgar Edge" in second  # the oldest hires come last
    past = client.get("/coe/mentors?page=99").get_data(as_text=True)
    assert "Page 2 of 2" in past  # past the end: the last page
    r = client.post(
        "/coe/mentors",
        data={"mentee_id": w.edge.id, "mentor_id": w.coe_ops.id, "page": "2"},
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/coe/mentors?page=2")


def test_a_recent_assignment_offers_its_choice_of_mentors_when_asked(client, login, world):
    w = world
    login(w.coe_ops)
    client.post("/coe/mentors", data={"mentee_id": w.newbie.id, "mentor_id": w.coe_sales.id})
    page = client.get("/coe/mentors").get_data(as_text=True)
    recent = page.split('id="recent-heading"')[1].split("</section>")[0]
    assert (
        f'href="/coe/mentors?page=1&amp;change={w.newbie.id}#change-form-{w.newbie.id}"' in recent
    )
    assert "<select" not in recent  # no choice of every mentor on every row
    asked = client.get(f"/coe/mentors?change={w.newbie.id}").get_data(as_text=True)
    recent = asked.split('id="recent-heading"')[1].split("</section>")[0]
    assert recent.count("<select") == 1
    assert f'<option value="{w.coe_sales.id}" selected>' in recent
    client.post("/coe/mentors", data={"mentee_id": w.newbie.id, "mentor_id": w.coe_ops.id})
    assert db.session.get(Mentorship, w.newbie.id).mentor_id == w.coe_ops.id
