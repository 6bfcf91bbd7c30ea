"""The WSGI entry point: gunicorn -c gunicorn.conf.py wsgi:app"""

from ideahub import create_app
from ideahub.search.engine import analyzer

app = create_app()
# Load jieba's dictionary (~80 MB, ~1.5 s) once, before gunicorn forks its workers
# (with preload_app), so the workers share it instead of each loading its own.
analyzer()
