"""``/events/v3``: HubSpot's custom event definitions and event sending, plus our reading API
for stored occurrences (``/events/v3/occurrences``) with a retry of a failed one.

Views stay thin: shapes are checked by ``event_serializers``; definitions are written by
``crm.services.event_definitions``, occurrences stored by ``crm.services.events`` (validated,
all or nothing, stored once by their idempotency key, processed after commit); the
Enterprise rule is ``crm.services.event_gating``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.errors import CrmError, CrmValidationError, ErrorDetail, ObjectNotFound
from crm.event_types import from_definition
from crm.ids import parse_id
from crm.models import AccountSettings, Event, EventDefinition, EventStatus
from crm.services.event_definitions import (
    definition_archive,
    definition_create,
    definition_property_add,
    definition_update,
    get_definition,
)
from crm.services.event_gating import require_custom_events_tier
from crm.services.events import EventIn, events_record, retry_failed

from . import event_serializers as shapes
from .answers import error_answers
from .paging import paging, parse_after
from .params import body, object_type_in_body, query

DEFINITIONS_TAG = ["Custom event definitions"]
SEND_TAG = ["Custom event sending"]
OCCURRENCES_TAG = ["Event occurrences"]
EVENT_NAME = OpenApiParameter(
    "eventName",
    str,
    OpenApiParameter.PATH,
    description="The definition's internal name (or its objectTypeId, 6-N).",
)
EVENT_ID = OpenApiParameter(
    "eventId", str, OpenApiParameter.PATH, description="A stored occurrence's id."
)
errors = error_answers(
    {
        403: "Custom events need Marketing Hub Enterprise or Operations Hub Enterprise",
        404: "Unknown event definition or occurrence",
        409: "The name is taken, or the occurrence is not FAILED",
    }
)


class EventConflict(CrmError):
    """The occurrence is not in a state the operation applies to (retrying a PROCESSED one)."""

    category = "CONFLICT"
    status = 409


# --------------------------------------------------------------------------- reading helpers


def _page(
    qs: QuerySet[Any], *, after: int, limit: int, newest_first: bool
) -> tuple[list, int | None]:
    """One page by id (the cursor is the last id seen), and the next cursor or None."""
    if newest_first:
        qs = qs.order_by("-pk")
        if after:
            qs = qs.filter(pk__lt=after)
    else:
        qs = qs.order_by("pk")
        if after:
            qs = qs.filter(pk__gt=after)
    rows = list(qs[: limit + 1])
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1].pk
    return rows, None


def _definition_named(ref: str, field: str) -> EventDefinition:
    """An eventName in a send: the name, its fullyQualifiedName or its objectTypeId (6-N).
    Unknown is bad input (400) naming the field, not 404: the path exists."""
    candidates = [ref]
    if ref.startswith("pe") and "_" in ref:  # the account is read only for such a name
        prefix = f"pe{AccountSettings.load().portal_id}_"
        if ref.startswith(prefix):
            candidates.append(ref[len(prefix) :])
    for candidate in candidates:
        try:
            return get_definition(candidate)
        except ObjectNotFound:
            continue
    raise CrmValidationError.of(
        [
            ErrorDetail(
                f'{field}: no event definition "{ref}" (give its name, fullyQualifiedName '
                "or objectTypeId)",
                name=field,
                code="EVENT_TYPE_NOT_FOUND",
            )
        ]
    )


def _event_in(definition: EventDefinition, data: Mapping[str, Any], raw: Any) -> EventIn:
    return EventIn(
        event_type_id=definition.type_id,
        source="API",
        properties=data.get("properties") or {},
        occurred_at=data.get("occurredAt"),
        record_id=data.get("objectId") or None,
        email=data.get("email") or None,
        utk=data.get("utk") or None,
        sender_id=data.get("uuid") or None,
        raw=raw if isinstance(raw, dict) else {},
        event_type=from_definition(definition),
    )


def _occurrence(event_id: str) -> Event:
    pk = parse_id(event_id)
    found = (
        Event.objects.select_related("object_type").filter(pk=pk).first()
        if pk is not None
        else None
    )
    if found is None:
        raise ObjectNotFound.named(f"No event occurrence {event_id}.", "eventId")
    return found


# --------------------------------------------------------------------------- definitions


class EventDefinitionCollectionView(APIView):
    @extend_schema(
        tags=DEFINITIONS_TAG,
        operation_id="event_definitions_list",
        summary="List custom event definitions, one page at a time",
        parameters=[shapes.DefinitionListQuerySerializer],
        responses={200: shapes.EventDefinitionPageSerializer, **errors()},
    )
    def get(self, request: Request) -> Response:
        params = query(shapes.DefinitionListQuerySerializer, request)
        qs = EventDefinition.objects.filter(archived=False).select_related("primary_object_type")
        if params.get("searchString"):
            text = params["searchString"]
            qs = qs.filter(Q(name__icontains=text) | Q(label__icontains=text))
        rows, next_after = _page(
            qs,
            after=parse_after(params.get("after")),
            limit=params["limit"],
            newest_first=params["sortOrder"] == "DESC",
        )
        portal = AccountSettings.load().portal_id
        results = [
            shapes.definition_json(
                d, include_properties=params["includeProperties"], portal_id=portal
            )
            for d in rows
        ]
        return Response({"results": results, "total": qs.count(), **paging(request, next_after)})

    @extend_schema(
        tags=DEFINITIONS_TAG,
        operation_id="event_definitions_create",
        summary="Create a custom event definition (Enterprise)",
        request=shapes.DefinitionEggSerializer,
        responses={201: shapes.EventDefinitionSerializer, **errors(403, 409, 413, 415)},
    )
    def post(self, request: Request) -> Response:
        require_custom_events_tier()
        data = dict(body(shapes.DefinitionEggSerializer, request))
        otype = object_type_in_body(data.get("primaryObject") or "contacts", "primaryObject")
        definition = definition_create(payload={**data, "primaryObject": otype.object_type_id})
        return Response(shapes.definition_json(definition), status=status.HTTP_201_CREATED)


class EventDefinitionDetailView(APIView):
    @extend_schema(
        tags=DEFINITIONS_TAG,
        operation_id="event_definitions_get",
        summary="Read a custom event definition",
        parameters=[EVENT_NAME],
        responses={200: shapes.EventDefinitionSerializer, **errors(404)},
    )
    def get(self, request: Request, eventName: str) -> Response:
        return Response(shapes.definition_json(get_definition(eventName)))

    @extend_schema(
        tags=DEFINITIONS_TAG,
        operation_id="event_definitions_update",
        summary="Change a definition's label or description (201, as HubSpot answers)",
        parameters=[EVENT_NAME],
        request=shapes.DefinitionPatchSerializer,
        responses={201: shapes.EventDefinitionSerializer, **errors(403, 404, 413, 415)},
    )
    def patch(self, request: Request, eventName: str) -> Response:
        require_custom_events_tier()
        data = body(shapes.DefinitionPatchSerializer, request)
        definition = definition_update(name=eventName, payload=data)
        return Response(shapes.definition_json(definition), status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=DEFINITIONS_TAG,
        operation_id="event_definitions_archive",
        summary="Archive a definition (HubSpot's delete): stored occurrences are kept",
        parameters=[EVENT_NAME],
        request=None,
        responses={204: None, **errors(404)},
    )
    def delete(self, request: Request, eventName: str) -> Response:
        # Allowed on any tier: removing a definition must never need the tier that made it.
        definition_archive(name=eventName)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EventDefinitionPropertyView(APIView):
    @extend_schema(
        tags=DEFINITIONS_TAG,
        operation_id="event_definitions_property_create",
        summary="Add a property to a custom event definition (Enterprise)",
        parameters=[EVENT_NAME],
        request=shapes.EventPropertyCreateSerializer,
        responses={201: shapes.EventPropertySerializer, **errors(403, 404, 409, 413, 415)},
    )
    def post(self, request: Request, eventName: str) -> Response:
        require_custom_events_tier()
        data = body(shapes.EventPropertyCreateSerializer, request)
        definition = definition_property_add(name=eventName, payload=data)
        added = shapes.properties_json(definition)[-1]  # the service appends
        return Response(added, status=status.HTTP_201_CREATED)


# --------------------------------------------------------------------------- sending


class EventSendView(APIView):
    @extend_schema(
        tags=SEND_TAG,
        operation_id="events_send",
        summary="Send one occurrence of a custom event (stored, then processed; 204)",
        request=shapes.BehavioralEventSerializer,
        responses={204: None, **errors(403, 413, 415)},
    )
    def post(self, request: Request) -> Response:
        require_custom_events_tier()
        data = body(shapes.BehavioralEventSerializer, request)
        definition = _definition_named(data["eventName"], "eventName")
        events_record([_event_in(definition, data, request.data)])
        return Response(status=status.HTTP_204_NO_CONTENT)


class EventSendBatchView(APIView):
    @extend_schema(
        tags=SEND_TAG,
        operation_id="events_send_batch",
        summary="Send up to 500 occurrences; one bad item and none is stored (204)",
        request=shapes.BatchedBehavioralEventSerializer,
        responses={204: None, **errors(403, 413, 415)},
    )
    def post(self, request: Request) -> Response:
        require_custom_events_tier()
        inputs = body(shapes.BatchedBehavioralEventSerializer, request)["inputs"]
        raw_inputs = request.data["inputs"]
        items, problems = [], []
        found: dict[str, EventDefinition] = {}
        for i, data in enumerate(inputs):
            name = data["eventName"]
            try:
                definition = found.get(name) or _definition_named(name, f"inputs[{i}].eventName")
            except CrmValidationError as exc:
                problems.extend(exc.errors)
                continue
            found[name] = definition
            items.append(_event_in(definition, data, raw_inputs[i]))
        if problems:
            raise CrmValidationError.of(problems)
        events_record(items, batch=True)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --------------------------------------------------------------------------- occurrences


class OccurrenceCollectionView(APIView):
    @extend_schema(
        tags=OCCURRENCES_TAG,
        operation_id="event_occurrences_list",
        summary="Stored event occurrences with their status, newest first (not in HubSpot)",
        parameters=[shapes.OccurrenceListQuerySerializer],
        responses={200: shapes.OccurrencePageSerializer, **errors()},
    )
    def get(self, request: Request) -> Response:
        params = query(shapes.OccurrenceListQuerySerializer, request)
        qs = Event.objects.select_related("object_type")
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        if params.get("eventTypeId"):
            qs = qs.filter(event_type_id=params["eventTypeId"])
        if params.get("objectType"):
            qs = qs.filter(object_type=object_type_in_body(params["objectType"], "objectType"))
        if params.get("objectId"):
            record_id = parse_id(params["objectId"])
            if record_id is None:
                raise CrmValidationError.of(
                    [ErrorDetail(f'"{params["objectId"]}" is not a record id', name="objectId")]
                )
            qs = qs.filter(record_id=record_id)
        rows, next_after = _page(
            qs, after=parse_after(params.get("after")), limit=params["limit"], newest_first=True
        )
        return Response(
            {"results": [shapes.occurrence_json(e) for e in rows], **paging(request, next_after)}
        )


class OccurrenceDetailView(APIView):
    @extend_schema(
        tags=OCCURRENCES_TAG,
        operation_id="event_occurrences_get",
        summary="One stored occurrence: its values, status, error and decisions (not in HubSpot)",
        parameters=[EVENT_ID],
        responses={200: shapes.OccurrenceSerializer, **errors(404)},
    )
    def get(self, request: Request, eventId: str) -> Response:
        return Response(shapes.occurrence_json(_occurrence(eventId)))


class OccurrenceRetryView(APIView):
    @extend_schema(
        tags=OCCURRENCES_TAG,
        operation_id="event_occurrences_retry",
        summary="Process a FAILED occurrence again (202; not in HubSpot)",
        parameters=[EVENT_ID],
        request=None,
        responses={202: shapes.OccurrenceSerializer, **errors(404, 409)},
    )
    def post(self, request: Request, eventId: str) -> Response:
        event = _occurrence(eventId)
        if event.status != EventStatus.FAILED or not retry_failed([event.pk]):
            event.refresh_from_db()
            message = f"Event {event.pk} is {event.status}; only FAILED events can be retried."
            raise EventConflict(
                message, [ErrorDetail(message, name="eventId", code="NOT_RETRYABLE")]
            )
        event.refresh_from_db()
        return Response(shapes.occurrence_json(event), status=status.HTTP_202_ACCEPTED)
