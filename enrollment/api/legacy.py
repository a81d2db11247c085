"""HubSpot's legacy ``/automation/v2/workflows/{workflowId}/enrollments/contacts/{email}``.

HubSpot never shipped a v4 enroll call; integrations still use this one (contacts only,
the contact found by its unique email). POST enrolls, DELETE unenrolls, 204 on success;
a refusal answers in the error envelope with the same sentence the history records.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.api.errors import envelope
from crm.api.params import actor
from crm.api.reads import find_record
from crm.errors import CrmValidationError, ErrorDetail
from crm.models import Record
from enrollment.manual import enroll_records
from enrollment.unenroll import unenroll_records
from workflows.api.common import ERROR_400, ERROR_401, ERROR_403, ERROR_404, ERROR_409
from workflows.models import Workflow
from workflows.services import get_flow

TAG = ["Automation enrollments (legacy v2)"]
WORKFLOW_ID = OpenApiParameter(
    "workflowId", str, OpenApiParameter.PATH, description="The workflow (flow) id."
)
EMAIL = OpenApiParameter(
    "email", str, OpenApiParameter.PATH, description="The contact's email address."
)
ERRORS = {400: ERROR_400, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404, 409: ERROR_409}

#: refusals where the record's state conflicts with enrolling it
_CONFLICTS = {"ALREADY_ENROLLED", "REENROLLMENT_OFF", "SUPPRESSED", "WORKFLOW_OFF"}


def _contact_flow_and_record(workflow_id: str, email: str) -> tuple[Workflow, Record]:
    flow = get_flow(workflow_id)
    if flow.object_type.name != "contacts":
        message = (
            f"Workflow {flow.pk} enrolls {flow.object_type.name}: this v2 endpoint enrolls contacts only; "
            f"use POST /automation/v4/flows/{flow.pk}/enrollments."
        )
        raise CrmValidationError.of(
            [ErrorDetail(message, name="workflowId", code="WRONG_OBJECT_TYPE")]
        )
    return flow, find_record(flow.object_type, email, id_property="email")


class LegacyContactEnrollmentView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="v2_workflow_enroll_contact",
        summary="Enroll a contact by email (legacy v2)",
        parameters=[WORKFLOW_ID, EMAIL],
        request=None,
        responses={204: None, **ERRORS},
    )
    def post(self, request: Request, workflowId: str, email: str) -> Response:
        flow, record = _contact_flow_and_record(workflowId, email)
        [outcome] = enroll_records(flow_id=flow.pk, record_ids=[record.pk], actor=actor(request))
        if outcome.outcome == "ENROLLED":
            return Response(status=status.HTTP_204_NO_CONTENT)
        code = (
            status.HTTP_409_CONFLICT if outcome.code in _CONFLICTS else status.HTTP_400_BAD_REQUEST
        )
        return Response(envelope(code, outcome.reason, context={"email": [email]}), status=code)

    @extend_schema(
        tags=TAG,
        operation_id="v2_workflow_unenroll_contact",
        summary="Unenroll a contact by email (legacy v2)",
        parameters=[WORKFLOW_ID, EMAIL],
        request=None,
        responses={204: None, **ERRORS},
    )
    def delete(self, request: Request, workflowId: str, email: str) -> Response:
        flow, record = _contact_flow_and_record(workflowId, email)
        [outcome] = unenroll_records(flow_id=flow.pk, record_ids=[record.pk], actor=actor(request))
        if outcome.outcome == "UNENROLLED":
            return Response(status=status.HTTP_204_NO_CONTENT)
        message = f"Contact {email} is not currently enrolled in workflow {flow.pk}."
        return Response(
            envelope(404, message, context={"email": [email]}), status=status.HTTP_404_NOT_FOUND
        )
