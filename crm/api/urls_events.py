"""URL map of the events API: custom event definitions, sending occurrences, reading them."""

from __future__ import annotations

from django.urls import path  # noqa: F401

urlpatterns: list = []
