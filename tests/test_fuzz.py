"""Property-based tests: every form's fields and the Markdown renderer, fed arbitrary input.

For the renderer: it never raises, and whatever goes in, only allow-listed tags and attributes
come out, links only to http, https, mailto or relative addresses, never a script or an on*
handler.

For every form, through HTTP as the role that uses it: the answer is never a 500, and when it
is a refusal (a 4xx, a form shown again with its errors, or a redirect that flashes an error)
the stored data is exactly what it was before (the relevant tables, row by row, read through a
connection of their own, so only committed data counts, as for the next request).

Inputs: arbitrary text (control characters included; surrogates cannot be sent), very long
strings, numbers written every which way (huge, negative, floats, nan, inf, "²", "٣", "１"),
dates and date-times near the ends of the calendar, empty strings, and plausible values so
that accepted requests are exercised too.

Examples run per form are printed by the last test (run with -s); the total is for the file.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import PASSWORD
from flask import got_request_exception, request
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from ideahub.extensions import db
from ideahub.judging.services import PanelSettings, save_criterion, save_panel, start_judging
from ideahub.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown, sanitize_html
from ideahub.models import CAMPAIGN_STATES, GRANTABLE_ROLES, IDEA_STATUSES, utcnow

# (engine, form) -> examples run; engine "-" for tests without a database
EXAMPLES: Counter[tuple[str, str]] = Counter()

HX = {"HX-Request": "true"}


def fuzz(examples: int) -> Any:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,  # no .hypothesis/ folder in the repository
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


# ---------------------------------------------------------------- strategies

TRICKY_NUMBERS = [
    "",
    " ",
    "0",
    "-1",
    "1",
    "01",
    " 7 ",
    "1_000",
    "0x10",
    "1.5",
    "-0.0",
    "1e309",
    "-1e309",
    "nan",
    "inf",
    "-inf",
    "²",  # str.isdigit() says yes, int() says no
    "٣",  # an Arabic-Indic three: int() reads it
    "１",  # a full-width one
    "99999999999999999999",
    "9223372036854775808",
    "-9223372036854775809",
    "2147483648",
    "\x00",
    "1\x00",
]
TRICKY_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x01\x1f\x7f",
    "\t\r\n",
    "\u200b\u202e\ufeff",
    "\u0085\u2028",
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "%s%n%(x)s{0}{{7*7}}",
    "' OR 1=1 --",
    "\\",
    "🙂",
    "#",
    ",,,",
    "a,b,c,d,e,f,g,h,i,j",
    "null",
    "²",
]
TRICKY_DATES = [
    "",
    "2024-02-30",
    "2024-13-01",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "24-1-1",
    "²",
    "\x00",
]

long_text = st.builds(
    lambda piece, n: (piece * n)[:n], st.text(min_size=1, max_size=4), st.integers(100, 25_000)
)
numbers = st.one_of(
    st.sampled_from(TRICKY_NUMBERS),
    st.integers(-(10**25), 10**25).map(str),
    st.integers(-5, 120).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


def text(max_size: int = 80) -> st.SearchStrategy[str]:
    """Anything a browser (or a script) could send in a text field."""
    return st.one_of(st.text(max_size=max_size), st.sampled_from(TRICKY_TEXT), numbers, long_text)


def words(min_size: int = 1, max_size: int = 40) -> st.SearchStrategy[str]:
    """Plausible text, so that some requests are accepted."""
    alphabet = st.characters(codec="utf-8", categories=["L", "N", "Zs", "P"])
    return st.text(alphabet=alphabet, min_size=min_size, max_size=max_size)


def plausible_or_any(min_size: int = 1, max_size: int = 40) -> st.SearchStrategy[str]:
    return st.one_of(words(min_size, max_size), text())


dates = st.one_of(
    st.dates().map(lambda d: d.isoformat()), st.sampled_from(TRICKY_DATES), st.text(max_size=12)
)
datetimes_local = st.one_of(
    st.datetimes().map(lambda d: d.isoformat(timespec="minutes")),
    st.sampled_from(TRICKY_DATES),
    st.text(max_size=20),
)
checkbox = st.sampled_from(["", "y", "on", "false", "0", "\x00"])


def ids(*known: int) -> st.SearchStrategy[str]:
    """An id field: a real one, or anything."""
    return st.one_of(st.sampled_from([str(k) for k in known]), numbers) if known else numbers


# ---------------------------------------------------------------- the harness


class Fuzz:
    """Sends one request per example; a 500 fails, a refusal must leave the tables as they were."""

    def __init__(self, engine: str) -> None:
        self.engine = engine
        self.crashes: list[str] = []

    @staticmethod
    def snapshot(tables: tuple[str, ...]) -> dict[str, list[tuple[Any, ...]]]:
        out: dict[str, list[tuple[Any, ...]]] = {}
        with db.engine.connect() as conn:  # committed data only, as the next request sees it
            for name in tables:
                table = db.metadata.tables[name]
                rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
                out[name] = [tuple(r) for r in rows]
        return out

    @staticmethod
    def refusal(client: Any, response: Any) -> str | None:
        """Why this answer is a refusal (None when the request was accepted)."""
        if 400 <= response.status_code < 500:
            return f"status {response.status_code}"
        if response.status_code in (301, 302, 303):
            with client.session_transaction() as session:
                flashes = session.pop("_flashes", [])
            errors = [message for category, message in flashes if category == "error"]
            return f"flashed {errors[0]!r}" if errors else None
        html = response.get_data(as_text=True)
        for mark in ('class="error"', "form-errors", "flash-error"):
            if mark in html:
                return f"page shows {mark}"
        return None

    def send(
        self,
        form: str,
        client: Any,
        url: str,
        data: dict[str, Any],
        *,
        tables: tuple[str, ...],
        method: str = "POST",
        htmx: bool = False,
    ) -> tuple[Any, str | None]:
        EXAMPLES[(self.engine, form)] += 1
        before = self.snapshot(tables)
        self.crashes.clear()
        kwargs: dict[str, Any] = {"headers": HX if htmx else {}}
        kwargs["query_string" if method == "GET" else "data"] = data
        response = client.open(url, method=method, **kwargs)
        try:
            assert response.status_code < 500, (
                f"{form}: {method} {url} answered {response.status_code} for {data!r}: "
                + "; ".join(self.crashes)
            )
            why = "read-only" if method == "GET" else self.refusal(client, response)
            if why is not None:
                after = self.snapshot(tables)
                changed = {t: _first_change(before[t], after[t]) for t in tables}
                changed = {t: c for t, c in changed.items() if c}
                assert not changed, (
                    f"{form}: refused ({why}) but stored data changed for {data!r}: {changed}"
                )
            elif response.status_code in (301, 302, 303):
                # Accepted: the page it leads to shows what was stored, and must still work.
                self.crashes.clear()
                location = response.headers["Location"]
                shown = client.get(location)
                assert shown.status_code < 500, (
                    f"{form}: accepted {data!r}, then GET {location} answered "
                    f"{shown.status_code}: " + "; ".join(self.crashes)
                )
        finally:
            db.session.rollback()  # as at the end of a request: nothing half-done carries over
        return response, why


def _first_change(before: list[tuple[Any, ...]], after: list[tuple[Any, ...]]) -> str:
    if before == after:
        return ""
    if len(before) != len(after):
        return f"{len(before)} rows -> {len(after)} rows"
    for old, new in zip(before, after, strict=True):
        if old != new:
            return f"{old!r} -> {new!r}"
    return "changed"


@pytest.fixture
def fz(app: Any, engine_name: str) -> Iterator[Fuzz]:
    """Views' exceptions become the 500s a person would get; the exception is kept to show."""
    harness = Fuzz(engine_name)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def crashed(sender: Any, exception: BaseException, **extra: Any) -> None:
        harness.crashes.append(f"{request.method} {request.path}: {exception!r}")

    got_request_exception.connect(crashed, app)
    try:
        yield harness
    finally:
        got_request_exception.disconnect(crashed, app)


