"""Form pieces shared by several features."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, widgets
from wtforms.validators import ValidationError


class MultiCheckboxField(SelectMultipleField):
    """A set of checkboxes for a multiple choice (roles, filters)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class NoControlCharacters:
    """Refuse invisible control characters (they break display and search)."""

    def __call__(self, form: Any, field: Any) -> None:
        value = field.data or ""
        if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in value):
            raise ValidationError(_l("Remove the invisible control characters from this field."))


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class CompanyEmail:
    """A well-formed address; company-internal domains (.example, .test) are allowed."""

    def __call__(self, form: Any, field: Any) -> None:
        from email_validator import EmailNotValidError, validate_email

        try:
            validate_email(
                field.data or "",
                check_deliverability=False,
                globally_deliverable=False,
                test_environment=True,
            )
        except EmailNotValidError as exc:
            raise ValidationError(
                _l("This is not a valid email address: %(why)s", why=str(exc))
            ) from exc
