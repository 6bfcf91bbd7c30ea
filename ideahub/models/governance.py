"""Governance: the Center of Excellence, versioned guidelines and acknowledgments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow
from .user import Department, User

COE_ROLES = ("representative", "community", "sponsor")

guideline_departments = Table(
    "guideline_departments",
    db.metadata,
    Column("guideline_id", ForeignKey("guidelines.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True),
)


class CoeMembership(db.Model):
    """A person's seat in the Center of Excellence, for a business function, for a term."""

    __tablename__ = "coe_memberships"
    __table_args__ = (
        CheckConstraint(
            "role IN (" + ", ".join(f"'{r}'" for r in COE_ROLES) + ")", name="role_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]

    user: Mapped[User] = relationship()
    department: Mapped[Department] = relationship()

    def __repr__(self) -> str:
        return f"<CoeMembership {self.user_id} {self.role} for {self.department_id}>"

    def is_current(self, today: date) -> bool:
        return self.starts_on <= today and (self.ends_on is None or today <= self.ends_on)


class Guideline(db.Model):
    """A guideline and its working draft; what people read are its published versions."""

    __tablename__ = "guidelines"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    draft_body: Mapped[str] = mapped_column(Text, default="")
    # Audience: everyone, or only the chosen departments and/or roles.
    for_everyone: Mapped[bool] = mapped_column(default=True)
    audience_roles: Mapped[str] = mapped_column(String(200), default="")  # "hr,expert"
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    departments: Mapped[list[Department]] = relationship(secondary=guideline_departments)

    def __repr__(self) -> str:
        return f"<Guideline {self.id} {self.title!r}>"

    @property
    def role_list(self) -> list[str]:
        return [r for r in self.audience_roles.split(",") if r]

    def applies_to(self, user: User) -> bool:
        if self.for_everyone:
            return True
        if user.department_id in {d.id for d in self.departments}:
            return True
        return any(user.has_role(r) for r in self.role_list)


class GuidelineVersion(db.Model):
    """A published version: never changed after publishing."""

    __tablename__ = "guideline_versions"
    __table_args__ = (UniqueConstraint("guideline_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    guideline_id: Mapped[int] = mapped_column(ForeignKey("guidelines.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64))
    change_summary: Mapped[str] = mapped_column(String(1000), default="")
    is_major: Mapped[bool]
    effective_on: Mapped[date]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    guideline: Mapped[Guideline] = relationship()
    published_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<GuidelineVersion {self.guideline_id} v{self.number}>"

    @property
    def label(self) -> str:
        return f"v{self.number}"


class Acknowledgment(db.Model):
    """Append-only: who acknowledged which exact text, when, and whether HR did it for them."""

    __tablename__ = "acknowledgments"
    __table_args__ = (UniqueConstraint("user_id", "version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("guideline_versions.id", ondelete="CASCADE"), index=True
    )
    text_hash: Mapped[str] = mapped_column(String(64))
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    on_behalf_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    on_behalf_reason: Mapped[str] = mapped_column(String(500), default="")

    version: Mapped[GuidelineVersion] = relationship()

    def __repr__(self) -> str:
        return f"<Acknowledgment user={self.user_id} version={self.version_id}>"


class Mentorship(db.Model):
    """A new employee's mentor (a CoE member); one at a time, reassigning replaces it."""

    __tablename__ = "mentorships"

    mentee_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    mentee: Mapped[User] = relationship(foreign_keys=[mentee_id])
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])

    def __repr__(self) -> str:
        return f"<Mentorship mentee={self.mentee_id} mentor={self.mentor_id}>"


class ReminderSent(db.Model):
    """One row per person per day a reminder went out: nobody is mailed twice in a day."""

    __tablename__ = "reminders_sent"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    sent_on: Mapped[date] = mapped_column(primary_key=True)
    items: Mapped[int]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
