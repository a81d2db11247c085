"""URL map of legacy behavioural events (definitions, completions) and ad interactions."""

from __future__ import annotations

from django.urls import path

from . import legacy_events as views

DEFINITIONS = "events/v3/legacy-event-definitions"

urlpatterns = [
    path(DEFINITIONS, views.LegacyDefinitionCollectionView.as_view(), name="legacy-events"),
    path(
        f"{DEFINITIONS}/<str:eventId>",
        views.LegacyDefinitionDetailView.as_view(),
        name="legacy-event",
    ),
    path("events/v3/legacy-events/send", views.LegacyCompletionView.as_view(), name="legacy-send"),
    path(
        "events/v3/legacy-events/send/batch",
        views.LegacyCompletionBatchView.as_view(),
        name="legacy-send-batch",
    ),
    path("events/v3/ad-interactions", views.AdInteractionView.as_view(), name="ad-interactions"),
    path(
        "events/v3/ad-interactions/batch",
        views.AdInteractionBatchView.as_view(),
        name="ad-interactions-batch",
    ),
]
