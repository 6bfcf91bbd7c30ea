"""The app as wsgi.py serves it, plus one route for the load benchmark: a signed-in request
that renders nothing (GET /_bench/nothing), the floor every page pays for the session, the
signed-in user and the request hooks. bench/run.py serves this module instead of wsgi.py, so
the floor is measured beside the pages, under the same gunicorn."""

from flask_login import login_required

from wsgi import app


@login_required
def signed_in_nothing() -> str:
    return "ok"


app.add_url_rule("/_bench/nothing", "bench_nothing", signed_in_nothing)
