"""HR: the dashboard, the people x guidelines grid (and its overdue list) and the CSV export.

The rules over time use the settable clock (config TODAY); ACK_DUE_DAYS is the default 14.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import date, timedelta

import pytest

from ideahub.extensions import db
from ideahub.governance.services import (
    DraftData,
    acknowledge,
    create_guideline,
    publish_version,
    save_draft,
)
from ideahub.hr import records

DAY0 = date(2026, 3, 2)


def publish(author, guideline, body, *, major=True, day=DAY0, departments=(), everyone=True):
    save_draft(
        author,
        guideline,
        DraftData(
            title=guideline.title,
            body=body,
            for_everyone=everyone,
            department_ids=tuple(d.id for d in departments),
            roles=(),
        ),
    )
    return publish_version(author, guideline, "Changes.", major, day)


@pytest.fixture
def world(app, make_user, make_department):
    """Posting rules (everyone) and Sales scripts (Sales only), both in effect from DAY0."""
    app.config["TODAY"] = DAY0
    sales, ops = make_department("Sales"), make_department("Operations")
    author = make_user(["coe"], name="Community Writer", department=ops)
    alice = make_user(name="Alice Archer", department=sales)
    bob = make_user(name="Bob Baker", department=ops)
    carol = make_user(name="Carol Chen", department=sales)
    carol.hire_date = DAY0 + timedelta(days=20)  # joins later: her clock starts then
    gone = make_user(name="Gone Person", department=ops, is_active=False)
    hr = make_user(["hr"], name="Hanna HR", department=ops)
    db.session.commit()
    posting = create_guideline(author, "Posting rules")
    v1 = publish(author, posting, "Be kind.")
    scripts = create_guideline(author, "Sales scripts")
    s1 = publish(author, scripts, "Say hello.", departments=[sales], everyone=False)
    acknowledge(alice, v1)

    class W:
        pass

    w = W()
    w.__dict__.update(locals())
    return w


def status_of(person, guideline):
    company = records.load()
    mine = [p for p in company.people if p.id == person.id]
    found = [r for r in records.records(company, mine) if r.requirement.key == f"g{guideline.id}"]
    return (found[0].status, found[0].due_on) if found else ("not_required", None)


def test_statuses_and_due_dates_over_time(app, world):
    w = world
    app.config["TODAY"] = DAY0 + timedelta(days=14)
    assert status_of(w.alice, w.posting) == ("done", DAY0 + timedelta(days=14))
    assert status_of(w.alice, w.scripts) == ("due", DAY0 + timedelta(days=14))
    assert status_of(w.bob, w.posting) == ("due", DAY0 + timedelta(days=14))
    assert status_of(w.bob, w.scripts) == ("not_required", None)
    assert status_of(w.carol, w.posting) == ("due", DAY0 + timedelta(days=34))
    app.config["TODAY"] = DAY0 + timedelta(days=15)
    assert status_of(w.bob, w.posting)[0] == "overdue"
    assert status_of(w.carol, w.posting)[0] == "due"  # hired later: not yet
    app.config["TODAY"] = DAY0 + timedelta(days=35)
    assert status_of(w.carol, w.posting)[0] == "overdue"
    # deactivated people have no requirements at all
    assert w.gone.id not in {p.id for p in records.load().people}


def test_minor_version_keeps_done_major_version_asks_again(app, world):
    w = world
    later = DAY0 + timedelta(days=30)
    app.config["TODAY"] = later
    publish(w.author, w.posting, "Be kind, please.", major=False, day=later)
    assert status_of(w.alice, w.posting)[0] == "done"
    publish(w.author, w.posting, "Be kind. Never post secrets.", major=True, day=later)
    assert status_of(w.alice, w.posting) == ("due", later + timedelta(days=14))
    # a major version announced for the future does not count until it is in effect
    future = later + timedelta(days=60)
    publish(w.author, w.scripts, "Say hello twice.", major=True, day=future)
    assert status_of(w.carol, w.scripts) == ("due", DAY0 + timedelta(days=34))  # still v1's


@pytest.mark.parametrize(
    ("roles", "expected"),
    [((), 403), (("expert",), 403), (("coe",), 403), (("hr",), 200), (("admin",), 200)],
)
def test_hr_pages_per_role(client, login, make_user, world, roles, expected):
    login(make_user(list(roles)))
    for url in ("/hr/", "/hr/people", "/hr/export.csv"):
        assert client.get(url).status_code == expected, url


def test_anonymous_is_sent_to_sign_in(client, world):
    for url in ("/hr/", "/hr/people", "/hr/export.csv"):
        r = client.get(url)
        assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_dashboard_rates_per_version_and_department_and_overdue_list(app, client, login, world):
    w = world
    app.config["TODAY"] = DAY0 + timedelta(days=15)
    login(w.hr)
    html = client.get("/hr/").get_data(as_text=True)
    # Posting rules apply to the 5 active people, Alice has acknowledged: 1 of 5 (20%)
    assert "1 of 5 (20%)" in html
    # Sales scripts apply to Alice and Carol, none done
    assert "0 of 2 (0%)" in html
    # per department: Sales has 1 of 2 for Posting rules
    assert '50% <span class="meta">(1/2)</span>' in html
    overdue = html.split('id="overdue"')[1]
    assert "Bob Baker" in overdue and "Alice Archer" in overdue  # Alice: Sales scripts
    assert "Carol Chen" not in overdue  # hired later, not due yet


def test_dashboard_lists_the_longest_overdue_first_and_links_to_all(
    app, client, login, world, monkeypatch
):
    from ideahub.hr import routes

    app.config["TODAY"] = DAY0 + timedelta(days=15)
    login(world.hr)
    monkeypatch.setattr(routes, "OVERDUE_ON_DASHBOARD", 1)
    html = client.get("/hr/").get_data(as_text=True)
    total = int(re.search(r"; (\d+) overdue\.", html)[1])
    overdue = html.split('id="overdue"')[1]
    assert total >= 2
    assert ("Bob Baker" in overdue) != ("Alice Archer" in overdue)  # only the first listed
    assert f"See all {total} overdue requirements" in overdue
    monkeypatch.setattr(routes, "OVERDUE_ON_DASHBOARD", total)
    overdue = client.get("/hr/").get_data(as_text=True).split('id="overdue"')[1]
    assert "Bob Baker" in overdue and "Alice Archer" in overdue and "See all" not in overdue


def test_grid_filters_by_status_department_guideline_and_name(app, client, login, world):
    w = world
    app.config["TODAY"] = DAY0 + timedelta(days=15)
    login(w.hr)

    def names(**args):
        html = client.get("/hr/people", query_string=args).get_data(as_text=True)
        rows = html.split("<tbody>")[1].split("</tbody>")[0]  # not the header's own name
        return {p.name for p in [w.alice, w.bob, w.carol, w.hr, w.author] if p.name in rows}

    assert names() == {"Alice Archer", "Bob Baker", "Carol Chen", "Hanna HR", "Community Writer"}
    assert names(status="overdue", requirement=f"g{w.posting.id}") == {
        "Bob Baker",
        "Hanna HR",
        "Community Writer",
    }
    assert names(status="done") == {"Alice Archer"}
    assert names(department=w.sales.id) == {"Alice Archer", "Carol Chen"}
    assert names(status="not_required", requirement=f"g{w.scripts.id}") == {
        "Bob Baker",
        "Hanna HR",
        "Community Writer",
    }
    assert names(q="chen") == {"Carol Chen"}
    # nobody matches: no file of headers alone is offered
    nobody = client.get("/hr/people", query_string={"q": "no such person"}).get_data(as_text=True)
    assert "0 people match." in nobody and "Download these records" not in nobody
    assert "Download these records" in client.get("/hr/people").get_data(as_text=True)
    # nonsense filters are ignored, not errors
    r = client.get("/hr/people", query_string={"department": "²", "status": "<x>", "page": "-3"})
    assert r.status_code == 200


def test_grid_is_paginated(app, client, login, make_user, world):
    for n in range(60):
        make_user(name=f"Zed {n:02d}")
    login(world.hr)
    first = client.get("/hr/people").get_data(as_text=True)
    assert "65 people match." in first and 'rel="next"' in first
    assert "Page 1 of 2" in first and 'href="/hr/people?page=2">Last' in first
    second = client.get("/hr/people?page=2").get_data(as_text=True)
    assert "Zed 59" in second and 'rel="prev"' in second and 'rel="next"' not in second
    # A page past the last (a bookmark, the list shorter since) shows the last, not a
    # count of matches above "Nobody matches".
    past = client.get("/hr/people?page=9").get_data(as_text=True)
    assert "Page 2 of 2" in past and "Zed 59" in past and "Nobody matches" not in past


def test_export_has_one_row_per_person_per_requirement(app, client, login, world):
    w = world
    app.config["TODAY"] = DAY0 + timedelta(days=15)
    login(w.hr)
    r = client.get("/hr/export.csv")
    assert r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    text = r.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    # 5 people x Posting rules + 2 Sales people x Sales scripts
    assert len(rows) == 7
    alice = next(
        r for r in rows if r["email"] == w.alice.email and r["guideline"] == "Posting rules"
    )
    assert alice["status"] == "done" and alice["guideline_version"] == "1"
    assert alice["acknowledged_version"] == "1" and alice["on_behalf"] == "no"
    assert alice["department"] == "Sales" and alice["due_on"] == "2026-03-16"
    bob = next(r for r in rows if r["email"] == w.bob.email)
    assert bob["status"] == "overdue" and bob["acknowledged_at"] == ""
    # the grid's filters apply to the export too: only the overdue records
    only = client.get("/hr/export.csv", query_string={"status": "overdue"}).get_data(as_text=True)
    overdue = list(csv.DictReader(io.StringIO(only.lstrip("\ufeff"))))
    assert sorted((r["name"], r["guideline"]) for r in overdue) == [
        ("Alice Archer", "Sales scripts"),
        ("Bob Baker", "Posting rules"),
        ("Community Writer", "Posting rules"),
        ("Hanna HR", "Posting rules"),
    ]


def test_export_is_written_as_it_downloads(app, client, login, world, monkeypatch):
    """The file streams, chunks of any size join to the same file, and its statuses are of
    the day it was asked for, however late it is read."""
    from ideahub.hr import routes

    app.config["TODAY"] = DAY0 + timedelta(days=15)
    login(world.hr)
    whole = client.get("/hr/export.csv").get_data()
    assert whole.count(b"overdue") == 4
    for size in (1, 2, 3):
        monkeypatch.setattr(routes, "EXPORT_ROWS_PER_CHUNK", size)
        response = client.get("/hr/export.csv", buffered=False)
        assert response.is_streamed and response.status_code == 200
        chunks = list(response.response)
        response.close()
        assert len(chunks) == -(-8 // size)  # the header and 7 rows
        assert b"".join(chunks) == whole
    monkeypatch.setattr(routes, "EXPORT_ROWS_PER_CHUNK", 1)
    late = client.get("/hr/export.csv", buffered=False)  # reads the header only
    app.config["TODAY"] = DAY0  # nobody would be overdue yet
    assert b"".join(late.response) == whole
    late.close()


def test_export_reads_a_batch_of_people_at_a_time(
    app, client, login, world, monkeypatch, count_queries
):
    """Batches of any size make the same file; each costs the same queries, on a
    connection it gives back before its rows go out (the download may be slow)."""
    from ideahub.hr import routes

    login(world.hr)
    whole = client.get("/hr/export.csv").get_data()
    monkeypatch.setattr(routes, "EXPORT_ROWS_PER_CHUNK", 1)
    queries = {}
    for size in (1, 2, 1000):  # five people: 5, 3 and 1 batches
        monkeypatch.setattr(routes, "EXPORT_PEOPLE_PER_BATCH", size)
        with count_queries() as q:
            response = client.get("/hr/export.csv", buffered=False)
            held = db.engine.pool.checkedout()  # the test's own session's, if any
            chunks = []
            for chunk in response.response:
                chunks.append(chunk)
                assert db.engine.pool.checkedout() == held
            response.close()
        assert b"".join(chunks) == whole
        queries[size] = q.count
    per_batch = (queries[1] - queries[1000]) // 4
    assert per_batch == 7 and queries[2] - queries[1000] == 2 * per_batch


def test_export_neutralises_spreadsheet_formulas(client, login, make_user, world):
    make_user(name='=HYPERLINK("http://evil.test","click")')
    login(world.hr)
    text = client.get("/hr/export.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    names = {r["name"] for r in rows}
    assert '\'=HYPERLINK("http://evil.test","click")' in names
    assert not any(n.startswith(("=", "+", "-", "@")) for n in names)


def test_pages_run_a_fixed_number_of_queries(client, login, make_user, world, count_queries):
    login(world.hr)

    def counts():
        result = []
        for url in (
            "/hr/",
            "/hr/people",
            "/hr/people?status=overdue",
            "/hr/export.csv",
            "/hr/export.csv?status=done",
        ):
            db.session.expire_all()  # the same starting point each time (a fresh request)
            with count_queries() as q:
                assert client.get(url).status_code == 200
            result.append(q.count)
        return result

    small = counts()
    # A status filter is decided in the people's query: the requirements are read once.
    assert small[1] == small[2] and small[3] == small[4]
    for n in range(30):
        acknowledge(make_user(name=f"Extra {n}"), world.v1)
    assert counts() == small


def test_training_modules_are_requirements_with_scores_in_the_export(app, client, login, world):
    from ideahub.models import TrainingModule
    from ideahub.training.services import create_module, start_attempt, submit_attempt

    w = world
    app.config["TODAY"] = DAY0 + timedelta(days=2)
    module = create_module(
        w.author, w.posting, "Posting safely", "Read me.", 50, 10, "Q?\n* yes\n- no"
    )
    assert db.session.get(TrainingModule, module.id).assigned_on == DAY0 + timedelta(days=2)
    attempt = start_attempt(w.bob, module)
    right = next(c for c in module.questions[0].choices if c.is_correct)
    submit_attempt(w.bob, attempt, {module.questions[0].id: right.id})
    app.config["TODAY"] = DAY0 + timedelta(days=13)  # module due on day 12 (2 + 10)
    login(w.hr)
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/hr/export.csv").get_data(as_text=True).lstrip("\ufeff"))
        )
    )
    training = {r["name"]: r for r in rows if r["requirement"] == "training"}
    assert training["Bob Baker"]["status"] == "done"
    assert training["Bob Baker"]["training_score"] == "100"
    assert training["Bob Baker"]["training_module"] == "Posting safely"
    assert training["Bob Baker"]["guideline"] == "Posting rules"
    assert training["Alice Archer"]["status"] == "overdue"
    assert training["Carol Chen"]["status"] == "due"  # hired on day 20
    html = client.get("/hr/").get_data(as_text=True)
    assert "training, v1" in html and "1 of 5 (20%)" in html


@pytest.fixture
def varied_company(app, make_user, make_department):
    """Sixty people with random departments (or none), roles, hire dates (or none) and
    activity; guidelines for everyone, for departments and roles, for roles only, for an
    empty department and not yet in effect; acknowledgments of a version a later major one
    replaced, of the required one and of a minor one after it; two training modules, one
    assigned again by a major version, with passes and failures before and after. Returns
    its departments; the checks run at DAY0 + each of CHECK_DAYS."""
    import random
    from datetime import UTC, datetime

    from ideahub.models import Attempt
    from ideahub.training.services import create_module

    rng = random.Random(6)  # noqa: S311 (a repeatable company, not a secret)
    app.config["TODAY"] = DAY0 - timedelta(days=40)
    depts = [make_department(f"Dept {n}") for n in range(3)]
    author = make_user(["coe"], name="Writer", department=depts[0])
    people = []
    for _ in range(60):
        roles = rng.sample(["expert", "hr", "admin"], rng.choice([0, 0, 1, 2]))
        person = make_user(
            roles,
            name=f"Person {rng.randrange(20):02d}",  # shared names: ties broken by id
            department=rng.choice([*depts, None]),
            is_active=rng.random() > 0.1,
        )
        person.hire_date = rng.choice(
            [None, DAY0 - timedelta(days=rng.randrange(400)), DAY0 + timedelta(rng.randrange(40))]
        )
        people.append(person)
    # Hired on DAY0 + 1: due on day 15, exactly, so not overdue until day 16
    make_user(name="Boundary Hire", department=depts[0]).hire_date = DAY0 + timedelta(days=1)
    # First by name, but due later than most: the overdue list is by due date first
    make_user(name="A Late Hire", department=depts[1]).hire_date = DAY0 + timedelta(days=5)
    db.session.commit()
    some = lambda share: [p for p in people if rng.random() < share]  # noqa: E731

    def audience(guideline, body, day, *, major=True, departments=(), roles=(), everyone=False):
        save_draft(
            author,
            guideline,
            DraftData(guideline.title, body, everyone, tuple(d.id for d in departments), roles),
        )
        return publish_version(author, guideline, "Changes.", major, day)

    everyone = create_guideline(author, "Everyone")
    e1 = audience(everyone, "One.", DAY0 - timedelta(days=30), everyone=True)
    targeted = create_guideline(author, "Targeted")
    t1 = audience(targeted, "One.", DAY0 - timedelta(days=30), departments=depts[:2], roles=("hr",))
    roles_only = create_guideline(author, "Experts only")
    audience(roles_only, "One.", DAY0 - timedelta(days=30), roles=("expert", "admin"))
    nobody = create_guideline(author, "Nobody's department")
    audience(nobody, "One.", DAY0 - timedelta(days=30), departments=[make_department("Empty")])
    app.config["TODAY"] = DAY0 - timedelta(days=29)
    quiz = "Q?\n* yes\n- no"
    module_e = create_module(author, everyone, "Everyone's module", "Read.", 50, 10, quiz)
    module_t = create_module(author, targeted, "Targeted module", "Read.", 50, 20, quiz)
    for person in some(0.5):
        acknowledge(person, e1)  # a version that a later major one makes insufficient
    for person in some(0.5):
        if targeted.applies_to(person):
            acknowledge(person, t1)
    app.config["TODAY"] = DAY0
    e2 = audience(everyone, "Two.", DAY0, everyone=True)  # assigns module_e again from DAY0
    for person in some(0.4):
        acknowledge(person, e2)
    app.config["TODAY"] = DAY0 + timedelta(days=2)
    e3 = audience(everyone, "Three.", DAY0 + timedelta(days=2), major=False, everyone=True)
    for person in some(0.2):
        acknowledge(person, e3)  # a minor version after the required one settles it too
    later = create_guideline(author, "Not yet")
    audience(later, "One.", DAY0 + timedelta(days=100), everyone=True)
    for module in (module_e, module_t):
        for person in some(0.6):
            at = datetime.combine(DAY0, datetime.min.time(), UTC) + timedelta(
                days=rng.randrange(-20, 10), hours=rng.randrange(24), minutes=rng.randrange(60)
            )
            db.session.add(
                Attempt(
                    module_id=module.id,
                    user_id=person.id,
                    question_order=[],
                    submitted_at=at,
                    passed=rng.random() < 0.7,
                )
            )
    db.session.commit()
    return depts


CHECK_DAYS = (2, 9, 15, 45)


def test_dashboard_counts_agree_with_the_records_it_summarises(app, varied_company):
    """The dashboard counts in SQL what records() decides in Python (the grid and the export):
    a varied company, at several dates, must give the same rates and overdue list."""
    for day in CHECK_DAYS:
        app.config["TODAY"] = DAY0 + timedelta(days=day)
        company = records.load()
        order = {r.key: n for n, r in enumerate(company.requirements)}
        expected_total, expected_requirement = records.Rate(), defaultdict(records.Rate)
        expected_department = defaultdict(lambda: defaultdict(records.Rate))
        overdue = []
        for record in records.records(company):
            key = record.requirement.key
            for rate in (
                expected_total,
                expected_requirement[key],
                expected_department[record.person.department_id][key],
            ):
                rate.add(record.status)
            if record.status == "overdue":
                overdue.append(record)
        overdue.sort(key=lambda r: (r.due_on, r.person.name, r.person.id, order[r.requirement.key]))
        listed = [(r.person, r.requirement.key, r.due_on) for r in overdue]
        assert expected_total.done and expected_total.overdue and len(order) == 6

        for limit in (len(overdue) + 5, 1, 2, 3, 5, 8):
            summary = records.summarise(overdue_listed=limit)
            assert summary.requirements == company.requirements
            assert summary.departments == company.departments
            assert summary.total == expected_total
            assert summary.by_requirement == expected_requirement
            assert summary.by_department == expected_department
            got = [(r.person, r.requirement.key, r.due_on) for r in summary.overdue]
            assert got == listed[:limit]


def test_the_grid_lists_whom_the_records_say(app, varied_company):
    """The grid's filters are applied by the database: at several dates, for every status,
    requirement (or any, or one that does not exist) and department (or all), the people
    listed are those whose records() have that status, in name order."""
    for day in CHECK_DAYS:
        app.config["TODAY"] = DAY0 + timedelta(days=day)
        company = records.load()
        cells: dict[int, dict[str, str]] = {p.id: {} for p in company.people}
        for record in records.records(company):
            cells[record.person.id][record.requirement.key] = record.status
        keys = [r.key for r in company.requirements]
        for department in (None, *(d.id for d in varied_company)):
            for key in ("", *keys, "g999"):
                for status in ("", "done", "due", "overdue", "not_required"):
                    chosen = [key] if key else keys
                    expected = [
                        p.id
                        for p in company.people
                        if (department is None or p.department_id == department)
                        and (
                            not status
                            or any(cells[p.id].get(k, "not_required") == status for k in chosen)
                        )
                    ]
                    got = records.listed_people(department, "", status, key)
                    assert got == expected, (day, department, key, status)
    assert records.listed_people(None, "PERSON 0", "", "") == [
        p.id for p in company.people if "person 0" in p.name.casefold()
    ]


def test_a_company_with_hundreds_of_guidelines(app, client, login, make_user):
    """SQLite takes at most 500 SELECTs in one UNION and expressions 1,000 deep: the
    dashboard and the grid's "any guideline" filter still count 520 guidelines."""
    from ideahub.models import Guideline, GuidelineVersion

    app.config["TODAY"] = DAY0 + timedelta(days=30)
    hr = make_user(["hr"], name="Hana HR")
    late = make_user(name="Lee Late")
    guidelines = [Guideline(title=f"Rule {n:03d}") for n in range(520)]
    db.session.add_all(guidelines)
    db.session.flush()
    versions = [
        GuidelineVersion(
            guideline_id=g.id,
            number=1,
            title=g.title,
            body="Be kind.",
            text_hash="0" * 64,
            is_major=True,
            effective_on=DAY0,
        )
        for g in guidelines
    ]
    db.session.add_all(versions)
    db.session.commit()
    acknowledge(hr, versions[0])

    summary = records.summarise(overdue_listed=5)
    assert len(summary.requirements) == 520
    assert (summary.total.done, summary.total.overdue) == (1, 2 * 520 - 1)
    assert [(r.person.name, r.requirement.title) for r in summary.overdue] == [
        ("Hana HR", "Rule 001"),
        ("Hana HR", "Rule 002"),
        ("Hana HR", "Rule 003"),
        ("Hana HR", "Rule 004"),
        ("Hana HR", "Rule 005"),
    ]
    assert records.listed_people(None, "", "done", "") == [hr.id]
    assert records.listed_people(None, "", "overdue", "") == [hr.id, late.id]
    login(hr)
    assert client.get("/hr/").status_code == 200
    assert client.get("/hr/people?status=overdue").status_code == 200
