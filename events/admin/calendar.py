"""Admin: the mainland holiday calendar the season planner plans around.

The 2025–2027 days ship with the code; years the State Council has not announced yet
are marked provisional. Staff add the next year's days when the annual notice comes
out, and confirm provisional ones.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models.functions import ExtractYear
from django.utils import dateformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events.models import CalendarDay
from events.services import season as services


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = (
            CalendarDay.objects.annotate(year=ExtractYear("date"))
            .values_list("year", flat=True)
            .distinct()
            .order_by("year")
        )
        return [(str(y), str(y)) for y in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "kind", "name_zh", "name_en", "provisional"]
    list_filter = [YearFilter, "kind", "provisional"]
    search_fields = ["name_zh", "name_en"]
    date_hierarchy = "date"
    ordering = ["date"]
    list_per_page = 100
    actions = ["confirm_selected"]

    @admin.display(description=_("weekday"), ordering="date")
    def weekday(self, obj: CalendarDay) -> str:
        return dateformat.format(obj.date, "D")  # translated weekday name

    @admin.action(description=_("Confirm the selected days (State Council notice published)"))
    def confirm_selected(self, request, queryset):
        count = services.confirm_calendar_days(queryset, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d day confirmed.", "%(count)d days confirmed.", count)
            % {"count": count},
            messages.SUCCESS,
        )