# ---------------------------------------------------------------- the Markdown renderer

MARKDOWN_PIECES = [
    "[",
    "]",
    "(",
    ")",
    "<",
    ">",
    "!",
    "javascript:",
    "JaVaScRiPt:",
    "java\tscript:",
    "data:text/html,",
    "vbscript:",
    "alert(1)",
    "script",
    "/script",
    "img",
    "svg",
    "style",
    "iframe",
    " src=x",
    " onerror=",
    " onload=",
    " href=",
    '"',
    "'",
    "=",
    "&#106;",
    "&#x6A;",
    "&#58;",
    "&colon;",
    "&amp;",
    "%6A",
    "\n",
    "\n\n",
    "    ",
    "`",
    "```",
    "*",
    "_",
    "~~",
    "|",
    "---",
    "# ",
    "> ",
    "- ",
    "1. ",
    "http://x.test/",
    "mailto:a@b.test",
    "\\",
    "\x00",
    "\u200b",
    " ",
    "a",
    "[x]: ",
    "{{7*7}}",
]
markdown_text = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(MARKDOWN_PIECES), max_size=60).map("".join),
)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


def _html_problems(html: str) -> list[str]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    problems = []
    if "<script" in html.lower():
        problems.append("<script")
    for tag, attrs in parser.tags:
        if tag not in ALLOWED_TAGS:
            problems.append(f"tag {tag}")
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        for name, value in attrs.items():
            if name.startswith("on") or name not in allowed:
                problems.append(f"attribute {name} on {tag}")
            if name == "href":
                url = re.sub(r"[\x00-\x20\x7f]+", "", value or "").lower()
                scheme = SCHEME.match(url)
                if scheme and scheme.group(1) not in ("http", "https", "mailto"):
                    problems.append(f"href {value!r}")
    return problems


