"""Training: modules tied to guideline versions, quizzes, "My training" and certificates."""

from flask import Blueprint

bp = Blueprint("training", __name__)

from . import routes  # noqa: E402,F401 - routes attach themselves to bp
