"""The audit log in words: what each recorded action means, what it was done to, and its
details, in the reader's language. Entries store codes ("training.completed", attempt_id=2);
a code with no label here (a new action) is shown as it is stored."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..i18n import coe_role_label, role_label, state_label, status_label

ACTIONS = {
    "acknowledgment.on_behalf": _l("acknowledged a guideline on someone's behalf"),
    "assignment.replacement": _l("assigned another expert to an idea"),
    "campaign.created": _l("created a campaign"),
    "campaign.state_changed": _l("changed a campaign's state"),
    "campaign.updated": _l("edited a campaign"),
    "coe.member_added": _l("added a CoE member"),
    "coe.member_ended": _l("ended a CoE member's term"),
    "comment.removed_by_moderator": _l("removed a comment"),
    "criterion.deleted": _l("deleted a judging criterion"),
    "criterion.saved": _l("saved a judging criterion"),
    "decision.corrected": _l("corrected a decision"),
    "decision.recorded": _l("recorded a decision"),
    "department.created": _l("created a department"),
    "department.customer_facing": _l("changed whether a department is customer-facing"),
    "department.renamed": _l("renamed a department"),
    "employees.imported": _l("imported employees"),
    "guideline.created": _l("created a guideline"),
    "guideline.draft_saved": _l("saved a guideline draft"),
    "guideline.published": _l("published a guideline version"),
    "idea.coauthors_changed": _l("changed an idea's co-authors"),
    "idea.edited": _l("edited an idea"),
    "idea.status_changed": _l("changed an idea's status"),
    "idea.submitted": _l("submitted an idea"),
    "mentor.assigned": _l("assigned a mentor"),
    "mentor.reassigned": _l("changed a mentor"),
    "panel.published": _l("published a panel's decisions"),
    "panel.saved": _l("set up a judging panel"),
    "recusal.automatic": _l("recused an expert (conflict of interest)"),
    "recusal.declared": _l("declared a conflict of interest"),
    "scorecard.submitted": _l("submitted a scorecard"),
    "shortlist.added_by_chair": _l("added an idea to the shortlist"),
    "training.completed": _l("passed a training quiz"),
    "training.module_created": _l("created a training module"),
    "user.activated": _l("reactivated an account"),
    "user.created": _l("created an account"),
    "user.deactivated": _l("deactivated an account"),
    "user.password_changed": _l("changed a password"),
    "user.password_reset_requested": _l("asked for a password reset"),
    "user.roles_changed": _l("changed an account's roles"),
    "user.signed_out_everywhere": _l("signed out on every device"),
    "user.updated": _l("edited an account"),
}

# What an entry was done to: a label, and where to see it (None: no page of its own).
TARGETS: dict[str, tuple[Any, tuple[str, str] | None]] = {
    "idea": (_l("Idea"), ("ideas.show", "idea_id")),
    "campaign": (_l("Campaign"), ("campaigns.show", "campaign_id")),
    "comment": (_l("Comment"), ("comments.show", "comment_id")),
    "user": (_l("Person"), ("people.profile", "user_id")),
    "guideline": (_l("Guideline"), ("governance.guideline", "guideline_id")),
    "trainingmodule": (_l("Training module"), ("training.module", "module_id")),
    "guidelineversion": (_l("Guideline version"), None),
    "department": (_l("Department"), None),
    "panel": (_l("Panel"), None),
    "criterion": (_l("Criterion"), None),
    "scorecard": (_l("Scorecard"), None),
    "coemembership": (_l("CoE membership"), None),
}

DETAILS = {
    "after": _l("after"),
    "attachments": _l("attachments"),
    "attachments_added": _l("attachments added"),
    "attempt_id": _l("attempt"),
    "below_minimum": _l("ideas short of reviews"),
    "before": _l("before"),
    "by_self": _l("by themselves"),
    "campaign_id": _l("campaign"),
    "chair_id": _l("chair"),
    "coauthors": _l("co-authors"),
    "created": _l("created"),
    "department_id": _l("department"),
    "effective_on": _l("effective on"),
    "email": _l("email"),
    "expert_id": _l("expert"),
    "filename": _l("file"),
    "guideline_id": _l("guideline"),
    "idea_id": _l("idea"),
    "kind": _l("kind"),
    "major": _l("major version"),
    "members": _l("members"),
    "mentor_id": _l("mentor"),
    "min_reviews": _l("reviews per idea"),
    "name": _l("name"),
    "note": _l("note"),
    "number": _l("version"),
    "outcome": _l("outcome"),
    "override_reason": _l("reason for publishing anyway"),
    "password_changed": _l("password changed"),
    "reason": _l("reason"),
    "role": _l("role"),
    "roles": _l("roles"),
    "score": _l("score"),
    "state": _l("state"),
    "title": _l("title"),
    "unchanged": _l("unchanged"),
    "updated": _l("updated"),
    "user_id": _l("person"),
    "value": _l("value"),
    "version": _l("version"),
    "via": _l("via"),
    "weight": _l("weight"),
}


# The actions whose details hold codes (before, after, roles, state, role) with labels.
NAMED = {
    "campaign.state_changed": state_label,
    "idea.status_changed": status_label,
    "user.roles_changed": role_label,
    "user.created": role_label,
    "coe.member_added": coe_role_label,
}


def action_label(code: str) -> str:
    label = ACTIONS.get(code)
    return str(label) if label is not None else code


def target(kind: str, target_id: int | None) -> tuple[str, str | None]:
    """What an entry was done to, as (label, link or None)."""
    label, page = TARGETS.get(kind, (kind, None))
    text = f"{label} #{target_id}" if target_id is not None else str(label)
    if page is None or target_id is None:
        return text, None
    endpoint, argument = page
    return text, url_for(endpoint, **{argument: target_id})


def details(action: str, values: dict[str, Any] | None) -> list[tuple[str, str]]:
    """An entry's details as (label, value) pairs: yes/no, lists joined, ids as #n, roles,
    states and statuses named; an empty value is left out."""
    named = NAMED.get(action)
    out = []
    for key, value in (values or {}).items():
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, bool):
            shown = _("yes") if value else _("no")
        elif named and key in ("before", "after", "roles", "state", "role"):
            shown = ", ".join(named(v) for v in (value if isinstance(value, list) else [value]))
        elif isinstance(value, list):
            shown = ", ".join(f"#{v}" if isinstance(v, int) else str(v) for v in value)
        elif isinstance(value, int) and (key.endswith("_id") or action.startswith("mentor.")):
            shown = f"#{value}"
        else:
            shown = str(value)
        label = DETAILS.get(key)
        out.append((str(label) if label is not None else key, shown))
    return out
