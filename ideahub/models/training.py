"""Training: a module per guideline version (content and a short quiz), and attempts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .governance import Guideline, GuidelineVersion
from .types import UTCDateTime, utcnow
from .user import User


class TrainingModule(db.Model):
    """Teaches one guideline version. Its questions are fixed once someone has attempted it;
    a new major version of the guideline gets a new module (and everyone takes that one)."""

    __tablename__ = "training_modules"
    __table_args__ = (
        CheckConstraint("pass_mark BETWEEN 1 AND 100", name="pass_mark_percent"),
        CheckConstraint("due_days BETWEEN 1 AND 365", name="due_days_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    guideline_id: Mapped[int] = mapped_column(
        ForeignKey("guidelines.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("guideline_versions.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    pass_mark: Mapped[int] = mapped_column(default=80)  # percent of questions right
    due_days: Mapped[int] = mapped_column(default=30)
    assigned_on: Mapped[date]  # the day it was published: everyone's clock starts then
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    guideline: Mapped[Guideline] = relationship()
    version: Mapped[GuidelineVersion] = relationship()
    questions: Mapped[list[Question]] = relationship(
        order_by="Question.position", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[TrainingAttachment]] = relationship(
        order_by="TrainingAttachment.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<TrainingModule {self.id} {self.title!r}>"


class Question(db.Model):
    __tablename__ = "training_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(
        ForeignKey("training_modules.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    text: Mapped[str] = mapped_column(String(500))

    choices: Mapped[list[Choice]] = relationship(
        order_by="Choice.position", cascade="all, delete-orphan"
    )


class Choice(db.Model):
    __tablename__ = "training_choices"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("training_questions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    text: Mapped[str] = mapped_column(String(300))
    is_correct: Mapped[bool] = mapped_column(default=False)


class Attempt(db.Model):
    """One try at a module's quiz: questions in the order this person was shown them, the
    answers given, and (once submitted, exactly once) the score."""

    __tablename__ = "training_attempts"
    __table_args__ = (Index("ix_training_attempts_user_module", "user_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("training_modules.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_order: Mapped[list[int]] = mapped_column(JSON)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[int | None]  # percent
    passed: Mapped[bool] = mapped_column(default=False)

    module: Mapped[TrainingModule] = relationship()
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Attempt {self.id} module={self.module_id} user={self.user_id}>"


class TrainingAttachment(db.Model):
    """Supporting material of a module (checked and stored like ideas' attachments)."""

    __tablename__ = "training_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(
        ForeignKey("training_modules.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_hash: Mapped[str] = mapped_column(String(64))
    mime_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
