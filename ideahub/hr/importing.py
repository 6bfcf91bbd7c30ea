"""Import employees from a CSV file: every row checked first, then all of it or nothing.

Columns (a header row, any order, names case-insensitive; "job title" or "job_title"):
email, name, department, job_title, hire_date. People are matched by email, so running the
same file again changes nothing; an existing person's name, department, job title and hire
date are updated, never their roles, active flag or password. New people get the employee
role only and no usable password: they choose one with "Forgot your password?".

Line numbers are the rows a spreadsheet shows (the header is 1), not physical text lines:
a quoted value may span several lines of the file and is still one row.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import format_decimal
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
# Not a hash: werkzeug's check_password_hash("!", anything) is False without hashing, and
# hashing a random password per row would take minutes for 50,000 people.
NO_PASSWORD = "!"  # noqa: S105
CHUNK = 1000  # rows per statement: well under SQLite's and psycopg's parameter limits
EARLIEST_HIRE = date(1950, 1, 1)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)  # fromisoformat also takes 20260331
# Invisible characters that reorder or break text (bidi overrides, line separators, BOM);
# zero-width joiners stay allowed: Persian and Indic names need them.
INVISIBLE = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029\ufeff")


@dataclass(frozen=True)
class Row:
    line: int
    email: str
    name: str
    department_id: int | None
    job_title: str
    hire_date: date | None


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, reason); 0: the file

    @property
    def ok(self) -> bool:
        return not self.errors


class _Unreadable(Exception):
    def __init__(self, line: int, why: str) -> None:
        super().__init__(why)
        self.line, self.why = line, why


def _column(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def _clean(value: str) -> str:
    return unicodedata.normalize("NFC", value.strip())


def _text_problem(label: str, value: str) -> str | None:
    if "\n" in value or "\r" in value:
        return _("%(what)s runs over several lines (is a closing quote missing?)", what=label)
    if any(unicodedata.category(ch) in ("Cc", "Cs") or ch in INVISIBLE for ch in value):
        return _("%(what)s has invisible control characters", what=label)
    if len(value) > 120:
        return _("%(what)s is longer than 120 characters", what=label)
    return None


def _email_problem(email: str) -> str | None:
    """The same check as the administrators' user form."""
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(
            email, check_deliverability=False, globally_deliverable=False, test_environment=True
        )
    except EmailNotValidError as exc:
        return str(exc).rstrip(".")  # reasons are joined with "; "
    return None


