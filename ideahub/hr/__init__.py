"""HR: who has done what they must (dashboard, grid, overdue list, CSV export) and the
import of employees from a CSV file."""

from flask import Blueprint

bp = Blueprint("hr", __name__, url_prefix="/hr")

from . import audit_routes, import_routes, routes  # noqa: E402,F401 - routes attach to bp
