"""gunicorn settings for IdeaHub: `gunicorn -c gunicorn.conf.py wsgi:app`."""

import gc
import os

bind = os.environ.get("IDEAHUB_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("IDEAHUB_WORKERS", "2"))
# The app (and the analyzer's dictionary) load once in the master and are shared by the workers.
preload_app = True
timeout = 30
accesslog = None


def pre_fork(server, worker):
    # Everything loaded so far (the app, the analyzer's dictionary) is shared with the workers
    # copy-on-write; frozen, the garbage collector never writes to (and so copies) it.
    gc.freeze()


def post_fork(server, worker):
    # No database connection may cross a fork: drop any pool the master might hold.
    from ideahub.extensions import db

    app = worker.app.wsgi()
    with app.app_context():
        db.engine.dispose(close=False)
