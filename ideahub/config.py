"""Settings, read from IDEAHUB_* environment variables with safe defaults.

Nothing here runs at import time: `load_config(instance_path)` builds the dict when the
app is created, so tests and tools can pass their own values.
"""

from __future__ import annotations

import os
from datetime import timedelta

DEFAULT_SECRET_KEY = "dev-only-insecure-secret-key"  # noqa: S105 - refused outside development

ALLOWED_UPLOAD_EXTENSIONS = (
    "pdf",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "webp",
    "txt",
    "md",
    "csv",
    "docx",
    "xlsx",
    "pptx",
)


def _env(name: str, default: str) -> str:
    return os.environ.get(f"IDEAHUB_{name}", default)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(f"IDEAHUB_{name}")
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(f"IDEAHUB_{name}")
    return int(value) if value else default


def load_config(instance_path: str) -> dict[str, object]:
    """Return the app's settings from the environment."""
    env = _env("ENV", "production")
    default_db = "sqlite:///" + os.path.join(instance_path, "ideahub.sqlite3")
    max_upload_mb = _env_int("MAX_UPLOAD_MB", 10)
    max_files = _env_int("MAX_FILES_PER_UPLOAD", 5)
    secure_cookies = _env_bool("SECURE_COOKIES", env == "production")
    return {
        "IDEAHUB_ENV": env,
        "SECRET_KEY": _env("SECRET_KEY", DEFAULT_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": _env("DATABASE_URL", default_db),
        "UPLOAD_FOLDER": _env("UPLOAD_FOLDER", os.path.join(instance_path, "uploads")),
        # This host's search index (derived data: `ideahub reindex` rebuilds it).
        "SEARCH_INDEX_DIR": _env("SEARCH_INDEX_DIR", os.path.join(instance_path, "search-index")),
        # Milliseconds a query may spend scoring matches before it answers with the best found.
        "SEARCH_TIME_BUDGET_MS": _env_int("SEARCH_TIME_BUDGET_MS", 25),
        # Matches a query may weigh at most: a cut that every worker and host makes alike
        # (the time budget's depends on the moment), so a page of results is the same
        # wherever it is served. About what 25 ms allow here (1,600-1,700 under load).
        "SEARCH_EXAMINED_AT_MOST": _env_int("SEARCH_EXAMINED_AT_MOST", 1500),
        "SEARCH_INDEX_ON_COMMIT": _env_bool("SEARCH_INDEX_ON_COMMIT", True),
        "MAX_UPLOAD_BYTES": max_upload_mb * 1024 * 1024,
        "MAX_FILES_PER_UPLOAD": max_files,
        # The whole request may carry several files plus the form itself.
        "MAX_CONTENT_LENGTH": max_upload_mb * 1024 * 1024 * max_files + 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 2 * 1024 * 1024,
        "ALLOWED_UPLOAD_EXTENSIONS": ALLOWED_UPLOAD_EXTENSIONS,
        "IDEAS_PER_PAGE": _env_int("IDEAS_PER_PAGE", 20),
        # A discussion is shown this many comments at a time; a thread may go on on the next page.
        "COMMENTS_PER_PAGE": _env_int("COMMENTS_PER_PAGE", 200),
        "TRENDING_CACHE_SECONDS": _env_int("TRENDING_CACHE_SECONDS", 60),
        # Template fragments whose keys name everything they show (never stale), per process.
        "CACHE_TYPE": "SimpleCache",
        "CACHE_THRESHOLD": _env_int("FRAGMENT_CACHE_ITEMS", 5000),
        "CACHE_DEFAULT_TIMEOUT": 3600,
        # Shared parts of pages, per process: a campaign's idea list is about 15 KB, a
        # discussion of 200 comments 150 KB (shared_rendering.py).
        "LIST_CACHE_ITEMS": _env_int("LIST_CACHE_ITEMS", 100),
        # Days an employee has to acknowledge a major guideline version (counted from its
        # effective date, or from their hire date when they joined later).
        "ACK_DUE_DAYS": _env_int("ACK_DUE_DAYS", 14),
        # Employees hired this many days ago or less are listed for a mentor.
        "MENTOR_WINDOW_DAYS": _env_int("MENTOR_WINDOW_DAYS", 90),
        # Where people reach IdeaHub: links in mail sent outside a request (send-reminders).
        "BASE_URL": _env("BASE_URL", "http://127.0.0.1:5000"),
        # Flask's defaults (31-day sessions, 365-day remember cookie, no SameSite) are not
        # production settings.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        # Absolute and idle limits of a signed-in session (without "keep me signed in").
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_env_int("SESSION_HOURS", 12)),
        "SESSION_IDLE_MINUTES": _env_int("SESSION_IDLE_MINUTES", 60),
        # The cookie is re-sent when the session changes, which the idle check makes happen
        # once a minute of activity at most; signing it on every request cost ~0.2 ms each.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "PASSWORD_RESET_HOURS": _env_int("PASSWORD_RESET_HOURS", 2),
        "MAIL_SERVER": _env("SMTP_HOST", ""),
        "MAIL_PORT": _env_int("SMTP_PORT", 25),
        "MAIL_USE_TLS": _env_bool("SMTP_STARTTLS", False),
        "MAIL_USE_SSL": _env_bool("SMTP_SSL", False),
        "MAIL_USERNAME": _env("SMTP_USER", "") or None,
        "MAIL_PASSWORD": _env("SMTP_PASSWORD", "") or None,
        "MAIL_DEFAULT_SENDER": _env("SMTP_FROM", "IdeaHub <ideahub@localhost>"),
        # Flask-Mail would not send under TESTING; our tests use a real SMTP server.
        "MAIL_SUPPRESS_SEND": False,
        "REMEMBER_COOKIE_DURATION": timedelta(days=_env_int("REMEMBER_DAYS", 14)),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Failed sign-ins per account (and reset requests per address); failed sign-ins per
        # address, higher: many people may share one (behind a proxy, see PROXIES).
        "SIGNIN_LIMIT": _env("SIGNIN_LIMIT", "10 per minute;50 per hour"),
        "SIGNIN_ADDRESS_LIMIT": _env("SIGNIN_ADDRESS_LIMIT", "30 per minute;300 per hour"),
        # Reverse proxies in front of the app that set X-Forwarded-For and -Proto: trusted
        # for that many hops, so that limits and logs see the person's address (0: none).
        "PROXIES": _env_int("PROXIES", 0),
        "BABEL_DEFAULT_LOCALE": _env("DEFAULT_LOCALE", "en"),
        "BABEL_DEFAULT_TIMEZONE": _env("DEFAULT_TIMEZONE", "Asia/Shanghai"),
        "LANGUAGES": ("en", "zh_Hans", "zh_Hant"),
        "BABEL_TRANSLATION_DIRECTORIES": os.path.join(
            os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "translations"
        ),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
    }


def check_production_ready(config: dict[str, object] | object) -> None:
    """Refuse to start a production app with settings that would expose its users."""
    get = config.get  # type: ignore[union-attr]
    if get("IDEAHUB_ENV") == "production" and get("SECRET_KEY") == DEFAULT_SECRET_KEY:
        raise RuntimeError(
            "IdeaHub refuses to start in production with the built-in development secret key: "
            "anyone could forge sessions. Set IDEAHUB_SECRET_KEY to a long random value "
            "(python -c 'import secrets; print(secrets.token_hex(32))'), or set "
            "IDEAHUB_ENV=development for a local trial."
        )
