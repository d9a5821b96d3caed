from matchmaking.admin import (  # noqa: F401 — registers the admin classes
    catalog,
    catalog_import,
    filings,
    matching,
    review,
    search,
    weights,
)
