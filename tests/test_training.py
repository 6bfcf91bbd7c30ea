"""Training modules: writing a quiz, taking it, retries, scoring, certificates, assignments."""

from __future__ import annotations

import os
import re
import threading
from datetime import date, timedelta

import pytest

from ideahub.extensions import db
from ideahub.governance.services import DraftData, create_guideline, publish_version, save_draft
from ideahub.models import Attempt, AuditEntry, TrainingModule
from ideahub.training.services import TrainingError, assignments_for, parse_quiz

DAY0 = date(2026, 4, 1)
QUIZ = """Who may post about unreleased products?
- Anyone
* Only the communications team
- Team leads

Where do you report a mistaken post?
* To the community team
- Nowhere"""


@pytest.fixture
def world(app, make_user, make_department, login, client):
    app.config["TODAY"] = DAY0
    sales = make_department("Sales")
    author = make_user(["coe"], name="Community Writer", department=sales)
    reader = make_user(name="Rita Reader", department=sales)
    g = create_guideline(author, "Posting rules")
    save_draft(
        author,
        g,
        DraftData(title=g.title, body="Be kind.", for_everyone=True, department_ids=(), roles=()),
    )
    v1 = publish_version(author, g, "First.", True, DAY0)

    class W:
        pass

    w = W()
    w.__dict__.update(locals())
    return w


def write_module(client, w, quiz=QUIZ, **extra):
    data = {"title": "Posting safely", "body": "# Read me", "quiz": quiz, "pass_mark": "50"}
    data.update({"due_days": "30", **extra})
    return client.post(f"/guidelines/{w.g.id}/training/new", data=data)


def test_parse_quiz_reports_every_problem_with_its_line():
    assert [q.text for q in parse_quiz(QUIZ)] == [
        "Who may post about unreleased products?",
        "Where do you report a mistaken post?",
    ]
    with pytest.raises(TrainingError) as e:
        parse_quiz(
            "- orphan\nQuestion one\n- a\n- b\n\nQuestion two\n* a\n* b\nQuestion three\n* only"
        )
    message = str(e.value)
    assert "Line 1: a choice before any question." in message
    assert 'Line 2: mark exactly one right choice with "* ".' in message
    assert 'Line 6: mark exactly one right choice with "* ".' in message
    assert "Line 9: a question needs at least two choices." in message
    with pytest.raises(TrainingError, match="Write at least one question."):
        parse_quiz("   \n")


@pytest.mark.parametrize(("roles", "expected"), [((), 403), (("hr",), 403), (("coe",), 302)])
def test_only_the_community_team_writes_modules(client, login, make_user, world, roles, expected):
    login(make_user(list(roles)))
    assert write_module(client, world).status_code == expected
    assert db.session.scalar(db.select(db.func.count()).select_from(TrainingModule)) == (
        1 if expected == 302 else 0
    )


def test_a_bad_quiz_is_shown_back_with_the_reason_and_nothing_saved(client, login, world):
    login(world.author)
    r = write_module(client, world, quiz="Question\n- a\n- b")
    assert r.status_code == 200
    assert "mark exactly one right choice" in r.get_data(as_text=True)
    assert "Question\n- a\n- b" in r.get_data(as_text=True)  # what was typed is kept
    assert db.session.scalar(db.select(db.func.count()).select_from(TrainingModule)) == 0


def answer(client, attempt_id, answers):
    return client.post(
        f"/training/attempts/{attempt_id}", data={f"q-{q}": c for q, c in answers.items()}
    )


def take(client, module):
    r = client.post(f"/training/modules/{module.id}/attempts")
    assert r.status_code == 302
    return int(re.search(r"/training/attempts/(\d+)", r.headers["Location"]).group(1))


def right_answers(module, wrong=0):
    out = {}
    for i, q in enumerate(module.questions):
        good = next(c for c in q.choices if c.is_correct)
        bad = next(c for c in q.choices if not c.is_correct)
        out[q.id] = (bad if i < wrong else good).id
    return out


