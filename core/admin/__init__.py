from core.admin import (  # noqa: F401 — registers the admin classes
    accounts,
    system,
)
