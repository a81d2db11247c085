"""Admin pages for marketing forms."""
