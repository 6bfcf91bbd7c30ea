"""`ideahub send-reminders` against a real SMTP server (aiosmtpd): who gets mail, the mentor in
copy when overdue, and never twice to one person on one day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from mailserver import smtp_server

from ideahub.extensions import db
from ideahub.governance import mentors
from ideahub.governance.services import (
    DraftData,
    acknowledge,
    add_member,
    create_guideline,
    publish_version,
    save_draft,
)
from ideahub.models import Notice, ReminderSent

DAY0 = date(2026, 6, 1)


@pytest.fixture
def world(app, make_user, make_department):
    """Posting rules v1 in effect from DAY0 for everyone; due 14 days later."""
    app.config["TODAY"] = DAY0
    sales = make_department("Sales")
    admin = make_user(["admin"], name="Ada Admin")
    mentor = make_user(["coe"], name="Mia Mentor", department=sales)
    add_member(admin, mentor, sales, "representative", DAY0 - timedelta(days=10), None)
    late = make_user(name="Leo Late", department=sales)
    done = make_user(name="Dora Done", department=sales)
    fresh = make_user(name="Finn Fresh", department=sales)
    fresh.hire_date = DAY0 + timedelta(days=20)  # hired later: due DAY0 + 34
    gone = make_user(name="Gina Gone", department=sales, is_active=False)
    db.session.commit()
    g = create_guideline(mentor, "Posting rules")
    save_draft(
        mentor,
        g,
        DraftData(title=g.title, body="Be kind.", for_everyone=True, department_ids=(), roles=()),
    )
    v1 = publish_version(mentor, g, "First.", True, DAY0)
    acknowledge(done, v1)
    mentors.assign_mentor(admin, late, mentor)

    class W:
        pass

    w = W()
    w.__dict__.update(locals())
    return w


def run(app):
    return app.test_cli_runner().invoke(args=["send-reminders"])


@pytest.fixture
def smtp():
    with smtp_server() as (box, port):
        box.port = port
        yield box


@pytest.fixture
def app_config(app_config, smtp):
    """Flask-Mail reads its settings when the app is built: point it at the test server."""
    app_config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    return app_config


def recipients(box) -> dict[str, str]:
    return {m["To"]: (m["Cc"] or "") for m in box.messages}


def test_nothing_due_within_a_week_sends_nothing(app, smtp, world):
    app.config["TODAY"] = DAY0  # due on DAY0 + 14: more than 7 days away
    result = run(app)
    assert result.exit_code == 0, result.output
    assert smtp.messages == []
    assert "Reminders sent: 0" in result.output


def test_due_within_a_week_and_overdue_with_the_mentor_in_copy(app, smtp, world):
    w = world
    app.config["TODAY"] = DAY0 + timedelta(days=8)  # due in 6 days: a reminder for those not done
    assert run(app).exit_code == 0
    assert set(recipients(smtp)) == {w.late.email, w.mentor.email, w.admin.email}
    assert all(cc == "" for cc in recipients(smtp).values())  # nothing overdue yet
    smtp.messages.clear()
    app.config["TODAY"] = DAY0 + timedelta(days=15)  # overdue now
    result = run(app)
    assert result.exit_code == 0, result.output
    got = recipients(smtp)
    assert got[w.late.email] == w.mentor.email  # the mentor is copied
    assert w.done.email not in got and w.gone.email not in got and w.fresh.email not in got
    late = next(m for m in smtp.messages if m["To"] == w.late.email)
    assert late["Subject"] == "Overdue: guidelines to acknowledge"
    body = late.get_payload(decode=True).decode()
    assert "Posting rules (v1): overdue since 2026-06-15" in body
    assert f"http://ideahub.test/guidelines/{w.g.id}" in body  # the tests' SERVER_NAME
    told = db.session.scalars(db.select(Notice).where(Notice.user_id == w.mentor.id)).all()
    assert any("Leo Late is overdue" in n.message for n in told)


def test_never_twice_to_one_person_on_one_day(app, smtp, world):
    app.config["TODAY"] = DAY0 + timedelta(days=15)
    assert run(app).exit_code == 0
    first = len(smtp.messages)
    assert first == 3
    second = run(app)
    assert "already reminded today: 3" in second.output
    assert len(smtp.messages) == first
    app.config["TODAY"] = DAY0 + timedelta(days=16)  # a new day: again
    run(app)
    assert len(smtp.messages) == 2 * first


def test_a_failed_send_is_retried_by_the_next_run(app, smtp, world):
    app.config["TODAY"] = DAY0 + timedelta(days=15)
    mail_state = app.extensions["mail"]
    working, mail_state.port = mail_state.port, 1  # nothing listens there
    result = run(app)
    assert result.exit_code == 1 and "failed: 3" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(ReminderSent)) == 0
    mail_state.port = working
    assert run(app).exit_code == 0
    assert len(smtp.messages) == 3


def test_reminder_in_the_persons_language(app, smtp, world):
    w = world
    w.late.locale = "zh_Hans"
    db.session.commit()
    app.config["TODAY"] = DAY0 + timedelta(days=15)
    run(app)
    late = next(m for m in smtp.messages if m["To"] == w.late.email)
    body = late.get_payload(decode=True).decode()
    assert "Leo Late" in body and "Hello" not in body


def test_training_due_is_in_the_reminder_with_its_link(app, smtp, world):
    from ideahub.training.services import create_module

    w = world
    module = create_module(w.mentor, w.g, "Posting safely", "Read.", 50, 10, "Q?\n* yes\n- no")
    app.config["TODAY"] = DAY0 + timedelta(days=15)
    run(app)
    late = next(m for m in smtp.messages if m["To"] == w.late.email)
    body = late.get_payload(decode=True).decode()
    assert "Posting rules (v1): overdue since 2026-06-15" in body
    assert "Posting safely (training for version 1): overdue since 2026-06-11" in body
    assert f"/training/modules/{module.id}" in body
