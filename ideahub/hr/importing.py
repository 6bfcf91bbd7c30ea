"""Import employees from a CSV file: every row checked first, then all of it or nothing.

Columns (a header row, any order, names case-insensitive; "job title" or "job_title"):
email, name, department, job_title, hire_date. People are matched by email, so running the
same file again changes nothing; an existing person's name, department, job title and hire
date are updated, never their roles, active flag or password. New people get the employee
role only and no usable password: they choose one with "Forgot your password?".
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from ..audit import record
from ..clock import today
from ..extensions import db
from ..models import Department, User, utcnow

COLUMNS = ("email", "name", "department", "job_title", "hire_date")
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000
NO_PASSWORD = "!"  # noqa: S105 - not a hash: check_password_hash("!", anything) is False
CHUNK = 1000


@dataclass(frozen=True)
class Row:
    line: int
    email: str
    name: str
    department_id: int | None
    job_title: str
    hire_date: date | None


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, reason); 0: the file

    @property
    def ok(self) -> bool:
        return not self.errors


def _column(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch)[0] == "C" for ch in text)


def _email_problem(email: str) -> str | None:
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(
            email, check_deliverability=False, globally_deliverable=False, test_environment=True
        )
    except EmailNotValidError as exc:
        return str(exc)
    return None


def parse(data: bytes) -> tuple[list[Row], Outcome]:
    """The file's rows, checked; Outcome.errors lists every problem with its line."""
    outcome = Outcome()
    if len(data) > MAX_BYTES:
        outcome.errors.append((0, _("The file is larger than 10 MB; split it into parts.")))
        return [], outcome
    try:
        text = data.decode("utf-8-sig")  # a BOM, as spreadsheet programs write, is fine
    except UnicodeDecodeError:
        outcome.errors.append((0, _("The file is not UTF-8 text. Save it as “CSV UTF-8”.")))
        return [], outcome
    if "\x00" in text:
        outcome.errors.append((0, _("The file is not a CSV text file.")))
        return [], outcome
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        outcome.errors.append((1, _("Unreadable CSV: %(why)s", why=str(exc))))
        return [], outcome
    if not header or not any(h.strip() for h in header):
        outcome.errors.append((0, _("The file is empty: it needs a header row and employees.")))
        return [], outcome
    names = [_column(h) for h in header]
    missing = [c for c in COLUMNS if c not in names]
    unknown = [h for h, n in zip(header, names, strict=True) if n not in COLUMNS]
    duplicate = sorted({n for n in names if names.count(n) > 1 and n in COLUMNS})
    if missing or unknown or duplicate:
        problems = []
        if missing:
            problems.append(_("missing columns: %(names)s", names=", ".join(missing)))
        if unknown:
            problems.append(_("unknown columns: %(names)s", names=", ".join(unknown)))
        if duplicate:
            problems.append(_("columns given twice: %(names)s", names=", ".join(duplicate)))
        outcome.errors.append(
            (
                1,
                _(
                    "The header row is wrong (%(problems)s). Expected: %(columns)s.",
                    problems="; ".join(problems),
                    columns=", ".join(COLUMNS),
                ),
            )
        )
        return [], outcome
    position = {n: names.index(n) for n in COLUMNS}
    departments = {
        name.casefold(): id_
        for id_, name in db.session.execute(db.select(Department.id, Department.name))
    }
    latest = today() + timedelta(days=366)
    rows: list[Row] = []
    first_line: dict[str, int] = {}
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue  # blank lines are skipped
            if len(rows) + len(outcome.errors) >= MAX_ROWS:
                outcome.errors.append(
                    (line, _("More than %(n)s rows; split the file into parts.", n=MAX_ROWS))
                )
                break
            if len(values) != len(header):
                outcome.errors.append(
                    (
                        line,
                        _("%(n)s values where the header has %(m)s.", n=len(values), m=len(header)),
                    )
                )
                continue
            get = {c: values[i].strip() for c, i in position.items()}
            problems = []
            email = get["email"].lower()
            why = _email_problem(email) if email else _("no email")
            if why:
                problems.append(_("email: %(why)s", why=why))
            elif email in first_line:
                problems.append(_("the same email as line %(n)s", n=first_line[email]))
            name = unicodedata.normalize("NFC", get["name"])
            if not name:
                problems.append(_("no name"))
            elif len(name) > 120 or _has_control(name):
                problems.append(
                    _("the name is longer than 120 characters or has control characters")
                )
            department_id = None
            if get["department"]:
                department_id = departments.get(get["department"].casefold())
                if department_id is None:
                    problems.append(
                        _("unknown department “%(name)s”", name=get["department"][:120])
                    )
            job_title = get["job_title"]
            if len(job_title) > 120 or _has_control(job_title):
                problems.append(
                    _("the job title is longer than 120 characters or has control characters")
                )
            hire_date = None
            if get["hire_date"]:
                try:
                    hire_date = date.fromisoformat(get["hire_date"])
                except ValueError:
                    problems.append(
                        _(
                            "hire date “%(value)s” is not a date like 2026-03-31",
                            value=get["hire_date"][:40],
                        )
                    )
                else:
                    if not date(1950, 1, 1) <= hire_date <= latest:
                        problems.append(
                            _("hire date %(value)s is out of range", value=get["hire_date"])
                        )
            if problems:
                outcome.errors.append((line, "; ".join(problems)))
                continue
            first_line[email] = line
            rows.append(Row(line, email, name, department_id, job_title, hire_date))
    except csv.Error as exc:
        outcome.errors.append((reader.line_num, _("Unreadable CSV: %(why)s", why=str(exc))))
    if not rows and not outcome.errors:
        outcome.errors.append((0, _("The file has a header row but no employees.")))
    return rows, outcome


