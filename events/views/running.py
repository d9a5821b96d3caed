"""Event pages: running."""

urlpatterns: list = []
