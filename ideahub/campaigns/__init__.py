"""Campaigns: strategic themes that take ideas while open."""

from flask import Blueprint

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")

from . import routes  # noqa: E402,F401 - routes attach themselves to bp