def _decode(data: bytes, result: ImportResult) -> str | None:
    if len(data) > MAX_BYTES:
        result.errors.append((0, _("The file is larger than 10 MB; split it into parts.")))
        return None
    try:
        text = data.decode("utf-8-sig")  # a BOM, as spreadsheet programs write, is fine
    except UnicodeDecodeError:
        result.errors.append((0, _("The file is not UTF-8 text. Save it as “CSV UTF-8”.")))
        return None
    if "\x00" in text:
        result.errors.append((0, _("The file is not a CSV text file.")))
        return None
    return text


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(spreadsheet row number, values); blank rows count, as a spreadsheet shows them."""
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 0
    while True:
        line += 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a value over the csv module's 128 KB field limit
            raise _Unreadable(line, str(exc)) from exc
        yield line, values


def _trim(values: list[str]) -> list[str]:
    """Without the empty cells at the end that spreadsheet programs sometimes leave."""
    end = len(values)
    while end and not values[end - 1].strip():
        end -= 1
    return values[:end]


def _header(line: int, header: list[str], result: ImportResult) -> dict[str, int] | None:
    header = _trim(header)
    names = [_column(h) for h in header]
    missing = [c for c in COLUMNS if c not in names]
    unknown = [f"“{h.strip()}”" for h, n in zip(header, names, strict=True) if n not in COLUMNS]
    twice = sorted({n for n in names if n in COLUMNS and names.count(n) > 1})
    if not (missing or unknown or twice):
        return {n: names.index(n) for n in COLUMNS}
    problems = []
    if missing:
        problems.append(_("missing columns: %(names)s", names=", ".join(missing)))
    if unknown:
        problems.append(_("unknown columns: %(names)s", names=", ".join(unknown)))
    if twice:
        problems.append(_("columns given twice: %(names)s", names=", ".join(twice)))
    result.errors.append(
        (
            line,
            _(
                "The header row is wrong (%(problems)s). Expected: %(columns)s.",
                problems="; ".join(problems),
                columns=", ".join(COLUMNS),
            ),
        )
    )
    return None


def _hire_date_problem(raw: str, latest: date) -> tuple[date | None, str | None]:
    if not raw:
        return None, None
    if not ISO_DATE.fullmatch(raw):
        return None, _("hire date “%(value)s” is not a date like 2026-03-31", value=raw[:40])
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None, _("hire date %(value)s does not exist in the calendar", value=raw)
    if day < EARLIEST_HIRE:
        return None, _("hire date %(value)s is before 1950", value=raw)
    if day > latest:
        return None, _("hire date %(value)s is more than a year from now", value=raw)
    return day, None


def _check_rows(records: Iterator[tuple[int, list[str]]], result: ImportResult) -> list[Row]:
    first = next(((n, v) for n, v in records if any(c.strip() for c in v)), None)
    if first is None:  # leading blank rows are skipped; the header is the first non-blank
        result.errors.append((0, _("The file is empty: it needs a header row and employees.")))
        return []
    line, header = first
    position = _header(line, header, result)
    if position is None:
        return []
    width = len(_trim(header))
    departments = {
        _clean(name).casefold(): id_
        for id_, name in db.session.execute(db.select(Department.id, Department.name))
    }
    latest = today() + timedelta(days=366)
    the_name, the_job_title = _("the name"), _("the job title")  # not 100,000 lookups
    rows: list[Row] = []
    first_line: dict[str, int] = {}  # email -> the line it first appeared on
    count = 0
    for line, raw in records:
        if not any(v.strip() for v in raw):
            continue  # blank rows are skipped
        count += 1
        if count > MAX_ROWS:
            result.errors.append(
                (
                    line,
                    _(
                        "More than %(n)s employees; split the file into parts.",
                        n=format_decimal(MAX_ROWS),
                    ),
                )
            )
            break
        values = raw[:width] if len(raw) > width and not _trim(raw[width:]) else raw
        if len(values) != width:
            result.errors.append(
                (line, _("%(n)s values where the header has %(m)s.", n=len(values), m=width))
            )
            continue
        get = {c: _clean(values[i]) for c, i in position.items()}
        problems = []
        email = get["email"].lower()
        why = _email_problem(email) if email else _("no email")
        if why:
            problems.append(_("email: %(why)s", why=why))
        elif email in first_line:
            problems.append(_("the same email as line %(n)s", n=first_line[email]))
        else:
            first_line[email] = line  # even when another value is wrong: later copies are too
        name = get["name"]
        why = _text_problem(the_name, name) if name else _("no name")
        if why:
            problems.append(why)
        department_id = None
        if get["department"]:
            department_id = departments.get(get["department"].casefold())
            if department_id is None:
                problems.append(_("unknown department “%(name)s”", name=get["department"][:120]))
        job_title = get["job_title"]
        why = _text_problem(the_job_title, job_title)
        if why:
            problems.append(why)
        hire_date, why = _hire_date_problem(get["hire_date"], latest)
        if why:
            problems.append(why)
        if problems:
            result.errors.append((line, "; ".join(problems)))
        else:
            rows.append(Row(line, email, name, department_id, job_title, hire_date))
    return rows


def parse(data: bytes) -> tuple[list[Row], ImportResult]:
    """The file's rows, checked; ImportResult.errors lists every problem with its line."""
    result = ImportResult()
    text = _decode(data, result)
    if text is None:
        return [], result
    try:
        rows = _check_rows(_records(text), result)
    except _Unreadable as exc:
        result.errors.append((exc.line, _("Unreadable CSV: %(why)s", why=exc.why)))
        return [], result
    if not rows and not result.errors:
        result.errors.append((0, _("The file has a header row but no employees.")))
    return rows, result


def _existing(emails: list[str]) -> dict[str, tuple[int, str, int | None, str, date | None]]:
    """The people already here, by lower-cased email (one query per CHUNK emails)."""
    found = {}
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
            found[email] = (user_id, name, department_id, job_title, hire_date)
    return found


def _display_filename(filename: str) -> str:
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")[:200]


def import_employees(actor: User, data: bytes, filename: str = "") -> ImportResult:
    """Check the whole file; when every row is right, apply it in one transaction."""
    rows, result = parse(data)
    if not result.ok:
        return result
    existing = _existing([r.email for r in rows])
    new, changed = [], []
    for r in rows:
        if r.email not in existing:
            new.append(r)
            continue
        user_id, *current = existing[r.email]
        if tuple(current) == (r.name, r.department_id, r.job_title, r.hire_date):
            result.unchanged += 1
            continue
        changed.append(
            {
                "id": user_id,
                "name": r.name,
                "department_id": r.department_id,
                "job_title": r.job_title,
                "hire_date": r.hire_date,
            }
        )
    now = utcnow()
    try:
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
        if changed:  # ORM bulk UPDATE by primary key: one executemany
            db.session.execute(db.update(User), changed)
        db.session.flush()
    except IntegrityError:  # someone added one of these people at the same moment
        db.session.rollback()
        message = _(
            "Someone changed these employees at the same time. Nothing was imported; try again."
        )
        return ImportResult(errors=[(0, message)])
    result.created, result.updated = len(new), len(changed)
    record(
        actor,
        "employees.imported",
        actor,
        filename=_display_filename(filename),
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
    )
    db.session.commit()
    return result
