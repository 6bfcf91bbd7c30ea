"""Every state-changing (POST) route, timed once at full data size, on a throwaway copy.

    python bench/write_costs.py --database-url URL [--over 300]

route_costs.py times the pages; this finds the writes that grow with the data: each POST
route, aimed at the biggest thing of its kind (the open campaign with the most ideas and
votes, the idea with the most votes and the longest discussion, the largest department, the
person with the most ideas and votes, the guideline with the most versions and the 20,000
people it applies to, the person with the most unread notices, all 20,000 employees in HR's
import...), with form data that makes the write happen, sent by someone with the role it
needs (admin, HR, the CoE, the panel's chair, an expert, an employee, an idea's author),
through Flask's test client in one process. The writes run in an order that gives each what
it needs (a draft before publishing it, a panel before judging starts, scores before the
decisions, decisions before the results). Prints each write's status, its first time and,
for those that mean the same when sent again (a vote toggled back and forth, an edit, the
same file imported again), the best of three more, slowest first; marks those over --over
ms and names the slowest SQL statement of each of them, and any whose work after the
response (the search index catching up) takes over --over ms. Writes JSON to bench/results/;
exits 1 if a write fails with a server error or is refused (the benchmark's data is wrong).

The bench database is never changed: the writes go to a copy made here (SQLite: the file
copied to a temporary folder; PostgreSQL: CREATE DATABASE ... TEMPLATE, dropped at the end),
with an empty search index and upload folder of its own. The bench data has nobody with the
CoE role: the copy grants it to one employee (the 51st person) with plain SQL before the app
starts; that person also joins the CoE through the app, and mentors. Not timed: signing in
(the load benchmark's), forgot and reset password (mail, an emailed token) and signing out
(nothing in them grows with the data).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "bench"))

from run import app_environment, sign_in_client, write_results  # noqa: E402

# The people who write, by their place in the users table: generate.py makes the first an
# admin, the second HR and the next 48 experts (the first of them chairs the panel, the
# last is left off it to be the chair's replacement reviewer); the 51st is granted the CoE
# role in the copy.
PEOPLE = {
    "admin": 0,
    "hr": 1,
    "chair": 2,
    "expert": 3,
    "recused": 4,
    "coe": 50,
    "employee": 60,
    "leaver": 61,
    "absent": 62,
}
# The role each writer shows in the table ("author": an employee writing on their idea).
ROLE = {
    "admin": "admin",
    "hr": "hr",
    "chair": "chair",
    "expert": "expert",
    "recused": "expert",
    "coe": "coe",
    "employee": "employee",
    "leaver": "employee",
    "reader": "employee",
    "author": "author",
    "author2": "author",
}
SHORTLIST = 50  # ideas the panel shortlists by votes; each is decided before publishing
CRITERIA = ("Impact", "Feasibility", "Cost", "Effort")
NEW_PASSWORD = "Quiet-river-lantern-2026"  # noqa: S105 - a synthetic account's
QUIZ = """Who may post about unreleased products?
- Anyone, once the product is announced internally
* Only the communications team
- Team leads

Where do you report a mistaken post?
* To the community team, at once
- Nowhere: delete it and move on"""
FINAL = ("selected", "not_selected", "implemented", "withdrawn")
SKIPPED = {"auth.login", "auth.logout", "auth.forgot_password", "auth.reset_password"}
# Writes after which the session's CSRF token is new (refetched), or the session is gone.
RENEWS_SESSION = {"auth.password"}
ENDS_SESSION = {"auth.sign_out_all"}


class Database:
    """Plain SQL on the copy, beside the app: what each write aims at."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url)

    def _statement(self, sql: str, params: dict[str, Any]) -> Any:
        binds = [
            sa.bindparam(k, type_=sa.Date())
            if isinstance(v, date)
            else sa.bindparam(k, expanding=True)
            for k, v in params.items()
            if isinstance(v, date | list | tuple)
        ]
        return sa.text(sql).bindparams(*binds)

    def all(self, sql: str, **params: Any) -> list[Any]:
        with self.engine.connect() as c:
            return list(c.execute(self._statement(sql, params), params).all())

    def row(self, sql: str, **params: Any) -> Any:
        rows = self.all(sql, **params)
        assert rows, f"nothing found: {sql}"
        return rows[0]

    def one(self, sql: str, **params: Any) -> Any:
        value = self.row(sql, **params)[0]
        assert value is not None, f"nothing found: {sql}"
        return value

    def run(self, sql: str, **params: Any) -> None:
        with self.engine.begin() as c:
            c.execute(self._statement(sql, params), params)


