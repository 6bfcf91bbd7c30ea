"""What each person must do, by when, and who has: one record per person per requirement,
computed for the whole company in a fixed number of queries.

Requirements (for active employees in the guideline's audience):
- acknowledging the newest major version in effect of each guideline, due ACK_DUE_DAYS after
  its effective date; done by acknowledging that version or a newer one;
- passing the guideline's newest training module (for a version in effect), due the module's
  own number of days after it was published; done by a passed attempt.
Either is counted from the person's hire date instead when they joined later; past the due
date and not done, it is overdue.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import desc, func

from ..clock import day_of, start_of, today
from ..extensions import db
from ..governance.queries import audience
from ..models import (
    Acknowledgment,
    Attempt,
    Department,
    Guideline,
    GuidelineVersion,
    TrainingModule,
    User,
    UserRole,
    guideline_departments,
)
from ..sql import among, rows

STATUSES = ("done", "due", "overdue")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Build the company's records without Python's cyclic garbage collector running: they
    are hundreds of thousands of small acyclic tuples, and the collections it triggered while
    they were made took 40% of the dashboard's time at 20,000 people."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Person(NamedTuple):  # tuples: 20,000 frozen dataclasses took 150 ms to build
    id: int
    name: str
    email: str
    department_id: int | None
    department: str
    hire_date: date | None
    roles: frozenset[str]


@dataclass(frozen=True)
class Requirement:
    """Something the audience of a guideline must do: acknowledge a version, or pass a module."""

    kind: str  # "acknowledgment" or "training"
    key: str  # "g<guideline id>" or "m<module id>": the requirement's name in URLs and tables
    guideline_id: int
    title: str  # the guideline's title, or the module's
    version: int  # the guideline version it is about
    effective_on: date  # when the clock starts for people hired before
    due_days: int
    for_everyone: bool
    department_ids: frozenset[int]
    roles: frozenset[str]
    passes_from: date | None = None  # training: only passes from this day count

    @property
    def module_id(self) -> int | None:
        return int(self.key[1:]) if self.kind == "training" else None

    def due_on(self, hired: date | None) -> date:
        """Due `due_days` after it took effect, or after the hire date if that is later
        (_cells() applies the same rule with the parts worked out once)."""
        start = hired if hired and hired > self.effective_on else self.effective_on
        return start + timedelta(days=self.due_days)


@dataclass(frozen=True)
class Ack:
    version: int
    at: datetime
    on_behalf: bool


class Record(NamedTuple):
    person: Person
    requirement: Requirement
    status: str  # done, due or overdue
    due_on: date


@dataclass(frozen=True)
class Company:
    people: list[Person]
    requirements: list[Requirement]
    done: set[tuple[int, str]]  # (user_id, requirement key)
    departments: list[tuple[int, str]]


# The requirements in effect today, and the versions whose acknowledgment settles one
# (requirements_in_effect()): read once per request and handed on, as four queries.
InEffect = tuple[list[Requirement], dict[int, str]]


def load(user_ids: list[int] | None = None, in_effect: InEffect | None = None) -> Company:
    """Everything the records are computed from (for everyone, or only the people listed):
    nine queries, whatever the company's size (five with the requirements given).

    Only acknowledgments that settle a requirement are read, as (user, version) pairs with no
    dates to parse: at 20,000 people and 180,000 acknowledgments, reading them all with their
    dates took over a second on SQLite."""
    with gc_paused():
        return _load(user_ids, in_effect or requirements_in_effect())


def _load(user_ids: list[int] | None, in_effect: InEffect) -> Company:
    def only_them(column: Any) -> Any:
        return among(column, user_ids) if user_ids is not None else sa.true()

    roles: dict[int, set[str]] = defaultdict(set)
    for user_id, role in rows(
        db.select(UserRole.user_id, UserRole.role).where(only_them(UserRole.user_id))
    ):
        roles[user_id].add(role)
    departments = _departments()
    names = dict(departments)
    people = [
        Person(
            id=row.id,
            name=row.name,
            email=row.email,
            department_id=row.department_id,
            department=names.get(row.department_id, ""),
            hire_date=row.hire_date,
            roles=frozenset(roles.get(row.id, ())),
        )
        for row in rows(
            db.select(User.id, User.name, User.email, User.department_id, User.hire_date)
            .where(User.is_active.is_(True), only_them(User.id))
            .order_by(User.name, User.id)
        )
    ]
    requirements, settling = in_effect
    done = {
        (user_id, settling[version_id])
        for user_id, version_id in rows(
            db.select(Acknowledgment.user_id, Acknowledgment.version_id).where(
                Acknowledgment.version_id.in_(list(settling) or [0]),
                only_them(Acknowledgment.user_id),
            )
        )
    }
    by_module = {r.module_id: r for r in requirements if r.kind == "training"}
    for user_id, module_id, last_pass in rows(
        db.select(Attempt.user_id, Attempt.module_id, func.max(Attempt.submitted_at))
        .where(
            Attempt.passed.is_(True),
            Attempt.module_id.in_(list(by_module) or [0]),
            only_them(Attempt.user_id),
        )
        .group_by(Attempt.user_id, Attempt.module_id)
    ):
        req = by_module[module_id]
        if req.passes_from is None or day_of(last_pass) >= req.passes_from:
            done.add((user_id, req.key))
    return Company(people, requirements, done, departments)


def _departments() -> list[tuple[int, str]]:
    return [
        (id_, name)
        for id_, name in rows(db.select(Department.id, Department.name).order_by(Department.name))
    ]


def requirements_in_effect() -> InEffect:
    """Every requirement in effect today (acknowledgments first, by guideline title, then
    training modules by title), and the versions whose acknowledgment settles one:
    version id -> requirement key (the required version and newer ones)."""
    audience_departments: dict[int, set[int]] = defaultdict(set)
    for guideline_id, department_id in rows(db.select(guideline_departments)):
        audience_departments[guideline_id].add(department_id)
    ack_days = current_app.config["ACK_DUE_DAYS"]
    guidelines: dict[int, Guideline] = {}
    acks: list[Requirement] = []
    for version, guideline in db.session.execute(
        db.select(GuidelineVersion, Guideline)
        .join(Guideline, Guideline.id == GuidelineVersion.guideline_id)
        .where(GuidelineVersion.is_major.is_(True), GuidelineVersion.effective_on <= today())
        .order_by(Guideline.title, Guideline.id, desc(GuidelineVersion.number))
    ):
        if guideline.id in guidelines:  # an older major version
            continue
        guidelines[guideline.id] = guideline
        acks.append(
            Requirement(
                kind="acknowledgment",
                key=f"g{guideline.id}",
                guideline_id=guideline.id,
                title=guideline.title,
                version=version.number,
                effective_on=version.effective_on,
                due_days=ack_days,
                for_everyone=guideline.for_everyone,
                department_ids=frozenset(audience_departments.get(guideline.id, ())),
                roles=frozenset(guideline.role_list),
            )
        )
    audience = {r.guideline_id: r for r in acks}
    modules: dict[int, Requirement] = {}  # guideline id -> its newest module in effect
    for module, version_number, effective_on in db.session.execute(
        db.select(TrainingModule, GuidelineVersion.number, GuidelineVersion.effective_on)
        .join(GuidelineVersion, GuidelineVersion.id == TrainingModule.version_id)
        .where(GuidelineVersion.effective_on <= today())
        .order_by(TrainingModule.id)
    ):
        ack = audience.get(module.guideline_id)
        # A major version newer than the module's assigns the module again: only a pass
        # from the day that version took effect counts.
        again = ack is not None and ack.version > version_number
        modules[module.guideline_id] = Requirement(
            kind="training",
            key=f"m{module.id}",
            guideline_id=module.guideline_id,
            title=module.title,
            version=ack.version if again and ack else version_number,
            effective_on=max(
                module.assigned_on, effective_on, ack.effective_on if again and ack else date.min
            ),
            due_days=module.due_days,
            passes_from=ack.effective_on if again and ack else None,
            for_everyone=ack.for_everyone if ack else False,
            department_ids=ack.department_ids if ack else frozenset(),
            roles=ack.roles if ack else frozenset(),
        )
    required = {r.guideline_id: r.version for r in acks}
    settling = {
        version_id: f"g{guideline_id}"
        for version_id, guideline_id, number in rows(
            db.select(GuidelineVersion.id, GuidelineVersion.guideline_id, GuidelineVersion.number)
        )
        if guideline_id in required and number >= required[guideline_id]
    }
    return [*acks, *sorted(modules.values(), key=lambda r: r.title)], settling


def acknowledgments(user_ids: list[int] | None = None) -> dict[tuple[int, str], Ack]:
    """(user_id, "g<guideline id>") -> the newest acknowledgment, with its date and whether HR
    gave it on the person's behalf; for everyone, or for a page of people (one query)."""
    query = (
        db.select(
            Acknowledgment.user_id,
            GuidelineVersion.guideline_id,
            GuidelineVersion.number,
            Acknowledgment.acknowledged_at,
            Acknowledgment.on_behalf_by_id,
        )
        .join(GuidelineVersion, GuidelineVersion.id == Acknowledgment.version_id)
        .order_by(Acknowledgment.id)
    )
    if user_ids is not None:
        query = query.where(among(Acknowledgment.user_id, user_ids))
    # One key string per guideline, not one per row: 6 of the 38 MB that the export's
    # 180,000 acknowledgments took (tracemalloc).
    keys: dict[int, str] = {}
    found: dict[tuple[int, str], Ack] = {}
    for user_id, guideline_id, number, at, on_behalf_by_id in rows(query):
        key = keys.get(guideline_id)
        if key is None:
            key = keys[guideline_id] = f"g{guideline_id}"
        found[(user_id, key)] = Ack(number, at, on_behalf_by_id is not None)
    return found


