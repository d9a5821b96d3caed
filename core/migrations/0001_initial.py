"""The core app takes over the shared models from matchmaking, with their tables.

State only: the tables (matchmaking_user, matchmaking_organization …) were created by
matchmaking's migrations 0001–0011 and keep their names (Meta.db_table), so this
migration changes nothing in the database. matchmaking 0012 and events 0004 then
point their foreign keys here and drop the models from matchmaking's state.

A database made before the move has matchmaking 0011 (and admin, authtoken …, which
now depend on this migration) applied but not this one: `manage.py migrate`
(core/management/commands/migrate.py) records it as applied first, which is exactly
right because it has no database operations.
"""

import core.models.accounts
import core.models.organizations
import core.validators
import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('matchmaking', '0011_labels_2'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Capability',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=40, unique=True, verbose_name='code')),
                        ('name_zh', models.CharField(max_length=60, verbose_name='Chinese name')),
                        ('name_en', models.CharField(max_length=80, verbose_name='English name')),
                        ('sort_order', models.PositiveSmallIntegerField(default=0, verbose_name='sort order')),
                    ],
                    options={
                        'verbose_name': 'AI capability',
                        'verbose_name_plural': 'AI capabilities',
                        'db_table': 'matchmaking_capability',
                        'ordering': ['sort_order', 'code'],
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='User',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('password', models.CharField(max_length=128, verbose_name='password')),
                        ('last_login', models.DateTimeField(blank=True, null=True, verbose_name='last login')),
                        ('is_superuser', models.BooleanField(default=False, help_text='Designates that this user has all permissions without explicitly assigning them.', verbose_name='superuser status')),
                        ('email', models.EmailField(max_length=254, unique=True, verbose_name='email')),
                        ('full_name', models.CharField(max_length=100, verbose_name='full name')),
                        ('phone', models.CharField(blank=True, max_length=32, verbose_name='phone')),
                        ('language', models.CharField(choices=[('zh-hans', '简体中文'), ('en', 'English')], default='zh-hans', max_length=10, verbose_name='language')),
                        ('email_verified_at', models.DateTimeField(blank=True, null=True, verbose_name='email verified at')),
                        ('is_staff', models.BooleanField(default=False, help_text='Can sign in to the admin site (programme office staff).', verbose_name='staff')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('date_joined', models.DateTimeField(default=django.utils.timezone.now, verbose_name='date joined')),
                        ('groups', models.ManyToManyField(blank=True, help_text='The groups this user belongs to. A user will get all permissions granted to each of their groups.', related_name='user_set', related_query_name='user', to='auth.group', verbose_name='groups')),
                        ('user_permissions', models.ManyToManyField(blank=True, help_text='Specific permissions for this user.', related_name='user_set', related_query_name='user', to='auth.permission', verbose_name='user permissions')),
                    ],
                    options={
                        'verbose_name': 'user',
                        'verbose_name_plural': 'users',
                        'db_table': 'matchmaking_user',
                        'ordering': ['email'],
                    },
                    managers=[
                        ('objects', core.models.accounts.UserManager()),
                    ],
                ),
                migrations.CreateModel(
                    name='AuditEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('actor_label', models.CharField(blank=True, max_length=200, verbose_name='who (as recorded)')),
                        ('action', models.CharField(db_index=True, max_length=60, verbose_name='action')),
                        ('object_type', models.CharField(db_index=True, max_length=60, verbose_name='record type')),
                        ('object_id', models.CharField(blank=True, max_length=40, verbose_name='record id')),
                        ('object_label', models.CharField(blank=True, max_length=250, verbose_name='record')),
                        ('details', models.JSONField(blank=True, default=dict, verbose_name='details')),
                        ('at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='when')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='who')),
                    ],
                    options={
                        'verbose_name': 'audit log entry',
                        'verbose_name_plural': 'audit log',
                        'db_table': 'matchmaking_auditentry',
                        'ordering': ['-at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Consent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('notice_version', models.CharField(max_length=20, verbose_name='privacy notice version')),
                        ('given_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='given at')),
                        ('ip_address', models.GenericIPAddressField(blank=True, null=True, verbose_name='IP address')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='consents', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'privacy consent',
                        'verbose_name_plural': 'privacy consents',
                        'db_table': 'matchmaking_consent',
                        'ordering': ['-given_at'],
                    },
                ),
                migrations.CreateModel(
                    name='Industry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=40, unique=True, verbose_name='code')),
                        ('name_zh', models.CharField(max_length=60, verbose_name='Chinese name')),
                        ('name_en', models.CharField(max_length=80, verbose_name='English name')),
                        ('sort_order', models.PositiveSmallIntegerField(default=0, verbose_name='sort order')),
                        ('related', models.ManyToManyField(blank=True, help_text='Industries that count as a partial fit in matching, e.g. healthcare and biopharma.', to='core.industry', verbose_name='related industries')),
                    ],
                    options={
                        'verbose_name': 'industry',
                        'verbose_name_plural': 'industries',
                        'db_table': 'matchmaking_industry',
                        'ordering': ['sort_order', 'code'],
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='Organization',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120, verbose_name='name')),
                        ('name_en', models.CharField(blank=True, max_length=160, verbose_name='English name')),
                        ('kind', models.CharField(choices=[('enterprise', 'Enterprise (demand side)'), ('provider', 'AI solution provider'), ('both', 'Both enterprise and provider')], max_length=12, verbose_name='kind')),
                        ('uscc', models.CharField(help_text='The 18-character code on the business licence.', max_length=18, unique=True, validators=[core.validators.validate_uscc], verbose_name='unified social credit code')),
                        ('district', models.CharField(blank=True, max_length=40, verbose_name='district')),
                        ('website', models.URLField(blank=True, verbose_name='website')),
                        ('description', models.TextField(blank=True, verbose_name='description')),
                        ('verified', models.BooleanField(default=False, help_text='Ticked by the programme office after checking the business licence.', verbose_name='verified')),
                        ('source_key', models.CharField(blank=True, editable=False, max_length=100, null=True, unique=True, verbose_name='import key')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('industry', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='organizations', to='core.industry', verbose_name='industry')),
                    ],
                    options={
                        'verbose_name': 'organization',
                        'verbose_name_plural': 'organizations',
                        'db_table': 'matchmaking_organization',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='OutboxMessage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('task_name', models.CharField(max_length=120, verbose_name='task')),
                        ('kwargs', models.JSONField(default=dict, verbose_name='arguments')),
                        ('idempotency_key', models.CharField(blank=True, max_length=200, null=True, unique=True, verbose_name='idempotency key')),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('published', 'Published'), ('running', 'Running'), ('retrying', 'Waiting to retry'), ('done', 'Done'), ('failed', 'Failed')], default='pending', max_length=10, verbose_name='status')),
                        ('available_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='available at')),
                        ('publish_count', models.PositiveIntegerField(default=0, verbose_name='times published')),
                        ('attempts', models.PositiveIntegerField(default=0, verbose_name='attempts')),
                        ('lease_until', models.DateTimeField(blank=True, null=True, verbose_name='lease until')),
                        ('last_error', models.TextField(blank=True, verbose_name='last error')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                        ('published_at', models.DateTimeField(blank=True, null=True, verbose_name='published at')),
                        ('completed_at', models.DateTimeField(blank=True, null=True, verbose_name='completed at')),
                    ],
                    options={
                        'verbose_name': 'background job',
                        'verbose_name_plural': 'background jobs',
                        'db_table': 'matchmaking_outboxmessage',
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(fields=['status', 'available_at'], name='outbox_due_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='OutgoingEmail',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('to', models.EmailField(max_length=254, verbose_name='recipient')),
                        ('subject', models.CharField(max_length=250, verbose_name='subject')),
                        ('body_text', models.TextField(verbose_name='text body')),
                        ('body_html', models.TextField(blank=True, verbose_name='HTML body')),
                        ('attachments', models.JSONField(blank=True, default=list, verbose_name='attachments')),
                        ('kind', models.CharField(blank=True, max_length=60, verbose_name='kind')),
                        ('idempotency_key', models.CharField(blank=True, max_length=200, null=True, unique=True)),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('sent', 'Sent'), ('failed', 'Failed')], default='queued', max_length=10, verbose_name='status')),
                        ('attempts', models.PositiveIntegerField(default=0, verbose_name='attempts')),
                        ('last_error', models.TextField(blank=True, verbose_name='last error')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='emails', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'verbose_name': 'email message',
                        'verbose_name_plural': 'email messages',
                        'db_table': 'matchmaking_outgoingemail',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='Membership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('owner', 'Owner'), ('member', 'Member')], default='member', max_length=10, verbose_name='role')),
                        ('status', models.CharField(choices=[('active', 'Active'), ('pending', "Awaiting the owner's approval")], default='active', max_length=10, verbose_name='status')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='joined at')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL)),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='core.organization')),
                    ],
                    options={
                        'verbose_name': 'membership',
                        'verbose_name_plural': 'memberships',
                        'db_table': 'matchmaking_membership',
                        'constraints': [models.UniqueConstraint(fields=('user', 'organization'), name='membership_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='Invitation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('email', models.EmailField(max_length=254, verbose_name='email')),
                        ('role', models.CharField(choices=[('owner', 'Owner'), ('member', 'Member')], default='member', max_length=10, verbose_name='role')),
                        ('token', models.CharField(default=core.models.organizations._invitation_token, editable=False, max_length=64, unique=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='invited at')),
                        ('accepted_at', models.DateTimeField(blank=True, null=True, verbose_name='accepted at')),
                        ('invited_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='core.organization')),
                    ],
                    options={
                        'verbose_name': 'invitation',
                        'verbose_name_plural': 'invitations',
                        'db_table': 'matchmaking_invitation',
                        'ordering': ['-created_at'],
                        'constraints': [models.UniqueConstraint(django.db.models.functions.text.Lower('email'), models.F('organization'), condition=models.Q(('accepted_at__isnull', True)), name='invitation_open_unique')],
                    },
                ),
            ],
        ),
    ]
