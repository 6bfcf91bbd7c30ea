"""Response headers every page gets, a request id that ties log lines together, and
requests cleaned of NUL characters (PostgreSQL refuses them in text; nobody types them)."""

from __future__ import annotations

import logging
import re
import secrets

from flask import Flask, Request, Response, g, has_request_context, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.utils import cached_property

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",  # no inline scripts: htmx is configured with allowEval false
        "style-src 'self'",  # htmx's indicator styles are off (includeIndicatorStyles false)
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every log record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def _without_nul(values: MultiDict[str, str]) -> MultiDict[str, str]:
    if not any("\x00" in k or "\x00" in v for k, v in values.items(multi=True)):
        return values
    return ImmutableMultiDict(
        (key.replace("\x00", ""), value.replace("\x00", ""))
        for key, value in values.items(multi=True)
    )


class CleanRequest(Request):
    """Form fields and query arguments with NUL characters removed, before any view sees them."""

    @cached_property
    def args(self) -> MultiDict[str, str]:  # type: ignore[override]
        return _without_nul(super().args)

    def _load_form_data(self) -> None:
        super()._load_form_data()
        self.__dict__["form"] = _without_nul(self.__dict__["form"])


def init_app(app: Flask) -> None:
    app.request_class = CleanRequest

    @app.before_request
    def assign_request_id() -> None:
        # Keep a proxy's id when it is well-formed, so one request is traceable end to end.
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else secrets.token_hex(8)

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if "request_id" in g:
            headers["X-Request-ID"] = g.request_id
        return response