def _cells(
    company: Company, people: Iterable[Person] | None = None, now: date | None = None
) -> Iterator[tuple[Person, Requirement, str, date]]:
    """(person, requirement, status, due date) for each requirement that applies to each
    person: plain tuples, as the dashboard counts 88,000 of them for 20,000 people. What
    depends on the requirement alone is worked out once per requirement, not per cell, and
    at once, with `now` (today's date when not given): the cells themselves come as they
    are iterated."""
    plans = [
        (
            req,
            req.key,
            req.for_everyone,
            req.department_ids,
            req.roles,
            req.effective_on,
            timedelta(days=req.due_days),
            req.effective_on + timedelta(days=req.due_days),
        )
        for req in company.requirements
    ]
    people = company.people if people is None else people
    return _each_cell(people, plans, company.done, now or today())


def _each_cell(
    people: Iterable[Person], plans: list[tuple[Any, ...]], done: set[tuple[int, str]], now: date
) -> Iterator[tuple[Person, Requirement, str, date]]:
    for person in people:
        hired, person_key = person.hire_date, person.id
        for req, key, everyone, departments, roles, effective_on, allowed, usual_due in plans:
            # Whom a requirement applies to: everyone, its departments' people, its roles'.
            if not (
                everyone
                or person.department_id in departments
                or (roles and not roles.isdisjoint(person.roles))
            ):
                continue
            due_on = hired + allowed if hired and hired > effective_on else usual_due
            status = "done" if (person_key, key) in done else ("overdue" if now > due_on else "due")
            yield person, req, status, due_on


