"""The framework's ceiling: a minimal Flask app returning a tiny page, under the same gunicorn."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index() -> str:
    return "<!doctype html><title>ok</title><p>ok</p>"