def import_employees(actor: User, data: bytes, filename: str = "") -> Outcome:
    """Check the whole file; when every row is right, apply it in one transaction."""
    rows, outcome = parse(data)
    if not outcome.ok:
        return outcome
    existing: dict[str, tuple[int, str, int | None, str, date | None]] = {}
    emails = [r.email for r in rows]
    for start in range(0, len(emails), CHUNK):
        for user_id, email, name, department_id, job_title, hire_date in db.session.execute(
            db.select(
                User.id,
                func.lower(User.email),
                User.name,
                User.department_id,
                User.job_title,
                User.hire_date,
            ).where(func.lower(User.email).in_(emails[start : start + CHUNK]))
        ):
            existing[email] = (user_id, name, department_id, job_title, hire_date)
    now = utcnow()
    new = [r for r in rows if r.email not in existing]
    changed = []
    for r in rows:
        if r.email not in existing:
            continue
        user_id, *current = existing[r.email]
        if tuple(current) == (r.name, r.department_id, r.job_title, r.hire_date):
            outcome.unchanged += 1
        else:
            changed.append(
                {
                    "id": user_id,
                    "name": r.name,
                    "department_id": r.department_id,
                    "job_title": r.job_title,
                    "hire_date": r.hire_date,
                }
            )
    for start in range(0, len(new), CHUNK):
        db.session.execute(
            db.insert(User),
            [
                {
                    "email": r.email,
                    "name": r.name,
                    "password_hash": NO_PASSWORD,
                    "department_id": r.department_id,
                    "job_title": r.job_title,
                    "hire_date": r.hire_date,
                    "created_at": now,
                }
                for r in new[start : start + CHUNK]
            ],
        )
    if changed:
        db.session.execute(db.update(User), changed)
    outcome.created, outcome.updated = len(new), len(changed)
    try:
        db.session.flush()
    except IntegrityError:  # someone added one of these people at the same moment
        db.session.rollback()
        return Outcome(
            errors=[
                (
                    0,
                    _(
                        "Someone changed these employees at the same time. "
                        "Nothing was imported; try again."
                    ),
                )
            ]
        )
    record(
        actor,
        "employees.imported",
        actor,
        filename=filename[:200],
        created=outcome.created,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
    )
    db.session.commit()
    return outcome
