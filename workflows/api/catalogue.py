"""``GET /automation/v4/triggers/catalogue``: the filter families, operators and event types,
as the trigger builder reads them (ours: HubSpot publishes no such endpoint)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from workflows.criteria.catalogue import catalogue


class TriggerCatalogueView(APIView):
    @extend_schema(
        tags=["Automation flows"],
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
        },
    )
    def get(self, request: Request) -> Response:
        from crm.event_types import all_event_types

        return Response({**catalogue(), "eventTypes": [t.to_json() for t in all_event_types()]})
