"""Event pages: rsvp."""

urlpatterns: list = []
