"""Today's date, which tests can set (IDEAHUB's TODAY setting) to check rules over time."""

from __future__ import annotations

from datetime import date

from flask import current_app, has_app_context


def today() -> date:
    fixed = current_app.config.get("TODAY") if has_app_context() else None
    return fixed if isinstance(fixed, date) else date.today()
