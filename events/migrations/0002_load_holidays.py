"""Load mainland China's public holidays and adjusted working days for 2025–2027.

Read from the data file that ships with the planner; staff extend and confirm the
calendar in admin afterwards (provisional days are marked).
"""

from django.db import migrations


def load(apps, schema_editor):
    from events.calendar_cn import load_calendar_days

    CalendarDay = apps.get_model("events", "CalendarDay")
    for day in load_calendar_days():
        CalendarDay.objects.update_or_create(
            date=day.date,
            defaults={
                "kind": day.kind,
                "name_zh": day.name_zh,
                "name_en": day.name_en,
                "provisional": day.provisional,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
