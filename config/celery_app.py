"""The Celery application (as cookiecutter-django sets it up).

Configuration comes from Django settings with the CELERY_ prefix. Without REDIS_URL
the settings make every task run eagerly in-process, so the embedded default needs no
broker; with it, `make worker` and `make beat` run real processes.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("aiplus")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
