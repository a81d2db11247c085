"""Admin pages for events: custom event definitions and stored occurrences (with retry)."""
