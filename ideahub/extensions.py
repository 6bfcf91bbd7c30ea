"""Flask extensions, created unbound and bound in create_app()."""

from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
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
# Storage comes from RATELIMIT_STORAGE_URI: memory:// for one process, redis:// for several.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
