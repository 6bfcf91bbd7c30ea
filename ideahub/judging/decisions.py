"""The chair's decisions and publishing the results."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit import record
from ..extensions import db
from ..models import OUTCOMES, Campaign, Decision, Idea, Panel, User, utcnow
from ..notices import notify_stakeholders
from . import queries
from .services import JudgingError, set_idea_status


def decide(chair: User, panel: Panel, idea: Idea, outcome: str, reason: str) -> Decision:
    """Record a decision with its reason. After publication it is a logged correction."""
    if outcome not in OUTCOMES:
        raise JudgingError(_("Choose selected or not selected."))
    reason = reason.strip()
    if not reason:
        raise JudgingError(_("Write the reason for this decision; it will be published."))
    if idea.id not in {e.idea_id for e in queries.shortlist(panel.campaign_id)}:
        raise JudgingError(_("Only shortlisted ideas are decided by the panel."))
    decision = Decision(
        campaign_id=panel.campaign_id,
        idea_id=idea.id,
        outcome=outcome,
        reason=reason[:5000],
        decided_by_id=chair.id,
        is_correction=panel.is_published,
    )
    db.session.add(decision)
    db.session.flush()
    if panel.is_published:
        set_idea_status(chair, idea, outcome, _("Correction: %(reason)s", reason=reason[:400]))
        record(chair, "decision.corrected", idea, outcome=outcome, reason=reason)
        notify_stakeholders(
            idea.id,
            idea.author_id,
            _l("The panel corrected its decision on “%(title)s”.", title=idea.title),
            idea.url,
        )
    else:
        record(chair, "decision.recorded", idea, outcome=outcome, reason=reason)
    db.session.commit()
    return decision


def publish(chair: User, panel: Panel, override_reason: str = "") -> None:
    """Publish every decision at once; ideas short of reviews need a stated reason."""
    if panel.is_published:
        raise JudgingError(_("The results are already published."))
    criteria = queries.criteria_of(panel.campaign_id)
    rows = queries.board(panel, criteria, chair.id)
    if not rows:
        raise JudgingError(_("There is nothing to publish: the shortlist is empty."))
    undecided = [r.entry.idea.title for r in rows if r.decision is None]
    if undecided:
        raise JudgingError(
            _("Decide on every shortlisted idea first: %(titles)s.", titles="; ".join(undecided))
        )
    short = [r.entry.idea.title for r in rows if r.needs_reviews]
    if short and not override_reason.strip():
        raise JudgingError(
            _(
                "These ideas have fewer than %(n)s reviews: %(titles)s. "
                "Confirm with a reason to publish anyway.",
                n=panel.min_reviews,
                titles="; ".join(short),
            )
        )
    campaign = db.session.get(Campaign, panel.campaign_id)
    assert campaign is not None
    panel.published_at = utcnow()
    panel.published_by_id = chair.id
    for row in rows:
        idea = row.entry.idea
        assert row.decision is not None
        set_idea_status(chair, idea, row.decision.outcome, row.decision.reason[:500])
        notify_stakeholders(
            idea.id,
            idea.author_id,
            _l("The panel has published its decision on “%(title)s”.", title=idea.title),
            idea.url,
        )
    record(
        chair,
        "panel.published",
        panel,
        campaign_id=campaign.id,
        below_minimum=short,
        override_reason=override_reason.strip(),
    )
    record(chair, "campaign.state_changed", campaign, before=campaign.state, after="closed")
    campaign.state = "closed"
    db.session.commit()