@contextmanager
def throwaway_copy(database_url: str, folder: str) -> Iterator[str]:
    """A copy of the bench database, removed afterwards: the URL to write to."""
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() == "sqlite":
        target = os.path.join(folder, "bench.sqlite3")
        source = url.database or ""
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(source + suffix):
                shutil.copyfile(source + suffix, target + suffix)
        yield url.set(database=target).render_as_string(hide_password=False)
        return
    name = f"{url.database}_writes_{os.getpid()}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:  # nobody may be connected to the template meanwhile
        c.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@dataclass
class Write:
    label: str  # what it does, to whom
    endpoint: str
    who: str  # a key of the people
    values: dict[str, Any]  # the URL's
    form: Callable[[int], dict[str, Any]]  # the form of the n-th try (0: the first)
    repeat: bool = False  # means the same when sent again: the best of three more is kept
    expect: int = 302
    flash: str | None = "success"  # the message category that says it was done
    htmx: bool = False
    timed: bool = True  # False: only what the next writes need (sent, checked, not reported)


class Statements:
    """The SQL of the last request: how many statements, their time and the slowest."""

    def __init__(self, engine: sa.Engine) -> None:
        self.started: dict[int, float] = {}
        self.reset()
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)

    def reset(self) -> None:
        self.count, self.total_ms, self.slowest_ms, self.slowest = 0, 0.0, 0.0, ""

    def _before(self, _conn: Any, cursor: Any, *_args: Any) -> None:
        self.started[id(cursor)] = time.perf_counter()

    def _after(self, _conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        ms = (time.perf_counter() - self.started.pop(id(cursor), time.perf_counter())) * 1000
        self.count += 1
        self.total_ms += ms
        if ms > self.slowest_ms:
            self.slowest_ms, self.slowest = ms, " ".join(statement.split())[:400]

    def figures(self) -> dict[str, Any]:
        return {
            "statements": self.count,
            "sql_ms": round(self.total_ms, 1),
            "slowest_sql_ms": round(self.slowest_ms, 1),
            "slowest_sql": self.slowest,
        }


class Writer:
    """Signs people in (once each) and sends the writes."""

    def __init__(self, app: Any, db: Database, password: str, statements: Statements) -> None:
        self.app, self.db, self.password, self.statements = app, db, password, statements
        self.clients: dict[int, tuple[Any, str]] = {}

    def client(self, user_id: int) -> tuple[Any, str]:
        if user_id not in self.clients:
            email = self.db.one("SELECT email FROM users WHERE id = :u", u=user_id)
            client = sign_in_client(self.app.test_client(), email, self.password)
            self.clients[user_id] = (client, self.token(client))
        return self.clients[user_id]

    @staticmethod
    def token(client: Any) -> str:
        page = client.get("/me/settings").get_data(as_text=True)
        found = re.search(r'"X-CSRFToken": "([^"]+)"', page)
        assert found, "no CSRF token in the page"
        return found.group(1)

    def url(self, w: Write) -> str:
        with self.app.test_request_context():
            from flask import url_for

            return url_for(w.endpoint, **w.values)

    def send(self, w: Write, user_id: int, n: int) -> dict[str, Any]:
        """One try: its status, whether the write was done, its time and its SQL."""
        client, token = self.client(user_id)
        headers = {"X-CSRFToken": token, **({"HX-Request": "true"} if w.htmx else {})}
        data = {"csrf_token": token, **w.form(n)}
        url = self.url(w)
        self.statements.reset()
        start = time.perf_counter()
        response = client.post(url, data=data, headers=headers)
        ms = (time.perf_counter() - start) * 1000
        sql = self.statements.figures()
        body = response.get_data(as_text=True)
        with client.session_transaction() as session:  # read and cleared: not shown later
            flashes = [(str(c), str(m)) for c, m in session.pop("_flashes", [])]
        # After the timing, as after a response sent: the search index catches up (timed
        # apart: it holds the worker, not the person).
        start = time.perf_counter()
        response.close()
        after_ms = (time.perf_counter() - start) * 1000
        if w.endpoint in ENDS_SESSION:
            self.clients.pop(user_id, None)
        elif w.endpoint in RENEWS_SESSION:
            self.clients[user_id] = (client, self.token(client))
        categories = [c for c, _m in flashes]
        done = (
            response.status_code == w.expect
            and not any("error" in c for c in categories)
            and (w.flash is None or any(w.flash in c for c in categories))
        )
        said = [m for _c, m in flashes]
        if not done and not said:  # a form shown again: its errors
            said = re.findall(r'class="[^"]*error[^"]*"[^>]*>\s*([^<]{3,200})', body)[:5]
        return {
            "status": response.status_code,
            "ok": done,
            "ms": ms,
            "after_ms": after_ms,
            "sql": sql,
            "said": said,
        }

    def measure(self, w: Write, user_id: int) -> dict[str, Any]:
        """The first try, and the best of three more when it means the same again."""
        first = self.send(w, user_id, 0)
        warm = []
        ok = first["ok"]
        if w.repeat and ok and first["ms"] < 5000:
            for n in range(1, 4):
                again = self.send(w, user_id, n)
                ok = ok and again["ok"]
                warm.append(again["ms"])
        rule = next(r.rule for r in self.app.url_map.iter_rules(w.endpoint))
        return {
            "label": w.label,
            "endpoint": w.endpoint,
            "route": rule,
            "role": ROLE.get(w.who, w.who),
            "user_id": user_id,
            "url": self.url(w),
            "status": first["status"],
            "ok": ok,
            "said": first["said"],
            "first_ms": round(first["ms"], 1),
            "best_ms": round(min(warm) if warm else first["ms"], 1),
            "tries": 1 + len(warm),
            "after_response_ms": round(first["after_ms"], 1),
            **first["sql"],
        }


def find_targets(db: Database, today: date, mentor_days: int) -> dict[str, Any]:
    """The writers, and the biggest thing of each kind."""
    people = {
        key: db.one("SELECT id FROM users ORDER BY id LIMIT 1 OFFSET :n", n=n)
        for key, n in PEOPLE.items()
    }
    campaign = db.one(
        "SELECT c.id FROM campaigns c WHERE c.state = 'open' ORDER BY c.idea_count DESC, "
        "(SELECT sum(i.vote_count) FROM ideas i WHERE i.campaign_id = c.id) DESC, c.id LIMIT 1"
    )
    idea, people["author"] = db.row(
        "SELECT id, author_id FROM ideas WHERE campaign_id = :c AND status NOT IN :final "
        "ORDER BY vote_count DESC, comment_count DESC, id LIMIT 1",
        c=campaign,
        final=FINAL,
    )
    discussion = db.one(
        "SELECT i.id FROM ideas i JOIN campaigns c ON c.id = i.campaign_id "
        "WHERE c.state = 'open' ORDER BY i.comment_count DESC, i.id LIMIT 1"
    )
    withdrawn, people["author2"] = db.row(
        "SELECT i.id, i.author_id FROM ideas i JOIN campaigns c ON c.id = i.campaign_id "
        "WHERE c.state = 'open' AND i.campaign_id <> :c AND i.status NOT IN :final "
        "AND i.author_id NOT IN :people ORDER BY i.vote_count DESC, i.id LIMIT 1",
        c=campaign,
        final=FINAL,
        people=list(people.values()),
    )
    department = db.one(
        "SELECT department_id FROM users WHERE department_id IS NOT NULL "
        "GROUP BY department_id ORDER BY count(*) DESC, department_id LIMIT 1"
    )
    # Whom the admin edits and deactivates: the most ideas, then the most votes.
    person = db.one(
        "SELECT a.author_id FROM (SELECT author_id, count(*) AS n FROM ideas GROUP BY author_id) a "
        "JOIN (SELECT user_id, count(*) AS v FROM votes GROUP BY user_id) b ON b.user_id = a.author_id "
        "WHERE a.author_id NOT IN :people ORDER BY a.n DESC, b.v DESC, a.author_id LIMIT 1",
        people=list(people.values()),
    )
    guideline = db.one(
        "SELECT g.id FROM guidelines g JOIN guideline_versions v ON v.guideline_id = g.id "
        "GROUP BY g.id, g.for_everyone ORDER BY count(*) DESC, g.for_everyone DESC, g.id LIMIT 1"
    )
    mentee = db.one(
        "SELECT id FROM users WHERE is_active = :yes AND hire_date >= :since "
        "AND hire_date <= :today AND id NOT IN (SELECT mentee_id FROM mentorships) "
        "AND id NOT IN :people ORDER BY hire_date DESC, id LIMIT 1",
        yes=True,
        since=today - timedelta(days=mentor_days),
        today=today,
        people=list(people.values()),
    )
    return {
        "people": people,
        "campaign": campaign,
        "idea": idea,
        "discussion": discussion,
        "withdrawn": withdrawn,
        "department": department,
        "person": person,
        "guideline": guideline,
        "mentee": mentee,
    }


def grant_roles(db: Database) -> list[dict[str, Any]]:
    """The CoE role for the CoE's writer (the bench data gives it to nobody)."""
    coe = db.one("SELECT id FROM users ORDER BY id LIMIT 1 OFFSET :n", n=PEOPLE["coe"])
    if db.all("SELECT 1 FROM user_roles WHERE user_id = :u AND role = 'coe'", u=coe):
        return []
    db.run("INSERT INTO user_roles (user_id, role) VALUES (:u, 'coe')", u=coe)
    return [{"role": "coe", "user_id": coe}]


def day(value: Any) -> str:
    """A date column as a form sends it (SQLite gives text, PostgreSQL a date)."""
    return str(value)[:10] if value else ""


def employees_csv(db: Database, change_every: int = 0) -> tuple[bytes, int, int]:
    """Every employee as HR's import reads them; with change_every, every so many get a new
    job title, and every other one of those a new department. (file, rows, changed)"""
    names = [n for (n,) in db.all("SELECT name FROM departments ORDER BY id")]
    rows = db.all(
        "SELECT u.email, u.name, d.name, u.job_title, u.hire_date FROM users u "
        "LEFT JOIN departments d ON d.id = u.department_id ORDER BY u.id"
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "name", "department", "job_title", "hire_date"])
    changed = 0
    for k, (email, name, department, job_title, hired) in enumerate(rows):
        if change_every and k % change_every == 0:
            changed += 1
            job_title = "Team lead" if job_title != "Team lead" else "Employee"
            if k % (2 * change_every) == 0:
                at = names.index(department) if department in names else -1
                department = names[(at + 1) % len(names)]
        writer.writerow([email, name, department or "", job_title, day(hired)])
    return out.getvalue().encode(), len(rows), changed


