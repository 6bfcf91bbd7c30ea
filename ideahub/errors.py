"""Friendly error pages (and fragments for htmx) instead of bare server messages."""

from __future__ import annotations

import logging

from flask import Flask, Response
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db
from .htmx import render

logger = logging.getLogger(__name__)


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood. Please try again.")),
        403: (_("Not allowed"), _("You do not have permission to do that.")),
        404: (_("Not found"), _("There is nothing here. The link may be old or mistyped.")),
        405: (_("Not allowed"), _("That action cannot be done this way.")),
        413: (
            _("Too large"),
            _(
                "What you sent is larger than the upload limit. Nothing was saved; "
                "please try again with a smaller file."
            ),
        ),
        429: (
            _("Too many attempts"),
            _("Too many attempts in a short time. Please wait a minute and try again."),
        ),
        503: (
            _("Busy"),
            _("The system is busy right now and nothing was saved. Please try again in a moment."),
        ),
        500: (
            _("Something went wrong"),
            _(
                "An unexpected error happened on our side. Nothing was half-saved; "
                "please try again."
            ),
        ),
    }


def render_error(code: int, detail: str | None = None) -> Response:
    title, message = _messages().get(code, (str(code), ""))
    return render(
        "errors/error.html",
        "errors/_error_fragment.html",
        status=code,
        code=code,
        title=title,
        message=detail or message,
    )


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Response:
        return render_error(
            400,
            _(
                "Your form expired or was sent from elsewhere (%(reason)s). "
                "Reload the page and try again; nothing was saved.",
                reason=error.description,
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        code = error.code or 500
        if error.response is not None:  # the answer was made already (a limit's on_breach)
            return error.response  # type: ignore[return-value]
        if code not in _messages():
            return error.get_response()  # type: ignore[return-value]
        # abort(403, description=...) carries a reason written for the user; keep it.
        # (Not a rate limit's: its description is the limit, "10 per 1 minute".)
        custom = error.description != type(error).description and code != 429
        return render_error(code, error.description if custom else None)

    @app.errorhandler(OperationalError)
    def database_busy(error: OperationalError) -> Response:
        # SQLite's "database is locked" after the busy timeout, or a lost PostgreSQL
        # connection: roll back (nothing half-written) and say so, never a bare 500.
        db.session.rollback()
        logger.error("database unavailable: %s", error.orig)
        response = render_error(503)
        response.headers["Retry-After"] = "2"
        return response

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError) -> Response:
        db.session.rollback()
        logger.error("unhandled error: %s", error.original_exception or error)
        return render_error(500)
