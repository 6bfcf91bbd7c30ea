"""The WSGI entry point: gunicorn -c gunicorn.conf.py wsgi:app"""

from ideahub import create_app, precompile_templates
from ideahub.search.engine import analyzer

app = create_app()
precompile_templates(app)
# Load the analyzer's dictionary (jieba-rs: ~30 MB, ~130 ms) once, before gunicorn forks its workers
# (with preload_app), so the workers share it instead of each loading its own.
analyzer()
