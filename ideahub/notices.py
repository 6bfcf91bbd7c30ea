"""In-app notices: written in the same transaction as the change they announce."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel.speaklater import LazyString
from sqlalchemy import ScalarSelect, case, func, literal

from .extensions import db
from .i18n import LANGUAGE_NAMES
from .models import Notice, User, Vote, idea_coauthors, utcnow
from .models.types import UTCDateTime


def notify(user_ids: Iterable[int], message: str | LazyString, link: str = "") -> int:
    """Add one notice per distinct user (the caller commits). Returns how many.

    A notice is stored as text: give `message` as lazy_gettext(...) and each reader gets it
    in their own language (rendered once per language), not in the language of whoever
    caused it."""
    rows = addressed(user_ids, message)
    write(rows, link)
    return len(rows)


def addressed(user_ids: Iterable[int], message: str | LazyString) -> list[dict[str, Any]]:
    """The notices for notify(), each in its reader's language, not yet written: a writer
    that must hold a lock briefly reads this first and write()s once it holds it."""
    ids = sorted(set(user_ids))
    if not ids:
        return []
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    locales: dict[int, str | None] = {}
    for start in range(0, len(ids), 1000):  # an idea's voters may be thousands
        chunk = ids[start : start + 1000]
        query = db.select(User.id, User.locale).where(User.id.in_(chunk))
        locales.update((user_id, locale) for user_id, locale in db.session.execute(query))
    texts: dict[str, str] = {}
    for locale in {locales.get(i) or default for i in ids}:
        with force_locale(locale):
            texts[locale] = str(message)[:500]
    return [{"user_id": i, "message": texts[locales.get(i) or default]} for i in ids]


def write(rows: list[dict[str, Any]], link: str = "") -> None:
    """Add the notices addressed() made, all linking to `link` (the caller commits)."""
    if rows:
        now = utcnow()
        db.session.execute(
            db.insert(Notice), [{**row, "link": link, "created_at": now} for row in rows]
        )


def notify_where(whom: Any, message: str | LazyString, link: str = "") -> None:
    """Add one notice for each user `whom` (SQL over `users`) chooses, in one INSERT ...
    SELECT (the caller commits): for everyone a guideline applies to, 20,000 rows, where
    notify() would read and send each id. Each in its reader's language, as notify()."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    texts = {}
    for locale in LANGUAGE_NAMES:
        with force_locale(locale):
            texts[locale] = str(message)[:500]
    in_their_language = case(
        *((User.locale == locale, literal(text)) for locale, text in texts.items()),
        else_=literal(texts.get(default, texts["en"])),
    )
    chosen = db.select(User.id, in_their_language, literal(link), literal(utcnow(), UTCDateTime))
    db.session.execute(
        db.insert(Notice).from_select(
            ["user_id", "message", "link", "created_at"], chosen.where(whom)
        )
    )


def author_ids(idea_id: int, author_id: int) -> set[int]:
    """Who wrote an idea: its author and its co-authors."""
    coauthors = db.session.scalars(
        db.select(idea_coauthors.c.user_id).where(idea_coauthors.c.idea_id == idea_id)
    )
    return {author_id, *coauthors}


def author_and_voter_ids(idea_id: int, author_id: int) -> set[int]:
    """Everyone with a stake in an idea: its author, its co-authors and its voters."""
    voters = db.session.scalars(
        db.select(Vote.user_id)
        .where(Vote.idea_id == idea_id)
        .union(db.select(idea_coauthors.c.user_id).where(idea_coauthors.c.idea_id == idea_id))
    )
    return {author_id, *voters}


def unread_query() -> ScalarSelect[int]:
    """The number of unread notices of the user a query loads (auth.services.load_user)."""
    return (
        db.select(func.count())
        .select_from(Notice)
        .where(Notice.user_id == User.id, Notice.read_at.is_(None))
        .correlate(User)
        .scalar_subquery()
    )


def unread_count(user: User) -> int:
    if user.unread_notices is not None:  # loaded with the signed-in user, this request
        return user.unread_notices
    return (
        db.session.scalar(
            db.select(func.count())
            .select_from(Notice)
            .where(Notice.user_id == user.id, Notice.read_at.is_(None))
        )
        or 0
    )


def mark_all_read(user: User) -> None:
    db.session.execute(
        db.update(Notice)
        .where(Notice.user_id == user.id, Notice.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
