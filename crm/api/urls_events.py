"""URL map of the events API: custom event definitions, sending occurrences, reading them."""

from __future__ import annotations

from django.urls import path

from . import events

DEFINITIONS = "events/v3/event-definitions"
OCCURRENCES = "events/v3/occurrences"

urlpatterns = [
    path(DEFINITIONS, events.EventDefinitionCollectionView.as_view(), name="event-definitions"),
    path(
        f"{DEFINITIONS}/<str:eventName>",
        events.EventDefinitionDetailView.as_view(),
        name="event-definition",
    ),
    path(
        f"{DEFINITIONS}/<str:eventName>/property",
        events.EventDefinitionPropertyView.as_view(),
        name="event-definition-property",
    ),
    path("events/v3/send", events.EventSendView.as_view(), name="events-send"),
    path("events/v3/send/batch", events.EventSendBatchView.as_view(), name="events-send-batch"),
    path(OCCURRENCES, events.OccurrenceCollectionView.as_view(), name="event-occurrences"),
    path(
        f"{OCCURRENCES}/<str:eventId>",
        events.OccurrenceDetailView.as_view(),
        name="event-occurrence",
    ),
    path(
        f"{OCCURRENCES}/<str:eventId>/retry",
        events.OccurrenceRetryView.as_view(),
        name="event-occurrence-retry",
    ),
]
