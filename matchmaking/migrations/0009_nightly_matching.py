"""The nightly full re-match, as a django-celery-beat schedule staff can edit in admin."""

from django.db import migrations


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.update_or_create(
        name="Nightly full re-match (refits the vocabulary)",
        defaults={"task": "matchmaking.nightly_full_matching", "crontab": nightly, "enabled": True},
    )
    every_ten, _ = IntervalSchedule.objects.get_or_create(every=10, period="minutes")
    PeriodicTask.objects.update_or_create(
        name="Catch up pending match updates (safety net)",
        defaults={"task": "matchmaking.match_pending", "interval": every_ten, "enabled": True},
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task__in=["matchmaking.nightly_full_matching", "matchmaking.match_pending"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("matchmaking", "0008_incremental_matching"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
