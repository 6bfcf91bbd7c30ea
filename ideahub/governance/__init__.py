"""Governance: the Center of Excellence, versioned social-media guidelines, acknowledgments
and mentors."""

from flask import Blueprint

bp = Blueprint("governance", __name__)

from . import mentor_routes, routes  # noqa: E402,F401 - routes attach themselves to bp
