"""Profiles: what each person proposed, said and supported."""

from flask import Blueprint

bp = Blueprint("people", __name__, url_prefix="/people")

from . import routes  # noqa: E402,F401 - routes attach themselves to bp
