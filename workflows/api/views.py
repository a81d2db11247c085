"""``/automation/v4/flows``: HubSpot's flows API - list, create, read, replace, delete, batch read.

Views stay thin: payloads are checked by ``workflows.flow_payload`` inside the services,
which also enforce tier and permission gating and the optimistic ``revisionId``.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.api.paging import paging, parse_after
from crm.api.params import actor, body, query
from crm.api.shapes import batch_json
from crm.ids import parse_id
from crm.values import format_datetime
from workflows.flow_payload import flow_to_json
from workflows.models import Workflow
from workflows.services import flow_create, flow_delete, flow_update, get_flow

from . import serializers
from .common import ERROR_409, FLOW_ID, READ_ERRORS, WRITE_ERRORS, page_of

TAG = ["Automation flows"]


def listing_json(flow: Workflow) -> dict[str, Any]:
    """HubSpot's ``ApiFlowListing``: what a list page says about each flow."""
    return {
        "id": str(flow.pk),
        "uuid": str(flow.uuid),
        "name": flow.name,
        "type": flow.flow_type,
        "flowType": "WORKFLOW",
        "objectTypeId": flow.object_type.object_type_id,
        "isEnabled": flow.is_enabled,
        "revisionId": str(flow.revision_id),
        "createdAt": format_datetime(flow.created_at),
        "updatedAt": format_datetime(flow.updated_at),
    }


class FlowCollectionView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="flows_list",
        summary="List flows, one page at a time",
        parameters=[serializers.FlowPageQuerySerializer],
        responses={
            200: serializers.FlowListingPageSerializer,
            400: WRITE_ERRORS[400],
            401: READ_ERRORS[401],
        },
    )
    def get(self, request: Request) -> Response:
        params = query(serializers.FlowPageQuerySerializer, request)
        flows, next_after = page_of(
            Workflow.objects.select_related("object_type"),
            after=parse_after(params.get("after")),
            limit=params["limit"],
        )
        return Response(
            {"results": [listing_json(f) for f in flows], **paging(request, next_after)}
        )

    @extend_schema(
        tags=TAG,
        operation_id="flows_create",
        summary="Create a flow",
        description="Every problem of the payload is reported at once, each with its JSON path. "
        "With isEnabled true and enrollExisting=true, the records that already meet the "
        "triggers are enrolled in the background (see /backfill).",
        parameters=[serializers.EnrollExistingQuerySerializer],
        request=serializers.ApiFlowSerializer,
        responses={
            201: serializers.ApiFlowSerializer,
            400: WRITE_ERRORS[400],
            401: WRITE_ERRORS[401],
            403: WRITE_ERRORS[403],
        },
    )
    def post(self, request: Request) -> Response:
        enroll_existing = query(serializers.EnrollExistingQuerySerializer, request)[
            "enrollExisting"
        ]
        flow = flow_create(
            payload=request.data, actor=actor(request), enroll_existing=enroll_existing
        )
        return Response(flow_to_json(flow), status=status.HTTP_201_CREATED)


class FlowDetailView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="flows_get",
        summary="Read a flow",
        parameters=[FLOW_ID],
        responses={200: serializers.ApiFlowSerializer, **READ_ERRORS},
    )
    def get(self, request: Request, flowId: str) -> Response:
        return Response(flow_to_json(get_flow(flowId)))

    @extend_schema(
        tags=TAG,
        operation_id="flows_update",
        summary="Replace a flow (send the revisionId you read)",
        description="A full replacement, as HubSpot's PUT. A stale revisionId is a 409 that names the "
        "current one. enrollExisting=true enrolls the records that already meet new triggers.",
        parameters=[FLOW_ID, serializers.EnrollExistingQuerySerializer],
        request=serializers.ApiFlowSerializer,
        responses={200: serializers.ApiFlowSerializer, **WRITE_ERRORS, 409: ERROR_409},
    )
    def put(self, request: Request, flowId: str) -> Response:
        enroll_existing = query(serializers.EnrollExistingQuerySerializer, request)[
            "enrollExisting"
        ]
        flow = flow_update(
            flow_id=flowId,
            payload=request.data,
            actor=actor(request),
            enroll_existing=enroll_existing,
        )
        return Response(flow_to_json(flow))

    @extend_schema(
        tags=TAG,
        operation_id="flows_delete",
        summary="Delete a flow and its enrollments",
        parameters=[FLOW_ID],
        request=None,
        responses={204: None, 401: READ_ERRORS[401], 403: WRITE_ERRORS[403], 404: READ_ERRORS[404]},
    )
    def delete(self, request: Request, flowId: str) -> Response:
        flow_delete(flow_id=flowId, actor=actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class FlowBatchReadView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="flows_batch_read",
        summary="Read up to 100 flows by id",
        request=serializers.FlowBatchInputSerializer,
        responses={
            200: serializers.FlowBatchResponseSerializer,
            207: OpenApiResponse(
                serializers.FlowBatchResponseWithErrorsSerializer,
                description="Some ids matched no flow",
            ),
            400: WRITE_ERRORS[400],
            401: READ_ERRORS[401],
        },
    )
    def post(self, request: Request) -> Response:
        data = body(serializers.FlowBatchInputSerializer, request)
        started = timezone.now()
        ids = list(dict.fromkeys(item["flowId"] for item in data["inputs"]))
        pks = {raw: pk for raw in ids if (pk := parse_id(raw)) is not None}
        found = {
            f.pk: f
            for f in Workflow.objects.select_related("object_type").filter(pk__in=pks.values())
        }
        results = [flow_to_json(found[pks[raw]]) for raw in ids if raw in pks and pks[raw] in found]
        missing = [raw for raw in ids if raw not in pks or pks[raw] not in found]
        payload = batch_json(results, started, timezone.now())
        if not missing:
            return Response(payload)
        payload["numErrors"] = 1
        payload["errors"] = [
            {
                "status": "error",
                "category": "OBJECT_NOT_FOUND",
                "message": f"No flow with id {', '.join(missing)}.",
                "context": {"flowIds": missing},
                "errors": [],
                "links": {},
            }
        ]
        return Response(payload, status=status.HTTP_207_MULTI_STATUS)
