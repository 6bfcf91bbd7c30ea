"""The authorisation matrix: every route x every method x every role, with the expected outcome.

MATRIX below is the single table. `test_every_route_has_an_entry` walks `app.url_map`, so a new
route without a row (or a row without a route) fails the suite. `test_route_by_role` requests
every (method, role) of one route against a small world and lists every outcome that differs
from the table. It also checks that a GET or a refused request changed no row, and that an allowed
POST did change something; after a request that changed the database, the world is put back
row for row (building it again for each of the 640 requests took minutes on PostgreSQL).

Outcomes: an HTTP status, or LOGIN (a redirect to the sign-in page with `?next=`, which is what
an anonymous visitor gets). 302 is any other redirect: for a POST, the action was done; for a
GET, the page sends the visitor elsewhere.

The world: an open campaign (with criteria and a panel, so judging can start) holding an idea,
its comment and an image attachment; a campaign being judged whose panel the "chair" chairs and
the "expert" sits on, its top idea shortlisted, assigned to both and decided; a guideline with a
published version and a newer draft; a training module for it, which the author has passed; a
CoE membership; a password-reset token. Ideas, comments, the membership and the training attempt
belong to another employee (the author), so no role here owns what it touches: ownership is
tested in the feature tests. The deactivated user still holds a session.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import PASSWORD
from flask import Flask, got_request_exception, url_for
from flask.testing import FlaskClient

from ideahub.auth.services import reset_token
from ideahub.clock import today
from ideahub.extensions import db
from ideahub.governance.services import (
    DraftData,
    add_member,
    create_guideline,
    publish_version,
    save_draft,
)
from ideahub.judging.decisions import decide
from ideahub.judging.services import PanelSettings, save_criterion, save_panel, start_judging
from ideahub.models import Attachment, User, utcnow
from ideahub.training.services import create_module, start_attempt, submit_attempt
from ideahub.uploads import store_upload

Outcome = int | str

ROLES = ("anonymous", "employee", "expert", "chair", "coe", "hr", "admin", "deactivated")
SIGNED_OUT = ("anonymous", "deactivated")
SIGNED_IN = tuple(r for r in ROLES if r not in SIGNED_OUT)
LOGIN = "login"  # redirected to the sign-in page (?next=...)
NEW_PASSWORD = "violet tugboat harmonica 42"
QUIZ = "Be kind online?\n* Yes\n- No"


def row(signed_out: Outcome, signed_in: Outcome, **by_role: Outcome) -> dict[str, Outcome]:
    """The outcome for the signed-out roles, for every signed-in role, and exceptions by name."""
    outcomes = dict.fromkeys(SIGNED_OUT, signed_out) | dict.fromkeys(SIGNED_IN, signed_in)
    assert set(by_role) <= set(ROLES), by_role
    return outcomes | by_role


def everyone(outcome: Outcome) -> dict[str, Outcome]:
    return row(outcome, outcome)


def members(outcome: Outcome) -> dict[str, Outcome]:
    """Every signed-in role gets `outcome`; anonymous and deactivated are sent to sign in."""
    return row(LOGIN, outcome)


def only(*roles: str, ok: Outcome, refused: Outcome = 403) -> dict[str, Outcome]:
    """These roles get `ok`, other signed-in roles `refused`; signed-out ones sign in."""
    return row(LOGIN, refused, **dict.fromkeys(roles, ok))


MANAGERS = ("coe", "admin")  # campaigns, panels set-up, guidelines
SCORERS = ("expert", "chair")  # the panel's members

# endpoint -> method -> role -> outcome. Keep it sorted by endpoint.
MATRIX: dict[str, dict[str, dict[str, Outcome]]] = {
    "admin.departments": {"GET": only("admin", ok=200), "POST": only("admin", ok=302)},
    "admin.edit_department": {"GET": only("admin", ok=200), "POST": only("admin", ok=302)},
    "admin.edit_user": {"GET": only("admin", ok=200), "POST": only("admin", ok=302)},
    "admin.index": {"GET": only("admin", ok=302)},
    "admin.new_user": {"GET": only("admin", ok=200), "POST": only("admin", ok=302)},
    "admin.set_active": {"POST": only("admin", ok=302)},
    "admin.users": {"GET": only("admin", ok=200)},
    "auth.forgot_password": {"GET": everyone(200), "POST": everyone(302)},
    # Signing in with a deactivated account's password: refused (200 with a message).
    "auth.login": {"GET": row(200, 302), "POST": row(200, 302)},
    "auth.logout": {"POST": members(302)},
    "auth.password": {"GET": members(200), "POST": members(302)},
    "auth.reset_password": {"GET": everyone(200), "POST": everyone(302)},  # the token decides
    "auth.sign_out_all": {"POST": members(302)},
    "campaigns.edit": {"GET": only(*MANAGERS, ok=200), "POST": only(*MANAGERS, ok=302)},
    "campaigns.index": {"GET": members(200)},
    "campaigns.new": {"GET": only(*MANAGERS, ok=200), "POST": only(*MANAGERS, ok=302)},
    "campaigns.show": {"GET": members(200)},
    "comments.delete": {"POST": only(*MANAGERS, ok=302)},  # moderation; the author may too
    "comments.discussion": {"GET": members(200), "POST": members(302)},
    "comments.edit": {"GET": members(403), "POST": members(403)},  # the author only
    "comments.show": {"GET": members(302)},  # to the discussion page showing the comment
    "governance.acknowledge_version": {"POST": only("hr", "admin", ok=302)},  # on behalf
    "governance.assign_mentor": {"POST": only(*MANAGERS, ok=302)},
    "governance.coe": {"GET": members(200), "POST": only("admin", ok=302)},
    "governance.diff": {"GET": members(200)},
    "governance.draft": {"GET": only(*MANAGERS, ok=200), "POST": only(*MANAGERS, ok=302)},
    "governance.end_member": {"POST": only("admin", ok=302)},
    "governance.guideline": {"GET": members(200)},
    "governance.guidelines": {"GET": members(200)},
    "governance.mentees": {"GET": members(200)},  # my own mentees (none here)
    "governance.mentors_page": {"GET": only(*MANAGERS, ok=200)},
    "governance.new_guideline": {"POST": only(*MANAGERS, ok=302)},
    "governance.publish": {"POST": only(*MANAGERS, ok=302)},
    "hr.dashboard": {"GET": only("hr", "admin", ok=200)},  # training records: HR and admins
    "hr.audit": {"GET": only("hr", "admin", ok=200)},
    "hr.export": {"GET": only("hr", "admin", ok=200)},
    "hr.import_employees": {
        "GET": only("hr", "admin", ok=200),
        "POST": only("hr", "admin", ok=302),
    },
    "hr.people": {"GET": only("hr", "admin", ok=200)},
    "ideas.attach": {"POST": members(403)},  # the author only
    "ideas.download_attachment": {"GET": members(200)},
    "ideas.edit": {"GET": members(403), "POST": members(403)},  # the author only
    "ideas.history": {"GET": members(200)},
    "ideas.new": {"GET": members(200), "POST": members(302)},
    "ideas.preview_attachment": {"GET": members(200)},
    "ideas.set_status": {"POST": only(*MANAGERS, ok=302)},
    "ideas.show": {"GET": members(200)},
    "ideas.vote": {"POST": members(302)},
    "ideas.withdraw": {"POST": members(403)},  # the author only
    "judging.add_criterion": {"POST": only(*MANAGERS, ok=302)},
    "judging.board": {"GET": only("chair", ok=200)},  # managers do not see sealed scores
    "judging.conflict": {"POST": only(*SCORERS, ok=302)},
    "judging.decision": {"POST": only("chair", ok=302)},
    "judging.publish_results": {"POST": only("chair", ok=302)},
    "judging.queue": {"GET": only(*SCORERS, ok=200)},
    "judging.remove_criterion": {"POST": only(*MANAGERS, ok=302)},
    "judging.replacement": {"POST": only("chair", ok=302)},
    "judging.results": {"GET": members(200)},
    "judging.score": {"GET": only(*SCORERS, ok=200), "POST": only(*SCORERS, ok=302)},
    "judging.setup": {"GET": only(*MANAGERS, ok=200), "POST": only(*MANAGERS, ok=302)},
    "judging.shortlist_add": {"POST": only("chair", ok=302)},
    "judging.start": {"POST": only(*MANAGERS, ok=302)},
    "main.healthz": {"GET": everyone(200)},
    "main.home": {"GET": members(200)},
    "main.set_language": {"POST": everyone(302)},
    "people.notices": {"GET": members(200)},
    "people.profile": {"GET": members(200)},
    "people.read_notices": {"POST": members(302)},
    "people.settings": {"GET": members(200), "POST": members(302)},
    "search.results": {"GET": members(200)},
    "search.similar": {"GET": members(200)},
    "training.attempt": {"GET": members(404), "POST": members(404)},  # the author's attempt
    "training.certificate": {"GET": only("hr", "admin", ok=200, refused=404)},
    "training.download": {"GET": members(200)},
    "training.mine": {"GET": members(200)},
    "training.module": {"GET": members(200)},
    "training.new_module": {"GET": only(*MANAGERS, ok=200), "POST": only(*MANAGERS, ok=302)},
    "training.start": {"POST": members(302)},
}
EXEMPT = {"static": "files from static/, served to anyone"}

# These take campaign_id / idea_id from the campaign being judged (the others: the open one).
ON_JUDGED_CAMPAIGN = {
    "judging.board",
    "judging.conflict",
    "judging.decision",
    "judging.publish_results",
    "judging.replacement",
    "judging.results",
    "judging.score",
    "judging.shortlist_add",
}


def png() -> bytes:
    """A one-pixel PNG, so the attachment has an inline preview."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


