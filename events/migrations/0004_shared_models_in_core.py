"""Events' foreign keys now point at the shared models in core (state only).

The tables behind them did not change (core 0001), so neither do the columns and
constraints here. This runs before matchmaking 0012, which drops those models from
matchmaking's state: nothing may still point at them then.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        ('events', '0003_event_bookkeeping'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    run_before = [
        ('matchmaking', '0012_move_shared_models_to_core'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='calendarfeed',
                    name='organization',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='calendar_feed', to='core.organization'),
                ),
                migrations.AlterField(
                    model_name='event',
                    name='domain',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='events', to='core.industry', verbose_name='domain'),
                ),
                migrations.AlterField(
                    model_name='meeting',
                    name='enterprise',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.organization', verbose_name='enterprise'),
                ),
                migrations.AlterField(
                    model_name='meeting',
                    name='provider',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.organization', verbose_name='provider'),
                ),
                migrations.AlterField(
                    model_name='meetingrequest',
                    name='created_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='meetingrequest',
                    name='enterprise',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.organization', verbose_name='enterprise'),
                ),
                migrations.AlterField(
                    model_name='meetingrequest',
                    name='provider',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.organization', verbose_name='provider'),
                ),
                migrations.AlterField(
                    model_name='outcome',
                    name='submitted_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='registration',
                    name='checked_in_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='registration',
                    name='organization',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='registrations', to='core.organization', verbose_name='organization'),
                ),
            ],
        ),
    ]
