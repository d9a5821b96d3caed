"""Register the periodic jobs with django-celery-beat, so staff can see and edit them in admin."""

from django.db import migrations


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.update_or_create(
        name="Re-publish due background jobs (outbox sweep)",
        defaults={"task": "matchmaking.sweep_outbox", "interval": every_minute, "enabled": True},
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task="matchmaking.sweep_outbox"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("matchmaking", "0002_load_taxonomy"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
