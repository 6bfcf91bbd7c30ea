from __future__ import annotations

import zoneinfo
from functools import cache

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..auth.passwords import password_problem
from ..forms import CompanyEmail, Form, MultiCheckboxField, NoControlCharacters, strip
from ..models import GRANTABLE_ROLES


@cache
def _zones() -> tuple[str, ...]:
    """The named zones, read once: available_timezones() walks the zone files on every call
    (~6 ms of each settings and user form)."""
    return tuple(
        sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc"))
    )


def timezone_choices() -> list[tuple[str, str]]:
    return [("", _l("Company default"))] + [(z, z.replace("_", " ")) for z in _zones()]


class UserForm(Form):
    email = EmailField(
        _l("Email"), filters=[strip], validators=[DataRequired(), CompanyEmail(), Length(max=254)]
    )
    name = StringField(
        _l("Full name"),
        filters=[strip],
        validators=[DataRequired(), Length(max=120), NoControlCharacters()],
    )
    department_id = SelectField(_l("Department"), coerce=int, validators=[Optional()])
    job_title = StringField(
        _l("Job title"), filters=[strip], validators=[Length(max=120), NoControlCharacters()]
    )
    hire_date = DateField(_l("Hire date"), validators=[Optional()])
    timezone = SelectField(_l("Time zone"), validators=[Optional()])
    roles = MultiCheckboxField(_l("Roles (everyone is an employee)"))
    password = PasswordField(
        _l("Password"),
        description=_l("At least 10 characters."),
        validators=[Optional(), Length(max=200)],
    )

    def __init__(self, *args: object, departments: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.department_id.choices = [(0, _l("No department"))] + departments
        self.timezone.choices = timezone_choices()
        from ..i18n import role_label

        self.roles.choices = [(r, role_label(r)) for r in GRANTABLE_ROLES]

    def validate_password(self, field: Field) -> None:
        """The password rules, checked with the other fields so that every mistake is shown
        at once (the service checks them again)."""
        problem = field.data and password_problem(field.data, self.email.data, self.name.data)
        if problem:
            raise ValidationError(problem)


class DepartmentForm(Form):
    name = StringField(
        _l("Department name"),
        filters=[strip],
        validators=[DataRequired(), Length(max=120), NoControlCharacters()],
    )
    is_customer_facing = BooleanField(_l("Customer-facing (needs a representative in the CoE)"))
