"""Markdown to safe HTML: markdown-it-py renders (raw HTML off), nh3 (Ammonia) sanitises.

Two layers on purpose: markdown-it escapes raw HTML and refuses javascript: links, and the
sanitiser's allow-list guarantees no script, event handler or dangerous URL survives even if
a renderer option changes later.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )


def render_markdown(text: str | None) -> Markup:
    """Render user Markdown to HTML that is safe to put in a page."""
    if not text:
        return Markup("")
    return _render(text)


@lru_cache(maxsize=4096)
def _render(text: str) -> Markup:
    # Pages show the same texts again and again (an idea with 200 comments): render once.
    return Markup(sanitize_html(_parser().render(text)))  # noqa: S704 - sanitised just above
