"""The production settings, with static files collected into a private directory.

`config.settings` collects static files into the checkout's `staticfiles/`, which other
runs share. A gunicorn started by `loadtest.harness.AppServer` serves the production
settings unchanged except for static files: they are collected into AIPLUS_STATIC_ROOT
with the same hashed-name manifest (so `{% static %}` costs what it costs in
production) but without whitenoise's gzip/brotli copies, whose compression takes
minutes on two cores and plays no part in rendering pages.
"""

import os
from pathlib import Path

from config.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ["AIPLUS_STATIC_ROOT"])
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