@fuzz(400)
@given(source=markdown_text)
def test_render_markdown_never_raises_and_is_always_safe(source):
    EXAMPLES[("-", "markdown")] += 1
    html = str(render_markdown(source))
    assert _html_problems(html) == [], (source, html)


@fuzz(200)
@given(source=st.one_of(st.text(max_size=200), markdown_text))
def test_sanitize_html_keeps_only_the_allow_list(source):
    EXAMPLES[("-", "sanitize_html")] += 1
    assert _html_problems(sanitize_html(source)) == [], source


def test_the_html_check_catches_what_it_should():
    assert _html_problems('<p><a href="https://x.test" rel="nofollow">x</a></p>') == []
    for bad in [
        "<script>1</script>",
        '<a href="java&#x09;script:1">x</a>',
        '<img src="x">',
        '<p onclick="1">x</p>',
        '<a href=" data:text/html,x">x</a>',
    ]:
        assert _html_problems(bad), bad


# ---------------------------------------------------------------- signing in and accounts


def test_login(fz, app, make_user):
    user = make_user(email="known@example.test")
    client = app.test_client()

    @fuzz(25)
    @example(email="known\x00@example.test", password="x", remember="")  # NUL: PostgreSQL
    @given(
        email=st.one_of(text(), st.just(user.email), st.emails()),
        password=text(),
        remember=checkbox,
    )
    def run(email, password, remember):
        data = {"email": email, "password": password, "remember": remember}
        _, why = fz.send("login", client, "/login", data, tables=("users", "audit_entries"))
        assert why is not None  # no generated password is the right one

    run()


def test_password_change(fz, app, make_user, login):
    user = make_user()
    client = login(user, on=app.test_client())

    @fuzz(25)
    @given(
        current=st.one_of(st.just(PASSWORD), text()),
        new=st.one_of(words(10, 30), text()),
        same=st.booleans(),
        confirm=text(),
    )
    def run(current, new, same, confirm):
        data = {"current": current, "new": new, "confirm": new if same else confirm}
        fz.send("password change", client, "/account/password", data, tables=("users",))
        login(db.session.get(type(user), user.id), on=client)  # a change ends the session

    run()


def test_settings(fz, app, make_user, login):
    client = login(make_user(), on=app.test_client())

    @fuzz(30)
    @given(
        locale=st.one_of(st.sampled_from(["", "en", "zh_Hans", "zh_Hant"]), text()),
        timezone=st.one_of(st.sampled_from(["", "Europe/Paris", "Asia/Shanghai"]), text()),
    )
    def run(locale, timezone):
        data = {"locale": locale, "timezone": timezone}
        fz.send("settings", client, "/people/me/settings", data, tables=("users",))

    run()


def _user_form(department_id: int) -> dict[str, st.SearchStrategy[Any]]:
    return {
        "email": st.one_of(st.emails(), text()),
        "name": plausible_or_any(),
        "department_id": ids(0, department_id),
        "job_title": plausible_or_any(0),
        "hire_date": st.one_of(st.just(""), dates),
        "timezone": st.one_of(st.sampled_from(["", "Europe/Paris", "Pacific/Kiritimati"]), text()),
        "roles": st.lists(st.one_of(st.sampled_from(list(GRANTABLE_ROLES)), text(10)), max_size=4),
        "password": st.one_of(st.just(""), st.just(""), text(), words(10, 20)),
    }


def test_admin_user_form(fz, app, make_user, make_department, login):
    client = login(make_user(roles=["admin"]), on=app.test_client())
    department = make_department()
    target = make_user(department=department)
    tables = ("users", "user_roles", "audit_entries")

    @fuzz(40)
    @given(data=st.fixed_dictionaries(_user_form(department.id)), new=st.booleans())
    def run(data, new):
        url = "/admin/users/new" if new else f"/admin/users/{target.id}/edit"
        fz.send("admin user form", client, url, data, tables=tables)

    run()


def test_department_form(fz, app, make_user, make_department, login):
    client = login(make_user(roles=["admin"]), on=app.test_client())
    department = make_department()
    make_department("Ärger Sales")  # SQLite's lower() folds ASCII letters only

    @fuzz(30)
    @example(name="Ärger Sales", customer="", new=True)
    @given(name=plausible_or_any(), customer=checkbox, new=st.booleans())
    def run(name, customer, new):
        url = "/admin/departments" if new else f"/admin/departments/{department.id}/edit"
        data = {"name": name, "is_customer_facing": customer}
        fz.send("department", client, url, data, tables=("departments", "audit_entries"))

    run()


