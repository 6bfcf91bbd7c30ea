"""HR's import of employees from a CSV file (checked whole, then applied or refused)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.wrappers import Response

from ..permissions import can_view_hr
from . import bp
from .importing import COLUMNS, MAX_BYTES, import_employees

ERRORS_SHOWN = 200
EXAMPLE = (
    "email,name,department,job_title,hire_date\n"
    "li.ming@example.com,李明 (Li Ming),Customer Service,Agent,2026-03-02\n"
    "anna.berg@example.com,Anna Berg,Sales,Account manager,2025-11-17\n"
)


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])


@bp.route("/import", methods=["GET", "POST"], endpoint="import_employees")
@login_required
def import_employees_page() -> Response | str:
    """Upload a CSV of employees; every rejected line is listed and nothing changes."""
    if not can_view_hr(current_user):
        abort(403)
    form = ImportForm()
    outcome = None
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.stream.read(MAX_BYTES + 1)
        outcome = import_employees(current_user, data, upload.filename or "")
        if outcome.ok:
            flash(
                _(
                    "Import done: %(created)s employees created, %(updated)s updated, "
                    "%(unchanged)s unchanged.",
                    created=outcome.created,
                    updated=outcome.updated,
                    unchanged=outcome.unchanged,
                ),
                "success",
            )
            return redirect(url_for("hr.import_employees"))
    status = 422 if (outcome is not None or form.errors) else 200
    return (
        render_template(
            "hr/import.html",
            form=form,
            outcome=outcome,
            errors=outcome.errors[:ERRORS_SHOWN] if outcome else [],
            more=max(0, len(outcome.errors) - ERRORS_SHOWN) if outcome else 0,
            columns=COLUMNS,
            example=EXAMPLE,
        ),
        status,
    )  # type: ignore[return-value]
