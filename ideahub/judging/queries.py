"""Reading panels, queues, the chair's board and published results (fixed query counts)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, bindparam, desc, func
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import (
    Assignment,
    Campaign,
    Criterion,
    Decision,
    Idea,
    Panel,
    PanelMember,
    Recusal,
    Scorecard,
    ShortlistEntry,
    User,
    utcnow,
)
from ..sql import built_once
from .arithmetic import IdeaScore, Scale, idea_score


def panel_for(campaign_id: int) -> Panel | None:
    return db.session.scalar(db.select(Panel).where(Panel.campaign_id == campaign_id))


def criteria_of(campaign_id: int) -> list[Criterion]:
    return list(
        db.session.scalars(
            db.select(Criterion)
            .where(Criterion.campaign_id == campaign_id)
            .order_by(Criterion.position, Criterion.id)
        )
    )


def scales(criteria: list[Criterion]) -> dict[int, Scale]:
    return {c.id: Scale(float(c.weight), c.scale_min, c.scale_max) for c in criteria}


def member_ids_of(panel: Panel) -> set[int]:
    return set(
        db.session.scalars(db.select(PanelMember.user_id).where(PanelMember.panel_id == panel.id))
    )


def members_of(panel: Panel) -> list[User]:
    return list(
        db.session.scalars(
            db.select(User)
            .join(PanelMember, PanelMember.user_id == User.id)
            .where(PanelMember.panel_id == panel.id)
            .order_by(User.name)
        )
    )


def recusal_of(expert_id: int, idea_id: int) -> Recusal | None:
    return db.session.scalar(
        db.select(Recusal).where(Recusal.expert_id == expert_id, Recusal.idea_id == idea_id)
    )


def is_assigned(expert_id: int, idea_id: int) -> bool:
    return db.session.get(Assignment, (idea_id, expert_id)) is not None


def scorecard_of(expert_id: int, idea_id: int) -> Scorecard | None:
    return db.session.scalar(
        db.select(Scorecard).where(Scorecard.expert_id == expert_id, Scorecard.idea_id == idea_id)
    )


def shortlist(campaign_id: int) -> list[ShortlistEntry]:
    return list(
        db.session.scalars(
            db.select(ShortlistEntry)
            .where(ShortlistEntry.campaign_id == campaign_id)
            .order_by(ShortlistEntry.id)
            .options(
                joinedload(ShortlistEntry.idea).joinedload(Idea.author).joinedload(User.department)
            )
        ).unique()
    )


@dataclass
class QueueItem:
    idea: Idea
    panel: Panel
    scorecard: Scorecard | None

    @property
    def is_done(self) -> bool:
        return self.scorecard is not None and self.scorecard.is_submitted


@dataclass
class Queue:
    items: list[QueueItem]

    @property
    def done(self) -> int:
        return sum(1 for i in self.items if i.is_done)


def expert_queue(expert: User) -> Queue:
    """The ideas assigned to an expert in campaigns being judged, with their scorecards."""
    rows = db.session.execute(
        db.select(Idea, Panel)
        .join(Assignment, Assignment.idea_id == Idea.id)
        .join(Campaign, Campaign.id == Idea.campaign_id)
        .join(Panel, Panel.campaign_id == Campaign.id)
        .where(Assignment.expert_id == expert.id, Campaign.state == "judging")
        .where(~db.exists().where(Recusal.idea_id == Idea.id, Recusal.expert_id == expert.id))
        .order_by(Panel.scoring_deadline, Idea.id)
        .options(joinedload(Idea.campaign))
    ).all()
    cards = {
        c.idea_id: c
        for c in db.session.scalars(
            db.select(Scorecard).where(
                Scorecard.expert_id == expert.id, Scorecard.idea_id.in_([i.id for i, _ in rows])
            )
        )
    }
    return Queue([QueueItem(idea, panel, cards.get(idea.id)) for idea, panel in rows])


def submitted_cards(idea_ids: list[int]) -> dict[int, list[tuple[Scorecard, dict[int, int]]]]:
    """Per idea: each submitted scorecard with its {criterion_id: value}.

    The card of an expert who declared a conflict after submitting it no longer counts."""
    result: dict[int, list[tuple[Scorecard, dict[int, int]]]] = defaultdict(list)
    if not idea_ids:
        return result
    recused = (
        db.select(Recusal.id)
        .where(Recusal.idea_id == Scorecard.idea_id, Recusal.expert_id == Scorecard.expert_id)
        .exists()
    )
    cards = db.session.scalars(
        db.select(Scorecard)
        .where(Scorecard.idea_id.in_(idea_ids), Scorecard.submitted_at.is_not(None), ~recused)
        .order_by(Scorecard.submitted_at, Scorecard.id)
        .options(joinedload(Scorecard.expert))
    ).unique()
    for card in cards:
        values = {s.criterion_id: s.value for s in card.scores if s.value is not None}
        result[card.idea_id].append((card, values))
    return result


def still_to_score(expert_id: int, idea_ids: list[int]) -> set[int]:
    """The ideas among `idea_ids` assigned to this expert who has neither submitted a
    scorecard for them nor been recused."""
    if not idea_ids:
        return set()
    submitted = db.select(Scorecard.idea_id).where(
        Scorecard.expert_id == expert_id, Scorecard.submitted_at.is_not(None)
    )
    recused = db.select(Recusal.idea_id).where(Recusal.expert_id == expert_id)
    return set(
        db.session.scalars(
            db.select(Assignment.idea_id).where(
                Assignment.expert_id == expert_id,
                Assignment.idea_id.in_(idea_ids),
                Assignment.idea_id.not_in(submitted),
                Assignment.idea_id.not_in(recused),
            )
        )
    )


@dataclass
class BoardRow:
    entry: ShortlistEntry
    score: IdeaScore
    cards: list[tuple[Scorecard, dict[int, int]]]
    assigned: int
    recusals: list[Recusal]
    decision: Decision | None
    needs_reviews: bool = False
    disagreement: bool = False
    # The reader (a chair who also scores) has yet to submit their own scorecard for it:
    # the others' scores are sealed from them until then (DESIGN.md, transparency rules).
    sealed: bool = False
    flags: list[str] = field(default_factory=list)


def latest_decisions(idea_ids: list[int]) -> dict[int, Decision]:
    if not idea_ids:
        return {}
    latest = (
        db.select(func.max(Decision.id))
        .where(Decision.idea_id.in_(idea_ids))
        .group_by(Decision.idea_id)
    )
    return {
        d.idea_id: d
        for d in db.session.scalars(
            db.select(Decision)
            .where(Decision.id.in_(latest))
            .options(joinedload(Decision.decided_by))
        )
    }


def board(panel: Panel, criteria: list[Criterion], reader_id: int) -> list[BoardRow]:
    """The chair's view: every shortlisted idea with its aggregates and flags, but for the
    ideas the chair is still to score while scoring is open (sealed)."""
    entries = shortlist(panel.campaign_id)
    ids = [e.idea_id for e in entries]
    cards = submitted_cards(ids)
    assigned = (
        dict(
            db.session.execute(
                db.select(Assignment.idea_id, func.count())
                .where(Assignment.idea_id.in_(ids))
                .group_by(Assignment.idea_id)
            ).all()
        )
        if ids
        else {}
    )
    recusals: dict[int, list[Recusal]] = defaultdict(list)
    if ids:
        for r in db.session.scalars(
            db.select(Recusal).where(Recusal.idea_id.in_(ids)).options(joinedload(Recusal.expert))
        ).unique():
            recusals[r.idea_id].append(r)
    decisions = latest_decisions(ids)
    scoring_open = (
        not panel.is_published
        and panel.campaign.state == "judging"
        and not (panel.scoring_deadline and utcnow() > panel.scoring_deadline)
    )
    sealed = still_to_score(reader_id, ids) if scoring_open else set()
    scale = scales(criteria)
    rows = []
    for entry in entries:
        idea_cards = cards.get(entry.idea_id, [])
        score = (
            idea_score([values for _, values in idea_cards], scale)
            if scale
            else IdeaScore(0, None, None, {})
        )
        row = BoardRow(
            entry=entry,
            score=score,
            cards=idea_cards,
            assigned=assigned.get(entry.idea_id, 0),
            recusals=recusals.get(entry.idea_id, []),
            decision=decisions.get(entry.idea_id),
            sealed=entry.idea_id in sealed,
        )
        row.needs_reviews = score.reviews < panel.min_reviews
        row.disagreement = score.spread is not None and score.spread > float(
            panel.disagreement_threshold
        )
        rows.append(row)
    # Best first; the sealed ones after, in the shortlist's order: their rank would tell.
    ranked = sorted(
        (r for r in rows if not r.sealed),
        key=lambda r: (r.score.mean is None, -(r.score.mean or 0)),
    )
    return ranked + [r for r in rows if r.sealed]


@dataclass
class PublishedResult:
    idea: Idea
    decision: Decision
    score: IdeaScore
    corrections: list[Decision]


def published_results(panel: Panel, criteria: list[Criterion]) -> list[PublishedResult]:
    """What every employee sees once the panel publishes: aggregates and reasons, no names."""
    entries = shortlist(panel.campaign_id)
    ids = [e.idea_id for e in entries]
    cards = submitted_cards(ids)
    history: dict[int, list[Decision]] = defaultdict(list)
    if ids:
        for d in db.session.scalars(
            db.select(Decision).where(Decision.idea_id.in_(ids)).order_by(Decision.id)
        ):
            history[d.idea_id].append(d)
    scale = scales(criteria)
    results = []
    for entry in entries:
        decisions = history.get(entry.idea_id)
        if not decisions:
            continue
        values = [v for _, v in cards.get(entry.idea_id, [])]
        results.append(
            PublishedResult(
                idea=entry.idea,
                decision=decisions[-1],
                score=idea_score(values, scale) if scale else IdeaScore(0, None, None, {}),
                corrections=[d for d in decisions if d.is_correction],
            )
        )
    results.sort(key=lambda r: (r.decision.outcome != "selected", -(r.score.mean or 0)))
    return results


@built_once
def _published_outcome() -> Select[tuple[Decision]]:
    return (
        db.select(Decision)
        .join(Panel, Panel.campaign_id == Decision.campaign_id)
        .where(Decision.idea_id == bindparam("idea_id"), Panel.published_at.is_not(None))
        .order_by(desc(Decision.id))
        .limit(1)
    )


def published_outcome(idea: Idea) -> Decision | None:
    """The idea's current published decision, for its page."""
    return db.session.scalar(_published_outcome(), {"idea_id": idea.id})


def deadline_passed(panel: Panel, now: datetime) -> bool:
    return panel.scoring_deadline is not None and now > panel.scoring_deadline


def experts() -> list[User]:
    """Active users with the expert role (panel candidates)."""
    from ..models import UserRole

    return list(
        db.session.scalars(
            db.select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == "expert", User.is_active.is_(True))
            .order_by(User.name)
            .options(selectinload(User.role_rows))
        ).unique()
    )
