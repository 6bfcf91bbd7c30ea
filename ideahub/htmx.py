"""One URL, a page or (for htmx) the fragment that page includes."""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, render_template, request


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def render(
    page_template: str, fragment_template: str, /, status: int = 200, **context: Any
) -> Response:
    """Render the full page, or only the fragment when htmx asked; vary the cache on it."""
    template = fragment_template if is_htmx() else page_template
    return vary_on_htmx(make_response(render_template(template, **context), status))


def vary_on_htmx(response: Response) -> Response:
    """The same URL answers a page or a fragment: caches must tell them apart."""
    response.vary.add("HX-Request")
    return response
