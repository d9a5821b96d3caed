"""Check-in codes: added empty, one drawn per existing registration, then unique."""

from django.db import migrations, models

import events.models.registrations


def draw_codes(apps, schema_editor):
    Registration = apps.get_model("events", "Registration")
    taken = set()
    for registration in Registration.objects.only("pk").iterator():
        code = events.models.registrations.new_check_in_code()
        while code in taken:
            code = events.models.registrations.new_check_in_code()
        taken.add(code)
        Registration.objects.filter(pk=registration.pk).update(check_in_code=code)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0007_event_day_guards"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="check_in_code",
            field=models.CharField(
                editable=False, max_length=8, null=True, verbose_name="check-in code"
            ),
        ),
        migrations.RunPython(draw_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="registration",
            name="check_in_code",
            field=models.CharField(
                default=events.models.registrations.new_check_in_code,
                editable=False,
                max_length=8,
                unique=True,
                verbose_name="check-in code",
            ),
        ),
    ]
