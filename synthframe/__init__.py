"""synthframe."""
