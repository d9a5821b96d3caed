"""The shared models now live in core: matchmaking points its foreign keys there.

State only for the models: their tables keep their names (core 0001), so the
database keeps every row and every constraint. What does change in the database is
the names that other rows use for them:

* the content types of the moved models are renamed from app `matchmaking` to `core`,
  so permissions, groups and admin log entries keep pointing at the same models;
* the audit log's record types of those models (`matchmaking.Organization`, or
  `matchmaking.organization` for admin edits) become `core.…`, so that one record
  type has one name in the log's filter;
* background jobs queued under the old task names (`matchmaking.send_email`,
  `matchmaking.sweep_outbox`) are renamed to the tasks' new names in core.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED_MODELS = (
    'User', 'Consent', 'Organization', 'Membership', 'Invitation', 'Industry',
    'Capability', 'AuditEntry', 'OutboxMessage', 'OutgoingEmail',
)
RENAMED_TASKS = {
    'matchmaking.send_email': 'core.send_email',
    'matchmaking.sweep_outbox': 'core.sweep_outbox',
}


def rename(apps, schema_editor, forwards=True):
    db = schema_editor.connection.alias
    old, new = ('matchmaking', 'core') if forwards else ('core', 'matchmaking')
    content_type = apps.get_model('contenttypes', 'ContentType')
    audit_entry = apps.get_model('core', 'AuditEntry')
    outbox_message = apps.get_model('core', 'OutboxMessage')
    for model in MOVED_MODELS:
        moved = content_type.objects.using(db).filter(app_label=old, model=model.lower())
        if moved.exists():
            # A `migrate core` run on its own may have made fresh, unused content types
            # (and permissions) for the new label: the old ones, which rows point at, win.
            content_type.objects.using(db).filter(app_label=new, model=model.lower()).delete()
            moved.update(app_label=new)
        for label in (f'{old}.{model}', f'{old}.{model.lower()}'):
            audit_entry.objects.using(db).filter(object_type=label).update(
                object_type=label.replace(old, new, 1)
            )
    for old_name, new_name in RENAMED_TASKS.items():
        if not forwards:
            old_name, new_name = new_name, old_name
        outbox_message.objects.using(db).filter(task_name=old_name).update(task_name=new_name)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, forwards=False)


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0001_initial'),
        ('matchmaking', '0011_labels_2'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='auditentry',
                    name='actor',
                ),
                migrations.DeleteModel(
                    name='Capability',
                ),
                migrations.RemoveField(
                    model_name='consent',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='industry',
                    name='related',
                ),
                migrations.AlterField(
                    model_name='need',
                    name='industry',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='needs', to='core.industry', verbose_name='industry'),
                ),
                migrations.RemoveField(
                    model_name='organization',
                    name='industry',
                ),
                migrations.RemoveField(
                    model_name='invitation',
                    name='invited_by',
                ),
                migrations.RemoveField(
                    model_name='invitation',
                    name='organization',
                ),
                migrations.RemoveField(
                    model_name='membership',
                    name='organization',
                ),
                migrations.RemoveField(
                    model_name='membership',
                    name='user',
                ),
                migrations.AlterField(
                    model_name='solution',
                    name='organization',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='solutions', to='core.organization', verbose_name='provider'),
                ),
                migrations.AlterField(
                    model_name='need',
                    name='organization',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='needs', to='core.organization', verbose_name='enterprise'),
                ),
                migrations.DeleteModel(
                    name='OutboxMessage',
                ),
                migrations.RemoveField(
                    model_name='outgoingemail',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='user',
                    name='groups',
                ),
                migrations.RemoveField(
                    model_name='user',
                    name='user_permissions',
                ),
                migrations.AlterField(
                    model_name='matchfeedback',
                    name='by',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='interest',
                    name='responded_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='solution',
                    name='created_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by'),
                ),
                migrations.AlterField(
                    model_name='need',
                    name='created_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by'),
                ),
                migrations.AlterField(
                    model_name='interest',
                    name='created_by',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='matchrun',
                    name='requested_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by'),
                ),
                migrations.AlterField(
                    model_name='statuschange',
                    name='by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by'),
                ),
                migrations.AlterField(
                    model_name='attachment',
                    name='uploaded_by',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='need',
                    name='capabilities',
                    field=models.ManyToManyField(blank=True, related_name='needs', to='core.capability', verbose_name='AI capabilities needed'),
                ),
                migrations.AlterField(
                    model_name='solution',
                    name='capabilities',
                    field=models.ManyToManyField(blank=True, related_name='solutions', to='core.capability', verbose_name='AI capabilities offered'),
                ),
                migrations.AlterField(
                    model_name='solution',
                    name='industries',
                    field=models.ManyToManyField(blank=True, related_name='solutions', to='core.industry', verbose_name='target industries'),
                ),
                migrations.DeleteModel(
                    name='AuditEntry',
                ),
                migrations.DeleteModel(
                    name='Consent',
                ),
                migrations.DeleteModel(
                    name='Industry',
                ),
                migrations.DeleteModel(
                    name='Invitation',
                ),
                migrations.DeleteModel(
                    name='Membership',
                ),
                migrations.DeleteModel(
                    name='Organization',
                ),
                migrations.DeleteModel(
                    name='OutgoingEmail',
                ),
                migrations.DeleteModel(
                    name='User',
                ),
            ],
        ),
        migrations.RunPython(rename, rename_back),
    ]
