"""An expert's scorecard: save a draft, then submit (sealed until the panel publishes)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..audit import record
from ..extensions import db
from ..models import Criterion, Idea, Score, Scorecard, User, utcnow
from ..sql import insert_ignoring_duplicates
from . import queries


class ScoringError(ValueError):
    """A scorecard that cannot be saved; `missing` lists criteria without a score, `wrong`
    says what is wrong with a criterion's score (criterion id -> message)."""

    def __init__(
        self, message: str, missing: list[str] | None = None, wrong: dict[int, str] | None = None
    ) -> None:
        super().__init__(message)
        self.missing = missing or []
        self.wrong = wrong or {}


@dataclass
class Entry:
    value: int | None
    comment: str = ""


def _card(expert: User, idea: Idea) -> Scorecard:
    # Insert-or-ignore, then read: two tabs saving at once end with one scorecard.
    db.session.execute(
        insert_ignoring_duplicates(Scorecard).values(
            idea_id=idea.id, expert_id=expert.id, overall_comment="", updated_at=utcnow()
        )
    )
    card = queries.scorecard_of(expert.id, idea.id)
    assert card is not None
    return card


def off_the_scale(criteria: list[Criterion], entries: dict[int, Entry]) -> dict[int, str]:
    """What is wrong with each score outside its criterion's scale (criterion id -> why)."""
    return {
        c.id: _(
            "%(name)s: give a score from %(low)s to %(high)s.",
            name=c.name,
            low=c.scale_min,
            high=c.scale_max,
        )
        for c in criteria
        if (entry := entries.get(c.id))
        and entry.value is not None
        and not c.scale_min <= entry.value <= c.scale_max
    }


def save_scorecard(
    expert: User,
    idea: Idea,
    criteria: list[Criterion],
    entries: dict[int, Entry],
    overall_comment: str,
    submit: bool,
) -> Scorecard:
    """Validate and store; on submit every criterion needs a score (ScoringError lists gaps)."""
    wrong = off_the_scale(criteria, entries)
    if wrong:
        raise ScoringError(" ".join(wrong.values()), wrong=wrong)
    if submit:
        missing = [
            c.name for c in criteria if entries.get(c.id) is None or entries[c.id].value is None
        ]
        if missing:
            raise ScoringError(
                _(
                    "Score every criterion before submitting. Missing: %(names)s.",
                    names=", ".join(missing),
                ),
                missing,
            )
    card = _card(expert, idea)
    if card.is_submitted:
        raise ScoringError(_("You have already submitted this scorecard; it is sealed."))
    existing = {s.criterion_id: s for s in card.scores}
    for c in criteria:
        entry = entries.get(c.id) or Entry(None)
        score = existing.get(c.id)
        if score is None:
            score = Score(expert_id=expert.id, idea_id=idea.id, criterion_id=c.id)
            card.scores.append(score)
        score.value = entry.value
        score.comment = entry.comment.strip()[:2000]
    card.overall_comment = overall_comment.strip()[:5000]
    card.updated_at = utcnow()
    if submit:
        card.submitted_at = utcnow()
        record(expert, "scorecard.submitted", card, idea_id=idea.id)
    try:
        db.session.commit()
    except IntegrityError as exc:  # the same expert saving twice at the same instant
        db.session.rollback()
        raise ScoringError(
            _("This scorecard was saved from elsewhere at the same moment; reload and check it.")
        ) from exc
    return card
