"""An idea's comment threads, a page at a time, rendered once and shared by every reader.

A discussion is shown in pages of COMMENTS_PER_PAGE comments (an idea with 64,000 comments
took 112 s to render whole). Loading two hundred comments and rendering them was most of an
idea page's cost. A page's threads are rendered once and shared (see shared_rendering.py)
under a key made of what one cheap query says its comments show (`queries.comment_page`).
The one part that differs per reader, a comment's Edit and Delete controls (its author's;
a moderator may delete any), is left as a hole in the shared HTML (comments/_comment.html)
and filled per request with permissions.py's own rules; the many readers who may act on
none share a second rendering with the holes taken out. A reply box opened, or sent back
with an error, gets a fresh rendering.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import get_template_attribute, render_template
from flask_login import current_user
from markupsafe import Markup

from ..ideas import queries
from ..ideas.queries import Thread
from ..models import Idea
from ..permissions import can_delete_comment, can_edit_comment, why_cannot_comment
from ..shared_rendering import shared
from ..sql import MAX_ID
from .forms import CommentForm

ACTIONS_HOLE = re.compile(r"<!--comment-actions:(\d+)-->")


@dataclass(frozen=True)
class CommentFacts:
    """What the comment permissions look at, read from a version row instead of a Comment."""

    author_id: int
    is_deleted: bool
    idea: Idea


@dataclass(frozen=True)
class Discussion:
    """What an idea's discussion shows this reader: one page's threads, rendered."""

    threads_html: Markup
    page: queries.CommentPage


def discussion(
    idea: Idea, comment_form: CommentForm, reply_to: int | None = None, page: int = 1
) -> Discussion:
    """Page `page` of the discussion (comments/_threads.html) as this reader sees it."""
    reason = why_cannot_comment(current_user, idea)
    is_reply = bool(comment_form.parent_id.data and comment_form.errors)
    shown = queries.comment_page(idea, page)

    def render(threads: list[Thread], actions_later: bool) -> str:
        return render_template(
            "comments/_threads.html",
            idea=idea,
            threads=threads,
            page=shown.number,
            comment_reason=reason,
            is_reply=is_reply,
            comment_form=comment_form,
            reply_to=reply_to,
            actions_later=actions_later,
        )

    def done(html: str) -> Discussion:
        return Discussion(Markup(html), shown)  # noqa: S704 - an autoescaped template rendering

    if reply_to is not None or is_reply:
        return done(render(queries.comment_threads(shown), actions_later=False))
    described = (idea.id, shown.number, shown.versions, reason)

    def render_shared() -> tuple[str, object]:
        threads = queries.comment_threads(shown)
        # A continued thread's comment is on the page before: this one shows only its id.
        rendered = [c for t in threads for c in ([] if t.continued else [t.comment]) + t.replies]
        same = {c.id: queries.comment_version(c) for c in rendered} == {
            r[0]: r for r in shown.versions
        }
        return render(threads, actions_later=True), described if same else None

    facts = reader_facts(idea, shown.versions)
    if not facts:
        # Most readers act on no comment here: they share a rendering with the holes taken
        # out once (taking 200 of them out of ~150 KB cost ~0.3 ms of every view).
        def render_without_holes() -> tuple[str, object]:
            html, rendered = render_shared()
            return ACTIONS_HOLE.sub("", html), rendered

        return done(shared("threads-read-only", described, render_without_holes))
    return done(fill_actions(shared("threads", described, render_shared), facts))


def reader_facts(idea: Idea, versions: list[tuple[Any, ...]]) -> dict[int, CommentFacts]:
    """The comments this reader might edit or delete: their own, and, when the reader may act
    on someone else's comment at all (a moderator), every one; most readers get none."""
    reader = current_user._get_current_object()
    someone_elses = CommentFacts(author_id=-1, is_deleted=False, idea=idea)
    moderates = can_edit_comment(reader, someone_elses) or can_delete_comment(reader, someone_elses)
    return {
        row[0]: CommentFacts(author_id=row[1], is_deleted=row[4] is not None, idea=idea)
        for row in versions
        if moderates or row[1] == reader.id
    }


def fill_actions(html: str, facts: dict[int, CommentFacts]) -> Markup:
    """Put this reader's Edit and Delete controls into the holes a shared rendering left;
    the permissions are asked for the comments in `facts` (reader_facts) only."""
    reader = current_user._get_current_object()
    controls = _controls()

    def fill(match: re.Match[str]) -> str:
        comment = facts.get(int(match[1]))
        if comment is None:
            return ""
        can_edit = can_edit_comment(reader, comment)
        can_delete = can_delete_comment(reader, comment)
        return controls(int(match[1]), can_edit, can_delete) if can_edit or can_delete else ""

    # html is a template rendering of ours (autoescaped), and so are the controls put in.
    return Markup(ACTIONS_HOLE.sub(fill, html))  # noqa: S704


# An id no comment has (past the largest an id column holds), rendered in place of the real
# one. Only the comment's anchor and URLs carry an id; ten given digits in a row turning up
# in the CSRF token (URL-safe base64) is a chance of about one in 10^16.
STAND_IN = str(MAX_ID + 1)


def _controls() -> Callable[[int, bool, bool], str]:
    """comments/_actions.html's controls for a comment id, rendered once per request for
    each pair of permissions, with the id put in: rendering them afresh (two URLs, three
    translations, the CSRF token) cost ~40 µs a comment, 8 ms of a moderator's view of a
    page of 200 (every comment has Delete)."""
    macro = get_template_attribute("comments/_actions.html", "comment_actions")
    rendered: dict[tuple[bool, bool], list[str]] = {}

    def controls(comment_id: int, can_edit: bool, can_delete: bool) -> str:
        parts = rendered.get((can_edit, can_delete))
        if parts is None:
            parts = str(macro(STAND_IN, can_edit, can_delete)).split(STAND_IN)
            rendered[(can_edit, can_delete)] = parts
        return str(comment_id).join(parts)

    return controls
