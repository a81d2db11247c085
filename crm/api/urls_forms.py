"""URL map of the forms API: marketing forms v3, form submissions, account info."""

from __future__ import annotations

from django.urls import path  # noqa: F401

urlpatterns: list = []
