"""Catalog search: the engine's relevance search (matchmaking/engine/search.py) over
the records in the database, as the pages and the API use it (docs/SEARCH.md)."""