# ---------------------------------------------------------------- campaigns and ideas

IDEA_TABLES = (
    "ideas",
    "idea_revisions",
    "idea_tags",
    "tags",
    "idea_coauthors",
    "idea_status_changes",
    "attachments",
    "campaigns",
    "audit_entries",
)


PLAIN_IDEA = {
    "title": "Solar panels",
    "summary": "",
    "description": "",
    "tags": "",
    "coauthors": "",
}


def _idea_form(coauthor_email: str) -> dict[str, st.SearchStrategy[Any]]:
    return {
        "title": plausible_or_any(5, 60),
        "summary": plausible_or_any(0),
        "description": st.one_of(markdown_text, text()),
        "tags": st.one_of(
            st.lists(st.from_regex(r"[a-z0-9\-]{1,12}", fullmatch=True), max_size=10).map(
                ", ".join
            ),
            text(),
        ),
        "coauthors": st.one_of(st.just(""), st.just(coauthor_email), text(), st.emails()),
    }


def test_new_idea(fz, app, make_user, make_campaign, login):
    client = login(make_user(), on=app.test_client())
    colleague = make_user()
    url = f"/campaigns/{make_campaign().id}/ideas/new"

    @fuzz(40)
    @example(data={**PLAIN_IDEA, "description": "a\x00b"})  # NUL: PostgreSQL
    @example(data={**PLAIN_IDEA, "coauthors": "a\x00b@example.test"})
    @given(data=st.fixed_dictionaries(_idea_form(colleague.email)))
    def run(data):
        fz.send("new idea", client, url, data, tables=IDEA_TABLES)

    run()


def test_edit_idea(fz, app, make_user, make_idea, login):
    author = make_user()
    client = login(author, on=app.test_client())
    colleague = make_user()
    url = f"/ideas/{make_idea(author=author).id}/edit"

    @fuzz(40)
    @example(data={**PLAIN_IDEA, "description": "a\x00b"})  # NUL: PostgreSQL
    @given(data=st.fixed_dictionaries(_idea_form(colleague.email)))
    def run(data):
        fz.send("edit idea", client, url, data, tables=IDEA_TABLES)

    run()


def test_idea_status_and_withdraw(fz, app, make_user, make_idea, login):
    author = make_user()
    author_client = login(author, on=app.test_client())
    coe_client = login(make_user(roles=["coe"]), on=app.test_client())
    idea_ids = [make_idea(author=author).id for _ in range(3)]
    tables = ("ideas", "idea_status_changes", "audit_entries")

    @fuzz(30)
    @example(idea_id=idea_ids[0], status="under_review", note="a\x00b", withdraw=False)
    @example(idea_id=idea_ids[1], status="", note="a\x00b", withdraw=True)
    @given(
        idea_id=st.sampled_from(idea_ids),
        status=st.one_of(st.sampled_from(list(IDEA_STATUSES)), text()),
        note=text(),
        withdraw=st.booleans(),
    )
    def run(idea_id, status, note, withdraw):
        if withdraw:
            url, data, client = f"/ideas/{idea_id}/withdraw", {"note": note}, author_client
        else:
            url, data, client = (
                f"/ideas/{idea_id}/status",
                {"status": status, "note": note},
                coe_client,
            )
        fz.send("idea status / withdraw", client, url, data, tables=tables)

    run()


def test_campaign_form(fz, app, make_user, make_campaign, login):
    client = login(make_user(roles=["coe"]), on=app.test_client())
    campaign = make_campaign()
    plain = {"title": "Energy", "theme": "", "opens_on": "", "closes_on": "", "state": "open"}

    @fuzz(40)
    @example(data={**plain, "description": "a\x00b"}, new=True)  # NUL: PostgreSQL
    @given(
        data=st.fixed_dictionaries(
            {
                "title": plausible_or_any(3, 60),
                "theme": plausible_or_any(0),
                "description": st.one_of(markdown_text, text()),
                "opens_on": st.one_of(st.just(""), dates),
                "closes_on": st.one_of(st.just(""), dates),
                "state": st.one_of(st.sampled_from(list(CAMPAIGN_STATES)), text()),
            }
        ),
        new=st.booleans(),
    )
    def run(data, new):
        url = "/campaigns/new" if new else f"/campaigns/{campaign.id}/edit"
        fz.send("campaign", client, url, data, tables=("campaigns", "audit_entries"))

    run()


# ---------------------------------------------------------------- comments

COMMENT_TABLES = ("comments", "ideas", "audit_entries")


