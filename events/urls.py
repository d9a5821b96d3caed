"""Event pages: each views module contributes its own URL patterns."""

from events.views import participant, rsvp, running

urlpatterns = [*rsvp.urlpatterns, *participant.urlpatterns, *running.urlpatterns]
