from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..forms import Form, NoControlCharacters, strip
from ..models import CAMPAIGN_STATES


class CampaignForm(Form):
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[DataRequired(), Length(min=3, max=150), NoControlCharacters()],
    )
    theme = StringField(
        _l("Strategic theme"), filters=[strip], validators=[Length(max=120), NoControlCharacters()]
    )
    description = TextAreaField(
        _l("Description"),
        description=_l("Markdown: **bold**, *italic*, lists and links."),
        validators=[Length(max=20000)],
    )
    opens_on = DateField(_l("Opens on"), validators=[Optional()])
    closes_on = DateField(_l("Closes on"), validators=[Optional()])
    state = SelectField(_l("State"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        from ..i18n import state_label

        self.state.choices = [(s, state_label(s)) for s in CAMPAIGN_STATES]

    def validate_closes_on(self, field: DateField) -> None:
        if field.data and self.opens_on.data and field.data < self.opens_on.data:
            raise ValidationError(_l("The closing date must not be before the opening date."))
