"""``/automation/v4/flows/{flowId}/...``: enrollments, manual enroll and unenroll, turning a
flow on and off, enroll-existing progress, diagnose and test - in HubSpot's v4 style.

Views stay thin: request shapes are checked by ``serializers``; every decision is made by
the enrollment services (``manual``, ``unenroll``, ``backfill``, ``diagnose``) and the
workflow services, which also enforce gating.
"""

from __future__ import annotations

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.api.paging import paging, parse_after
from crm.api.params import actor, body, query
from crm.errors import CrmValidationError, ErrorDetail, ObjectNotFound
from crm.ids import parse_id
from crm.models import Record
from enrollment.backfill import latest_run, progress
from enrollment.diagnose import diagnose, enrollment_json, test_event, test_record
from enrollment.manual import enroll_records
from enrollment.models import Enrollment
from enrollment.unenroll import unenroll_records
from workflows.api.common import ERROR_400, ERROR_401, ERROR_403, ERROR_404, FLOW_ID, page_of
from workflows.api.serializers import (
    ApiFlowEnabledSerializer,
    ApiFlowSerializer,
    FlowPageQuerySerializer,
)
from workflows.flow_payload import flow_to_json
from workflows.models import Workflow
from workflows.services import flow_set_enabled, get_flow

from . import serializers
from .filters import EnrollmentFilter

TAG = ["Automation enrollments"]
OBJECT_ID = OpenApiParameter("objectId", str, OpenApiParameter.PATH, description="The record's id.")
ENROLLMENT_ID = OpenApiParameter(
    "enrollmentId", str, OpenApiParameter.PATH, description="The enrollment's id."
)
READ = {401: ERROR_401, 404: ERROR_404}
WRITE = {400: ERROR_400, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404}


def record_of(flow: Workflow, object_id: str, *, in_body: bool = False) -> Record:
    """A record the flow could enroll (archived ones too: their history still explains them).
    Named in a path it is a 404 when missing; named in a body, bad input (400)."""
    pk = parse_id(object_id)
    record = None
    if pk is not None:
        record = (
            Record.objects.select_related("object_type")
            .filter(pk=pk, object_type=flow.object_type)
            .first()
        )
    if record is not None:
        return record
    message = f"No {flow.object_type.label_singular.lower()} with id {object_id}."
    if in_body:
        raise CrmValidationError.of(
            [ErrorDetail(f"objectId: {message}", name="objectId", code="OBJECT_NOT_FOUND")]
        )
    raise ObjectNotFound.named(message, "objectId")


class EnrollmentCollectionView(GenericAPIView):
    queryset = Enrollment.objects.all()
    filterset_class = EnrollmentFilter
    filter_backends = [DjangoFilterBackend]

    @extend_schema(
        tags=TAG,
        operation_id="flow_enrollments_list",
        summary="List a flow's enrollments, one page at a time",
        parameters=[FLOW_ID, FlowPageQuerySerializer],
        filters=True,
        responses={200: serializers.EnrollmentPageSerializer, 400: ERROR_400, **READ},
    )
    def get(self, request: Request, flowId: str) -> Response:
        flow = get_flow(flowId)
        params = query(FlowPageQuerySerializer, request)
        qs = self.filter_queryset(
            Enrollment.objects.filter(workflow=flow).select_related("record__object_type")
        )
        rows, next_after = page_of(
            qs, after=parse_after(params.get("after")), limit=params["limit"]
        )
        return Response(
            {"results": [enrollment_json(e) for e in rows], **paging(request, next_after)}
        )

    @extend_schema(
        tags=TAG,
        operation_id="flow_enrollments_create",
        summary="Enroll records manually (one or up to 1000)",
        description="Bypasses the triggers, but each record is refused - with the reason - when it is "
        "enrolled now, was enrolled before and re-enrollment is off, is suppressed, or the "
        "flow is off. Needs the workflows.enroll_records permission.",
        parameters=[FLOW_ID],
        request=serializers.ManualEnrollSerializer,
        responses={200: serializers.OutcomesSerializer, **WRITE},
    )
    def post(self, request: Request, flowId: str) -> Response:
        data = body(serializers.ManualEnrollSerializer, request)
        outcomes = enroll_records(
            flow_id=flowId, record_ids=data["ids"], source=data["source"], actor=actor(request)
        )
        return Response({"results": [o.as_dict() for o in outcomes]})


