"""The embedded default (no REDIS_URL: eager tasks, in-memory transport) runs jobs quietly.

Every eager task borrows a producer from the in-memory transport; without a host in
the broker URL kombu logged "No hostname was supplied" at every job and email.
"""

from __future__ import annotations

import logging
import runpy
import warnings
from pathlib import Path

from celery import Celery

QUEUE_LIBRARIES = ("celery", "kombu", "amqp")
SETTINGS = Path(__file__).resolve().parent.parent / "config" / "settings.py"


def _embedded_settings(monkeypatch) -> dict:
    for name in ("REDIS_URL", "CACHE_URL"):
        monkeypatch.delenv(name, raising=False)
    return runpy.run_path(str(SETTINGS))


def test_an_eager_job_on_the_embedded_default_logs_and_warns_nothing(monkeypatch, caplog):
    computed = _embedded_settings(monkeypatch)
    app = Celery("embedded", set_as_current=False)
    app.conf.update(
        broker_url=computed["CELERY_BROKER_URL"],
        task_always_eager=computed["CELERY_TASK_ALWAYS_EAGER"],
        task_serializer=computed["CELERY_TASK_SERIALIZER"],
    )

    @app.task(name="embedded.add")
    def add(a: int, b: int) -> int:
        return a + b

    assert app.conf.task_always_eager
    with caplog.at_level(logging.DEBUG), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # An in-process worker of an earlier test leaves Celery's "inside a task" guard on;
        # an eager result is already computed, so reading it cannot block.
        results = [add.apply_async(args=(n, 1)).get(disable_sync_subtasks=False) for n in range(3)]

    assert results == [1, 2, 3]
    # Only Celery's and kombu's own words count: in a parallel run, threads left by other
    # tests in this process (a live server, a worker) may log at the same moment.
    noisy = [
        r
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name.split(".")[0] in QUEUE_LIBRARIES
    ]
    assert [r.getMessage() for r in noisy] == []
    queue_warnings = [w for w in caught if any(f"/{lib}/" in w.filename for lib in QUEUE_LIBRARIES)]
    assert [str(w.message) for w in queue_warnings] == []
