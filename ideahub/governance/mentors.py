"""Mentors: new employees without one are listed for the CoE, who assign a current CoE member
(of the new employee's department by default); mentors follow their mentees' standing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from ..audit import record
from ..clock import today
from ..extensions import db
from ..models import CoeMembership, Mentorship, User
from ..notices import notify
from ..sql import insert_ignoring_duplicates


class MentorError(ValueError):
    """A mentor assignment that cannot be made; the message says why."""


@dataclass(frozen=True)
class Candidate:
    user: User
    department_ids: frozenset[int]  # the functions they represent in the CoE, and their own

    def serves(self, department_id: int | None) -> bool:
        return department_id is not None and department_id in self.department_ids


def window_start():
    return today() - timedelta(days=current_app.config["MENTOR_WINDOW_DAYS"])


def new_hires_without_mentor() -> list[User]:
    """Active people hired within the window (up to today) who have no mentor, newest first."""
    has_mentor = db.select(Mentorship.mentee_id).where(Mentorship.mentee_id == User.id).exists()
    return list(
        db.session.scalars(
            db.select(User)
            .where(
                User.is_active.is_(True),
                User.hire_date.is_not(None),
                User.hire_date >= window_start(),
                User.hire_date <= today(),
                ~has_mentor,
            )
            .order_by(User.hire_date.desc(), User.name)
        )
    )


def candidates() -> list[Candidate]:
    """Active people with a current CoE membership: who may mentor."""
    now = today()
    by_user: dict[int, tuple[User, set[int]]] = {}
    for m in db.session.scalars(
        db.select(CoeMembership).options(joinedload(CoeMembership.user))
    ).unique():
        if not m.is_current(now) or not m.user.is_active:
            continue
        user, departments = by_user.setdefault(m.user_id, (m.user, set()))
        departments.add(m.department_id)
        if user.department_id is not None:
            departments.add(user.department_id)
    return sorted(
        (Candidate(u, frozenset(d)) for u, d in by_user.values()), key=lambda c: c.user.name
    )


def suggested(mentee: User, pool: list[Candidate]) -> list[Candidate]:
    """The pool with those of the mentee's department first (the default choice)."""
    return sorted(pool, key=lambda c: (not c.serves(mentee.department_id), c.user.name))


def assign_mentor(actor: User, mentee: User, mentor: User) -> Mentorship:
    if mentor.id == mentee.id:
        raise MentorError(_("Nobody can mentor themselves."))
    if not mentee.is_active:
        raise MentorError(_("%(name)s's account is deactivated.", name=mentee.name))
    if mentor.id not in {c.user.id for c in candidates()}:
        raise MentorError(
            _("%(name)s is not a current member of the Center of Excellence.", name=mentor.name)
        )
    existing = db.session.get(Mentorship, mentee.id)
    if existing is not None and existing.mentor_id == mentor.id:
        return existing
    if existing is None:  # two CoE members assigning at once: the first one stays
        inserted = db.session.execute(
            insert_ignoring_duplicates(Mentorship)
            .values(mentee_id=mentee.id, mentor_id=mentor.id, assigned_by_id=actor.id)
            .returning(Mentorship.mentee_id)
        ).first()
        if inserted is None:
            db.session.rollback()
            raise MentorError(
                _("Someone else has just assigned a mentor to %(name)s.", name=mentee.name)
            )
        record(actor, "mentor.assigned", mentee, mentor_id=mentor.id)
    else:
        record(actor, "mentor.reassigned", mentee, before=existing.mentor_id, after=mentor.id)
        notify(
            [existing.mentor_id],
            _l("%(mentee)s now has %(mentor)s as mentor.", mentee=mentee.name, mentor=mentor.name),
            mentee.url,
        )
        existing.mentor_id = mentor.id
        existing.assigned_by_id = actor.id
    notify([mentor.id], _l("You are now the mentor of %(name)s.", name=mentee.name), mentee.url)
    notify([mentee.id], _l("%(name)s is your mentor.", name=mentor.name), mentor.url)
    db.session.commit()
    mentorship = db.session.get(Mentorship, mentee.id)
    assert mentorship is not None
    return mentorship


def mentees_of(mentor: User) -> list[User]:
    return list(
        db.session.scalars(
            db.select(User)
            .join(Mentorship, Mentorship.mentee_id == User.id)
            .where(Mentorship.mentor_id == mentor.id, User.is_active.is_(True))
            .order_by(User.name)
        )
    )


def recent_mentorships(limit: int = 50) -> list[Mentorship]:
    return list(
        db.session.scalars(
            db.select(Mentorship)
            .options(joinedload(Mentorship.mentee), joinedload(Mentorship.mentor))
            .order_by(Mentorship.assigned_at.desc())
            .limit(limit)
        ).unique()
    )