def test_comment(fz, app, make_user, make_idea, login):
    client = login(make_user(), on=app.test_client())
    url = f"/ideas/{make_idea().id}/comments"

    @fuzz(40)
    @example(body="a\x00b", htmx=False)  # NUL: PostgreSQL
    @given(body=st.one_of(markdown_text, text()), htmx=st.booleans())
    def run(body, htmx):
        fz.send("comment", client, url, {"body": body}, tables=COMMENT_TABLES, htmx=htmx)

    run()


def test_reply(fz, app, make_user, make_idea, make_comment, login):
    client = login(make_user(), on=app.test_client())
    idea = make_idea()
    elsewhere = make_comment(make_idea(), make_user())
    parent = make_comment(idea, make_user())
    url = f"/ideas/{idea.id}/comments"

    @fuzz(40)
    @example(body="Agreed", parent_id="²", htmx=False)  # isdigit() but not int()
    @example(body="Agreed", parent_id="99999999999999999999", htmx=False)  # beyond BIGINT
    @given(
        body=st.one_of(words(), text()),
        parent_id=st.one_of(ids(parent.id, elsewhere.id), st.just("")),
        htmx=st.booleans(),
    )
    def run(body, parent_id, htmx):
        data = {"body": body, "parent_id": parent_id}
        fz.send("reply", client, url, data, tables=COMMENT_TABLES, htmx=htmx)

    run()


def test_comment_edit(fz, app, make_user, make_idea, make_comment, login):
    author = make_user()
    client = login(author, on=app.test_client())
    url = f"/comments/{make_comment(make_idea(), author).id}/edit"

    @fuzz(30)
    @example(body="a\x00b", htmx=True)  # NUL: PostgreSQL
    @given(body=st.one_of(markdown_text, text()), htmx=st.booleans())
    def run(body, htmx):
        fz.send("comment edit", client, url, {"body": body}, tables=COMMENT_TABLES, htmx=htmx)

    run()


# ---------------------------------------------------------------- expert panels


@pytest.fixture
def panel_world(app, make_user, make_campaign, make_idea):
    coe = make_user(roles=["coe"])
    chair = make_user(roles=["expert"])
    expert = make_user(roles=["expert"])
    author = make_user()
    campaign = make_campaign()
    ideas = [make_idea(campaign=campaign, author=author) for _ in range(4)]
    with app.test_request_context():
        impact = save_criterion(coe, campaign, "Impact", "", 2, 1, 5)
        effort = save_criterion(coe, campaign, "Effort", "", 1, 0, 10)
        save_panel(
            coe,
            campaign,
            PanelSettings(
                chair_id=chair.id,
                member_ids=[chair.id, expert.id],
                min_reviews=1,
                shortlist_size=3,
                scoring_deadline=utcnow() + timedelta(days=3),
            ),
        )
        start_judging(coe, campaign)
    return {
        "coe": coe,
        "chair": chair,
        "expert": expert,
        "campaign_id": campaign.id,
        "idea_ids": [i.id for i in ideas],
        "criterion_ids": [impact.id, effort.id],
    }


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("name"):
            self.values[str(found["name"])] = found.get("value") or ""


def _input_value(html: str, name: str) -> str | None:
    parser = _Inputs()
    parser.feed(html)
    return parser.values.get(name)


def test_panel_settings(fz, app, make_user, make_campaign, login):
    coe = make_user(roles=["coe"])
    # UTC+14 all year (since 1995); before pytz's zones are localized it is LMT, -10:29.
    coe.timezone = "Pacific/Kiritimati"
    db.session.commit()
    client = login(coe, on=app.test_client())
    experts = [make_user(roles=["expert"]).id for _ in range(2)]
    url = f"/campaigns/{make_campaign().id}/panel"
    plain = {"chair_id": str(experts[0]), "member_ids": [str(experts[0])], "min_reviews": "2"}
    recent = st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1))

    @fuzz(40)
    @example(data={**plain, "scoring_deadline": "2030-06-01T12:00"})  # shown back as typed
    @example(data={**plain, "scoring_deadline": "0001-01-01T05:00"})  # before year 1 in UTC
    @example(data={**plain, "scoring_deadline": "9999-12-31T23:59"})
    @given(
        data=st.fixed_dictionaries(
            {
                "chair_id": ids(0, *experts),
                "member_ids": st.lists(ids(*experts), max_size=3),
                "min_reviews": st.one_of(numbers, st.integers(1, 20).map(str)),
                "shortlist_size": st.one_of(st.just(""), numbers, st.integers(0, 500).map(str)),
                "scoring_deadline": st.one_of(
                    st.just(""), datetimes_local, recent.map(lambda d: d.isoformat()[:16])
                ),
                "exclude_same_department": checkbox,
                "disagreement_threshold": st.one_of(st.just(""), numbers),
            }
        )
    )
    def run(data):
        tables = ("panels", "panel_members", "audit_entries")
        _, why = fz.send("panel settings", client, url, data, tables=tables)
        typed = data["scoring_deadline"]
        if why is None and re.fullmatch(r"20\d\d-\d\d-\d\dT\d\d:\d\d", typed):
            # The deadline is typed and shown in the person's time zone: it reads the same.
            shown = _input_value(client.get(url).get_data(as_text=True), "scoring_deadline")
            assert shown == typed, f"typed the deadline {typed}, the form shows {shown}"

    run()


