"""``GET /automation/v4/triggers/catalogue``: the filter families, operators and event types,
as the trigger builder reads them (ours: HubSpot publishes no such endpoint)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.api.answers import error_answers
from workflows.criteria.catalogue import catalogue


class TriggerCatalogueView(APIView):
    @extend_schema(
        tags=["Automation flows"],
        parameters=[
            OpenApiParameter(
                "objectTypeId",
                str,
                description="A workflow object type (0-1, contacts...): adds `triggers`, the "
                "trigger families offered for it, each with whether this account and this "
                "user may use it and, if not, why",
            )
        ],
        operation_id="triggers_catalogue",
        summary="The filter families (with each filter's JSON schema), branch types, operators "
        "and event types",
        responses={
            200: OpenApiResponse(
                {
                    "type": "object",
                    "properties": {
                        "filterFamilies": {"type": "array", "items": {"type": "object"}},
                        "branchTypes": {
                            "type": "array",
                            "items": {"type": "object"},
                            "description": "Branch types (filterBranchType) and where each "
                            "may appear.",
                        },
                        "operators": {"type": "array", "items": {"type": "object"}},
                        "triggers": {
                            "type": "array",
                            "items": {"type": "object"},
                            "description": "With objectTypeId: the trigger families (key, "
                            "label, eventTypes, filterTypes, operators, refinements, "
                            "reEnrollment, requires, available, unavailableReason).",
                        },
                        "eventTypes": {
                            "type": "array",
                            "items": {"type": "object"},
                            "description": "Event types a trigger or event filter can name "
                            "(eventTypeId, label, family, objectTypes, declared properties); "
                            "custom event definitions included.",
                        },
                    },
                    "required": ["filterFamilies", "branchTypes", "operators", "eventTypes"],
                },
                description="Every registered filter family and every operator",
            ),
            **error_answers({})(),
        },
    )
    def get(self, request: Request) -> Response:
        from crm.actors import Actor
        from crm.errors import CrmValidationError, ErrorDetail, ObjectNotFound
        from crm.event_types import all_event_types
        from crm.models import AccountSettings
        from crm.services import resolve_object_type
        from workflows.trigger_catalogue import catalogue_for

        answer = {**catalogue(), "eventTypes": [t.to_json() for t in all_event_types()]}
        raw = request.query_params.get("objectTypeId")
        if raw:
            try:
                otype = resolve_object_type(raw)
            except ObjectNotFound:
                raise CrmValidationError.of(
                    [ErrorDetail(f'no object type "{raw}"', name="objectTypeId")]
                ) from None
            answer["eventTypes"] = [t.to_json() for t in all_event_types(otype.name)]
            answer["triggers"] = catalogue_for(
                otype, AccountSettings.load(), Actor.of_user(request.user)
            )
        return Response(answer)
