from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import Form, strip

MAX_COMMENT = 5000


class CommentForm(Form):
    body = TextAreaField(
        _l("Your comment"),
        filters=[strip],
        description=_l("Markdown: **bold**, *italic*, lists and links."),
        validators=[
            DataRequired(message=_l("Write something before posting.")),
            Length(max=MAX_COMMENT),
        ],
    )
    parent_id = HiddenField()


class EditCommentForm(Form):
    body = TextAreaField(
        _l("Comment"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("A comment cannot be empty; delete it instead.")),
            Length(max=MAX_COMMENT),
        ],
    )


class DeleteCommentForm(Form):
    pass
