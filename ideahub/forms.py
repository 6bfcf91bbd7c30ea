"""Form pieces shared by several features."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from babel import support
from flask import flash
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, widgets
from wtforms.i18n import messages_path
from wtforms.validators import ValidationError


@lru_cache(maxsize=16)
def _wtforms_catalogue(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _WTFormsMessages:
    """WTForms' own messages ("Not a valid choice") in the reader's language, each language's
    catalogue read once per process: Flask-WTF reads it from disk again on every request
    that builds a form (~0.15 ms of each such page)."""

    def gettext(self, string: str) -> str:
        return _wtforms_catalogue(str(get_locale())).ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _wtforms_catalogue(str(get_locale())).ungettext(singular, plural, n)


_WTFORMS_MESSAGES = _WTFormsMessages()


class Form(FlaskForm):
    """The base of every form here: Flask-WTF's (CSRF), with WTForms' messages translated."""

    class Meta:
        def get_translations(self, form: Any) -> _WTFormsMessages:
            return _WTFORMS_MESSAGES


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


def refuse_at(form: FlaskForm, field: str | None, *messages: str) -> None:
    """A refusal said where it belongs: at the form's field when it names one (marked and
    described there by _partials/forms.html), else above the form."""
    if field and field in form:
        form[field].errors = [*form[field].errors, *messages]
    else:
        flash(" ".join(messages), "error")
