"""WSGI entry point for production servers (gunicorn, uWSGI)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jejaring.settings")
application = get_wsgi_application()

# Each server process loads this module before it accepts a connection: the work Django
# would otherwise do on the process's first requests is done here (jejaring/core/warmup.py).
from jejaring.core.warmup import warm_up  # noqa: E402 — needs the settings configured above

warm_up()
