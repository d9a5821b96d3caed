from matchmaking.admin import accounts, catalog, system  # noqa: F401 — registers the admin classes
