"""Settings of the Celery worker processes that the integration tests start.

The production settings, except that every broker key carries the prefix of the test
process that started the worker (TEST_BROKER_KEY_PREFIX). Parallel test processes
(pytest-xdist) share one Redis; with their own prefixes no worker takes a task that
another process published for its own test database.
"""

import os

from config.settings import *  # noqa: F403

if os.environ.get("TEST_BROKER_KEY_PREFIX"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        "global_keyprefix": os.environ["TEST_BROKER_KEY_PREFIX"],
    }
