"""Third-party apps as this site shows them: django-axes in the programme office's language,
Django admin with the programme office's site.

django-axes ships no Chinese translation. Its admin labels are repeated here with
`gettext_noop` so that `make messages` puts them in this project's catalog, which
Django consults before an app's own (LOCALE_PATHS come first).
"""

from axes.apps import AppConfig as AxesAppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

AXES_LABELS = [
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Expires At"),
    gettext_noop("Logout Time"),
    gettext_noop("Locked Out"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
]


class AxesConfig(AxesAppConfig):
    verbose_name = _("Login security")


class ProgrammeAdminConfig(AdminConfig):
    """Django admin, with the programme office's site (config/admin_site.py) as admin.site."""

    default_site = "config.admin_site.ProgrammeAdminSite"
