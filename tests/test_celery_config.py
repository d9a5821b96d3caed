"""The Celery configuration keeps its promises: late acks, JSON, and safe visibility timeout."""

from django.conf import settings

from config.celery_app import app
from core.outbox import backoff_seconds


def test_celery_acknowledges_late_and_requeues_on_worker_loss():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_celery_uses_json_only():
    assert app.conf.task_serializer == "json"
    assert app.conf.result_serializer == "json"
    assert list(app.conf.accept_content) == ["json"]


def test_celery_has_time_limits():
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit


def test_visibility_timeout_exceeds_every_countdown_plus_time_limit():
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    longest_backoff = max(backoff_seconds(attempt) for attempt in range(1, 50))
    assert longest_backoff <= settings.CELERY_MAX_COUNTDOWN
    assert settings.CELERY_MAX_COUNTDOWN + app.conf.task_time_limit < visibility


def test_beat_uses_the_database_scheduler():
    assert app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
