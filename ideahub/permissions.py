"""Who may do what: one predicate per action, used by views (403) and templates (hidden buttons).

The `why_*` functions return a reason a person can read when the action is unavailable
(or None when it is allowed); `can_*` is the matching yes/no.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _

from . import clock
from .i18n import state_label
from .models import Attachment, Campaign, Comment, Idea, User

FINAL_STATUSES = frozenset({"selected", "not_selected", "implemented", "withdrawn"})


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_admin(user: Any) -> bool:
    return _signed_in(user) and user.has_role("admin")


def can_administer(user: Any) -> bool:
    return is_admin(user)


def can_manage_campaigns(user: Any) -> bool:
    return _signed_in(user) and (user.has_role("admin") or user.has_role("coe"))


def can_change_idea_status(user: Any, idea: Idea) -> bool:
    return can_manage_campaigns(user)


def why_campaign_closed(campaign: Campaign, today: date | None = None) -> str | None:
    """Why a campaign takes no new ideas or votes right now (None when it does)."""
    today = today or clock.today()
    if campaign.state == "draft":
        return _("This campaign is still a draft and does not take ideas yet.")
    if campaign.state == "judging":
        return _("This campaign is being judged: submissions and votes are closed.")
    if campaign.state == "closed":
        return _("This campaign is closed.")
    if campaign.opens_on and today < campaign.opens_on:
        return _("This campaign opens on %(day)s.", day=campaign.opens_on.isoformat())
    if campaign.closes_on and today > campaign.closes_on:
        return _("This campaign closed on %(day)s.", day=campaign.closes_on.isoformat())
    return None


def can_view_campaign(user: Any, campaign: Campaign) -> bool:
    return _signed_in(user) and (campaign.state != "draft" or can_manage_campaigns(user))


def why_cannot_submit(user: Any, campaign: Campaign) -> str | None:
    if not _signed_in(user):
        return _("Sign in to submit an idea.")
    return why_campaign_closed(campaign)


def can_submit_idea(user: Any, campaign: Campaign) -> bool:
    return why_cannot_submit(user, campaign) is None


def why_cannot_vote(user: Any, idea: Idea) -> str | None:
    if not _signed_in(user):
        return _("Sign in to vote.")
    if idea.author_id == user.id:
        return _("You cannot vote for your own idea.")
    if idea.is_withdrawn:
        return _("This idea was withdrawn by its author.")
    return why_campaign_closed(idea.campaign)


def can_vote(user: Any, idea: Idea) -> bool:
    return why_cannot_vote(user, idea) is None


def why_cannot_comment(user: Any, idea: Idea) -> str | None:
    if not _signed_in(user):
        return _("Sign in to comment.")
    if idea.is_withdrawn:
        return _("This idea was withdrawn: the discussion is closed.")
    if idea.campaign.state not in ("open", "judging"):
        return _(
            "The discussion is closed: this campaign is %(state)s.",
            state=state_label(idea.campaign.state).lower(),  # "Closed" mid-sentence
        )
    return None


def can_comment(user: Any, idea: Idea) -> bool:
    return why_cannot_comment(user, idea) is None


def why_cannot_edit_idea(user: Any, idea: Idea) -> str | None:
    if not _signed_in(user) or idea.author_id != user.id:
        return _("Only the author can edit this idea.")
    if idea.is_withdrawn:
        return _("This idea was withdrawn.")
    return why_campaign_closed(idea.campaign)


def can_edit_idea(user: Any, idea: Idea) -> bool:
    return why_cannot_edit_idea(user, idea) is None


def can_withdraw_idea(user: Any, idea: Idea) -> bool:
    return _signed_in(user) and idea.author_id == user.id and idea.status not in FINAL_STATUSES


def can_view_attachment(user: Any, attachment: Attachment) -> bool:
    """Whoever can see the idea's campaign sees its files (hidden while the campaign is a draft)."""
    return can_view_campaign(user, attachment.idea.campaign)


def can_edit_comment(user: Any, comment: Comment) -> bool:
    return (
        _signed_in(user)
        and comment.author_id == user.id
        and not comment.is_deleted
        and why_cannot_comment(user, comment.idea) is None
    )


def can_delete_comment(user: Any, comment: Comment) -> bool:
    if not _signed_in(user) or comment.is_deleted:
        return False
    return comment.author_id == user.id or can_manage_campaigns(user)


def can_edit_user(user: Any, target: User) -> bool:
    return is_admin(user)


# ------------------------------------------------------------------ expert panels


def can_manage_panel(user: Any, campaign: Campaign) -> bool:
    """Set up criteria, members and the chair (before publication)."""
    return can_manage_campaigns(user)


def is_chair(user: Any, panel: Any) -> bool:
    return _signed_in(user) and panel is not None and panel.chair_id == user.id


def is_panel_member(user: Any, panel: Any, member_ids: set[int] | None = None) -> bool:
    if not _signed_in(user) or panel is None:
        return False
    if member_ids is None:
        from .judging.queries import member_ids_of

        member_ids = member_ids_of(panel)
    return user.id in member_ids


def why_cannot_score(user: Any, idea: Idea, panel: Any) -> str | None:
    """Why this person cannot score this idea now (None when they can)."""
    from .judging.queries import is_assigned, recusal_of
    from .models import utcnow

    if not _signed_in(user) or not user.has_role("expert"):
        return _("Only experts on this campaign's panel can score.")
    if panel is None or not is_panel_member(user, panel):
        return _("You are not on this campaign's panel.")
    if panel.is_published:
        return _("The panel has published its decisions: scoring is closed.")
    if idea.campaign.state != "judging":
        return _("Scoring happens while the campaign is being judged.")
    if recusal_of(user.id, idea.id) is not None:
        return _("You are recused from this idea.")
    if not is_assigned(user.id, idea.id):
        return _("This idea is not in your review queue.")
    if panel.scoring_deadline and utcnow() > panel.scoring_deadline:
        return _("The scoring deadline has passed.")
    return None


def can_see_individual_scores(user: Any, panel: Any) -> bool:
    """Before publication only the chair sees who scored what (on the board, each idea once
    their own scorecard for it is in, they are recused, or scoring has closed: queries.board);
    experts see aggregates once they have submitted."""
    return is_chair(user, panel)


# ------------------------------------------------------------------ governance


def can_author_guidelines(user: Any) -> bool:
    """The CoE's community team (CoE members) and admins write and publish guidelines."""
    return _signed_in(user) and (user.has_role("coe") or user.has_role("admin"))


def can_manage_coe(user: Any) -> bool:
    return is_admin(user)


def can_assign_mentors(user: Any) -> bool:
    """The CoE (community team) and admins pair new employees with mentors."""
    return _signed_in(user) and (user.has_role("coe") or user.has_role("admin"))


def can_view_hr(user: Any) -> bool:
    """HR's dashboard, grid, export and employee import: HR and admins."""
    return _signed_in(user) and (user.has_role("hr") or user.has_role("admin"))


def can_acknowledge_on_behalf(user: Any) -> bool:
    return _signed_in(user) and (user.has_role("hr") or user.has_role("admin"))


# Exposed to Jinja as globals, so a button a user cannot press is not shown.
TEMPLATE_PREDICATES = {
    name: obj
    for name, obj in dict(globals()).items()
    if name.startswith(("can_", "why_", "is_")) and callable(obj)
}