def records(
    company: Company, people: Iterable[Person] | None = None, now: date | None = None
) -> Iterator[Record]:
    """Each person's record for each requirement that applies to them, in the order of
    `people` (the company's, by name, when not given), a person's records together, as of
    `now` (today when not given)."""
    return (Record(*cell) for cell in _cells(company, people, now))


@dataclass
class Rate:
    required: int = 0
    done: int = 0
    overdue: int = 0

    def add(self, status: str, n: int = 1) -> None:
        self.required += n
        self.done += n if status == "done" else 0
        self.overdue += n if status == "overdue" else 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.required) if self.required else 0


@dataclass
class Summary:
    requirements: list[Requirement]
    departments: list[tuple[int, str]]  # (id, name), by name
    total: Rate
    by_requirement: dict[str, Rate]  # requirement key -> rate
    by_department: dict[int | None, dict[str, Rate]]  # department -> requirement key -> rate
    overdue: list[Record]  # the longest overdue first, at most the number asked for


def summarise(overdue_listed: int) -> Summary:
    """The whole company's rates and its longest overdue records, counted by the database:
    the same statuses as records() gives (a test compares the two), without reading every
    person and acknowledgment into Python. Eight queries, whatever the company's size (two
    more for each further 200 requirements)."""
    requirements, settling = requirements_in_effect()
    departments = _departments()
    by_department: dict[int | None, dict[str, Rate]] = defaultdict(lambda: defaultdict(Rate))
    summary = Summary(requirements, departments, Rate(), defaultdict(Rate), by_department, [])
    if not requirements:
        return summary
    versions = _versions_by_key(settling)
    now = today()
    counts = [_status_counts(req, versions[req.key], now) for req in requirements]
    for key, department_id, done, late, n in _union_rows(counts):
        status = "done" if done else ("overdue" if late else "due")
        for rate in (summary.total, summary.by_requirement[key], by_department[department_id][key]):
            rate.add(status, n)
    if summary.total.overdue:
        summary.overdue = _longest_overdue(requirements, versions, now, departments, overdue_listed)
    return summary


