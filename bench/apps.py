from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Holds the benchmark commands (`manage.py bench_*`); it has no models."""

    name = "bench"
    default_auto_field = "django.db.models.BigAutoField"