def test_criterion_form(fz, app, make_user, make_campaign, login):
    client = login(make_user(roles=["coe"]), on=app.test_client())
    url = f"/campaigns/{make_campaign().id}/panel/criteria"
    plain = {"name": "Impact", "description": "", "weight": "1", "scale_min": "1", "scale_max": "5"}

    @fuzz(40)
    @example(data={**plain, "name": "Impact\x1b"})  # a refusal whose message is lazy
    @given(
        data=st.fixed_dictionaries(
            {
                "name": plausible_or_any(1, 30),
                "description": plausible_or_any(0),
                "weight": st.one_of(numbers, st.integers(1, 10).map(str)),
                "scale_min": st.one_of(st.just(""), numbers, st.integers(0, 3).map(str)),
                "scale_max": st.one_of(numbers, st.integers(4, 10).map(str)),
            }
        )
    )
    def run(data):
        fz.send("criterion", client, url, data, tables=("criteria", "audit_entries"))

    run()


def test_scorecard(fz, app, login, panel_world):
    w = panel_world
    client = login(w["expert"], on=app.test_client())
    first, second = w["criterion_ids"]

    @fuzz(40)
    @example(
        idea_id=w["idea_ids"][0],
        scores=("3", ""),
        comments=("a\x00b", ""),
        overall="",
        action="draft",
    )  # NUL: PostgreSQL
    @given(
        idea_id=st.sampled_from(w["idea_ids"][:3]),
        scores=st.tuples(numbers, numbers),
        comments=st.tuples(text(), text()),
        overall=text(),
        action=st.one_of(st.sampled_from(["draft", "draft", "submit"]), text()),
    )
    def run(idea_id, scores, comments, overall, action):
        data = {
            f"score-{first}": scores[0],
            f"score-{second}": scores[1],
            f"comment-{first}": comments[0],
            f"comment-{second}": comments[1],
            "overall_comment": overall,
            "action": action,
        }
        url = f"/judging/ideas/{idea_id}/score"
        fz.send("scorecard", client, url, data, tables=("scorecards", "scores", "audit_entries"))

    run()


def test_decision_shortlist_and_conflict(fz, app, login, panel_world):
    w = panel_world
    chair = login(w["chair"], on=app.test_client())
    expert = login(w["expert"], on=app.test_client())
    tables = (
        "decisions",
        "shortlist_entries",
        "assignments",
        "recusals",
        "ideas",
        "idea_status_changes",
        "notices",
        "audit_entries",
    )

    @fuzz(40)
    @example(kind="shortlist", idea_id="99999999999999999999", outcome="", reason="Good")
    @example(kind="decision", idea_id=str(w["idea_ids"][0]), outcome="selected", reason="a\x00b")
    @given(
        kind=st.sampled_from(["decision", "decision", "shortlist", "conflict"]),
        idea_id=st.one_of(st.sampled_from([str(i) for i in w["idea_ids"]]), numbers),
        outcome=st.one_of(st.sampled_from(["selected", "not_selected"]), text()),
        reason=st.one_of(words(), text()),
    )
    def run(kind, idea_id, outcome, reason):
        known = idea_id if idea_id in [str(i) for i in w["idea_ids"]] else str(w["idea_ids"][0])
        if kind == "decision":
            url, client = f"/ideas/{known}/decision", chair
            data = {"outcome": outcome, "reason": reason}
        elif kind == "shortlist":
            url, client = f"/campaigns/{w['campaign_id']}/panel/shortlist", chair
            data = {"idea_id": idea_id, "reason": reason}
        else:
            url, client = f"/judging/ideas/{known}/conflict", expert
            data = {"reason": reason}
        fz.send(f"{kind}", client, url, data, tables=tables)

    run()


# ---------------------------------------------------------------- search and filters

READ_TABLES = ("ideas", "comments", "campaigns", "users", "tags")
query = text(40)


@pytest.fixture
def searcher(app, make_user, make_idea, make_comment, login):
    client = login(make_user(roles=["admin"]), on=app.test_client())
    idea = make_idea(title="Solar panels on the roof", description="Save energy with solar")
    make_comment(idea, make_user(), "Solar is great")
    return client, idea.campaign_id


