"""Administration: accounts, departments and roles."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import routes  # noqa: E402,F401 - routes attach themselves to bp
