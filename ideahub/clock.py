"""The company's calendar: today's date, and the day a moment falls on, in the company's
time zone (IDEAHUB_DEFAULT_TIMEZONE). Due dates, "overdue" and "since" are company days:
on a server that keeps UTC, the day turned at 08:00 in Shanghai. Tests can fix today
(the TODAY setting) to check rules over time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def company_zone() -> ZoneInfo:
    name = current_app.config["BABEL_DEFAULT_TIMEZONE"] if has_app_context() else "UTC"
    return _zone(name)


def today() -> date:
    fixed = current_app.config.get("TODAY") if has_app_context() else None
    return fixed if isinstance(fixed, date) else datetime.now(company_zone()).date()


def day_of(moment: datetime | str) -> date:
    """The company day a moment falls on (SQLite gives an aggregate's time as naive UTC
    text, PostgreSQL an aware time in the session's zone)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(company_zone()).date()


def start_of(day: date) -> datetime:
    """The moment a company day begins, in UTC (what timestamps are compared with)."""
    return datetime.combine(day, time(), company_zone()).astimezone(UTC)