def plan(t: dict[str, Any], db: Database, today: date, password: str) -> Iterator[Write]:
    """The writes, in an order that gives each what it needs; each step looks up what the
    ones before it made."""
    p = t["people"]
    campaign, idea, talk, dept = t["campaign"], t["idea"], t["discussion"], t["department"]
    iso = today.isoformat()

    # An employee's own choices, back and forth.
    yield Write(
        "language",
        "main.set_language",
        "employee",
        {},
        lambda n: {"language": ("zh_Hans", "en")[n % 2], "next": ""},
        repeat=True,
        flash=None,
    )
    yield Write(
        "settings",
        "people.settings",
        "employee",
        {},
        lambda n: {"locale": ("zh_Hant", "en")[n % 2], "timezone": "Asia/Shanghai"},
        repeat=True,
    )

    # The idea with the most votes: a vote taken back and given again (the widget, htmx).
    voted = bool(
        db.all("SELECT 1 FROM votes WHERE user_id = :u AND idea_id = :i", u=p["employee"], i=idea)
    )
    yield Write(
        "vote toggle, most-voted idea",
        "ideas.vote",
        "employee",
        {"idea_id": idea},
        lambda n: {"value": "0" if voted == (n % 2 == 0) else "1"},
        repeat=True,
        expect=200,
        flash=None,
        htmx=True,
    )

    # The longest discussion: a comment, a reply to its first thread, an edit, a removal.
    yield Write(
        "comment, longest discussion",
        "comments.discussion",
        "employee",
        {"idea_id": talk},
        lambda n: {"body": f"Bench comment {n}: what would it cost to try?", "parent_id": ""},
        repeat=True,
    )
    thread = db.one(
        "SELECT min(id) FROM comments WHERE idea_id = :i AND parent_id IS NULL AND author_id <> :u",
        i=talk,
        u=p["employee"],
    )
    yield Write(
        "reply, first thread of longest discussion",
        "comments.discussion",
        "employee",
        {"idea_id": talk},
        lambda n: {"body": f"Bench reply {n}: agreed.", "parent_id": str(thread)},
        repeat=True,
    )
    mine = db.one(
        "SELECT max(id) FROM comments WHERE idea_id = :i AND author_id = :u AND parent_id IS NULL",
        i=talk,
        u=p["employee"],
    )
    yield Write(
        "comment edit, longest discussion",
        "comments.edit",
        "employee",
        {"comment_id": mine},
        lambda n: {"body": f"Bench comment, edited ({n % 2})."},
        repeat=True,
    )
    yield Write(
        "comment delete, longest discussion",
        "comments.delete",
        "employee",
        {"comment_id": mine},
        lambda n: {},
    )

    # Ideas: a new one in the biggest campaign; the most-voted one edited, given a file and
    # moved to another status (its voters are told); another big one withdrawn.
    yield Write(
        "idea submit, biggest campaign",
        "ideas.new",
        "employee",
        {"campaign_id": campaign},
        lambda n: {
            "title": f"Bench idea {n}: a self-service kiosk for returns",
            "summary": "Customers return parcels at a kiosk, any time.",
            "description": "A kiosk in each store scans the label and prints the receipt.",
            "tags": "returns, kiosk",
            "coauthors": "",
        },
        repeat=True,
    )
    title, summary, description = db.row(
        "SELECT title, summary, description FROM ideas WHERE id = :i", i=idea
    )
    tags = ", ".join(
        n
        for (n,) in db.all(
            "SELECT t.name FROM tags t JOIN idea_tags it ON it.tag_id = t.id WHERE it.idea_id = :i",
            i=idea,
        )
    )
    yield Write(
        "idea edit, most-voted idea",
        "ideas.edit",
        "author",
        {"idea_id": idea},
        lambda n: {
            "title": (title[:140] + " (edited)", title)[n % 2],
            "summary": summary,
            "description": description,
            "tags": tags,
            "coauthors": "",
        },
        repeat=True,
    )
    yield Write(
        "idea attachment, most-voted idea",
        "ideas.attach",
        "author",
        {"idea_id": idea},
        lambda n: {"files": (io.BytesIO(f"Bench notes {n}\n".encode()), f"notes-{n}.txt")},
        repeat=True,
    )
    status = db.one("SELECT status FROM ideas WHERE id = :i", i=idea)
    other = "under_review" if status != "under_review" else "submitted"
    yield Write(
        "idea status change, most-voted idea (voters told)",
        "ideas.set_status",
        "coe",
        {"idea_id": idea},
        lambda n: {"status": (other, status)[n % 2], "note": "Bench"},
        repeat=True,
    )
    yield Write(
        "idea withdraw, most-voted idea elsewhere",
        "ideas.withdraw",
        "author2",
        {"idea_id": t["withdrawn"]},
        lambda n: {"note": "Bench: withdrawn"},
    )

    # Campaigns: a new one; the biggest edited (still open).
    yield Write(
        "campaign create",
        "campaigns.new",
        "coe",
        {},
        lambda n: {
            "title": "Bench campaign",
            "theme": "Bench",
            "description": "Ideas for the bench.",
            "opens_on": "",
            "closes_on": "",
            "state": "open",
        },
    )
    c_title, theme, c_description, opens, closes = db.row(
        "SELECT title, theme, description, opens_on, closes_on FROM campaigns WHERE id = :c",
        c=campaign,
    )
    yield Write(
        "campaign edit, biggest campaign",
        "campaigns.edit",
        "coe",
        {"campaign_id": campaign},
        lambda n: {
            "title": (c_title[:140] + " (edited)", c_title)[n % 2],
            "theme": theme,
            "description": c_description,
            "opens_on": day(opens),
            "closes_on": day(closes),
            "state": "open",
        },
        repeat=True,
    )

    # Departments: a new one; the biggest renamed and back.
    yield Write(
        "department create", "admin.departments", "admin", {}, lambda n: {"name": "Bench dept"}
    )
    d_name, facing = db.row(
        "SELECT name, is_customer_facing FROM departments WHERE id = :d", d=dept
    )
    yield Write(
        "department rename, biggest department",
        "admin.edit_department",
        "admin",
        {"department_id": dept},
        lambda n: {
            "name": (f"{d_name} (renamed)", d_name)[n % 2],
            **({"is_customer_facing": "y"} if facing else {}),
        },
        repeat=True,
    )

    # Accounts: a new one; the person with the most ideas and votes edited, deactivated,
    # reactivated.
    yield Write(
        "user create",
        "admin.new_user",
        "admin",
        {},
        lambda n: {
            "email": "bench.newcomer@bench.example",
            "name": "Bench Newcomer",
            "department_id": str(dept),
            "job_title": "Analyst",
            "hire_date": iso,
            "timezone": "",
            "password": NEW_PASSWORD,
        },
    )
    person = t["person"]
    email, name, p_dept, job_title, hired, zone = db.row(
        "SELECT email, name, department_id, job_title, hire_date, timezone FROM users WHERE id = :u",
        u=person,
    )
    roles = [r for (r,) in db.all("SELECT role FROM user_roles WHERE user_id = :u", u=person)]
    yield Write(
        "user edit, most ideas and votes",
        "admin.edit_user",
        "admin",
        {"user_id": person},
        lambda n: {
            "email": email,
            "name": name,
            "department_id": str(p_dept or 0),
            "job_title": ("Team lead" if job_title != "Team lead" else "Analyst", job_title)[n % 2],
            "hire_date": day(hired),
            "timezone": zone,
            "roles": roles,
            "password": "",
        },
        repeat=True,
    )
    yield Write(
        "user deactivate, most ideas and votes",
        "admin.set_active",
        "admin",
        {"user_id": person},
        lambda n: {"active": "0"},
    )
    yield Write(
        "user reactivate, most ideas and votes",
        "admin.set_active",
        "admin",
        {"user_id": person},
        lambda n: {"active": "1"},
    )

    # The CoE: a member for the biggest department, who mentors the newest hire; the term
    # then ends.
    coe_email = db.one("SELECT email FROM users WHERE id = :u", u=p["coe"])
    yield Write(
        "CoE member add, biggest department",
        "governance.coe",
        "admin",
        {},
        lambda n: {
            "email": coe_email,
            "department_id": str(dept),
            "role": "representative",
            "starts_on": iso,
            "ends_on": "",
        },
    )
    yield Write(
        "mentor assign, newest hire",
        "governance.assign_mentor",
        "coe",
        {},
        lambda n: {"mentee_id": str(t["mentee"]), "mentor_id": str(p["coe"])},
    )
    membership = db.one("SELECT max(id) FROM coe_memberships WHERE user_id = :u", u=p["coe"])
    yield Write(
        "CoE member end",
        "governance.end_member",
        "admin",
        {"membership_id": membership},
        lambda n: {},
    )

    # Guidelines: a new one; the one with the most versions drafted and published as a
    # major version (everyone it applies to is told), acknowledged, by HR for someone too.
    g = t["guideline"]
    yield Write(
        "guideline create",
        "governance.new_guideline",
        "coe",
        {},
        lambda n: {"title": "Bench guideline"},
        flash=None,
    )
    g_title = db.one("SELECT title FROM guidelines WHERE id = :g", g=g)
    g_body = db.one(
        "SELECT body FROM guideline_versions WHERE guideline_id = :g ORDER BY number DESC LIMIT 1",
        g=g,
    )
    yield Write(
        "guideline draft, most versions",
        "governance.draft",
        "coe",
        {"guideline_id": g},
        lambda n: {
            "title": g_title,
            "body": f"{g_body}\n\nBench: one more rule ({n % 2}).",
            "for_everyone": "y",
        },
        repeat=True,
    )
    yield Write(
        "guideline publish, major version (everyone told)",
        "governance.publish",
        "coe",
        {"guideline_id": g},
        lambda n: {"change_summary": "Bench: one more rule", "is_major": "y", "effective_on": iso},
    )
    version = db.one("SELECT max(id) FROM guideline_versions WHERE guideline_id = :g", g=g)
    yield Write(
        "acknowledge, new major version",
        "governance.acknowledge_version",
        "employee",
        {"version_id": version},
        lambda n: {},
    )
    absent = db.one("SELECT email FROM users WHERE id = :u", u=p["absent"])
    yield Write(
        "acknowledge on someone's behalf (HR)",
        "governance.acknowledge_version",
        "hr",
        {"version_id": version},
        lambda n: {"email": absent, "reason": "On leave"},
    )

    # Training on that guideline: a module, an attempt started and passed.
    yield Write(
        "training module create",
        "training.new_module",
        "coe",
        {"guideline_id": g},
        lambda n: {
            "title": f"{g_title[:180]}: training",
            "body": "Read the guideline, then answer two questions.",
            "quiz": QUIZ,
            "pass_mark": "80",
            "due_days": "30",
        },
    )
    module = db.one("SELECT max(id) FROM training_modules WHERE guideline_id = :g", g=g)
    yield Write(
        "training attempt start",
        "training.start",
        "employee",
        {"module_id": module},
        lambda n: {},
        flash=None,
    )
    attempt = db.one(
        "SELECT max(id) FROM training_attempts WHERE module_id = :m AND user_id = :u",
        m=module,
        u=p["employee"],
    )
    right = db.all(
        "SELECT q.id, c.id FROM training_questions q JOIN training_choices c ON c.question_id = q.id "
        "WHERE q.module_id = :m AND c.is_correct = :yes",
        m=module,
        yes=True,
    )
    yield Write(
        "training attempt submit",
        "training.attempt",
        "employee",
        {"attempt_id": attempt},
        lambda n: {f"q-{q}": str(choice) for q, choice in right},
    )

    # The expert panel of the biggest campaign: set up, criteria, judging started (the top
    # ideas shortlisted, their voters told), scored, a conflict declared, an idea added, a
    # replacement reviewer, decisions, the results published and one decision corrected
    # (voters told each time).
    experts = [
        u
        for (u,) in db.all(
            "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id "
            "WHERE r.role = 'expert' AND u.is_active = :yes ORDER BY u.id",
            yes=True,
        )
    ]
    spare = experts[-1]
    members = [str(e) for e in experts if e != spare]
    yield Write(
        "panel set-up, biggest campaign",
        "judging.setup",
        "coe",
        {"campaign_id": campaign},
        lambda n: {
            "chair_id": str(p["chair"]),
            "member_ids": members,
            "min_reviews": "3",
            "shortlist_size": str(SHORTLIST),
            "scoring_deadline": "",
            "disagreement_threshold": "20",
        },
    )
    yield Write(
        "criterion add",
        "judging.add_criterion",
        "coe",
        {"campaign_id": campaign},
        lambda n: {
            "name": CRITERIA[n],
            "description": "Bench",
            "weight": "1",
            "scale_min": "1",
            "scale_max": "5",
        },
        repeat=True,
    )
    last = db.one("SELECT max(id) FROM criteria WHERE campaign_id = :c", c=campaign)
    yield Write(
        "criterion delete",
        "judging.remove_criterion",
        "coe",
        {"criterion_id": last},
        lambda n: {},
    )
    yield Write(
        f"judging start, top {SHORTLIST} shortlisted (voters told)",
        "judging.start",
        "coe",
        {"campaign_id": campaign},
        lambda n: {},
    )
    criteria = db.all(
        "SELECT id, scale_min FROM criteria WHERE campaign_id = :c ORDER BY id", c=campaign
    )

    def scorecard(n: int, action: str) -> dict[str, Any]:
        data = {"overall_comment": f"Bench {n}", "action": action}
        for criterion, low in criteria:
            data[f"score-{criterion}"] = str(low + n % 2)
            data[f"comment-{criterion}"] = "Bench"
        return data

    yield Write(
        "score, draft, most-voted idea",
        "judging.score",
        "expert",
        {"idea_id": idea},
        lambda n: scorecard(n, "draft"),
        repeat=True,
    )
    yield Write(
        "score, submit, most-voted idea",
        "judging.score",
        "expert",
        {"idea_id": idea},
        lambda n: scorecard(n, "submit"),
    )
    yield Write(
        "conflict of interest, most-voted idea",
        "judging.conflict",
        "recused",
        {"idea_id": idea},
        lambda n: {"reason": "Bench: I helped write it"},
    )
    extra = db.one(
        "SELECT id FROM ideas WHERE campaign_id = :c AND status <> 'withdrawn' "
        "AND id NOT IN (SELECT idea_id FROM shortlist_entries) ORDER BY vote_count DESC, id LIMIT 1",
        c=campaign,
    )
    yield Write(
        "shortlist add by the chair",
        "judging.shortlist_add",
        "chair",
        {"campaign_id": campaign},
        lambda n: {"idea_id": str(extra), "reason": "Bench: worth a look"},
    )
    yield Write(
        "replacement reviewer, most-voted idea",
        "judging.replacement",
        "chair",
        {"campaign_id": campaign},
        lambda n: {"idea_id": str(idea), "expert_id": str(spare)},
    )
    yield Write(
        "decision, most-voted idea",
        "judging.decision",
        "chair",
        {"idea_id": idea},
        lambda n: {"outcome": "selected", "reason": "Bench: the panel's choice"},
    )
    for (other,) in db.all(
        "SELECT idea_id FROM shortlist_entries WHERE campaign_id = :c AND idea_id <> :i "
        "ORDER BY idea_id",
        c=campaign,
        i=idea,
    ):
        yield Write(
            "decision",
            "judging.decision",
            "chair",
            {"idea_id": other},
            lambda n: {"outcome": "not_selected", "reason": "Bench"},
            timed=False,
        )
    yield Write(
        "results publish, biggest campaign (voters told)",
        "judging.publish_results",
        "chair",
        {"campaign_id": campaign},
        lambda n: {"override_reason": "Bench: published with fewer reviews"},
    )
    yield Write(
        "decision correction, most-voted idea (voters told)",
        "judging.decision",
        "chair",
        {"idea_id": idea},
        lambda n: {"outcome": "not_selected", "reason": "Bench: corrected"},
    )

    # HR's import of every employee: as they are, then with some moved and retitled (and
    # back, in turn: each try changes as many).
    same, count, _none = employees_csv(db)
    yield Write(
        f"HR import, {count:,} employees, none changed",
        "hr.import_employees",
        "hr",
        {},
        lambda n: {"file": (io.BytesIO(same), "employees.csv")},
        repeat=True,
    )
    changed, count, moved = employees_csv(db, change_every=10)
    yield Write(
        f"HR import, {count:,} employees, {moved:,} changed",
        "hr.import_employees",
        "hr",
        {},
        lambda n: {"file": (io.BytesIO((changed, same)[n % 2]), "employees.csv")},
        repeat=True,
    )

    # The person with the most unread notices reads them.
    p["reader"] = db.one(
        "SELECT user_id FROM notices WHERE read_at IS NULL GROUP BY user_id "
        "ORDER BY count(*) DESC, user_id LIMIT 1"
    )
    yield Write(
        "notices read, most unread", "people.read_notices", "reader", {}, lambda n: {}, flash=None
    )

    # The longest discussion's idea moved to another status: each of its comments is
    # queued for the search index (late, so that the backlog is not caught up by the writes
    # above and timed as theirs; the ones below change nothing searchable).
    t_status = db.one("SELECT status FROM ideas WHERE id = :i", i=talk)
    yield Write(
        "idea status change, longest discussion (its comments re-indexed)",
        "ideas.set_status",
        "coe",
        {"idea_id": talk},
        lambda n: {
            "status": "under_review" if t_status != "under_review" else "submitted",
            "note": "Bench",
        },
    )

    # Last, as they end the session: a password change, then signing out everywhere.
    yield Write(
        "password change",
        "auth.password",
        "leaver",
        {},
        lambda n: {"current": password, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    yield Write(
        "sign out everywhere", "auth.sign_out_all", "leaver", {}, lambda n: {}, flash="info"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--password", default="bench-password-2026")
    parser.add_argument("--over", type=float, default=300.0, help="mark writes slower than this")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()

    results: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(),
        "database": args.database_url.split(":")[0],
        "writes": [],
    }
    with (
        tempfile.TemporaryDirectory(prefix="ideahub-writes-") as work,
        throwaway_copy(args.database_url, work) as url,
    ):
        db = Database(url)
        try:
            run(args, url, work, db, results)
        finally:
            db.engine.dispose()
    failed = [w for w in results["writes"] if w["status"] >= 500 or not w["ok"]]
    for w in sorted(results["writes"], key=lambda w: -w["best_ms"]):
        mark = "  <-- over" if w["best_ms"] > args.over else ""
        done = "" if w["ok"] else "  NOT DONE: " + " / ".join(w["said"])[:200]
        print(
            f"{w['best_ms']:>9.1f} ms  first {w['first_ms']:>9.1f} ms  {w['status']}"
            f"  {w['role']:<8} {w['url']}  ({w['label']}){mark}{done}"
        )
    for w in sorted(results["writes"], key=lambda w: -w["best_ms"]):
        if w["best_ms"] > args.over:
            print(
                f"{w['label']}: {w['statements']} statements, {w['sql_ms']:.0f} ms of SQL; "
                f"slowest {w['slowest_sql_ms']:.0f} ms: {w['slowest_sql'][:300]}"
            )
    for w in results["writes"]:
        if w["after_response_ms"] > args.over:
            print(
                f"{w['label']}: {w['after_response_ms']:.0f} ms after the response (search index)"
            )
    if results["not_timed"]:
        print("POST routes not timed:", ", ".join(results["not_timed"]))
    write_results(results, args.out, "write-costs")
    if results.get("error"):
        print("stopped early:", results["error"])
    if failed:
        print(f"{len(failed)} write(s) failed or were refused; the log above says why")
    return 1 if failed or results.get("error") else 0


def run(args: argparse.Namespace, url: str, work: str, db: Database, results: dict) -> None:
    """Grant the missing role, start the app on the copy, send every write."""
    results["granted"] = grant_roles(db)  # before the app starts
    os.environ.update(app_environment(url, os.path.join(work, "search-index")))
    os.environ["IDEAHUB_UPLOAD_FOLDER"] = os.path.join(work, "uploads")
    from ideahub import create_app
    from ideahub.clock import today
    from ideahub.extensions import db as app_db

    app = create_app()
    with app.app_context():
        now = today()
        statements = Statements(app_db.engine)
    targets = find_targets(db, now, int(app.config["MENTOR_WINDOW_DAYS"]))
    results["targets"] = targets
    writer = Writer(app, db, args.password, statements)
    timed: set[str] = set()
    try:
        for w in plan(targets, db, now, args.password):
            user_id = targets["people"][w.who]
            if w.timed:
                results["writes"].append(writer.measure(w, user_id))
                timed.add(w.endpoint)
                continue
            sent = writer.send(w, user_id, 0)
            if not sent["ok"]:
                raise RuntimeError(f"{w.label} {writer.url(w)}: {sent['status']} {sent['said']}")
    except (AssertionError, RuntimeError, sa.exc.SQLAlchemyError) as exc:
        results["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        with app.app_context():
            app_db.engine.dispose()
    posts = {r.endpoint for r in app.url_map.iter_rules() if "POST" in (r.methods or ())}
    results["not_timed"] = sorted(posts - SKIPPED - timed)


if __name__ == "__main__":
    sys.exit(main())