@dataclass
class World:
    users: dict[str, User]  # by role, plus "author" and "spare_expert"
    ids: dict[str, Any]  # url argument name -> value (and a few more for form data)


def url_args(world: World, endpoint: str, arguments: set[str]) -> dict[str, Any]:
    ids = dict(world.ids)
    if endpoint in ON_JUDGED_CAMPAIGN:
        ids["campaign_id"], ids["idea_id"] = ids["judged_campaign"], ids["judged_idea"]
    missing = arguments - ids.keys()
    assert not missing, f"{endpoint}: no world value for {sorted(missing)}"
    return {name: ids[name] for name in arguments}


# Form data for each POST, so that an allowed role's request really does the thing.
POST_DATA: dict[str, Callable[[World], dict[str, Any]]] = {
    "admin.departments": lambda w: {"name": "Logistics"},
    "admin.edit_department": lambda w: {"name": "Renamed department"},
    "admin.edit_user": lambda w: {
        "email": w.users["author"].email,
        "name": "Renamed Author",
        "department_id": "0",
        "timezone": "",
    },
    "admin.new_user": lambda w: {
        "email": "newcomer@example.test",
        "name": "New Comer",
        "department_id": "0",
        "timezone": "",
        "password": NEW_PASSWORD,
    },
    "admin.set_active": lambda w: {"active": "0"},
    "auth.login": lambda w: {"email": w.users["deactivated"].email, "password": PASSWORD},
    "auth.password": lambda w: {"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    "auth.forgot_password": lambda w: {"email": w.users["author"].email},
    "auth.reset_password": lambda w: {"new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    "campaigns.edit": lambda w: {"title": "Greener offices", "state": "open"},
    "campaigns.new": lambda w: {"title": "Cheaper travel", "state": "draft"},
    "comments.discussion": lambda w: {"body": "Me too."},
    "comments.edit": lambda w: {"body": "Edited."},
    "governance.acknowledge_version": lambda w: {
        "user_id": w.users["author"].id,
        "reason": "Signed on paper at onboarding",
    },
    "hr.import_employees": lambda w: {
        "file": (
            io.BytesIO(b"email,name,department,job_title,hire_date\nnew@example.test,New,,,\n"),
            "people.csv",
        )
    },
    "governance.assign_mentor": lambda w: {  # the author is a CoE member
        "mentee_id": w.users["employee"].id,
        "mentor_id": w.users["author"].id,
    },
    "governance.coe": lambda w: {
        "email": w.users["employee"].email,
        "department_id": w.ids["department_id"],
        "role": "sponsor",
        "starts_on": today().isoformat(),
    },
    "governance.draft": lambda w: {
        "title": "Posting rules",
        "body": "Be kind. Be brief.",
        "for_everyone": "y",
    },
    "governance.mentees": {"GET": members(200)},  # my own mentees (none here)
    "governance.mentors_page": {"GET": only(*MANAGERS, ok=200)},
    "governance.new_guideline": lambda w: {"title": "Video rules"},
    "governance.publish": lambda w: {
        "change_summary": "Shorter.",
        "is_major": "y",
        "effective_on": today().isoformat(),
    },
    "ideas.edit": lambda w: {"title": "An edited title", "summary": "s"},
    "ideas.new": lambda w: {"title": "Solar panels on the roof", "summary": "Save power."},
    "ideas.set_status": lambda w: {"status": "under_review", "note": "Looking at it."},
    "ideas.vote": lambda w: {"value": "1"},
    "judging.add_criterion": lambda w: {
        "name": "Reach",
        "weight": "1",
        "scale_min": "1",
        "scale_max": "5",
    },
    "judging.conflict": lambda w: {"reason": "I helped write it."},
    "judging.decision": lambda w: {"outcome": "selected", "reason": "Strong case."},
    "judging.publish_results": lambda w: {"override_reason": "No one reviewed it in time."},
    "judging.replacement": lambda w: {
        "idea_id": w.ids["judged_idea"],
        "expert_id": w.users["spare_expert"].id,
    },
    "judging.score": lambda w: {"action": "draft", f"score-{w.ids['judged_criterion']}": "3"},
    "judging.setup": lambda w: {
        "chair_id": w.users["chair"].id,
        "member_ids": [w.users["chair"].id, w.users["expert"].id],
        "min_reviews": "1",
        "shortlist_size": "5",
    },
    "judging.shortlist_add": lambda w: {"idea_id": w.ids["spare_idea"], "reason": "Worth a look."},
    "main.set_language": lambda w: {"language": "zh_Hans"},
    "training.attempt": lambda w: {f"q-{w.ids['question']}": w.ids["right_choice"]},
    "training.new_module": lambda w: {
        "title": "Posting, advanced",
        "body": "Read this first.",
        "quiz": QUIZ,
        "pass_mark": "80",
        "due_days": "30",
    },
    "people.settings": lambda w: {"locale": "zh_Hans", "timezone": ""},
}


def no_data(world: World) -> dict[str, Any]:
    return {}


@pytest.fixture
def world(
    app: Flask,
    make_department: Callable[..., Any],
    make_user: Callable[..., User],
    make_campaign: Callable[..., Any],
    make_idea: Callable[..., Any],
    make_comment: Callable[..., Any],
) -> World:
    dept = make_department("Operations")
    users = {
        "employee": make_user(name="Plain Employee"),
        "expert": make_user(roles=["expert"], name="Panel Expert"),
        "chair": make_user(roles=["expert"], name="Panel Chair"),
        "coe": make_user(roles=["coe"], name="Coe Member"),
        "hr": make_user(roles=["hr"], name="Hr Person"),
        "admin": make_user(roles=["admin"], name="Admin Person"),
        "deactivated": make_user(name="Former Employee"),
        "author": make_user(name="Idea Author", department=dept),
        "spare_expert": make_user(roles=["expert"], name="Spare Expert"),
    }
    coe, author = users["coe"], users["author"]
    panel_ids = [users["expert"].id, users["chair"].id]
    open_campaign = make_campaign(title="Open campaign")
    judged = make_campaign(title="Judged campaign")
    idea = make_idea(open_campaign, author, title="Open idea")
    comment = make_comment(idea, author, "A comment.")
    stored = store_upload("chart.png", io.BytesIO(png()))
    attachment = Attachment(
        idea_id=idea.id,
        uploaded_by_id=author.id,
        filename=stored.filename,
        content_hash=stored.content_hash,
        mime_type=stored.mime_type,
        size=stored.size,
    )
    db.session.add(attachment)
    judged_idea = make_idea(judged, author, title="Judged idea", vote_count=3)
    spare_idea = make_idea(judged, author, title="Spare idea")
    with app.test_request_context():
        criterion = save_criterion(coe, open_campaign, "Impact", "", 1, 1, 5)
        save_panel(coe, open_campaign, PanelSettings(chair_id=users["chair"].id, member_ids=[]))
        judged_criterion = save_criterion(coe, judged, "Impact", "", 1, 1, 5)
        settings = PanelSettings(
            chair_id=users["chair"].id,
            member_ids=list(panel_ids),
            min_reviews=1,
            shortlist_size=1,
            scoring_deadline=utcnow() + timedelta(days=2),
        )
        panel = save_panel(coe, judged, settings)
        assert [i.id for i in start_judging(coe, judged)] == [judged_idea.id]
        decide(users["chair"], panel, judged_idea, "selected", "Clear savings.")  # publishable
        guideline = create_guideline(coe, "Posting rules")
        save_draft(coe, guideline, DraftData(title=guideline.title, body="Be kind."))
        version = publish_version(coe, guideline, "First.", True, today())
        save_draft(coe, guideline, DraftData(title=guideline.title, body="Be kind. Be brief."))
        module = create_module(
            coe, guideline, "Posting basics", "Read this.", 80, 30, QUIZ, [stored]
        )
        question = module.questions[0]
        right = next(c for c in question.choices if c.is_correct)
        attempt = start_attempt(author, module)
        assert submit_attempt(author, attempt, {question.id: right.id}).passed
        membership = add_member(users["admin"], author, dept, "representative", today(), None)
        token = reset_token(author)
    # It had a session (see `request_as`); deactivated by hand, its session version unchanged,
    # so that only the account's is_active flag stands between that session and the app.
    users["deactivated"].is_active = False
    db.session.commit()
    ids = {
        "campaign_id": open_campaign.id,
        "idea_id": idea.id,
        "comment_id": comment.id,
        "attachment_id": attachment.id,
        "material_id": module.attachments[0].id,
        "criterion_id": criterion.id,
        "department_id": dept.id,
        "guideline_id": guideline.id,
        "version_id": version.id,
        "membership_id": membership.id,
        "user_id": author.id,
        "token": token,
        "judged_campaign": judged.id,
        "judged_idea": judged_idea.id,
        "judged_criterion": judged_criterion.id,
        "spare_idea": spare_idea.id,
        "module_id": module.id,
        "attempt_id": attempt.id,  # the author's, passed
        "question": question.id,
        "right_choice": right.id,
    }
    return World(users=users, ids=ids)


def outcome_of(response: Any) -> Outcome:
    if 300 <= response.status_code < 400:
        target = urlsplit(response.headers.get("Location", ""))
        if target.path == "/login" and "next=" in target.query:
            return LOGIN
    return int(response.status_code)


Snapshot = dict[str, list[tuple[Any, ...]]]


def snapshot() -> Snapshot:
    """Every row of every table, in primary-key order."""
    rows = {}
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        rows[table.name] = [tuple(r) for r in db.session.execute(table.select().order_by(*order))]
    db.session.rollback()
    return rows


def restore(saved: Snapshot) -> None:
    """Put the world back as it was (same ids), much faster than building it again."""
    db.session.rollback()
    tables = db.metadata.sorted_tables
    for table in reversed(tables):
        db.session.execute(table.delete())
    for table in tables:
        keys = [c.key for c in table.columns]
        rows = [dict(zip(keys, r, strict=True)) for r in saved[table.name]]
        if rows:
            db.session.execute(table.insert(), rows)
    db.session.commit()
    db.session.expire_all()


def changed_tables(before: Snapshot, after: Snapshot) -> list[str]:
    return [name for name in before if before[name] != after[name]]


REFUSALS = (LOGIN, 400, 403, 404)
# Allowed POSTs that need not write: the rest must leave a trace, or the "allowed" outcome
# may be a form answering with an error rather than the action being done.
WRITES_NOTHING = {"auth.login", "auth.logout", "people.read_notices"}
CHECKED: Counter[str] = Counter()  # engine -> (route, method, role) combinations checked


def test_every_route_has_an_entry(app: Flask) -> None:
    """A new route fails here until it has a row in MATRIX (and a stale row fails too)."""
    problems = []
    routes: dict[str, set[str]] = {}  # endpoint -> methods, over all its rules
    for rule in app.url_map.iter_rules():
        routes.setdefault(rule.endpoint, set()).update(
            set(rule.methods or ()) - {"HEAD", "OPTIONS"}
        )
    for endpoint, methods in sorted(routes.items()):
        if endpoint in EXEMPT:
            continue
        if endpoint not in MATRIX:
            problems.append(f"{endpoint} ({sorted(methods)}): no entry in MATRIX")
        elif set(MATRIX[endpoint]) != methods:
            problems.append(
                f"{endpoint}: MATRIX has {sorted(MATRIX[endpoint])}, the route {methods}"
            )
    problems += [f"{e}: in MATRIX but not a route" for e in sorted(MATRIX.keys() - routes.keys())]
    problems += [f"{e}: exempt but not a route" for e in sorted(EXEMPT.keys() - routes.keys())]
    for endpoint, methods in MATRIX.items():
        for method, outcomes in methods.items():
            if set(outcomes) != set(ROLES):
                problems.append(f"{endpoint} {method}: roles {sorted(outcomes)}")
    assert not problems, "\n".join(problems)


def request_as(
    app: Flask,
    login: Callable[..., FlaskClient],
    world: World,
    role: str,
    method: str,
    url: str,
    data: dict[str, Any] | None,
) -> tuple[Outcome, str]:
    """One request by one role on a fresh client: the outcome, and where it went or what broke."""
    client = app.test_client()
    if role != "anonymous":
        login(world.users[role], on=client)
    crashes: list[str] = []

    def crashed(sender: Any, exception: BaseException, **extra: Any) -> None:
        crashes.append(repr(exception))

    got_request_exception.connect(crashed, app)
    try:
        response = client.open(url, method=method, data=data)
        response.close()  # a sent file stays open until then
    finally:
        got_request_exception.disconnect(crashed, app)
    detail = response.headers.get("Location", "") if response.status_code < 400 else ""
    return outcome_of(response), " ".join([detail, *crashes]).strip()


def side_effects(
    endpoint: str, method: str, role: str, want: Outcome, original: Snapshot, detail: str
) -> list[str]:
    """A GET or a refused request changes nothing; an allowed POST leaves a trace.

    Puts the world back as it was when the request changed it."""
    after = snapshot()
    if after == original:
        allowed_post = method == "POST" and want not in REFUSALS and role in SIGNED_IN
        if allowed_post and endpoint not in WRITES_NOTHING:
            return [f"allowed, yet changed nothing {detail}".strip()]
        return []
    restore(original)
    if method == "GET" or want in REFUSALS:
        return [f"changed the database ({', '.join(changed_tables(original, after))})"]
    return []


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_route_by_role(
    app: Flask,
    login: Callable[..., FlaskClient],
    world: World,
    engine_name: str,
    endpoint: str,
) -> None:
    """Each method of the route, as each role, in the same world (put back after any change)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is the 500 a person would see
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        url = url_for(endpoint, **url_args(world, endpoint, set(rule.arguments)))
    original = snapshot()
    problems = []
    for method, outcomes in MATRIX[endpoint].items():
        for role in ROLES:
            data = POST_DATA.get(endpoint, no_data)(world) if method == "POST" else None
            got, detail = request_as(app, login, world, role, method, url, data)
            CHECKED[engine_name] += 1
            want = outcomes[role]
            if got != want:
                problems.append(f"{method} as {role}: expected {want}, got {got} {detail}".strip())
            problems += [
                f"{method} as {role}: {p}"
                for p in side_effects(endpoint, method, role, want, original, detail)
            ]
    assert not problems, f"{endpoint} ({url}):\n  " + "\n  ".join(problems)


def test_zz_report_combinations_checked(engine_name: str) -> None:
    total = sum(len(methods) for methods in MATRIX.values()) * len(ROLES)
    print(
        f"\n[authorization] {engine_name}: {CHECKED[engine_name]} of {total} "
        f"(route, method, role) combinations checked; {len(MATRIX)} routes x {len(ROLES)} roles"
    )
