"""Setting up a panel, building the shortlist, assignments and conflicts of interest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import desc

from ..audit import record
from ..extensions import db
from ..models import (
    Assignment,
    Campaign,
    Criterion,
    Idea,
    IdeaStatusChange,
    Panel,
    PanelMember,
    Recusal,
    ShortlistEntry,
    User,
    idea_coauthors,
)
from ..notices import notify, notify_stakeholders
from ..sql import insert_ignoring_duplicates
from . import queries


class JudgingError(ValueError):
    """A panel action that cannot be done; the message says why."""


@dataclass
class PanelSettings:
    chair_id: int | None
    member_ids: list[int]
    min_reviews: int = 3
    shortlist_size: int = 10
    scoring_deadline: datetime | None = None
    exclude_same_department: bool = False
    disagreement_threshold: float = 20.0


def _refuse_if_published(panel: Panel | None) -> None:
    if panel is not None and panel.is_published:
        raise JudgingError(_("The panel has published its decisions; its set-up is final."))


def save_panel(actor: User, campaign: Campaign, settings: PanelSettings) -> Panel:
    panel = queries.panel_for(campaign.id)
    _refuse_if_published(panel)
    experts = {u.id: u for u in queries.experts()}
    unknown = [i for i in settings.member_ids if i not in experts]
    if unknown:
        raise JudgingError(_("Panel members must be active users with the expert role."))
    if settings.chair_id is not None and settings.chair_id not in settings.member_ids:
        settings.member_ids.append(settings.chair_id)
        if settings.chair_id not in experts:
            raise JudgingError(_("The chair must be an active user with the expert role."))
    if panel is None:
        panel = Panel(campaign_id=campaign.id)
        db.session.add(panel)
    panel.chair_id = settings.chair_id
    panel.min_reviews = settings.min_reviews
    panel.shortlist_size = settings.shortlist_size
    panel.scoring_deadline = settings.scoring_deadline
    panel.exclude_same_department = settings.exclude_same_department
    panel.disagreement_threshold = settings.disagreement_threshold
    db.session.flush()
    before = queries.member_ids_of(panel)
    wanted = set(settings.member_ids)
    if before != wanted:
        db.session.execute(
            db.delete(PanelMember).where(
                PanelMember.panel_id == panel.id, PanelMember.user_id.not_in(wanted)
            )
        )
        for uid in sorted(wanted - before):
            db.session.add(PanelMember(panel_id=panel.id, user_id=uid))
    record(
        actor,
        "panel.saved",
        panel,
        campaign_id=campaign.id,
        chair_id=panel.chair_id,
        members=sorted(wanted),
        min_reviews=panel.min_reviews,
    )
    db.session.commit()
    return panel


def save_criterion(
    actor: User,
    campaign: Campaign,
    name: str,
    description: str,
    weight: float,
    scale_min: int,
    scale_max: int,
    criterion: Criterion | None = None,
) -> Criterion:
    if campaign.state not in ("draft", "open"):
        raise JudgingError(_("Criteria are fixed once judging has started."))
    if scale_min >= scale_max:
        raise JudgingError(_("The scale's lowest value must be below its highest."))
    if weight <= 0:
        raise JudgingError(_("The weight must be above zero."))
    clash = db.session.scalar(
        db.select(Criterion.id).where(Criterion.campaign_id == campaign.id, Criterion.name == name)
    )
    if clash is not None and (criterion is None or clash != criterion.id):
        raise JudgingError(_("This campaign already has a criterion named %(name)s.", name=name))
    if criterion is None:
        position = len(queries.criteria_of(campaign.id))
        criterion = Criterion(campaign_id=campaign.id, position=position)
        db.session.add(criterion)
    criterion.name, criterion.description, criterion.weight = name, description, weight
    criterion.scale_min, criterion.scale_max = scale_min, scale_max
    db.session.flush()
    record(actor, "criterion.saved", criterion, campaign_id=campaign.id, name=name, weight=weight)
    db.session.commit()
    return criterion


def delete_criterion(actor: User, criterion: Criterion) -> None:
    campaign = db.session.get(Campaign, criterion.campaign_id)
    if campaign is None or campaign.state not in ("draft", "open"):
        raise JudgingError(_("Criteria are fixed once judging has started."))
    record(actor, "criterion.deleted", criterion, name=criterion.name)
    db.session.delete(criterion)
    db.session.commit()


def set_idea_status(actor: User | None, idea: Idea, status: str, note: str) -> None:
    if idea.status == status:
        return
    db.session.add(
        IdeaStatusChange(
            idea_id=idea.id,
            from_status=idea.status,
            to_status=status,
            changed_by_id=actor.id if actor else None,
            note=note,
        )
    )
    idea.status = status


def _conflicts(panel: Panel, idea: Idea, members: list[User]) -> dict[int, str]:
    """Automatic recusals for this idea: {expert_id: kind}."""
    coauthors = set(
        db.session.scalars(
            db.select(idea_coauthors.c.user_id).where(idea_coauthors.c.idea_id == idea.id)
        )
    )
    found: dict[int, str] = {}
    for m in members:
        if m.id == idea.author_id:
            found[m.id] = "author"
        elif m.id in coauthors:
            found[m.id] = "coauthor"
        elif (
            panel.exclude_same_department
            and idea.department_id is not None
            and m.department_id == idea.department_id
        ):
            found[m.id] = "department"
    return found


def _shortlist_one(
    actor: User, panel: Panel, idea: Idea, source: str, reason: str, members: list[User]
) -> None:
    db.session.add(
        ShortlistEntry(
            campaign_id=panel.campaign_id,
            idea_id=idea.id,
            source=source,
            reason=reason,
            added_by_id=actor.id,
        )
    )
    conflicts = _conflicts(panel, idea, members)
    already_recused = set(
        db.session.scalars(db.select(Recusal.expert_id).where(Recusal.idea_id == idea.id))
    )
    for m in members:
        if m.id in already_recused:  # declared before the idea was shortlisted
            continue
        if m.id in conflicts:
            db.session.add(Recusal(idea_id=idea.id, expert_id=m.id, kind=conflicts[m.id]))
            record(actor, "recusal.automatic", idea, expert_id=m.id, kind=conflicts[m.id])
        else:
            db.session.add(Assignment(idea_id=idea.id, expert_id=m.id, assigned_by_id=actor.id))
    set_idea_status(actor, idea, "shortlisted", reason)
    notify_stakeholders(
        idea.id,
        idea.author_id,
        _l("“%(title)s” is shortlisted for the expert panel.", title=idea.title),
        idea.url,
    )


def start_judging(actor: User, campaign: Campaign) -> list[Idea]:
    """Close submissions and votes, and shortlist the top ideas by votes."""
    panel = queries.panel_for(campaign.id)
    if campaign.state != "open":
        raise JudgingError(_("Only an open campaign can move to judging."))
    if panel is None or not queries.criteria_of(campaign.id):
        raise JudgingError(_("Set up the panel and at least one criterion first."))
    members = queries.members_of(panel)
    if not members:
        raise JudgingError(_("The panel has no members yet."))
    if panel.chair_id is None:
        raise JudgingError(_("Choose the panel's chair first."))
    top = list(
        db.session.scalars(
            db.select(Idea)
            .where(Idea.campaign_id == campaign.id, Idea.status != "withdrawn")
            .order_by(desc(Idea.vote_count), Idea.created_at, Idea.id)
            .limit(panel.shortlist_size)
        )
    )
    campaign.state = "judging"
    record(actor, "campaign.state_changed", campaign, before="open", after="judging")
    for idea in top:
        _shortlist_one(
            actor,
            panel,
            idea,
            "votes",
            _("Among the top %(n)s by votes.", n=panel.shortlist_size),
            members,
        )
    db.session.commit()
    return top


def add_to_shortlist(actor: User, panel: Panel, idea: Idea, reason: str) -> None:
    """The chair adds an idea by hand, with a recorded reason."""
    _refuse_if_published(panel)
    if idea.campaign_id != panel.campaign_id:
        raise JudgingError(_("This idea belongs to another campaign."))
    if idea.campaign.state != "judging":  # the shortlist is built when judging starts
        raise JudgingError(_("Ideas can be added to the shortlist once judging has started."))
    if idea.is_withdrawn:
        raise JudgingError(_("A withdrawn idea cannot be shortlisted."))
    if not reason.strip():
        raise JudgingError(_("Give a reason for adding this idea."))
    if db.session.scalar(db.select(ShortlistEntry.id).where(ShortlistEntry.idea_id == idea.id)):
        raise JudgingError(_("This idea is already on the shortlist."))
    _shortlist_one(actor, panel, idea, "chair", reason.strip(), queries.members_of(panel))
    record(actor, "shortlist.added_by_chair", idea, reason=reason.strip())
    db.session.commit()


def declare_conflict(expert: User, idea: Idea, reason: str) -> Recusal:
    """An expert steps back from an idea; the chair sees the reason."""
    if not reason.strip():
        raise JudgingError(_("Say briefly why you have a conflict of interest."))
    _refuse_if_published(queries.panel_for(idea.campaign_id))
    existing = queries.recusal_of(expert.id, idea.id)
    if existing is not None:
        return existing
    db.session.execute(
        insert_ignoring_duplicates(Recusal).values(
            idea_id=idea.id, expert_id=expert.id, kind="declared", reason=reason.strip()[:500]
        )
    )
    db.session.execute(
        db.delete(Assignment).where(
            Assignment.idea_id == idea.id, Assignment.expert_id == expert.id
        )
    )
    record(expert, "recusal.declared", idea, reason=reason.strip()[:500])
    db.session.commit()
    recusal = queries.recusal_of(expert.id, idea.id)
    assert recusal is not None
    return recusal


def assign_replacement(actor: User, panel: Panel, idea: Idea, expert: User) -> None:
    """The chair adds a reviewer when recusals leave an idea short of reviews."""
    _refuse_if_published(panel)
    if not expert.is_active or not expert.has_role("expert"):
        raise JudgingError(_("A reviewer must be an active user with the expert role."))
    if queries.recusal_of(expert.id, idea.id) is not None:
        raise JudgingError(_("This expert is recused from this idea."))
    if _conflicts(panel, idea, [expert]):
        raise JudgingError(_("This expert has a conflict of interest with this idea."))
    if queries.is_assigned(expert.id, idea.id):
        raise JudgingError(_("This expert already reviews this idea."))
    db.session.execute(
        insert_ignoring_duplicates(PanelMember).values(panel_id=panel.id, user_id=expert.id)
    )
    db.session.add(
        Assignment(
            idea_id=idea.id, expert_id=expert.id, is_replacement=True, assigned_by_id=actor.id
        )
    )
    record(actor, "assignment.replacement", idea, expert_id=expert.id)
    notify([expert.id], _l("You are asked to review “%(title)s”.", title=idea.title), idea.url)
    db.session.commit()
