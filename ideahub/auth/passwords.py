"""The password policy: long enough, not a common password, not the person's own name or email."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import gettext as _

MIN_LENGTH = 10
MAX_LENGTH = 200


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    # zxcvbn ships the 30,000 most common leaked passwords; we only need its list.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """Why this password is refused, for the person choosing it (None when it is fine)."""
    if len(password) < MIN_LENGTH:
        return _("The password must have at least %(n)s characters.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("The password may have at most %(n)s characters.", n=MAX_LENGTH)
    lowered = password.lower()
    if lowered in _common() or len(set(lowered)) < 4:
        return _("This password is too common or too easy to guess; choose another.")
    local = email.split("@", 1)[0].lower()
    if (local and len(local) >= 4 and local in lowered) or (name and name.lower() in lowered):
        return _("The password must not contain your name or email address.")
    return None
