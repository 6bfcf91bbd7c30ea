"""The audit log for HR and admins: publishing, acknowledgments on behalf, imports, role
changes and everything else recorded, newest first, filterable by kind."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import AuditEntry
from ..pagination import paginate
from ..permissions import can_view_hr
from . import audit_labels, bp

PER_PAGE = 50
# The kinds HR asks about first; every other action can be chosen by its code.
GROUPS = {
    "publishing": (
        _l("Publishing"),
        (
            "guideline.published",
            "training.module_created",
            "decision.recorded",
            "decision.corrected",
        ),
    ),
    "on_behalf": (_l("Acknowledgments on behalf"), ("acknowledgment.on_behalf",)),
    "imports": (_l("Imports"), ("employees.imported",)),
    "roles": (_l("Role changes"), ("user.roles_changed", "user.created", "user.activated")),
}


@bp.route("/audit")
@login_required
def audit() -> str:
    if not can_view_hr(current_user):
        abort(403)
    chosen = request.args.get("kind", "")
    query = (
        db.select(AuditEntry)
        .options(joinedload(AuditEntry.actor))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )
    if chosen in GROUPS:
        query = query.where(AuditEntry.action.in_(GROUPS[chosen][1]))
    else:
        chosen = ""
    page = paginate(query, request.args.get("page"), PER_PAGE)
    return render_template(
        "hr/audit.html",
        page=page,
        groups={key: label for key, (label, _actions) in GROUPS.items()},
        chosen=chosen,
        audit_action=audit_labels.action_label,
        audit_target=audit_labels.target,
        audit_details=audit_labels.details,
    )
