"""Full-text search over ideas, comments and campaigns (Whoosh behind engine.py)."""

from flask import Blueprint

bp = Blueprint("search", __name__)

from . import routes  # noqa: E402,F401 - routes attach themselves to bp
