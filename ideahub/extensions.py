"""Flask extensions, created unbound and bound in create_app()."""

from typing import Any

from flask import Flask
from flask.globals import request_ctx
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter as FlaskLimiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic migrations name things the same on every engine.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
mail = Mail()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Rendered template fragments, per process (CACHE_TYPE SimpleCache): see comments/_comment.html.
cache = Cache()
# Larger shared parts of pages (tens of KB each), fewer of them: see shared_rendering.py.
list_cache = Cache(with_jinja2_ext=False)  # {% cache %} stays with `cache`


class Limiter(FlaskLimiter):
    """Flask-Limiter, whose request hooks run only in the requests it limits.

    Its init_app() hooks every request: before it (for default and application-wide limits,
    which we have none of), after it (rate-limit headers) and at teardown (its per-request
    state): ~0.1 ms of the ~0.7 ms a signed-in request costs before its page does anything
    (bench/RESULTS.md, seventh session). Our limits are all on views (@limiter.limit), which
    check themselves when called: the after and teardown hooks have work to do then, and
    only then (the limiter's state is on the request context from that moment).
    """

    def init_app(self, app: Flask) -> None:
        lists = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)
        had = [len(funcs.setdefault(None, [])) for funcs in lists]
        super().init_app(app)
        before, after, teardown = (funcs[None][n:] for funcs, n in zip(lists, had, strict=True))
        if (
            not before
            or app.config.get("RATELIMIT_DEFAULT")
            or app.config.get("RATELIMIT_APPLICATION")
        ):
            return  # this app was hooked already, or every request has limits: keep them all
        for funcs, n in zip(lists, had, strict=True):
            del funcs[None][n:]
        app.after_request_funcs[None].extend(_when_limited(hook, after=True) for hook in after)
        app.teardown_request_funcs[None].extend(_when_limited(hook) for hook in teardown)


def _when_limited(hook: Any, after: bool = False) -> Any:
    """`hook`, run only in a request where a limit was checked; an after-request hook
    (`after`) hands the response back either way."""

    def run_when_limited(value: Any) -> Any:
        if hasattr(request_ctx, "_limiter_request_context"):  # set by Limiter.context
            return hook(value)
        return value if after else None

    return run_when_limited


# Storage comes from RATELIMIT_STORAGE_URI: memory:// for one process, redis:// for several.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
