"""Parts of pages rendered once and shared by every reader who would see them alike.

A part is cached under a key naming everything it shows, as read by one cheap query (its
rows' "versions": counts, edit times, names), together with the reader's language and time
zone; so a cached part is never stale and nothing has to be invalidated by hand. What
differs per reader stays out of the shared part: a hole filled per request (the "You voted"
mark), or a fresh rendering for the readers who see more (a comment's own author).
Callers: campaigns/listing.py, comments/listing.py, main/routes.py (home), search/routes.py
(the filters' choices).

What comes back from the cache is trusted as HTML: a cache shared between hosts (Redis)
must be as private as the database.
"""

from __future__ import annotations

import hashlib
import pickle
import re
from collections.abc import Callable

from flask_babel import gettext as _
from markupsafe import Markup

from .extensions import list_cache
from .i18n import reader_key

# Left by _partials/idea_card.html rendered with voted=None: one per card.
VOTED_HOLE = re.compile(r"<!--you-voted:(\d+)-->")


def shared(name: str, described: object, render: Callable[[], tuple[str, object]]) -> Markup:
    """The rendering of `name` for what `described` names, from the cache or `render()`.

    `render` returns the HTML and what the objects it rendered say they show, in the form
    of `described`. It is kept only when the two agree: the objects are read by a second
    statement, and on PostgreSQL (read committed) a write can land between the two; kept
    under the older key, that rendering would come back if the value ever returned to it
    (a vote taken back)."""
    # Pickled, not repr()'d: ~25 µs instead of ~85 for a page of twenty cards. Equal values
    # pickle alike but for which of them are one object, which can only cost a miss.
    text = pickle.dumps((described, reader_key()), protocol=5)
    key = f"{name}:{hashlib.blake2b(text, digest_size=16).hexdigest()}"
    html = list_cache.get(key)
    if html is None:
        html, rendered = render()
        if rendered == described:
            list_cache.set(key, html)
    return Markup(html)  # noqa: S704 - only our own autoescaped template renderings


def fill_voted_marks(html: str, voted: set[int]) -> Markup:
    """Put the reader's "You voted" marks into the holes a shared rendering left."""
    badge = Markup('<span class="you-voted">{}</span>').format(_("You voted"))
    # html is a template rendering of ours (autoescaped); only our own badge goes in.
    return Markup(VOTED_HOLE.sub(lambda m: badge if int(m[1]) in voted else "", html))  # noqa: S704