def test_search(fz, searcher):
    client, _ = searcher

    @fuzz(40)
    @example(q="solar", kind="", number="²", other="", day="", page="")  # isdigit(), not int()
    @example(q="solar", kind="", number="", other="99999999999999999999", day="", page="")
    @given(
        q=st.one_of(st.sampled_from(["solar", "solar energy", "roof"]), query),
        kind=st.one_of(st.sampled_from(["", "idea", "comment", "campaign"]), query),
        number=st.one_of(numbers, st.just("")),
        other=st.one_of(numbers, st.just("")),
        day=st.one_of(dates, st.just("")),
        page=numbers,
    )
    def run(q, kind, number, other, day, page):
        data = {"q": q, "kind": kind, "campaign": number, "status": kind}
        data.update({"department": other, "from": day, "to": day, "page": page})
        fz.send(
            "search", client, "/search", data, tables=READ_TABLES, method="GET", htmx=page == "1"
        )

    run()


def test_similar_ideas(fz, searcher):
    client, _ = searcher

    @fuzz(20)
    @given(title=st.one_of(st.sampled_from(["solar", "Solar panels"]), query))
    def run(title):
        data = {"title": title}
        fz.send("similar ideas", client, "/search/similar", data, tables=READ_TABLES, method="GET")

    run()


def test_campaign_filters(fz, searcher):
    client, campaign_id = searcher

    @fuzz(30)
    @example(sort="top", tag="", status="", department="²", page="1")  # isdigit(), not int()
    @example(sort="top", tag="", status="", department="99999999999999999999", page="1")
    @example(sort="top", tag="a\x00b", status="", department="", page="1")  # NUL: PostgreSQL
    @given(
        sort=st.one_of(st.sampled_from(["top", "newest", "discussed"]), query),
        tag=st.one_of(st.just("solar"), query),
        status=st.one_of(st.sampled_from(list(IDEA_STATUSES)), query),
        department=numbers,
        page=numbers,
    )
    def run(sort, tag, status, department, page):
        data = {"sort": sort, "tag": tag, "status": status, "department": department, "page": page}
        url = f"/campaigns/{campaign_id}"
        fz.send(
            "campaign filters",
            client,
            url,
            data,
            tables=READ_TABLES,
            method="GET",
            htmx=page == "1",
        )

    run()


def test_people_search(fz, searcher):
    client, _ = searcher

    @fuzz(20)
    @example(q="a\x00b", page="1", role="coe", department="1", status="active")  # NUL
    @given(q=query, page=numbers, role=query, department=numbers, status=query)
    def run(q, page, role, department, status):
        fz.send(
            "people search",
            client,
            "/admin/users",
            {"q": q, "page": page, "role": role, "department": department, "status": status},
            tables=READ_TABLES,
            method="GET",
        )

    run()


# ---------------------------------------------------------------- governance, training, HR


def _published_guideline(author: Any) -> Any:
    from ideahub.governance.services import (
        DraftData,
        create_guideline,
        publish_version,
        save_draft,
    )

    g = create_guideline(author, "Posting rules")
    save_draft(
        author,
        g,
        DraftData(title=g.title, body="Be kind.", for_everyone=True, department_ids=(), roles=()),
    )
    publish_version(author, g, "First.", True, utcnow().date())
    return g


def test_guideline_draft_and_publish(fz, app, make_user, make_department, login):
    author = make_user(roles=["coe"])
    client = login(author, on=app.test_client())
    department = make_department()
    g = _published_guideline(author)
    tables = ("guidelines", "guideline_versions", "guideline_departments", "audit_entries")

    @fuzz(30)
    @given(
        title=plausible_or_any(1, 60),
        body=st.one_of(markdown_text, text()),
        everyone=checkbox,
        departments=st.lists(ids(department.id), max_size=3),
        summary=plausible_or_any(0),
        major=checkbox,
        effective=dates,
    )
    def run(title, body, everyone, departments, summary, major, effective):
        data = {
            "title": title,
            "body": body,
            "for_everyone": everyone,
            "department_ids": departments,
        }
        fz.send("guideline draft", client, f"/guidelines/{g.id}/draft", data, tables=tables)
        data = {"change_summary": summary, "is_major": major, "effective_on": effective}
        fz.send("guideline publish", client, f"/guidelines/{g.id}/publish", data, tables=tables)

    run()


