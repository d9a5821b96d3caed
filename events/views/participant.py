"""Event pages: participant."""

urlpatterns: list = []
