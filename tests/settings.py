"""Test settings: the real settings with fast hashing, eager tasks and no TLS redirect.

The database is whatever DATABASE_URL says (PostgreSQL in CI, SQLite otherwise);
tests that need PostgreSQL, Redis, a Celery worker or Chromium are marked and
skipped — loudly — when the service is missing (tests/conftest.py).
"""

import tempfile
from pathlib import Path

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Unit tests run tasks in-process, right after commit; the worker fixture switches a
# real Celery worker on Redis in for the integration tests.
CELERY_TASK_ALWAYS_EAGER = True
# Like production: a failing eager task records its failure instead of raising into
# the request that enqueued it (the outbox keeps the visible status).
CELERY_TASK_EAGER_PROPAGATES = False
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="aiplus-test-media-"))
SITE_URL = "http://testserver"
# Each test process keeps its search indexes to itself (tests/search/ switch sharing on).
SEARCH_INDEX_DIR = ""
AXES_FAILURE_LIMIT = 5
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
LOGGING["loggers"]["celery"]["level"] = "WARNING"  # noqa: F405