def test_training_module_form(fz, app, make_user, login):
    author = make_user(roles=["coe"])
    client = login(author, on=app.test_client())
    g = _published_guideline(author)
    quiz_lines = st.lists(
        st.one_of(
            plausible_or_any(0, 30),
            plausible_or_any(1, 30).map(lambda t: "- " + t),
            plausible_or_any(1, 30).map(lambda t: "* " + t),
        ),
        max_size=12,
    ).map("\n".join)

    @fuzz(40)
    @example(
        data={"title": "M", "body": "B", "quiz": "Q\n* a\n* b", "pass_mark": "50", "due_days": "9"}
    )
    @given(
        data=st.fixed_dictionaries(
            {
                "title": plausible_or_any(1, 60),
                "body": st.one_of(markdown_text, text()),
                "quiz": st.one_of(quiz_lines, text()),
                "pass_mark": st.one_of(numbers, st.integers(1, 100).map(str)),
                "due_days": st.one_of(numbers, st.integers(1, 365).map(str)),
            }
        )
    )
    def run(data):
        tables = ("training_modules", "training_questions", "training_choices", "audit_entries")
        fz.send("training module", client, f"/guidelines/{g.id}/training/new", data, tables=tables)

    run()


def test_quiz_answers(fz, app, make_user, login):
    from ideahub.training.services import create_module, start_attempt

    author = make_user(roles=["coe"])
    reader = make_user()
    client = login(reader, on=app.test_client())
    module = create_module(
        author, _published_guideline(author), "M", "B", 100, 30, "Q1\n* a\n- b\n\nQ2\n- c\n* d"
    )
    choice_ids = [c.id for q in module.questions for c in q.choices]
    question_ids = [q.id for q in module.questions]

    @fuzz(40)
    @given(
        answers=st.dictionaries(
            st.sampled_from(question_ids).map(lambda q: f"q-{q}"), ids(*choice_ids), max_size=3
        ),
        extra=st.dictionaries(st.sampled_from(["q-0", "q-x", "q-99999999999"]), ids(), max_size=2),
    )
    def run(answers, extra):
        attempt = start_attempt(reader, module)
        fz.send(
            "quiz answers",
            client,
            f"/training/attempts/{attempt.id}",
            {**answers, **extra},
            tables=("training_attempts", "audit_entries"),
        )

    run()


def test_mentor_assignment(fz, app, make_user, make_department, login):
    from ideahub.governance.services import add_member

    department = make_department()
    coe = make_user(roles=["coe"], department=department)
    add_member(coe, coe, department, "representative", utcnow().date(), None)
    newbie = make_user(department=department)
    client = login(coe, on=app.test_client())

    @fuzz(30)
    @given(mentee=ids(newbie.id, coe.id), mentor=ids(coe.id, newbie.id))
    def run(mentee, mentor):
        fz.send(
            "mentor assignment",
            client,
            "/coe/mentors",
            {"mentee_id": mentee, "mentor_id": mentor},
            tables=("mentorships", "notices", "audit_entries"),
        )

    run()


def test_hr_filters(fz, app, make_user, login):
    client = login(make_user(roles=["hr"]), on=app.test_client())

    @fuzz(30)
    @given(
        q=text(),
        department=ids(),
        requirement=st.one_of(st.just("g1"), st.just("m1"), text(12)),
        status=st.one_of(st.sampled_from(["done", "due", "overdue", "not_required"]), text()),
        page=numbers,
        url=st.sampled_from(["/hr/people", "/hr/export.csv"]),
    )
    def run(q, department, requirement, status, page, url):
        data = {"q": q, "department": department, "requirement": requirement, "status": status}
        fz.send("hr filters", client, url, {**data, "page": page}, tables=READ_TABLES, method="GET")

    run()


def test_employee_import(fz, app, make_user, make_department, login):
    import io

    make_department("Sales")
    client = login(make_user(roles=["hr"]), on=app.test_client())
    header = "email,name,department,job_title,hire_date\n"
    cell = st.one_of(text(30), st.sampled_from(["Sales", "2026-01-31", "a@example.test", ""]))

    @fuzz(40)
    @given(
        head=st.one_of(st.just(header), text(60)),
        rows=st.lists(st.lists(cell, min_size=3, max_size=6).map(",".join), max_size=5),
        raw=st.binary(max_size=40),
    )
    def run(head, rows, raw):
        body = (head + "\n".join(rows)).encode("utf-8", "surrogatepass") + raw
        fz.send(
            "employee import",
            client,
            "/hr/import",
            {"file": (io.BytesIO(body), "people.csv")},
            tables=("users", "audit_entries"),
        )

    run()


# ---------------------------------------------------------------- the tally


def test_zz_report_examples_run(engine_name):
    run = {form: n for (engine, form), n in EXAMPLES.items() if engine in (engine_name, "-")}
    print(f"\n[fuzz] {engine_name}: {sum(run.values())} examples (Markdown ones counted once)")
    for form, n in sorted(run.items()):
        print(f"[fuzz]   {form}: {n}")
    print(f"[fuzz] whole session so far: {sum(EXAMPLES.values())} examples")
