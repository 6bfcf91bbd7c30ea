"""Company days: today, and the day a moment falls on, in the company's time zone
(Asia/Shanghai by default), whatever zone the server keeps."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ideahub.clock import day_of, start_of, today


def test_today_is_the_companys_day_not_the_servers(app):
    """At any moment the day is at least one later at UTC+14 than at UTC-12: read from
    the server's clock (date.today()), both would be the same."""
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Pacific/Kiritimati"
    east = today()
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Etc/GMT+12"
    west = today()
    assert 1 <= (east - west).days <= 2


def test_a_moment_falls_on_the_companys_day(app):
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Shanghai"
    evening_in_utc = datetime(2026, 12, 4, 21, 5, tzinfo=UTC)  # 05:05 on the 5th in Shanghai
    assert day_of(evening_in_utc) == date(2026, 12, 5)
    assert day_of("2026-12-04 21:05:00") == date(2026, 12, 5)  # SQLite's naive UTC text
    assert day_of(datetime(2026, 12, 4, 15, 59, tzinfo=UTC)) == date(2026, 12, 4)
    assert start_of(date(2026, 12, 5)) == datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
    assert day_of(start_of(date(2026, 12, 5))) == date(2026, 12, 5)
