"""HR's CSV import of employees: all or nothing, every bad line reported, re-runnable."""

from __future__ import annotations

import gc
import io
import time

import pytest

from ideahub.extensions import db
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
        (u.email, u.name, u.department_id, u.job_title, u.hire_date, u.password_hash)
        for u in db.session.scalars(db.select(User).order_by(User.email))
    ]


GOOD = HEADER + (
    "li.ming@example.test,李明 (Li Ming),客户服务,Agent,2026-03-02\n"
    "Anna.Berg@Example.test,Anna Berg,sales,Account manager,2025-11-17\n"
    "no.dept@example.test,No Department,,,\n"
)


def test_import_creates_people_who_cannot_sign_in_yet(client, hr):
    r = upload(client, GOOD)
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Import done: 3 employees created, 0 updated, 0 unchanged." in page
    li = db.session.scalar(db.select(User).where(User.email == "li.ming@example.test"))
    assert li.department.name == "客户服务" and li.job_title == "Agent"
    assert str(li.hire_date) == "2026-03-02" and not li.granted_roles  # employee only
    anna = db.session.scalar(db.select(User).where(User.email == "anna.berg@example.test"))
    assert anna.department.name == "Sales"  # matched without regard to case
    assert not anna.check_password("") and not anna.check_password("!")
    client.post("/logout")
    r = client.post("/login", data={"email": "anna.berg@example.test", "password": "!"})
    assert r.status_code == 200  # refused: the form again
    audit = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "employees.imported")
    )
    assert audit.details["created"] == 3 and audit.details["filename"] == "people.csv"


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
    anna = db.session.scalar(db.select(User).where(User.email == "anna.berg@example.test"))
    assert (anna.name, anna.department.name, anna.job_title) == (
        "Anna Berg-Lind",
        "客户服务",
        "Lead",
    )


def test_existing_people_keep_roles_password_and_active_flag(client, hr, make_user):
    expert = make_user(["expert"], email="ex@example.test", name="Old Name")
    hash_before = expert.password_hash
    upload(client, HEADER + "EX@example.test,New Name,Sales,Expert,2020-01-01\n")
    db.session.rollback()
    expert = db.session.get(User, expert.id)
    assert expert.name == "New Name" and expert.has_role("expert")
    assert expert.password_hash == hash_before and expert.is_active


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("email,name\nx@example.test,X\n", "missing columns: department, job_title, hire_date"),
        (HEADER.replace("\n", ",salary\n") + "a@example.test,A,,,,1\n", "unknown columns: salary"),
        (HEADER + "a@example.test,A,,,31/03/2026\n", "is not a date like 2026-03-31"),
        (HEADER + "a@example.test,A,,,2026-02-30\n", "is not a date like 2026-03-31"),
        (HEADER + "a@example.test,A,Nowhere,,\n", "unknown department “Nowhere”"),
        (HEADER + "not-an-email,A,,,\n", "email:"),
        (HEADER + "a@example.test,,,,\n", "no name"),
        (HEADER + "a@example.test,A,,\n", "4 values where the header has 5"),
        ("", "The file is empty"),
        (HEADER, "no employees"),
        (b"\xff\xfe" + "email".encode("utf-16-le"), "not UTF-8"),
    ],
)
def test_bad_files_are_refused_with_the_reason_and_change_nothing(client, hr, content, says):
    before = people()
    r = upload(client, content)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Nothing was imported." in html and says in html
    assert people() == before


def test_duplicate_emails_are_reported_with_both_lines(client, hr):
    text = HEADER + "a@example.test,A,,,\nb@example.test,B,,,\nA@example.test,Again,,,\n"
    r = upload(client, text)
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "<td>4</td><td>the same email as line 2</td>" in html


def test_one_bad_line_among_good_ones_imports_nothing(client, hr):
    before = people()
    r = upload(client, GOOD + "bad@example.test,Bad,,,tomorrow\n")
    assert r.status_code == 422
    assert "<td>5</td>" in r.get_data(as_text=True)
    assert people() == before


def test_a_bom_and_windows_line_ends_are_fine(client, hr):
    text = ("\ufeff" + GOOD).replace("\n", "\r\n")
    assert upload(client, text.encode("utf-8")).status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 4


def test_header_names_are_forgiving(client, hr):
    text = "Email, Name ,Department,Job Title,Hire Date\nz@example.test,Zed,,,\n"
    assert upload(client, text).status_code == 302


def test_missing_file_is_a_form_error(client, hr):
    r = client.post("/hr/import", data={}, content_type="multipart/form-data")
    assert r.status_code == 422 and "Choose a CSV file." in r.get_data(as_text=True)


@pytest.mark.parametrize(("roles", "expected"), [((), 403), (("coe",), 403), (("admin",), 200)])
def test_import_page_per_role(client, login, make_user, roles, expected):
    login(make_user(list(roles)))
    assert client.get("/hr/import").status_code == expected
    r = upload(client, HEADER + "q@example.test,Q,,,\n")
    assert r.status_code == (403 if expected == 403 else 302)


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get("/hr/import").status_code == 302


# Werkzeug's test client spools a multipart body over 500 KB to a temporary file it never
# closes; collect it here, inside this test, rather than let its warning land in another one.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_fifty_thousand_rows(client, hr):
    lines = [HEADER] + [
        f"person{i:05d}@example.test,Person {i:05d} 员工,Sales,Staff,2024-01-{1 + i % 28:02d}\n"
        for i in range(50_000)
    ]
    started = time.perf_counter()
    r = upload(client, "".join(lines))
    seconds = time.perf_counter() - started
    assert r.status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 50_001
    print(f"\n[import] 50,000 rows in {seconds:.1f} s")
    again = time.perf_counter()
    r = upload(client, "".join(lines))
    assert "50000 unchanged" in client.get(r.headers["Location"]).get_data(as_text=True)
    print(f"[import] the same 50,000 rows again (no change) in {time.perf_counter() - again:.1f} s")
    del r
    gc.collect()


def test_the_audit_log_shows_imports_and_filters_by_kind(client, hr, make_user):
    upload(client, GOOD)
    make_user(["admin"]).set_roles(["admin", "expert"])
    page = client.get("/hr/audit", query_string={"kind": "imports"}).get_data(as_text=True)
    assert "employees.imported" in page and "Hanna HR" in page and "people.csv" in page
    everything = client.get("/hr/audit").get_data(as_text=True)
    assert "employees.imported" in everything
    assert client.get("/hr/audit", query_string={"kind": "<x>", "page": "²"}).status_code == 200
