"""Sessions that really end, password rules, and password reset by a real SMTP server."""

from __future__ import annotations

import re
import time

import pytest
from conftest import PASSWORD
from mailserver import smtp_server

from ideahub.auth.passwords import password_problem
from ideahub.auth.services import reset_token
from ideahub.extensions import db
from ideahub.models import AuditEntry, User

NEW_PASSWORD = "a fresh passphrase 42"


def sign_in(client, user, password=PASSWORD, remember=False):
    data = {"email": user.email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


def test_password_policy_messages():
    assert "at least 10" in password_problem("short")
    assert "common" in password_problem("password123")
    assert "common" in password_problem("aaaaaaaaaaaa")
    assert "name or email" in password_problem("wei.zhang-2026!", email="wei.zhang@x.test")
    assert password_problem("purple tractor melody", email="a@x.test", name="Ann") is None


def test_changing_password_ends_other_sessions(app, make_user):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    assert sign_in(laptop, user).status_code == 302
    assert sign_in(phone, user).status_code == 302
    r = laptop.post(
        "/account/password",
        data={"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert r.status_code == 302
    assert laptop.get("/").status_code == 200  # the session that changed it stays in
    assert phone.get("/").status_code == 302  # every other one is out
    assert phone.get("/").location.startswith("/login")
    assert db.session.get(User, user.id).check_password(NEW_PASSWORD)


def test_wrong_current_password_changes_nothing(client, make_user):
    user = make_user()
    sign_in(client, user)
    r = client.post(
        "/account/password", data={"current": "nope", "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert r.status_code == 200
    assert "current password is not right" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)


def test_weak_new_password_refused_with_reason(client, make_user):
    user = make_user()
    sign_in(client, user)
    r = client.post(
        "/account/password", data={"current": PASSWORD, "new": "password1", "confirm": "password1"}
    )
    assert r.status_code == 200
    assert "at least 10" in r.get_data(as_text=True)


def test_sign_out_everywhere_includes_remember_cookies(app, make_user):
    user = make_user()
    a, b = app.test_client(), app.test_client()
    sign_in(a, user, remember=True)
    sign_in(b, user, remember=True)
    assert b.get_cookie("remember_token", domain="ideahub.test") is not None
    assert a.post("/account/sign-out-everywhere").status_code == 302
    assert a.get("/").status_code == 302
    # b keeps its cookies, but neither the session nor the remember cookie is honoured
    with b.session_transaction() as s:
        s.clear()
    assert b.get("/").status_code == 302


def test_deactivation_ends_sessions_at_once(app, make_user, login):
    admin = make_user(roles=["admin"])
    leaver = make_user()
    theirs = app.test_client()
    sign_in(theirs, leaver, remember=True)
    assert theirs.get("/").status_code == 200
    ours = login(admin, on=app.test_client())
    assert ours.post(f"/admin/users/{leaver.id}/active", data={"active": "0"}).status_code == 302
    assert theirs.get("/").status_code == 302
    assert sign_in(app.test_client(), leaver).status_code == 200  # refused, form shown again


@pytest.fixture
def inbox():
    with smtp_server() as (box, port):
        box.port = port
        yield box


@pytest.fixture
def app_config(app_config, inbox):
    app_config["SESSION_IDLE_MINUTES"] = 1
    app_config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port)
    return app_config


def test_idle_session_ends(client, make_user):
    user = make_user()
    sign_in(client, user)
    with client.session_transaction() as s:
        s["_seen"] = int(time.time()) - 120
    r = client.get("/")
    assert r.status_code == 302 and r.location.startswith("/login")
    assert client.get("/").status_code == 302


def test_idle_session_htmx_gets_redirect_header(client, make_user):
    user = make_user()
    sign_in(client, user)
    with client.session_transaction() as s:
        s["_seen"] = int(time.time()) - 120
    r = client.get("/campaigns/", headers={"HX-Request": "true"})
    assert r.status_code == 401
    assert r.headers["HX-Redirect"] == "/login"


def test_remembered_session_survives_idle_limit(client, make_user):
    user = make_user()
    sign_in(client, user, remember=True)
    with client.session_transaction() as s:
        s["_seen"] = int(time.time()) - 7200
    assert client.get("/").status_code == 200


def test_the_session_cookie_is_sent_again_only_when_the_session_changes(app, client, make_user):
    app.config["SESSION_IDLE_MINUTES"] = 60  # this module's one minute would end it
    user = make_user()
    sign_in(client, user)
    client.get("/")  # the first page keeps a new CSRF token in the session
    assert "Set-Cookie" not in client.get("/").headers  # nothing changed: no new cookie
    with client.session_transaction() as s:
        s["_seen"] = int(time.time()) - 61  # the idle check refreshes it once a minute
    r = client.get("/")
    assert r.status_code == 200 and "session=" in r.headers["Set-Cookie"]
    assert "Set-Cookie" not in client.get("/").headers


def test_absolute_session_limit(client, make_user, app):
    user = make_user()
    sign_in(client, user)
    with client.session_transaction() as s:
        s["_started"] = int(time.time()) - int(app.permanent_session_lifetime.total_seconds()) - 5
    assert client.get("/").status_code == 302


def _link(body: str) -> str:
    match = re.search(r"https?://\S+/login/reset/\S+", body)
    assert match, body
    return match.group(0).split("ideahub.test", 1)[1]


def test_password_reset_by_email_is_single_use(client, make_user, inbox):
    user = make_user(email="reset.me@example.test")
    r = client.post("/login/forgot", data={"email": "RESET.ME@example.test"})
    assert r.status_code == 302
    assert len(inbox.messages) == 1
    assert inbox.messages[0]["To"] == "reset.me@example.test"
    link = _link(inbox.bodies()[0])
    assert client.get(link).status_code == 200
    r = client.post(link, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 302 and r.location == "/login"
    assert sign_in(client, user, NEW_PASSWORD).status_code == 302
    client.post("/logout")
    # used once: the same link is refused and changes nothing
    r = client.post(link, data={"new": "another passphrase 7", "confirm": "another passphrase 7"})
    assert r.status_code == 302 and "/login/forgot" in r.location
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(NEW_PASSWORD)


def test_reset_for_unknown_email_answers_the_same_and_sends_nothing(client, make_user, inbox):
    known = make_user(email="known@example.test")
    r1 = client.post("/login/forgot", data={"email": "nobody@example.test"}, follow_redirects=True)
    r2 = client.post("/login/forgot", data={"email": known.email}, follow_redirects=True)
    assert len(inbox.messages) == 1
    flash = re.compile(r'<p class="flash[^"]*">([^<]*)</p>')
    assert flash.findall(r1.get_data(as_text=True)) == flash.findall(r2.get_data(as_text=True))


def test_expired_and_forged_reset_links_refused(app, client, make_user):
    user = make_user()
    token = reset_token(user)
    app.config["PASSWORD_RESET_HOURS"] = 0
    time.sleep(1.1)
    assert "/login/forgot" in client.get(f"/login/reset/{token}").location
    app.config["PASSWORD_RESET_HOURS"] = 2
    assert "/login/forgot" in client.get(f"/login/reset/{token}x").location
    assert "/login/forgot" in client.get("/login/reset/not-a-token").location


def test_password_change_is_audited(client, make_user):
    user = make_user()
    sign_in(client, user)
    client.post(
        "/account/password",
        data={"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    actions = db.session.scalars(
        db.select(AuditEntry.action).where(AuditEntry.target_id == user.id)
    ).all()
    assert "user.password_changed" in actions


@pytest.fixture
def limited(app_config):
    """The app with its sign-in limits on (the other tests run without them)."""
    app_config.update(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        SIGNIN_LIMIT="3 per minute",
        SIGNIN_ADDRESS_LIMIT="5 per minute",
    )
    return app_config


def test_failed_sign_ins_are_limited_and_the_form_says_when_to_try_again(
    limited, app, client, make_user
):
    user = make_user()
    codes = [sign_in(client, user, password="wrong").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = sign_in(client, user)  # even the right password, until the minute is over
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "Too many attempts. Please try again in 1 minute." in page
    assert f'value="{user.email}"' in page and 'name="password"' in page  # the form, again
    assert "per 1 minute" not in page  # not the limit's own wording
    assert refused.headers["X-RateLimit-Limit"] == "3"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    other = make_user()  # another account, from the same address, is not locked out
    assert sign_in(client, other).status_code == 302


def test_successful_sign_ins_do_not_count(limited, app, client, make_user):
    """A whole office may sign in from one address: only failures count."""
    people = [make_user() for _ in range(7)]  # more than either limit
    for person in people:
        signed = sign_in(client, person)
        assert signed.status_code == 302
        assert client.post("/logout").status_code == 302
    assert sign_in(client, people[0], password="wrong").status_code == 200


def test_failures_on_many_accounts_from_one_address_are_limited(limited, app, client, make_user):
    people = [make_user() for _ in range(6)]
    codes = [sign_in(client, person, password="wrong").status_code for person in people]
    assert codes == [200] * 5 + [429]  # the address's limit: 5, though each account had 1


def test_behind_a_trusted_proxy_each_address_has_its_own_limit(limited, app, make_user, app_config):
    from ideahub import create_app

    people = [make_user() for _ in range(6)]
    for proxies, expected in ((1, [200] * 6), (0, [200] * 5 + [429])):
        proxied = create_app({**app_config, "PROXIES": proxies})
        client = proxied.test_client()
        codes = [
            client.post(
                "/login",
                data={"email": person.email, "password": "wrong"},
                headers={"X-Forwarded-For": f"10.0.0.{n}"},  # each from a different desk
            ).status_code
            for n, person in enumerate(people)
        ]
        assert codes == expected, proxies  # without a trusted proxy the header is ignored
        with proxied.app_context():
            db.engine.dispose()


def test_reset_requests_are_limited_with_the_form_again(limited, app, client, make_user):
    user = make_user()
    forgot = [client.post("/login/forgot", data={"email": user.email}) for _ in range(4)]
    assert [r.status_code for r in forgot] == [302, 302, 302, 429]
    assert forgot[0].headers["X-RateLimit-Remaining"] == "2"
    page = forgot[3].get_data(as_text=True)
    assert "Too many attempts. Please try again in 1 minute." in page
    assert f'value="{user.email}"' in page


def test_pages_without_a_limit_skip_the_limiter(limited, app, client, make_user):
    """Its hooks run only where a view has a limit (ideahub.extensions.Limiter): the sign-in
    still counts and says so, nothing else carries its headers or counts."""
    user = make_user()
    for _ in range(6):  # more than the limits: other pages do not count against them
        page = client.get("/login")
        assert page.status_code == 200 and "X-RateLimit-Limit" not in page.headers
    assert sign_in(client, user, password="wrong").headers["X-RateLimit-Remaining"] == "2"
    signed_in = sign_in(client, user)
    assert signed_in.status_code == 302 and "X-RateLimit-Limit" in signed_in.headers
    home = client.get("/")
    assert home.status_code == 200 and "X-RateLimit-Limit" not in home.headers


def _account_form(**fields):
    data = {"name": "New Person", "email": "new.person@example.test", "password": NEW_PASSWORD}
    data.update(fields)
    return data


def _field_errors(page: str, name: str) -> list[str]:
    return re.findall(rf'<p class="error" id="{name}-error-\d">([^<]*)</p>', page)


def test_the_account_form_shows_every_mistake_at_once_at_its_field(client, login, make_user):
    login(make_user(roles=["admin"]))
    r = client.post("/admin/users/new", data=_account_form(email="not an email", password="short"))
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert _field_errors(page, "email") and _field_errors(page, "password") == [
        "The password must have at least 10 characters."
    ]
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1


def test_a_taken_email_is_said_at_the_email_field(client, login, make_user):
    login(make_user(roles=["admin"]))
    taken = make_user()
    r = client.post("/admin/users/new", data=_account_form(email=taken.email.upper()))
    page = r.get_data(as_text=True)
    assert _field_errors(page, "email") == [
        f"An account with the email {taken.email.upper()} already exists."
    ]
    assert 'value="New Person"' in page  # what was typed is kept
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 2


def test_removing_ones_own_admin_role_is_said_at_the_roles(client, login, make_user):
    admin = make_user(roles=["admin"], name="Ada Admin")
    login(admin)
    data = _account_form(name=admin.name, email=admin.email, password="", roles=["hr"])
    page = client.post(f"/admin/users/{admin.id}/edit", data=data).get_data(as_text=True)
    assert '<p class="error">You cannot remove your own administrator role.</p>' in page
    db.session.expire_all()
    assert "admin" in db.session.get(User, admin.id).roles
