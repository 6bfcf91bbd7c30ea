"""Expert panels: criteria, panel, shortlist, recusals, sealed scorecards and decisions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .campaign import Campaign
from .idea import Idea
from .types import UTCDateTime, utcnow
from .user import User

RECUSAL_KINDS = ("author", "coauthor", "department", "declared")
OUTCOMES = ("selected", "not_selected")


class Criterion(db.Model):
    __tablename__ = "criteria"
    __table_args__ = (
        CheckConstraint("weight > 0", name="weight_positive"),
        CheckConstraint("scale_min < scale_max", name="scale_ordered"),
        UniqueConstraint("campaign_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(500), default="")
    weight: Mapped[float] = mapped_column(Numeric(6, 2, asdecimal=False), default=1)
    scale_min: Mapped[int] = mapped_column(default=1)
    scale_max: Mapped[int] = mapped_column(default=5)
    position: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<Criterion {self.name!r} x{self.weight}>"


class Panel(db.Model):
    """One per campaign: who judges, how many reviews an idea needs, until when."""

    __tablename__ = "panels"
    __table_args__ = (
        CheckConstraint("min_reviews >= 1", name="min_reviews_positive"),
        CheckConstraint("shortlist_size >= 0", name="shortlist_size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), unique=True
    )
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    min_reviews: Mapped[int] = mapped_column(default=3)
    shortlist_size: Mapped[int] = mapped_column(default=10)
    scoring_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    exclude_same_department: Mapped[bool] = mapped_column(default=False)
    disagreement_threshold: Mapped[float] = mapped_column(
        Numeric(4, 2, asdecimal=False), default=1.5
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    campaign: Mapped[Campaign] = relationship()
    chair: Mapped[User | None] = relationship(foreign_keys=[chair_id])

    def __repr__(self) -> str:
        return f"<Panel of campaign {self.campaign_id}>"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class PanelMember(db.Model):
    __tablename__ = "panel_members"

    panel_id: Mapped[int] = mapped_column(
        ForeignKey("panels.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<PanelMember {self.user_id} of panel {self.panel_id}>"


class ShortlistEntry(db.Model):
    __tablename__ = "shortlist_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), unique=True)
    source: Mapped[str] = mapped_column(String(10))  # "votes" or "chair"
    reason: Mapped[str] = mapped_column(String(500), default="")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    idea: Mapped[Idea] = relationship()

    def __repr__(self) -> str:
        return f"<ShortlistEntry idea={self.idea_id} ({self.source})>"


class Assignment(db.Model):
    """An expert asked to review a shortlisted idea."""

    __tablename__ = "assignments"

    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True
    )
    expert_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    is_replacement: Mapped[bool] = mapped_column(default=False)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Assignment idea={self.idea_id} expert={self.expert_id}>"


class Recusal(db.Model):
    __tablename__ = "recusals"
    __table_args__ = (
        UniqueConstraint("idea_id", "expert_id"),
        CheckConstraint(
            "kind IN (" + ", ".join(f"'{k}'" for k in RECUSAL_KINDS) + ")", name="kind_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    expert: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Recusal {self.kind} idea={self.idea_id} expert={self.expert_id}>"


class Scorecard(db.Model):
    """One expert's review of one idea: a draft until submitted, sealed until published."""

    __tablename__ = "scorecards"
    __table_args__ = (UniqueConstraint("idea_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    overall_comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    expert: Mapped[User] = relationship()
    scores: Mapped[list[Score]] = relationship(
        back_populates="scorecard", cascade="all, delete-orphan", lazy="selectin"
    )

    def __repr__(self) -> str:
        return f"<Scorecard idea={self.idea_id} expert={self.expert_id}>"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class Score(db.Model):
    """One score per (expert, idea, criterion): the unique constraint is the guarantee."""

    __tablename__ = "scores"
    __table_args__ = (
        UniqueConstraint("expert_id", "idea_id", "criterion_id"),
        Index("ix_scores_idea_criterion", "idea_id", "criterion_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"))
    value: Mapped[int | None]
    comment: Mapped[str] = mapped_column(Text, default="")

    scorecard: Mapped[Scorecard] = relationship(back_populates="scores")

    def __repr__(self) -> str:
        return f"<Score {self.value} expert={self.expert_id} idea={self.idea_id}>"


class Decision(db.Model):
    """The chair's decision on an idea. Append-only: a correction is a new row."""

    __tablename__ = "decisions"
    __table_args__ = (
        CheckConstraint(
            "outcome IN (" + ", ".join(f"'{o}'" for o in OUTCOMES) + ")", name="outcome_known"
        ),
        Index("ix_decisions_idea_created", "idea_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    outcome: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    is_correction: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    decided_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Decision {self.outcome} idea={self.idea_id}>"
