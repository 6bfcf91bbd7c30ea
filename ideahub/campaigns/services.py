"""Creating and changing campaigns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from ..audit import record
from ..extensions import db
from ..models import Campaign, User


class CampaignError(ValueError):
    """A change that cannot be made; the message says why."""


@dataclass
class CampaignData:
    title: str
    theme: str = ""
    description: str = ""
    opens_on: date | None = None
    closes_on: date | None = None
    state: str = "draft"


def create_campaign(actor: User, data: CampaignData) -> Campaign:
    if data.state == "judging":
        raise CampaignError(
            _("Judging starts from the expert panel page, which builds the shortlist.")
        )
    campaign = Campaign(created_by_id=actor.id, **vars(data))
    db.session.add(campaign)
    db.session.flush()
    record(actor, "campaign.created", campaign, title=campaign.title, state=campaign.state)
    db.session.commit()
    return campaign


def update_campaign(actor: User, campaign: Campaign, data: CampaignData) -> Campaign:
    before_state = campaign.state
    if data.state == "judging" and before_state != "judging":
        raise CampaignError(
            _("Judging starts from the expert panel page, which builds the shortlist.")
        )
    for key, value in vars(data).items():
        setattr(campaign, key, value)
    record(actor, "campaign.updated", campaign)
    if before_state != campaign.state:
        record(actor, "campaign.state_changed", campaign, before=before_state, after=campaign.state)
    db.session.commit()
    return campaign
