"""An idea's comment threads, rendered once and shared by the readers who cannot act on them.

Loading two hundred comments and rendering them was most of an idea page's cost. A reader
with no comment of their own in the discussion and no right to remove others' (most readers)
sees every thread alike, so that rendering is shared (see shared_rendering.py) under a key
made of what one cheap query says the comments show (`queries.comment_versions`).
Authors and moderators, who get Edit and Delete buttons, and a reply box opened or sent back
with an error, get a fresh rendering.
"""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from markupsafe import Markup

from .. import shared_rendering
from ..ideas import queries
from ..models import Idea
from ..permissions import can_manage_campaigns, why_cannot_comment
from .forms import CommentForm


def threads_html(idea: Idea, comment_form: CommentForm, reply_to: int | None = None) -> Markup:
    """The discussion's threads (comments/_threads.html) as this reader sees them."""
    versions = queries.comment_versions(idea.id)
    reason = why_cannot_comment(current_user, idea)
    reader_id = current_user.id
    is_reply = bool(comment_form.parent_id.data and comment_form.errors)
    seen_alike = (
        reply_to is None
        and not is_reply
        and not can_manage_campaigns(current_user)
        and reader_id not in {row[1] for row in versions}
    )

    def render() -> str:
        return render_template(
            "comments/_threads.html",
            idea=idea,
            threads=queries.comment_threads(idea.id),
            comment_reason=reason,
            is_reply=is_reply,
            comment_form=comment_form,
            reply_to=reply_to,
        )

    if seen_alike:
        return shared_rendering.shared("threads", (idea.id, versions, reason), render)
    return Markup(render())  # noqa: S704 - render_template autoescapes
