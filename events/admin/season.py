"""Admin: season."""
