"""What every browser test's server is: the app on a SQLite file of its own, served in a thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.serving import make_server

from ideahub import create_app
from ideahub.extensions import db


def e2e_app(root: Path, **settings: Any) -> Flask:
    """The app with its database, uploads and search index under `root` (not the working
    copy's instance/), and cookies the browser sends back over plain HTTP."""
    return create_app(
        {
            "TESTING": True,
            "IDEAHUB_ENV": "testing",
            "SECRET_KEY": "e2e-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{root / 'e2e.sqlite3'}",
            "UPLOAD_FOLDER": str(root / "uploads"),
            "SEARCH_INDEX_DIR": str(root / "index"),
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
            **settings,
        }
    )


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve `app` on a free loopback port until the block ends; yields its base URL."""
    with app.app_context():
        db.engine.dispose()  # the server thread opens its own connections
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