def test_fail_retry_pass_certificate_and_assignment_states(app, client, login, world):
    w = world
    login(w.author)
    assert write_module(client, w, pass_mark="100").status_code == 302
    module = db.session.scalar(db.select(TrainingModule))
    login(w.reader)
    assert [a.status for a in assignments_for(w.reader)] == ["assigned"]
    first = take(client, module)
    assert [a.status for a in assignments_for(w.reader)] == ["in_progress"]
    r = answer(client, first, right_answers(module, wrong=1))
    assert r.status_code == 302
    result = client.get(f"/training/attempts/{first}").get_data(as_text=True)
    # A failed attempt is recorded, an outcome: a warning, not a refusal's error.
    assert re.search(r'class="flash flash-warning">[^<]*below the pass mark', result)
    assert client.get(f"/training/attempts/{first}/certificate").status_code == 404
    second = take(client, module)
    assert second != first
    answer(client, second, right_answers(module))
    attempt = db.session.get(Attempt, second)
    assert attempt.passed and attempt.score == 100
    cert = client.get(f"/training/attempts/{second}/certificate").get_data(as_text=True)
    assert "Rita Reader" in cert and "Posting rules" in cert and "version 1" in cert
    mine = client.get("/training").get_data(as_text=True)
    assert "passed with 100%" in mine
    assert [a.status for a in assignments_for(w.reader)] == ["completed"]
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "training.completed"))


def test_the_quiz_button_says_whether_it_starts_resumes_or_retries(client, login, world):
    login(world.author)
    write_module(client, world)
    module = db.session.scalar(db.select(TrainingModule))
    login(world.reader)

    def button() -> str:
        page = client.get(f"/training/modules/{module.id}").get_data(as_text=True)
        return re.search(r'<button type="submit" class="button">([^<]+)</button>', page)[1]

    assert button() == "Take the quiz"
    first = take(client, module)
    assert button() == "Continue the quiz"  # it opens the unfinished attempt again
    assert take(client, module) == first
    answer(client, first, right_answers(module, wrong=1))
    assert button() == "Take the quiz again"


def test_overdue_and_a_new_major_version_assigns_again(app, client, login, world):
    w = world
    login(w.author)
    write_module(client, w)
    module = db.session.scalar(db.select(TrainingModule))
    app.config["TODAY"] = DAY0 + timedelta(days=31)
    assert [a.status for a in assignments_for(w.reader)] == ["overdue"]
    login(w.reader)
    answer(client, take(client, module), right_answers(module))
    assert [a.status for a in assignments_for(w.reader)] == ["completed"]
    later = DAY0 + timedelta(days=60)
    app.config["TODAY"] = later
    save_draft(
        w.author,
        w.g,
        DraftData(
            title=w.g.title,
            body="Be kind. No secrets.",
            for_everyone=True,
            department_ids=(),
            roles=(),
        ),
    )
    publish_version(w.author, w.g, "Secrets.", True, later)
    login(w.author)
    write_module(client, w, title="Posting safely, 2nd edition")
    statuses = assignments_for(w.reader)
    assert [(a.module.title, a.status) for a in statuses] == [
        ("Posting safely, 2nd edition", "assigned")
    ]
    assert statuses[0].due_on == later + timedelta(days=30)


def test_unanswered_questions_are_refused_and_answers_kept(client, login, world):
    w = world
    login(w.author)
    write_module(client, w)
    module = db.session.scalar(db.select(TrainingModule))
    login(w.reader)
    attempt_id = take(client, module)
    one = dict(list(right_answers(module).items())[:1])
    r = answer(client, attempt_id, one)
    assert r.status_code == 422
    assert "still open" in r.get_data(as_text=True)
    assert db.session.get(Attempt, attempt_id).submitted_at is None


def test_answers_from_another_question_or_someone_elses_attempt(client, login, make_user, world):
    w = world
    login(w.author)
    write_module(client, w)
    module = db.session.scalar(db.select(TrainingModule))
    login(w.reader)
    attempt_id = take(client, module)
    q1, q2 = module.questions
    swapped = {q1.id: q2.choices[0].id, q2.id: q1.choices[0].id}
    assert answer(client, attempt_id, swapped).status_code == 422
    login(make_user())
    assert client.get(f"/training/attempts/{attempt_id}").status_code == 404
    assert answer(client, attempt_id, right_answers(module)).status_code == 404
    assert db.session.get(Attempt, attempt_id).submitted_at is None


