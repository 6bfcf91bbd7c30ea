"""After a request whose transaction changed searchable data, bring the index up to date.

It runs once the response has been sent, so the person never waits for the index, and any
failure is only logged: the change log keeps the change until a later catch-up succeeds.
"""

from __future__ import annotations

import logging

from flask import Flask, Response

from ..extensions import db
from . import changes, indexer

logger = logging.getLogger(__name__)
# The most documents a catch-up after a response merges (~4.5 s at the bench's size here).
MERGE_LIMIT = 5000


def init_app(app: Flask) -> None:
    changes.install()

    @app.after_request
    def index_after_response(response: Response) -> Response:
        session_info = db.session().info
        # Off (IDEAHUB_SEARCH_INDEX_ON_COMMIT=0), the follower (index-changes --follow) does
        # it all, and the index's segment merges stay out of the web workers.
        if session_info.pop("search_changed", False) and app.config["SEARCH_INDEX_ON_COMMIT"]:

            def catch_up() -> None:
                with app.app_context():
                    try:
                        # Bounded: the worker serves nobody while it indexes, and
                        # gunicorn stops it after 30 s.
                        indexer.catch_up(blocking=False, limit=500, merge_limit=MERGE_LIMIT)
                    except Exception:  # never the user's problem; the log keeps the change
                        logger.exception("search: index catch-up failed; will retry later")

            response.call_on_close(catch_up)
        return response
