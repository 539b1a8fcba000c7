"""ASGI entry point, for deployments that serve crisiscell through an ASGI server."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisiscell.settings")
application = get_asgi_application()
