from matchmaking.admin import accounts, system  # noqa: F401 — registers the admin classes
