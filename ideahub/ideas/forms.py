from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import Form, NoControlCharacters, strip
from ..models import IDEA_STATUSES


class IdeaForm(Form):
    title = StringField(
        _l("Title"),
        filters=[strip],
        description=_l("5 to 150 characters: what is the idea, in one line?"),
        validators=[DataRequired(), Length(min=5, max=150), NoControlCharacters()],
    )
    summary = TextAreaField(
        _l("Summary"),
        filters=[strip],
        description=_l("Up to 300 characters, shown on the idea's card."),
        validators=[Length(max=300), NoControlCharacters()],
    )
    description = TextAreaField(
        _l("Description"),
        description=_l("Markdown: **bold**, *italic*, lists, links and tables."),
        validators=[Length(max=20000)],
    )
    tags = StringField(
        _l("Tags"),
        description=_l("Separated by commas, e.g. energy, logistics"),
        validators=[Length(max=300)],
    )
    coauthors = StringField(
        _l("Co-authors"),
        description=_l("Colleagues who wrote it with you: their emails, separated by commas."),
        validators=[Length(max=1000)],
    )
    files = MultipleFileField(
        _l("Supporting material"),
        description=_l("PDF, images (PNG, JPG, GIF, WebP), text, Markdown, CSV or Office files."),
    )


class StatusForm(Form):
    status = SelectField(_l("New status"))
    note = TextAreaField(_l("Note (shown in the history)"), validators=[Length(max=500)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        from ..i18n import status_label

        self.status.choices = [(s, status_label(s)) for s in IDEA_STATUSES]


class WithdrawForm(Form):
    note = TextAreaField(_l("Why are you withdrawing it? (optional)"), validators=[Length(max=500)])


class AttachForm(Form):
    files = MultipleFileField(_l("Add supporting material"))