# SQLite refuses a UNION of more than 500 SELECTs (SQLITE_MAX_COMPOUND_SELECT).
_UNION_AT_MOST = 200


def _union_rows(selects: list[Any]) -> Iterator[Any]:
    """The rows of UNION ALL of `selects`: one statement up to _UNION_AT_MOST of them."""
    for start in range(0, len(selects), _UNION_AT_MOST):
        yield from rows(sa.union_all(*selects[start : start + _UNION_AT_MOST]))


def _versions_by_key(settling: dict[int, str]) -> dict[str, list[int]]:
    versions: dict[str, list[int]] = defaultdict(list)
    for version_id, key in settling.items():
        versions[key].append(version_id)
    return versions


def _status_terms(req: Requirement, versions: list[int], now: date) -> tuple[Any, Any, Any]:
    """SQL over `users` for one requirement, as _cells() decides in Python: whether it
    applies to the person, whether they have done it, whether its due date has passed."""
    applies = audience(req.for_everyone, req.department_ids, req.roles)
    # Who has done it, as one set per requirement (user_id IN a subquery that does not
    # depend on the person): PostgreSQL hashes it once, where a correlated EXISTS was run
    # again for each person (a status filter over 8 requirements: 330 ms at 20,000 people).
    if req.kind == "acknowledgment":
        done = User.id.in_(
            db.select(Acknowledgment.user_id).where(Acknowledgment.version_id.in_(versions or [0]))
        )
    else:
        passed = [Attempt.module_id == req.module_id, Attempt.passed.is_(True)]
        if req.passes_from is not None:
            passed.append(Attempt.submitted_at >= start_of(req.passes_from))
        done = User.id.in_(db.select(Attempt.user_id).where(*passed))
    # Due `due_days` after the requirement took effect, or after the hire date if later:
    # past due when that start is before `now - due_days`.
    cutoff = now - timedelta(days=req.due_days)
    effective_on = sa.literal(req.effective_on, sa.Date)
    late = sa.case(
        (User.hire_date > effective_on, User.hire_date < sa.literal(cutoff, sa.Date)),
        else_=sa.literal(req.effective_on < cutoff, sa.Boolean),
    )
    return applies, done, late


# SQLite reads "AS MATERIALIZED" from 3.35 (2021), PostgreSQL from 12; older versions would
# refuse it, and get the same counts without it, more slowly.
_MATERIALIZED_FROM = {"sqlite": (3, 35), "postgresql": (12,)}


def _status_counts(req: Requirement, versions: list[int], now: date) -> Any:
    """(requirement key, department, done, late, number of people) for one requirement.

    Each person's row is worked out once, in a materialised CTE: as a subquery, SQLite
    merged it into the grouping, evaluated the done-check twice per person and read users
    in department order through an index (59 ms a requirement at 20,000 people, 18 ms so)."""
    applies, done, late = _status_terms(req, versions, now)
    each = (
        db.select(User.department_id, done.label("done"), late.label("late"))
        .where(applies)
        .cte(f"cells_{req.key}")
    )
    if db.engine.dialect.server_version_info >= _MATERIALIZED_FROM[db.engine.dialect.name]:
        each = each.prefix_with("MATERIALIZED")
    return db.select(
        sa.literal(req.key, sa.String).label("key"),
        each.c.department_id,
        each.c.done,
        each.c.late,
        func.count(),
    ).group_by(each.c.department_id, each.c.done, each.c.late)


def _by_code_point(column: Any) -> Any:
    """Order text as Python does (by code point): SQLite's default; PostgreSQL's "C"."""
    return column.collate("C") if db.engine.dialect.name == "postgresql" else column


