"""WSGI entry point for the production server (gunicorn)."""

import os

from django.core.wsgi import get_wsgi_application

from crisiscell.core.runtime import settle_after_startup

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisiscell.settings")
application = get_wsgi_application()
# Load every view and the PDF renderer now (not on the first request that needs them),
# then keep what start-up made out of the collector's way.
from django.urls import get_resolver  # noqa: E402

from crisiscell.documents.pdf import warm_up  # noqa: E402

get_resolver().url_patterns  # noqa: B018
warm_up()
settle_after_startup()
