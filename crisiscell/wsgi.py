"""WSGI entry point for the production server (gunicorn)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisiscell.settings")
application = get_wsgi_application()
