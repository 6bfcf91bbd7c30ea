"""Account and department changes; each commits and leaves an audit entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from ..audit import record
from ..auth.passwords import password_problem
from ..extensions import db
from ..models import Department, User


class AccountError(ValueError):
    """A change that cannot be made; the message says why, and `field` names the form
    field at fault (None: the change as a whole)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class UserData:
    email: str
    name: str
    department_id: int | None = None
    job_title: str = ""
    hire_date: date | None = None
    timezone: str = ""
    roles: tuple[str, ...] = ()


def _email_taken(email: str, except_id: int | None = None) -> bool:
    query = db.select(User.id).where(func.lower(User.email) == email.lower())
    if except_id is not None:
        query = query.where(User.id != except_id)
    return db.session.scalar(query) is not None


def check_password_policy(password: str, email: str = "", name: str = "") -> None:
    problem = password_problem(password, email, name)
    if problem:
        raise AccountError(problem, field="password")


def _apply(user: User, data: UserData) -> None:
    user.email = data.email.strip().lower()
    user.name = data.name.strip()
    user.department_id = data.department_id
    user.job_title = data.job_title.strip()
    user.hire_date = data.hire_date
    user.timezone = data.timezone
    user.set_roles(list(data.roles))


def _commit_or_explain(email: str) -> None:
    try:
        db.session.commit()
    except IntegrityError as exc:  # two admins saving the same email at once
        db.session.rollback()
        raise AccountError(
            _("An account with the email %(email)s already exists.", email=email)
        ) from exc


def create_user(actor: User | None, data: UserData, password: str) -> User:
    if _email_taken(data.email):
        raise AccountError(
            _("An account with the email %(email)s already exists.", email=data.email),
            field="email",
        )
    check_password_policy(password, data.email, data.name)
    user = User()
    _apply(user, data)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(actor, "user.created", user, email=user.email, roles=sorted(user.roles))
    _commit_or_explain(data.email)
    return user


def update_user(actor: User, user: User, data: UserData, new_password: str | None = None) -> User:
    if _email_taken(data.email, except_id=user.id):
        raise AccountError(
            _("An account with the email %(email)s already exists.", email=data.email),
            field="email",
        )
    if user.id == actor.id and "admin" not in data.roles:
        raise AccountError(_("You cannot remove your own administrator role."), field="roles")
    before = sorted(user.roles)
    _apply(user, data)
    if new_password:
        check_password_policy(new_password, data.email, data.name)
        user.set_password(new_password)
        user.end_all_sessions()
    after = sorted(user.roles)
    record(actor, "user.updated", user, password_changed=bool(new_password))
    if before != after:
        record(actor, "user.roles_changed", user, before=before, after=after)
    _commit_or_explain(data.email)
    return user


def set_user_active(actor: User, user: User, active: bool) -> None:
    if user.id == actor.id and not active:
        raise AccountError(_("You cannot deactivate your own account."))
    user.is_active = active
    if not active:
        user.end_all_sessions()  # an employee who leaves is signed out everywhere at once
    record(actor, "user.activated" if active else "user.deactivated", user)
    db.session.commit()


def save_department(
    actor: User | None,
    name: str,
    department: Department | None = None,
    is_customer_facing: bool | None = None,
) -> Department:
    name = name.strip()
    # Compared in Python: SQL lower() folds only ASCII on SQLite ("Ärger" vs "ärger"), and a
    # company has few departments.
    clash = next(
        (
            d.id
            for d in db.session.execute(db.select(Department.id, Department.name))
            if d.name.casefold() == name.casefold()
        ),
        None,
    )
    if clash is not None and (department is None or clash != department.id):
        raise AccountError(_("A department named %(name)s already exists.", name=name))
    if department is None:
        department = Department(name=name)
        db.session.add(department)
        try:  # a department of that name created at the same moment by someone else
            db.session.flush()
        except IntegrityError as exc:
            db.session.rollback()
            raise AccountError(_("A department named %(name)s already exists.", name=name)) from exc
        record(actor, "department.created", department, name=name)
    else:
        if department.name != name:
            record(actor, "department.renamed", department, before=department.name, after=name)
        department.name = name
    if is_customer_facing is not None and department.is_customer_facing != is_customer_facing:
        department.is_customer_facing = is_customer_facing
        record(actor, "department.customer_facing", department, value=is_customer_facing)
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise AccountError(_("A department named %(name)s already exists.", name=name)) from exc
    return department


def create_or_promote_admin(email: str, name: str, password: str) -> tuple[User, bool]:
    """For the command line: an admin account, created or promoted."""
    existing = db.session.scalar(db.select(User).where(func.lower(User.email) == email.lower()))
    if existing is not None:
        existing.set_roles(set(existing.roles) | {"admin"})
        record(None, "user.roles_changed", existing, after=sorted(existing.roles), via="cli")
        db.session.commit()
        return existing, False
    user = create_user(None, UserData(email=email, name=name, roles=("admin",)), password)
    return user, True
