"""People: departments, users and their roles."""

from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, false, func
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from .types import UTCDateTime, utcnow

# "employee" is everyone's; the others are granted.
ROLES = ("employee", "expert", "coe", "hr", "admin")
GRANTABLE_ROLES = ROLES[1:]


class Department(db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # Customer-facing functions must have a representative in the CoE.
    is_customer_facing: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Department {self.id} {self.name!r}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (
        CheckConstraint(
            "role IN (" + ", ".join(f"'{r}'" for r in GRANTABLE_ROLES) + ")", name="role_known"
        ),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    def __repr__(self) -> str:
        return f"<UserRole {self.user_id} {self.role}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    job_title: Mapped[str] = mapped_column(String(120), default="")
    hire_date: Mapped[date | None]
    timezone: Mapped[str] = mapped_column(String(64), default="")
    locale: Mapped[str] = mapped_column(String(10), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    # Part of the id kept in session and remember cookies: raising it ends every session.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    department: Mapped[Department | None] = relationship(lazy="joined")
    # Loaded where needed (the signed-in user: auth.services.load_user; lists of accounts),
    # not with every author of every comment.
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan")
    # Filled only where the signed-in user is loaded (auth.services.load_user), None elsewhere
    # and after a commit: the header's count without a query of its own (notices.unread_count).
    unread_notices: Mapped[int | None] = query_expression()

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    def get_id(self) -> str:
        return f"{self.id}-{self.session_version}"

    def end_all_sessions(self) -> None:
        """Every session and remember cookie of this user stops working (server-side revocation)."""
        self.session_version = (self.session_version or 1) + 1

    @property
    def roles(self) -> frozenset[str]:
        return frozenset({"employee", *(r.role for r in self.role_rows)})

    @property
    def granted_roles(self) -> list[str]:
        """The roles beyond "employee", sorted."""
        return sorted(r.role for r in self.role_rows)

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def set_roles(self, roles: set[str] | list[str]) -> None:
        wanted = {r for r in roles if r in GRANTABLE_ROLES}
        self.role_rows = [r for r in self.role_rows if r.role in wanted]
        have = {r.role for r in self.role_rows}
        self.role_rows.extend(UserRole(role=r) for r in sorted(wanted - have))

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def url(self) -> str:
        from flask import url_for

        return url_for("people.profile", user_id=self.id)

    @property
    def initials(self) -> str:
        parts = self.name.split()
        if not parts:
            return "?"
        if len(parts) == 1:
            return parts[0][:2].upper() if parts[0].isascii() else parts[0][-2:]
        return (parts[0][0] + parts[-1][0]).upper()


# Emails are unique whatever their case; services also store them lower-cased.
Index("uq_users_email_lower", func.lower(User.email), unique=True)
