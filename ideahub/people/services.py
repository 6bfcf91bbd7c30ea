"""A person's own preferences."""

from __future__ import annotations

from ..extensions import db
from ..models import User


def save_preferences(user: User, locale: str, timezone: str) -> None:
    user.locale = locale
    user.timezone = timezone
    db.session.commit()
