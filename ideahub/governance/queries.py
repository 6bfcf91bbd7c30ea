"""Reading the CoE roster and what each person must acknowledge (fixed query counts)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import desc
from sqlalchemy.orm import joinedload, selectinload

from ..clock import today
from ..extensions import db
from ..models import (
    Acknowledgment,
    CoeMembership,
    Department,
    Guideline,
    GuidelineVersion,
    User,
    UserRole,
)


def audience(for_everyone: bool, department_ids: Iterable[int], roles: Iterable[str]) -> Any:
    """SQL over `users`: whom a guideline applies to (Guideline.applies_to), active people
    only. For a guideline, audience_of(); HR's records pass what they keep of one."""
    applies = [User.is_active.is_(True)]
    if not for_everyone:
        whom = []
        if department_ids:  # false, not NULL, for someone with no department
            whom.append(
                sa.and_(
                    User.department_id.is_not(None),
                    User.department_id.in_(sorted(department_ids)),
                )
            )
        if roles:
            whom.append(
                sa.exists().where(UserRole.user_id == User.id, UserRole.role.in_(sorted(roles)))
            )
        applies.append(sa.or_(*whom) if whom else sa.false())
    return sa.and_(*applies)


def audience_of(guideline: Guideline) -> Any:
    return audience(
        guideline.for_everyone, [d.id for d in guideline.departments], guideline.role_list
    )


def latest_version(guideline_id: int) -> GuidelineVersion | None:
    return db.session.scalar(
        db.select(GuidelineVersion)
        .where(GuidelineVersion.guideline_id == guideline_id)
        .order_by(desc(GuidelineVersion.number))
        .limit(1)
    )


def versions_of(guideline_id: int) -> list[GuidelineVersion]:
    return list(
        db.session.scalars(
            db.select(GuidelineVersion)
            .where(GuidelineVersion.guideline_id == guideline_id)
            .order_by(desc(GuidelineVersion.number))
            .options(joinedload(GuidelineVersion.published_by))
        ).unique()
    )


def current_version(guideline_id: int) -> GuidelineVersion | None:
    """The newest version whose effective date has come."""
    return db.session.scalar(
        db.select(GuidelineVersion)
        .where(
            GuidelineVersion.guideline_id == guideline_id, GuidelineVersion.effective_on <= today()
        )
        .order_by(desc(GuidelineVersion.number))
        .limit(1)
    )


@dataclass
class Requirement:
    guideline: Guideline
    current: GuidelineVersion | None
    required: GuidelineVersion | None  # the newest major version in effect
    acknowledged: Acknowledgment | None  # the person's newest acknowledgment of this guideline
    applies: bool

    @property
    def status(self) -> str:
        if not self.applies or self.required is None:
            return "not_required"
        if (
            self.acknowledged is not None
            and self.acknowledged.version.number >= self.required.number
        ):
            return "done"
        return "due"


def requirements_for(user: User) -> list[Requirement]:
    """Every guideline with a version in effect, and where this person stands with it."""
    guidelines = list(
        db.session.scalars(
            db.select(Guideline)
            .order_by(Guideline.title)
            .options(selectinload(Guideline.departments))
        )
    )
    versions: dict[int, list[GuidelineVersion]] = defaultdict(list)
    for v in db.session.scalars(
        db.select(GuidelineVersion)
        .where(GuidelineVersion.effective_on <= today())
        .order_by(GuidelineVersion.guideline_id, desc(GuidelineVersion.number))
    ):
        versions[v.guideline_id].append(v)
    acks: dict[int, Acknowledgment] = {}
    for ack in db.session.scalars(
        db.select(Acknowledgment)
        .where(Acknowledgment.user_id == user.id)
        .options(joinedload(Acknowledgment.version))
        .order_by(Acknowledgment.id)
    ).unique():
        acks[ack.version.guideline_id] = ack
    out = []
    for g in guidelines:
        vs = versions.get(g.id, [])
        if not vs:
            continue
        out.append(
            Requirement(
                guideline=g,
                current=vs[0],
                required=next((v for v in vs if v.is_major), None),
                acknowledged=acks.get(g.id),
                applies=g.applies_to(user),
            )
        )
    return out


def requirement(user: User, guideline: Guideline) -> Requirement | None:
    return next((r for r in requirements_for(user) if r.guideline.id == guideline.id), None)


@dataclass
class FunctionSeats:
    department: Department
    members: list[CoeMembership]

    @property
    def has_representative(self) -> bool:
        return any(m.role == "representative" for m in self.members)


def coe_roster() -> list[FunctionSeats]:
    """Current members by business function; customer-facing ones without a representative
    show up with an empty seat list (a vacancy)."""
    now = today()
    members = [
        m
        for m in db.session.scalars(
            db.select(CoeMembership).options(
                joinedload(CoeMembership.user), joinedload(CoeMembership.department)
            )
        ).unique()
        if m.is_current(now)
    ]
    by_dept: dict[int, list[CoeMembership]] = defaultdict(list)
    for m in members:
        by_dept[m.department_id].append(m)
    departments = db.session.scalars(db.select(Department).order_by(Department.name)).all()
    return [
        FunctionSeats(d, sorted(by_dept.get(d.id, []), key=lambda m: (m.role, m.user.name)))
        for d in departments
        if by_dept.get(d.id) or d.is_customer_facing
    ]


def vacancies() -> list[Department]:
    return [
        s.department
        for s in coe_roster()
        if s.department.is_customer_facing and not s.has_representative
    ]
