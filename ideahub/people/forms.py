from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from ..admin.forms import timezone_choices
from ..forms import Form
from ..i18n import LANGUAGE_NAMES


class SettingsForm(Form):
    locale = SelectField(_l("Language"))
    timezone = SelectField(_l("Time zone"), description=_l("Dates and times are shown in it."))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.locale.choices = [("", _l("As my browser prefers"))] + list(LANGUAGE_NAMES.items())
        self.timezone.choices = timezone_choices()
