"""HR's import of employees from a CSV file (checked whole, then applied or refused)."""

from __future__ import annotations

from urllib.parse import quote

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.file import FileAllowed, FileField, FileRequired
from werkzeug.wrappers import Response

from ..forms import Form
from ..permissions import can_view_hr
from . import bp
from .importing import COLUMNS, MAX_BYTES, MAX_ROWS, ImportResult, import_employees

ERRORS_SHOWN = 200
EXAMPLE = (
    "email,name,department,job_title,hire_date\n"
    "li.ming@example.com,李明 (Li Ming),Customer Service,Agent,2026-03-02\n"
    "anna.berg@example.com,Anna Berg,Sales,Account manager,2025-11-17\n"
    "new.hire@example.com,陈静,,,\n"
)
# A BOM, so that spreadsheet programs open the Chinese names as UTF-8.
EXAMPLE_HREF = "data:text/csv;charset=utf-8," + quote("\ufeff" + EXAMPLE)


class ImportForm(Form):
    file = FileField(
        _l("CSV file"),
        validators=[
            FileRequired(_l("Choose a CSV file.")),
            FileAllowed(["csv"], _l("Choose a file whose name ends in .csv.")),
        ],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.file.description = _(
            "UTF-8, at most 10 MB and %(rows)s employees.", rows=format_decimal(MAX_ROWS)
        )


def _summary(result: ImportResult) -> str:
    return ngettext(
        "Import done: %(num)d employee created, %(updated)d updated, %(unchanged)d unchanged.",
        "Import done: %(num)d employees created, %(updated)d updated, %(unchanged)d unchanged.",
        result.created,
        updated=result.updated,
        unchanged=result.unchanged,
    )


@bp.route("/import", methods=["GET", "POST"], endpoint="import_employees")
@login_required
def import_employees_page() -> Response | tuple[str, int]:
    """Upload a CSV of employees; every rejected line is listed and nothing changes."""
    if not can_view_hr(current_user):
        abort(403)
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.stream.read(MAX_BYTES + 1)  # one byte more: the service says "too large"
        result = import_employees(current_user, data, upload.filename or "")
        if result.ok:
            flash(_summary(result), "success")
            return redirect(url_for("hr.import_employees"))
    errors = result.errors if result else []
    page = render_template(
        "hr/import.html",
        form=form,
        result=result,
        errors=errors[:ERRORS_SHOWN],
        more=max(0, len(errors) - ERRORS_SHOWN),
        columns=COLUMNS,
        example=EXAMPLE,
        example_href=EXAMPLE_HREF,
        max_rows=MAX_ROWS,
    )
    return page, 422 if (result is not None or form.errors) else 200
