from django.contrib import admin

from core.admin import (  # noqa: F401 — registers the admin classes
    accounts,
    others,
    system,
)

# The apps listed before core in INSTALLED_APPS have registered their admins by now.
others.audit_other_apps_actions(admin.site)