class EnrollmentDetailView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="flow_enrollments_get",
        summary="Read one enrollment",
        parameters=[FLOW_ID, ENROLLMENT_ID],
        responses={200: serializers.EnrollmentSerializer, **READ},
    )
    def get(self, request: Request, flowId: str, enrollmentId: str) -> Response:
        flow = get_flow(flowId)
        pk = parse_id(enrollmentId)
        enrollment = None
        if pk is not None:
            enrollment = (
                Enrollment.objects.select_related("record__object_type")
                .filter(workflow=flow, pk=pk)
                .first()
            )
        if enrollment is None:
            message = f"No enrollment with id {enrollmentId} in flow {flow.pk}."
            raise ObjectNotFound.named(message, "enrollmentId")
        return Response(enrollment_json(enrollment))


class UnenrollView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="flow_unenroll",
        summary="Unenroll records (end their active enrollments)",
        description="Records not enrolled right now are reported as NOT_ENROLLED. Needs the "
        "workflows.enroll_records permission.",
        parameters=[FLOW_ID],
        request=serializers.ObjectIdsSerializer,
        responses={200: serializers.UnenrollOutcomesSerializer, **WRITE},
    )
    def post(self, request: Request, flowId: str) -> Response:
        data = body(serializers.ObjectIdsSerializer, request)
        outcomes = unenroll_records(flow_id=flowId, record_ids=data["ids"], actor=actor(request))
        return Response({"results": [o.as_dict() for o in outcomes]})


def _toggle(request: Request, flow_id: str, *, enabled: bool) -> Response:
    data = body(serializers.EnableSerializer, request) if enabled else {"enrollExisting": False}
    flow = get_flow(flow_id)
    before = latest_run(flow.pk)
    flow = flow_set_enabled(
        flow_id=flow.pk,
        enabled=enabled,
        actor=actor(request),
        enroll_existing=data["enrollExisting"],
    )
    out: dict[str, Any] = flow_to_json(flow)
    run = latest_run(flow.pk)
    if run is not None and (before is None or run.pk != before.pk):
        run.refresh_from_db()
        out["backfill"] = progress(run)
    return Response(out)


class EnableView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="flow_enable",
        summary="Turn a flow on",
        description='HubSpot asks "enroll the records that already meet the triggers?" when a workflow '
        "is turned on: enrollExisting answers it (default false). When it starts, the answer "
        "carries the backfill's progress; follow it at /backfill.",
        parameters=[FLOW_ID],
        request=serializers.EnableSerializer,
        responses={200: ApiFlowEnabledSerializer, **WRITE},
    )
    def post(self, request: Request, flowId: str) -> Response:
        return _toggle(request, flowId, enabled=True)


class DisableView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="flow_disable",
        summary="Turn a flow off",
        parameters=[FLOW_ID],
        request=None,
        responses={200: ApiFlowSerializer, **WRITE},
    )
    def post(self, request: Request, flowId: str) -> Response:
        return _toggle(request, flowId, enabled=False)


class BackfillView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="flow_backfill_progress",
        summary="Progress of the latest enroll-existing run",
        parameters=[FLOW_ID],
        responses={200: serializers.BackfillProgressSerializer, **READ},
    )
    def get(self, request: Request, flowId: str) -> Response:
        flow = get_flow(flowId)
        run = latest_run(flow.pk)
        if run is None:
            message = f"Flow {flow.pk} has never enrolled existing records."
            raise ObjectNotFound.named(message, "flowId")
        return Response(progress(run))


class DiagnoseView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="flow_diagnose",
        summary="Why is - or isn't - this record enrolled?",
        description="The stored enrollments and decisions of the record in this flow, plus a fresh "
        "evaluation of the triggers now, filter by filter, in sentences.",
        parameters=[FLOW_ID, OBJECT_ID],
        responses={200: serializers.DiagnosisSerializer, **READ},
    )
    def get(self, request: Request, flowId: str, objectId: str) -> Response:
        flow = get_flow(flowId)
        return Response(diagnose(flow, record_of(flow, objectId)))


class TestView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="flow_test",
        summary="Test a record against the triggers (nothing is enrolled)",
        parameters=[FLOW_ID],
        request=serializers.TestSerializer,
        responses={200: serializers.TestResultSerializer, 400: ERROR_400, **READ},
    )
    def post(self, request: Request, flowId: str) -> Response:
        flow = get_flow(flowId)
        data = body(serializers.TestSerializer, request)
        if "eventId" in data:
            return Response(test_event(flow, event_of(data["eventId"])))
        return Response(test_record(flow, record_of(flow, data["objectId"], in_body=True)))


def event_of(event_id: Any) -> Any:
    from crm.models import Event

    pk = parse_id(event_id)
    event = (
        Event.objects.select_related("object_type", "record").filter(pk=pk).first()
        if pk is not None
        else None
    )
    if event is None:
        raise ObjectNotFound.named(f"No event with id {event_id}.", "eventId")
    return event
