from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, MultipleFileField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange

from ..forms import Form, NoControlCharacters, strip

QUIZ_EXAMPLE = """Who may post about unreleased products?
- Anyone, once the product is announced internally
* Only the communications team
- Team leads

Where do you report a mistaken post?
* To the community team, at once
- Nowhere: delete it and move on"""


class ModuleForm(Form):
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[DataRequired(), Length(max=200), NoControlCharacters()],
    )
    body = TextAreaField(
        _l("Training content"),
        description=_l("Markdown: headings, lists, links, images by address."),
        validators=[DataRequired(), Length(max=100_000)],
    )
    quiz = TextAreaField(
        _l("Quiz"),
        description=_l(
            'One question per line, then its choices: "- " for a wrong one, "* " for the '
            "right one; a blank line between questions."
        ),
        validators=[DataRequired(), Length(max=50_000)],
    )
    pass_mark = IntegerField(
        _l("Pass mark (percentage of questions right)"),
        default=80,
        validators=[DataRequired(), NumberRange(1, 100)],
    )
    files = MultipleFileField(
        _l("Supporting material"),
        description=_l("PDF, images, Office documents or text; checked like ideas' files."),
    )
    due_days = IntegerField(
        _l("Days to complete it"),
        default=30,
        validators=[DataRequired(), NumberRange(1, 365)],
    )
