"""Admin: events."""
