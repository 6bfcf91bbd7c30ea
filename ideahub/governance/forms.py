from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import Form, MultiCheckboxField, NoControlCharacters, strip
from ..models import COE_ROLES, GRANTABLE_ROLES


class NewGuidelineForm(Form):
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[DataRequired(), Length(max=200), NoControlCharacters()],
    )


class DraftForm(Form):
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[DataRequired(), Length(max=200), NoControlCharacters()],
    )
    body = TextAreaField(
        _l("Guideline text"),
        description=_l("Markdown: headings, lists, links."),
        validators=[Length(max=100_000)],
    )
    for_everyone = BooleanField(_l("Applies to everyone"))
    department_ids = MultiCheckboxField(_l("Or only to these departments"), coerce=int)
    roles = MultiCheckboxField(_l("and/or these roles"))

    def __init__(self, *args: object, departments: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        from ..i18n import role_label

        self.department_ids.choices = departments
        self.roles.choices = [(r, role_label(r)) for r in GRANTABLE_ROLES]


class PublishForm(Form):
    change_summary = TextAreaField(
        _l("What changed"), validators=[DataRequired(), Length(max=1000)]
    )
    is_major = BooleanField(_l("Major version: everyone in the audience must acknowledge it again"))
    effective_on = DateField(_l("In effect from"), validators=[DataRequired()])


class MemberForm(Form):
    # An email, not a list of everyone: a select of 20,000 people was unusable, and building
    # it took 0.7 s of every view of the CoE page (bench/route_costs.py).
    email = StringField(
        _l("Person's email"),
        filters=[strip],
        description=_l("The email they sign in with."),
        validators=[DataRequired(), Length(max=254)],
    )
    department_id = SelectField(_l("Business function"), coerce=int)
    role = SelectField(_l("Role in the CoE"))
    starts_on = DateField(_l("Term starts"), validators=[DataRequired()])
    ends_on = DateField(_l("Term ends"), validators=[Optional()])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        from ..i18n import coe_role_label

        self.role.choices = [(r, coe_role_label(r)) for r in COE_ROLES]


class OnBehalfForm(Form):
    # An email, not a list of everyone: a select of 20,000 names is unusable and heavy.
    email = StringField(
        _l("Employee's email"), filters=[strip], validators=[DataRequired(), Length(max=254)]
    )
    reason = StringField(
        _l("Why HR acknowledges on their behalf"),
        filters=[strip],
        validators=[DataRequired(), Length(max=500)],
    )
