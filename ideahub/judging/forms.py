from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FloatField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..forms import Form, MultiCheckboxField, NoControlCharacters, strip


class PanelForm(Form):
    chair_id = SelectField(_l("Chair"), coerce=int)
    member_ids = MultiCheckboxField(_l("Panel members (users with the expert role)"), coerce=int)
    min_reviews = IntegerField(
        _l("Minimum reviews per idea"), default=3, validators=[DataRequired(), NumberRange(1, 20)]
    )
    shortlist_size = IntegerField(
        _l("Shortlist: top ideas by votes"),
        default=10,
        validators=[Optional(), NumberRange(0, 500)],
    )
    scoring_deadline = DateTimeLocalField(
        _l("Scoring deadline"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    exclude_same_department = BooleanField(
        _l("Experts do not review ideas from their own department")
    )
    disagreement_threshold = FloatField(
        _l("Flag disagreement above this spread (points out of 100)"),
        default=20,
        validators=[Optional(), NumberRange(0, 99)],
    )


class CriterionForm(Form):
    name = StringField(
        _l("Criterion"),
        filters=[strip],
        validators=[DataRequired(), Length(max=100), NoControlCharacters()],
    )
    description = StringField(
        _l("What experts should judge"),
        filters=[strip],
        validators=[Length(max=500), NoControlCharacters()],
    )
    weight = FloatField(
        _l("Weight"), default=1, validators=[DataRequired(), NumberRange(0.01, 100)]
    )
    scale_min = IntegerField(
        _l("Lowest score"), default=1, validators=[Optional(), NumberRange(0, 100)]
    )
    scale_max = IntegerField(
        _l("Highest score"), default=5, validators=[DataRequired(), NumberRange(1, 100)]
    )


class ShortlistForm(Form):
    idea_id = SelectField(_l("Idea"), coerce=int)
    reason = TextAreaField(
        _l("Why it belongs on the shortlist"), validators=[DataRequired(), Length(max=500)]
    )


class ReplacementForm(Form):
    idea_id = SelectField(_l("Idea"), coerce=int)
    expert_id = SelectField(_l("Expert"), coerce=int)


class DecisionForm(Form):
    outcome = RadioField(_l("Decision"), validators=[DataRequired()])
    reason = TextAreaField(
        _l("Reason (published to everyone)"), validators=[DataRequired(), Length(max=5000)]
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Set here, not in the declaration: WTForms 3.3 deprecates declared tuple choices.
        self.outcome.choices = [("selected", _l("Selected")), ("not_selected", _l("Not selected"))]


class PublishForm(Form):
    override_reason = TextAreaField(
        _l("Reason to publish although some ideas have fewer reviews than the minimum"),
        validators=[Length(max=1000)],
    )


class ConflictForm(Form):
    reason = TextAreaField(
        _l("Your conflict of interest (seen by the chair)"),
        validators=[DataRequired(), Length(max=500)],
    )


class ScorecardForm(Form):
    """The per-criterion fields are built in the template and read in the view."""

    overall_comment = TextAreaField(_l("Overall comment"), validators=[Length(max=5000)])
