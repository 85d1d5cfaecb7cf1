"""The WSGI application bench/load.py serves through gunicorn: KeepCert's own, with the
bench's floor view (one query behind the same middleware) added at /bench/floor/.

    gunicorn --pythonpath bench load_app:application
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keepcert.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

from django.conf import settings  # noqa: E402
from django.contrib.auth.decorators import login_required  # noqa: E402
from django.urls import include, path  # noqa: E402
from run import floor_view  # noqa: E402

urlpatterns = [
    path("bench/floor/", login_required(floor_view), name="bench-floor"),
    path("", include("keepcert.urls")),
]
settings.ROOT_URLCONF = __name__