def _longest_overdue(
    requirements: list[Requirement],
    versions: dict[str, list[int]],
    now: date,
    departments: list[tuple[int, str]],
    limit: int,
) -> list[Record]:
    """The first `limit` overdue records by due date, then name: the first `limit` of each
    requirement, read by the database, then merged. Ties fall as in records()' order."""
    firsts = []
    for index, req in enumerate(requirements):
        applies, done, late = _status_terms(req, versions[req.key], now)
        start = sa.case(
            (User.hire_date > sa.literal(req.effective_on, sa.Date), User.hire_date),
            else_=sa.literal(req.effective_on, sa.Date),
        )
        firsts.append(
            db.select(
                sa.literal(index).label("requirement"),
                User.id,
                User.name,
                User.email,
                User.department_id,
                User.hire_date,
            )
            .where(applies, ~done, late)
            .order_by(start, _by_code_point(User.name), User.id)
            .limit(limit)
            .subquery()
            .select()
        )
    candidates = []
    for index, user_id, name, email, department_id, hired in _union_rows(firsts):
        due_on = requirements[index].due_on(hired)
        candidates.append((due_on, name, user_id, index, email, department_id, hired))
    first = sorted(candidates)[:limit]
    roles: dict[int, set[str]] = defaultdict(set)
    for user_id, role in rows(
        db.select(UserRole.user_id, UserRole.role).where(
            UserRole.user_id.in_({c[2] for c in first} or [0])
        )
    ):
        roles[user_id].add(role)
    names = dict(departments)
    return [
        Record(
            Person(
                user_id,
                name,
                email,
                department_id,
                names.get(department_id, ""),
                hired,
                frozenset(roles[user_id]),
            ),
            requirements[index],
            "overdue",
            due_on,
        )
        for due_on, name, user_id, index, email, department_id, hired in first
    ]


def listed_people(
    department_id: int | None, text: str, status: str, key: str, in_effect: InEffect | None = None
) -> list[int]:
    """The active people the grid lists, by name: of a department (or all), whose name or
    email contains `text` (ignoring case), and, when a status is given, with a record of
    requirement `key` (of any, when key is "") in that status; "not_required" when it does
    not apply to them. The statuses are decided by the database, as summarise() does."""
    query = db.select(User.id, User.name, User.email).where(User.is_active.is_(True))
    if department_id is not None:
        query = query.where(User.department_id == department_id)
    if status:
        query = query.where(_having_status(status, key, in_effect or requirements_in_effect()))
    needle = text.casefold()
    return [
        user_id
        for user_id, name, email in rows(query.order_by(User.name, User.id))
        if not needle or needle in name.casefold() or needle in email.casefold()
    ]


def _having_status(status: str, key: str, in_effect: InEffect) -> Any:
    requirements, settling = in_effect
    chosen = [r for r in requirements if r.key == key] if key else requirements
    if key and not chosen:  # no such requirement: it applies to nobody
        return sa.true() if status == "not_required" else sa.false()
    versions = _versions_by_key(settling)
    now = today()
    terms = []
    for req in chosen:
        applies, done, late = _status_terms(req, versions[req.key], now)
        terms.append(
            {
                "not_required": ~applies,
                "done": sa.and_(applies, done),
                "overdue": sa.and_(applies, ~done, late),
                "due": sa.and_(applies, ~done, ~late),
            }[status]
        )
    return sa.or_(*terms) if terms else sa.false()


@dataclass(frozen=True)
class Pass:
    attempt_id: int
    score: int
    at: datetime


def passes(user_ids: list[int] | None = None) -> dict[tuple[int, str], Pass]:
    """(user_id, "m<module id>") -> the first passed attempt of that module (one query)."""
    query = db.select(Attempt.id, Attempt.user_id, Attempt.module_id, Attempt.score).where(
        Attempt.passed.is_(True)
    )
    query = query.add_columns(Attempt.submitted_at).order_by(Attempt.id.desc())
    if user_ids is not None:
        query = query.where(among(Attempt.user_id, user_ids))
    return {
        (user_id, f"m{module_id}"): Pass(attempt_id, score or 0, at)
        for attempt_id, user_id, module_id, score, at in rows(query)
    }
