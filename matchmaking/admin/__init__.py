from matchmaking.admin import (  # noqa: F401 — registers the admin classes
    accounts,
    catalog,
    catalog_import,
    matching,
    system,
)
