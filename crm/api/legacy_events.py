"""``/events/v3/legacy-event-definitions`` and ``/events/v3/legacy-events/send``: legacy
behavioural events (our shape, in the events namespace beside custom events), and
``/events/v3/ad-interactions``: ad interaction events.

HubSpot's legacy events API is gone; what it held is kept: a definition has an id and a
name, a completion names the event by either, the contact by email, utk or objectId, and
may carry a value. Views stay thin: shapes here, rules in ``crm.services.legacy_events`` and
``crm.services.ad_interactions``; every occurrence is stored by ``events_record`` (all or
nothing, stored once, processed after commit). Custom events (6-N) are never accepted here.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.event_types import AD_INTERACTION_TYPES, AD_NETWORKS
from crm.models import LegacyEventDefinition
from crm.services.ad_interactions import ad_interactions_record
from crm.services.events import MAX_BATCH
from crm.services.legacy_events import (
    get_legacy_definition,
    legacy_completions_record,
    legacy_definition_archive,
    legacy_definition_create,
    require_legacy_events_tier,
)

from .answers import error_answers
from .event_serializers import OccurredAtField
from .params import body
from .shapes import timestamp

LEGACY_TAG = ["Legacy behavioural events"]
ADS_TAG = ["Ad interactions"]
EVENT_ID = OpenApiParameter(
    "eventId", str, OpenApiParameter.PATH, description="The legacy event's id or name."
)
errors = error_answers(
    {
        403: "Legacy behavioural events need Marketing Hub Enterprise",
        404: "Unknown legacy event",
        409: "The name or id is taken",
    }
)


def _ref(help_text: str) -> serializers.CharField:
    return serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text=help_text
    )


class LegacyDefinitionEggSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="What people see, e.g. Watched the demo video.")
    name = serializers.CharField(required=False, help_text="Internal name (default: from label).")
    description = serializers.CharField(required=False, allow_blank=True)
    id = serializers.CharField(
        required=False,
        help_text="HubSpot's legacy event id (digits) to keep; default: the next free one.",
    )


class LegacyDefinitionSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The legacy event id: an EVENT filter's eventId.")
    eventTypeId = serializers.CharField(help_text="9-1300-<id>: an event trigger's eventTypeId.")
    name = serializers.CharField()
    label = serializers.CharField()
    description = serializers.CharField()
    archived = serializers.BooleanField()
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()


class LegacyDefinitionListSerializer(serializers.Serializer):
    results = LegacyDefinitionSerializer(many=True)


class LegacyCompletionSerializer(serializers.Serializer):
    """One completion, as the legacy tracking API took it (``_n``, email, ``_m``)."""

    eventId = serializers.CharField(help_text="The legacy event's id or internal name.")
    email = _ref("The contact's email.")
    utk = _ref("The visitor's tracking cookie (hubspotutk), instead of email.")
    objectId = _ref("The contact's id, instead of email.")
    value = serializers.FloatField(
        required=False, allow_null=True, help_text="The completion's value (legacy _m)."
    )
    url = serializers.CharField(required=False, allow_null=True, help_text="Where it happened.")
    occurredAt = OccurredAtField(required=False, allow_null=True)
    id = serializers.CharField(
        required=False, allow_null=True, max_length=100, help_text="Sent twice, stored once."
    )


class LegacyCompletionBatchSerializer(serializers.Serializer):
    inputs = LegacyCompletionSerializer(many=True, allow_empty=False, max_length=MAX_BATCH)


class AdInteractionSerializer(serializers.Serializer):
    """One interaction with an ad, of the contact given by email, utk or objectId."""

    email = _ref("The contact's email.")
    utk = _ref("The visitor's tracking cookie (hubspotutk), instead of email.")
    objectId = _ref("The contact's id, instead of email.")
    network = serializers.ChoiceField(choices=AD_NETWORKS)
    interactionType = serializers.ChoiceField(choices=AD_INTERACTION_TYPES)
    campaignId = serializers.CharField(required=False, allow_blank=True)
    campaignName = serializers.CharField(required=False, allow_blank=True)
    adGroupId = serializers.CharField(required=False, allow_blank=True)
    adId = serializers.CharField(required=False, allow_blank=True)
    clickId = serializers.CharField(
        required=False, allow_blank=True, help_text="gclid, fbclid or li_fat_id."
    )
    occurredAt = OccurredAtField(required=False, allow_null=True)
    id = serializers.CharField(
        required=False, allow_null=True, max_length=100, help_text="Sent twice, stored once."
    )


class AdInteractionBatchSerializer(serializers.Serializer):
    inputs = AdInteractionSerializer(many=True, allow_empty=False, max_length=MAX_BATCH)


class StoredSerializer(serializers.Serializer):
    results = serializers.ListField(
        child=serializers.DictField(), help_text="Per input: the occurrence id and status."
    )


def definition_json(d: LegacyEventDefinition) -> dict[str, Any]:
    return {
        "id": d.event_id,
        "eventTypeId": d.type_id,
        "name": d.name,
        "label": d.label,
        "description": d.description,
        "archived": d.archived,
        "createdAt": timestamp(d.created_at),
        "updatedAt": timestamp(d.updated_at),
    }


def _stored_json(stored: list[Any]) -> dict[str, Any]:
    return {
        "results": [
            {"id": str(s.event.pk), "status": s.event.status, "created": s.created} for s in stored
        ]
    }


class LegacyDefinitionCollectionView(APIView):
    @extend_schema(
        tags=LEGACY_TAG,
        operation_id="legacy_event_definitions_list",
        summary="List live legacy behavioural event definitions",
        responses={200: LegacyDefinitionListSerializer, **errors()},
    )
    def get(self, request: Request) -> Response:
        rows = LegacyEventDefinition.objects.filter(archived=False)
        return Response({"results": [definition_json(d) for d in rows]})

    @extend_schema(
        tags=LEGACY_TAG,
        operation_id="legacy_event_definitions_create",
        summary="Define a legacy behavioural event (Marketing Hub Enterprise)",
        request=LegacyDefinitionEggSerializer,
        responses={201: LegacyDefinitionSerializer, **errors(403, 409, 413, 415)},
    )
    def post(self, request: Request) -> Response:
        require_legacy_events_tier()
        body(LegacyDefinitionEggSerializer, request)
        definition = legacy_definition_create(payload=request.data)
        return Response(definition_json(definition), status=status.HTTP_201_CREATED)


class LegacyDefinitionDetailView(APIView):
    @extend_schema(
        tags=LEGACY_TAG,
        operation_id="legacy_event_definitions_get",
        summary="Read a legacy event definition",
        parameters=[EVENT_ID],
        responses={200: LegacyDefinitionSerializer, **errors(404)},
    )
    def get(self, request: Request, eventId: str) -> Response:
        return Response(definition_json(get_legacy_definition(eventId)))

    @extend_schema(
        tags=LEGACY_TAG,
        operation_id="legacy_event_definitions_archive",
        summary="Archive a legacy event: no more completions; stored ones are kept",
        parameters=[EVENT_ID],
        request=None,
        responses={204: None, **errors(404)},
    )
    def delete(self, request: Request, eventId: str) -> Response:
        legacy_definition_archive(ref=eventId)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LegacyCompletionView(APIView):
    @extend_schema(
        tags=LEGACY_TAG,
        operation_id="legacy_events_send",
        summary="Record one completion of a legacy event (stored, then processed)",
        request=LegacyCompletionSerializer,
        responses={202: StoredSerializer, **errors(403, 413, 415)},
    )
    def post(self, request: Request) -> Response:
        require_legacy_events_tier()
        body(LegacyCompletionSerializer, request)
        stored = legacy_completions_record([request.data])
        return Response(_stored_json(stored), status=status.HTTP_202_ACCEPTED)


class LegacyCompletionBatchView(APIView):
    @extend_schema(
        tags=LEGACY_TAG,
        operation_id="legacy_events_send_batch",
        summary="Record up to 500 completions; one bad item and none is stored",
        request=LegacyCompletionBatchSerializer,
        responses={202: StoredSerializer, **errors(403, 413, 415)},
    )
    def post(self, request: Request) -> Response:
        require_legacy_events_tier()
        body(LegacyCompletionBatchSerializer, request)
        stored = legacy_completions_record(request.data["inputs"], batch=True)
        return Response(_stored_json(stored), status=status.HTTP_202_ACCEPTED)


class AdInteractionView(APIView):
    @extend_schema(
        tags=ADS_TAG,
        operation_id="ad_interactions_send",
        summary="Record one ad interaction (event 9-1101; stored, then processed)",
        request=AdInteractionSerializer,
        responses={202: StoredSerializer, **errors(413, 415)},
    )
    def post(self, request: Request) -> Response:
        body(AdInteractionSerializer, request)
        stored = ad_interactions_record([request.data])
        return Response(_stored_json(stored), status=status.HTTP_202_ACCEPTED)


class AdInteractionBatchView(APIView):
    @extend_schema(
        tags=ADS_TAG,
        operation_id="ad_interactions_send_batch",
        summary="Record up to 500 ad interactions; one bad item and none is stored",
        request=AdInteractionBatchSerializer,
        responses={202: StoredSerializer, **errors(413, 415)},
    )
    def post(self, request: Request) -> Response:
        body(AdInteractionBatchSerializer, request)
        stored = ad_interactions_record(request.data["inputs"], batch=True)
        return Response(_stored_json(stored), status=status.HTTP_202_ACCEPTED)