def test_a_quiz_submitted_twice_at_once_is_scored_once(app, login, world):
    w = world
    client = login(w.author, on=app.test_client())
    write_module(client, w)
    module = db.session.scalar(db.select(TrainingModule))
    client = login(w.reader, on=app.test_client())
    attempt_id = take(client, module)
    answers = {f"q-{q}": c for q, c in right_answers(module).items()}
    clients = [login(w.reader, on=app.test_client()) for _ in range(6)]
    barrier = threading.Barrier(len(clients))
    codes: list[int] = []

    def click(c):
        barrier.wait()
        codes.append(c.post(f"/training/attempts/{attempt_id}", data=answers).status_code)

    threads = [threading.Thread(target=click, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(codes).count(302) == 1 and all(c in (302, 422) for c in codes)
    db.session.rollback()
    completed = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "training.completed")
    ).all()
    assert len(completed) == 1


def test_questions_come_in_a_random_order_per_attempt(client, login, world):
    w = world
    login(w.author)
    many = "\n\n".join(f"Question {i}\n* right\n- wrong" for i in range(12))
    write_module(client, w, quiz=many)
    module = db.session.scalar(db.select(TrainingModule))
    login(w.reader)
    orders = set()
    for _ in range(4):
        attempt_id = take(client, module)
        orders.add(tuple(db.session.get(Attempt, attempt_id).question_order))
        answer(client, attempt_id, right_answers(module))
    assert len(orders) > 1  # 4 shuffles of 12 questions all equal: about 1 in 10^26


def test_anonymous_is_sent_to_sign_in(client, world):
    for url in ("/training", f"/guidelines/{world.g.id}/training/new"):
        assert client.get(url).status_code == 302


def test_a_new_major_version_without_a_new_module_assigns_the_module_again(
    app, client, login, world
):
    from ideahub.hr import records

    w = world
    login(w.author)
    write_module(client, w)
    module = db.session.scalar(db.select(TrainingModule))
    login(w.reader)
    answer(client, take(client, module), right_answers(module))  # passed today (real clock)

    def publish(body, major, day):
        app.config["TODAY"] = day
        everyone = {"for_everyone": True, "department_ids": (), "roles": ()}
        save_draft(w.author, w.g, DraftData(title=w.g.title, body=body, **everyone))
        publish_version(w.author, w.g, "Changes.", major, day)

    publish("Be kind, please.", False, date.today() + timedelta(days=10))  # minor: still done
    assert [a.status for a in assignments_for(w.reader)] == ["completed"]
    later = date.today() + timedelta(days=40)
    publish("Be kind. Be brief.", True, later)  # major: the module is assigned again
    mine = assignments_for(w.reader)
    assert [(a.module.id, a.status, a.due_on) for a in mine] == [
        (module.id, "assigned", later + timedelta(days=30))
    ]
    company = records.load([w.reader.id])
    training = [r for r in records.records(company) if r.requirement.kind == "training"]
    assert [(r.status, r.requirement.version) for r in training] == [("due", 3)]


def test_a_module_carries_checked_supporting_material(app, client, login, world):
    import io

    w = world
    login(w.author)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    files = [(io.BytesIO(pdf), "rules.pdf"), (io.BytesIO("notes, 笔记\n".encode()), "notes.txt")]
    r = write_module(client, w, files=files)
    assert r.status_code == 302
    module = db.session.scalar(db.select(TrainingModule))
    assert [a.filename for a in module.attachments] == ["rules.pdf", "notes.txt"]
    login(w.reader)
    page = client.get(f"/training/modules/{module.id}").get_data(as_text=True)
    assert "rules.pdf" in page
    got = client.get(f"/training/material/{module.attachments[0].id}/download")
    assert got.data == pdf and got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Disposition"].startswith("attachment")
    got.close()  # the file sent
    # a file lost from storage: a 404 that says so, not a 500
    notes = module.attachments[1]
    os.remove(
        os.path.join(app.config["UPLOAD_FOLDER"], notes.content_hash[:2], notes.content_hash[2:])
    )
    lost = client.get(f"/training/material/{notes.id}/download")
    assert lost.status_code == 404 and "missing from the server" in lost.get_data(as_text=True)
    # an .exe renamed .pdf is refused with the reason, and no module is saved
    login(w.author)
    fake = [(io.BytesIO(b"MZ\x90\x00" + b"\x00" * 100), "rules.pdf")]
    r = write_module(client, w, title="Second module", files=fake)
    assert r.status_code == 200
    assert "does not contain what its name says" in r.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(TrainingModule)) == 1
