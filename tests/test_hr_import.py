"""HR's CSV import of employees: all or nothing, every bad line reported, re-runnable."""

from __future__ import annotations

import gc
import io
import math
import re
import time
from datetime import timedelta

import pytest

from ideahub.clock import today
from ideahub.extensions import db
from ideahub.hr import importing
from ideahub.models import AuditEntry, User

HEADER = "email,name,department,job_title,hire_date\n"


@pytest.fixture
def hr(app, make_user, make_department, login):
    make_department("Sales")
    make_department("客户服务")
    user = make_user(["hr"], name="Hanna HR")
    login(user)
    return user


def upload(client, text: str | bytes, name: str = "people.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        "/hr/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def people() -> list[tuple]:
    """The users table as it stands (committed), to compare before and after."""
    db.session.rollback()
    return [
        (u.email, u.name, u.department_id, u.job_title, u.hire_date, u.password_hash, u.is_active)
        for u in db.session.scalars(db.select(User).order_by(User.email))
    ]


def audit_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(AuditEntry))


def rejected(html: str) -> dict[int, str]:
    """The table of rejected lines: {line: reason} (0 for "the file")."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", body)
    return {int(line) if line.isdigit() else 0: reason for line, reason in rows}


def by_email(email: str) -> User:
    db.session.rollback()
    return db.session.scalar(db.select(User).where(User.email == email))


GOOD = HEADER + (
    "li.ming@example.test,李明 (Li Ming),客户服务,Agent,2026-03-02\n"
    "Anna.Berg@Example.test,Anna Berg,sales,Account manager,2025-11-17\n"
    "no.dept@example.test,No Department,,,\n"
)


# ---------------------------------------------------------------- who may import


@pytest.mark.parametrize("roles", [(), ("expert",), ("coe",)])
def test_others_are_refused(client, login, make_user, roles):
    login(make_user(list(roles)))
    before = people()
    assert client.get("/hr/import").status_code == 403
    assert upload(client, HEADER + "q@example.test,Q,,,\n").status_code == 403
    assert people() == before


@pytest.mark.parametrize("roles", [("hr",), ("admin",)])
def test_hr_and_admins_import(client, login, make_user, roles):
    importer = make_user(list(roles))
    login(importer)
    page = client.get("/hr/import")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "email, name, department, job_title, hire_date" in html
    assert 'download="employees.csv"' in html and '<label for="file">' in html
    r = upload(client, HEADER + "q@example.test,Q,,,\n")
    assert r.status_code == 302 and r.headers["Location"].endswith("/hr/import")
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "employees.imported")
    )
    assert entry.actor_id == importer.id and entry.details["created"] == 1


def test_anonymous_is_sent_to_sign_in(client):
    for r in (client.get("/hr/import"), upload(client, HEADER + "q@example.test,Q,,,\n")):
        assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert people() == []


# ---------------------------------------------------------------- good files


def test_import_creates_people_who_cannot_sign_in_yet(client, hr):
    r = upload(client, GOOD)
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Import done: 3 employees created, 0 updated, 0 unchanged." in page
    li = by_email("li.ming@example.test")
    assert li.name == "李明 (Li Ming)" and li.department.name == "客户服务"
    assert li.job_title == "Agent" and str(li.hire_date) == "2026-03-02"
    assert li.granted_roles == [] and li.roles == {"employee"} and li.is_active
    anna = by_email("anna.berg@example.test")  # stored lower-cased
    assert anna.department.name == "Sales"  # matched without regard to case
    nobody = by_email("no.dept@example.test")
    assert nobody.department is None and nobody.job_title == "" and nobody.hire_date is None
    for guess in ("", "!", "password", importing.NO_PASSWORD, anna.password_hash):
        assert not anna.check_password(guess)
    client.post("/logout")
    r = client.post("/login", data={"email": "anna.berg@example.test", "password": "!"})
    assert r.status_code == 200  # refused: the form again
    with client.session_transaction() as session:
        assert "_user_id" not in session
    audit = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "employees.imported")
    )
    assert audit.actor_id == hr.id
    assert audit.details == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "filename": "people.csv",
    }


def test_one_employee_is_singular(client, hr):
    r = upload(client, HEADER + "one@example.test,One,,,\n")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Import done: 1 employee created, 0 updated, 0 unchanged." in page


def test_running_the_same_file_again_changes_nothing_then_updates(client, hr):
    upload(client, GOOD)
    before = people()
    r = upload(client, GOOD)
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "0 employees created, 0 updated, 3 unchanged." in page
    assert people() == before
    moved = GOOD.replace("Anna Berg,sales,Account manager", "Anna Berg-Lind,客户服务,Lead")
    r = upload(client, moved)
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "0 employees created, 1 updated, 2 unchanged." in page
    anna = by_email("anna.berg@example.test")
    assert (anna.name, anna.department.name, anna.job_title) == (
        "Anna Berg-Lind",
        "客户服务",
        "Lead",
    )
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 4  # HR + 3
    assert [e.details["created"] for e in db.session.scalars(db.select(AuditEntry))] == [3, 0, 0]


def test_existing_people_keep_roles_password_and_active_flag(client, hr, make_user):
    expert = make_user(["expert"], email="ex@example.test", name="Old Name")
    gone = make_user([], email="gone@example.test", name="Gone", is_active=False)
    hash_before = expert.password_hash
    r = upload(
        client,
        HEADER
        + "EX@example.test,New Name,Sales,Expert,2020-01-01\n"
        + "gone@example.test,Gone Again,,,\n",
    )
    assert r.status_code == 302
    expert, gone = by_email("ex@example.test"), by_email("gone@example.test")
    assert expert.name == "New Name" and expert.department.name == "Sales"
    assert expert.granted_roles == ["expert"]
    assert expert.password_hash == hash_before and expert.is_active
    assert gone.name == "Gone Again" and not gone.is_active


def test_chinese_names_departments_and_casefolded_matching(client, hr, make_department):
    make_department("Straße")  # "STRASSE".casefold() == "straße".casefold(); lower() differs
    make_department("Ärger")
    text = HEADER + (
        "wang@example.test,王小明,客户服务,客服专员,2024-05-06\n"
        "chen@example.test,陳靜,STRASSE,,\n"
        "zahra@example.test,Zahra\u200cAhmadi,ärger,,\n"  # a zero-width non-joiner belongs
    )
    assert upload(client, text).status_code == 302
    assert by_email("wang@example.test").department.name == "客户服务"
    assert by_email("wang@example.test").job_title == "客服专员"
    assert by_email("chen@example.test").department.name == "Straße"
    assert by_email("zahra@example.test").department.name == "Ärger"


def test_a_bom_and_windows_line_ends_are_fine(client, hr):
    text = ("\ufeff" + GOOD).replace("\n", "\r\n")
    assert upload(client, text.encode("utf-8")).status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 4
    assert by_email("li.ming@example.test").name == "李明 (Li Ming)"


def test_header_names_are_forgiving(client, hr):
    text = "Hire Date,Email, Name ,DEPARTMENT,Job Title\n2024-01-02,z@example.test,Zed,sales,CEO\n"
    assert upload(client, text).status_code == 302
    zed = by_email("z@example.test")
    assert (zed.name, zed.job_title, str(zed.hire_date)) == ("Zed", "CEO", "2024-01-02")


def test_blank_rows_and_empty_trailing_cells_are_fine(client, hr):
    text = "email,name,department,job_title,hire_date,,\n\nz@example.test,Zed,,,,,\n,,,,\n"
    assert upload(client, text).status_code == 302
    assert by_email("z@example.test").name == "Zed"


# ---------------------------------------------------------------- bad files


@pytest.mark.parametrize(
    ("content", "line", "says"),
    [
        ("email,name\nx@example.test,X\n", 1, "missing columns: department, job_title, hire_date"),
        (
            HEADER.replace("\n", ",salary\n") + "a@example.test,A,,,,1\n",
            1,
            "unknown columns: “salary”",
        ),
        ("email,name,name,department,job_title,hire_date\n", 1, "columns given twice: name"),
        (HEADER + "a@example.test,A,,,31/03/2026\n", 2, "is not a date like 2026-03-31"),
        (HEADER + "a@example.test,A,,,20260331\n", 2, "is not a date like 2026-03-31"),
        (HEADER + "a@example.test,A,,,2026-W13-1\n", 2, "is not a date like 2026-03-31"),
        (HEADER + "a@example.test,A,,,2026-02-30\n", 2, "does not exist in the calendar"),
        (HEADER + "a@example.test,A,,,1949-12-31\n", 2, "is before 1950"),
        (HEADER + "a@example.test,A,Nowhere,,\n", 2, "unknown department “Nowhere”"),
        (HEADER + "not-an-email,A,,,\n", 2, "email:"),
        (HEADER + ",A,,,\n", 2, "no email"),
        (HEADER + "a@example.test,,,,\n", 2, "no name"),
        (HEADER + "a@example.test," + "长" * 121 + ",,,\n", 2, "longer than 120 characters"),
        (HEADER + "a@example.test,Bell\x07,,,\n", 2, "invisible control characters"),
        (HEADER + "a@example.test,\u202egnp.exe,,,\n", 2, "invisible control characters"),
        (HEADER + "a@example.test,A,,x\ty,\n", 2, "invisible control characters"),
        (HEADER + "a@example.test,A,,\n", 2, "4 values where the header has 5"),
        (HEADER + "a@example.test,A,,,,extra\n", 2, "6 values where the header has 5"),
        ("", 0, "The file is empty"),
        ("\n\n", 0, "The file is empty"),
        (HEADER, 0, "no employees"),
        (HEADER + "\n,,,,\n", 0, "no employees"),
        (b"\xff\xfe" + "email".encode("utf-16-le"), 0, "not UTF-8"),
        (HEADER.encode() + "a@example.test,王小明,,,\n".encode("gbk"), 0, "not UTF-8"),
        (HEADER + "a@example.test,A\x00,,,\n", 0, "not a CSV text file"),
    ],
)
def test_bad_files_are_refused_with_the_line_and_reason(client, hr, content, line, says):
    before, entries = people(), audit_count()
    r = upload(client, content)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Nothing was imported." in html
    assert says in rejected(html)[line]
    assert people() == before and audit_count() == entries


def test_a_far_future_hire_date_is_refused(client, hr):
    soon, late = today() + timedelta(days=30), today() + timedelta(days=400)
    text = HEADER + f"a@example.test,A,,,{soon}\nb@example.test,B,,,{late}\n"
    problems = rejected(upload(client, text).get_data(as_text=True))
    assert problems == {3: f"hire date {late} is more than a year from now"}


def test_every_bad_line_is_listed_with_spreadsheet_row_numbers(client, hr):
    text = HEADER + (
        "\n"  # row 2: blank, skipped but counted, as a spreadsheet shows it
        "ok@example.test,Fine,,,\n"  # row 3
        'two@example.test,Two,,"Head of\nSales",\n'  # row 4, two lines of text
        "bad@example.test,Bad,Nowhere,,2026-13-01\n"  # row 5 (line 6 of the text)
    )
    problems = rejected(upload(client, text).get_data(as_text=True))
    assert set(problems) == {4, 5}
    assert "runs over several lines" in problems[4]
    assert "unknown department “Nowhere”" in problems[5]
    assert "hire date 2026-13-01 does not exist" in problems[5]  # both reasons, one line


def test_duplicate_emails_are_reported_on_the_later_lines(client, hr):
    text = HEADER + (
        "a@example.test,A,,,\n"  # 2
        "b@example.test,B,,,not a date\n"  # 3: wrong, and still the first b@
        "A@example.test,Again,,,\n"  # 4
        "B@EXAMPLE.TEST,Bee,,,\n"  # 5
        "a@example.test,Third,,,\n"  # 6
    )
    r = upload(client, text)
    assert r.status_code == 422
    problems = rejected(r.get_data(as_text=True))
    assert set(problems) == {3, 4, 5, 6}
    assert "not a date" in problems[3]
    assert problems[4] == "the same email as line 2"
    assert problems[5] == "the same email as line 3"
    assert problems[6] == "the same email as line 2"


def test_one_bad_line_among_good_ones_imports_nothing(client, hr, make_user):
    make_user(email="anna.berg@example.test", name="Anna Before")
    before, entries = people(), audit_count()
    r = upload(client, GOOD + "bad@example.test,Bad,,,tomorrow\n")
    assert r.status_code == 422
    assert set(rejected(r.get_data(as_text=True))) == {5}
    assert people() == before and audit_count() == entries  # Anna was not renamed either


def test_the_first_200_problems_are_shown_and_the_rest_counted(client, hr):
    text = HEADER + "".join(f"p{i}@example.test,P,Nowhere,,\n" for i in range(250))
    html = upload(client, text).get_data(as_text=True)
    assert len(rejected(html)) == 200
    assert "250 problems to fix in the file" in html and "…and 50 more lines." in html
    assert 'aria-describedby="file-hint import-problems-title"' in html


def test_limits_on_rows_and_size(client, hr, monkeypatch):
    before = people()
    monkeypatch.setattr(importing, "MAX_ROWS", 2)
    text = HEADER + "a@example.test,A,,,\nb@example.test,B,,,\nc@example.test,C,,,\n"
    assert "More than 2 employees" in rejected(upload(client, text).get_data(as_text=True))[4]
    monkeypatch.setattr(importing, "MAX_ROWS", 100_000)
    monkeypatch.setattr(importing, "MAX_BYTES", len(text) - 1)
    assert "larger than 10 MB" in rejected(upload(client, text).get_data(as_text=True))[0]
    assert people() == before


def test_the_file_is_required_and_must_be_csv(client, hr):
    r = client.post("/hr/import", data={}, content_type="multipart/form-data")
    assert r.status_code == 422 and "Choose a CSV file." in r.get_data(as_text=True)
    r = upload(client, GOOD, name="people.xlsx")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Choose a file whose name ends in .csv." in html
    assert 'aria-invalid="true"' in html
    assert upload(client, GOOD, name="PEOPLE.CSV").status_code == 302


def test_the_audit_entry_keeps_only_the_file_name(client, hr):
    upload(client, GOOD, name="/home/hanna/新员工\u202e.csv")
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "employees.imported")
    )
    assert entry.details["filename"] == "新员工.csv"


def test_the_audit_log_shows_imports_and_filters_by_kind(client, hr, make_user):
    upload(client, GOOD)
    page = client.get("/hr/audit", query_string={"kind": "imports"}).get_data(as_text=True)
    assert "employees.imported" in page and "Hanna HR" in page and "people.csv" in page


# ---------------------------------------------------------------- scale


def test_queries_do_not_grow_per_row(client, hr, count_queries):
    rows = 3000
    text = HEADER + "".join(f"p{i}@example.test,P {i},Sales,S,2024-01-02\n" for i in range(rows))
    chunks = math.ceil(rows / importing.CHUNK)

    def kinds(statements: list[str]) -> dict[str, int]:
        found = {"departments": 0, "lookups": 0, "inserts": 0, "updates": 0}
        for sql in statements:
            sql = " ".join(sql.split())
            found["departments"] += sql.startswith("SELECT departments.id, departments.name")
            found["lookups"] += sql.startswith("SELECT users.id, lower(users.email)")
            found["inserts"] += sql.startswith("INSERT INTO users")
            found["updates"] += sql.startswith("UPDATE users")
        return found

    with count_queries() as q:
        assert upload(client, text).status_code == 302
    assert kinds(q.statements) == {
        "departments": 1,
        "lookups": chunks,
        "inserts": chunks,
        "updates": 0,
    }
    assert q.count <= 2 * chunks + 6  # plus the signed-in user and the audit entry
    with count_queries() as q:
        assert upload(client, text.replace(",S,", ",Senior,")).status_code == 302
    assert kinds(q.statements) == {
        "departments": 1,
        "lookups": chunks,
        "inserts": 0,
        "updates": 1,  # one executemany for all 3,000
    }


# Werkzeug's test client spools a multipart body over 500 KB to a temporary file it never
# closes; collect it here, inside this test, rather than let its warning land in another one.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_fifty_thousand_rows(client, hr, engine_name):
    lines = [HEADER] + [
        f"person{i:05d}@example.test,Person {i:05d} 员工,Sales,Staff,2024-01-{1 + i % 28:02d}\n"
        for i in range(50_000)
    ]
    started = time.perf_counter()
    r = upload(client, "".join(lines))
    seconds = time.perf_counter() - started
    assert r.status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 50_001
    last = by_email("person49999@example.test")
    assert last.department.name == "Sales" and str(last.hire_date) == "2024-01-20"
    print(f"\n[import] {engine_name}: 50,000 rows in {seconds:.1f} s")
    again = time.perf_counter()
    r = upload(client, "".join(lines))
    assert "0 employees created, 0 updated, 50000 unchanged" in client.get(
        r.headers["Location"]
    ).get_data(as_text=True)
    seconds = time.perf_counter() - again
    print(f"[import] {engine_name}: the same 50,000 rows again (no change) in {seconds:.1f} s")
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 50_001
    del r
    gc.collect()


def test_signing_in_as_an_imported_person_costs_a_hash_like_an_unknown_email(client, hr):
    """An imported person has no password yet: the refusal must take as long as for an
    unknown email (a password hash is checked either way), or timing tells who exists."""
    from unittest import mock

    import ideahub.auth.services as auth

    upload(client, GOOD)
    with mock.patch.object(auth, "check_password_hash", wraps=auth.check_password_hash) as spy:
        assert auth.authenticate("anna.berg@example.test", "!") is None
        assert auth.authenticate("nobody@example.test", "x") is None
    assert spy.call_count == 2
