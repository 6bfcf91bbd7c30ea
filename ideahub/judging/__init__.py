"""Expert panels: criteria, shortlist, sealed scoring, conflicts of interest, decisions."""

from flask import Blueprint

bp = Blueprint("judging", __name__)

from . import expert_routes, routes  # noqa: E402,F401 - routes attach themselves to bp
