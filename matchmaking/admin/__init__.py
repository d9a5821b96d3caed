from matchmaking.admin import accounts, catalog, catalog_import, system  # noqa: F401 — registers the admin classes
