"""Comments on ideas, with one level of replies."""

from flask import Blueprint

bp = Blueprint("comments", __name__)

from . import routes  # noqa: E402,F401 - routes attach themselves to bp
