"""``POST /crm/v3/objects/{objectType}/search``: HubSpot's CRM search, answered by the criteria engine.

The view checks the body's shape, hands it to ``workflows.search`` (translation into
criteria, limits, sorting, paging) and shapes records as the objects API does, so HubSpot's
official client reads the answer. Routed in ``config/urls.py`` before the CRM include, whose
``{objectType}/{objectId}`` route would otherwise take "search" for a record id.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.api import reads, shapes
from crm.api.objects import OBJECT_TYPE
from crm.api.paging import parse_after
from crm.api.params import body, object_type
from crm.api.serializers import ErrorSerializer, SimplePublicObjectSerializer
from workflows.search import DEFAULT_LIMIT, MAX_LIMIT, OPERATORS, build_search, run_search


class SearchFilterSerializer(serializers.Serializer):
    propertyName = serializers.CharField(
        help_text='A property name, or "hs_object_id" for the record id.'
    )
    operator = serializers.ChoiceField(choices=OPERATORS)
    value = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        trim_whitespace=False,
        help_text="EQ, NEQ, LT, LTE, GT, GTE, CONTAINS_TOKEN (* wildcards at either "
        "end), NOT_CONTAINS_TOKEN; the low end of BETWEEN. Dates: "
        "milliseconds, YYYY-MM-DD or ISO-8601.",
    )
    highValue = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        trim_whitespace=False,
        help_text="The high end of BETWEEN (inclusive).",
    )
    values = serializers.ListField(
        child=serializers.CharField(trim_whitespace=False, allow_blank=True),
        required=False,
        allow_null=True,
        help_text="IN and NOT_IN.",
    )


class FilterGroupSerializer(serializers.Serializer):
    filters = SearchFilterSerializer(
        many=True,
        allow_empty=False,
        help_text="All must hold (AND); at most 10 per group, 25 in all.",
    )


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "description": 'A property name; "-name" sorts descending.'},
            {
                "type": "object",
                "required": ["propertyName"],
                "properties": {
                    "propertyName": {"type": "string"},
                    "direction": {"type": "string", "enum": ["ASCENDING", "DESCENDING"]},
                },
            },
        ],
    }
)
class SortField(serializers.JSONField):
    """``"createdate"``, ``"-createdate"`` or ``{"propertyName", "direction"}``: checked by ``build_search``."""


class SearchRequestSerializer(serializers.Serializer):
    """HubSpot's ``PublicObjectSearchRequest``."""

    filterGroups = FilterGroupSerializer(
        many=True, required=False, allow_null=True, help_text="Any group may hold (OR); at most 5."
    )
    sorts = serializers.ListField(child=SortField(), required=False, allow_null=True)
    query = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Words, each found in one of the type's searchable properties.",
    )
    properties = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        allow_null=True,
        help_text="Properties to return (default: the type's key properties).",
    )
    limit = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_LIMIT,
        help_text=f"Results per page, default {DEFAULT_LIMIT}.",
    )
    after = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="paging.next.after of the previous page.",
    )


class SearchNextPageSerializer(serializers.Serializer):
    after = serializers.CharField()


class SearchPagingSerializer(serializers.Serializer):
    next = SearchNextPageSerializer()


class SearchResponseSerializer(serializers.Serializer):
    """HubSpot's ``CollectionResponseWithTotalSimplePublicObjectForwardPaging``."""

    total = serializers.IntegerField()
    results = SimplePublicObjectSerializer(many=True)
    paging = SearchPagingSerializer(required=False)


class ObjectSearchView(APIView):
    @extend_schema(
        tags=["CRM objects"],
        operation_id="objects_search",
        summary="Search records with filter groups, sorts, free text and paging",
        parameters=[OBJECT_TYPE],
        request=SearchRequestSerializer,
        responses={
            200: SearchResponseSerializer,
            400: OpenApiResponse(
                ErrorSerializer, description="Bad input: every problem, each with its field"
            ),
            401: OpenApiResponse(ErrorSerializer, description="No or invalid credentials"),
            404: OpenApiResponse(ErrorSerializer, description="Unknown object type"),
        },
    )
    def post(self, request: Request, objectType: str) -> Response:
        otype = object_type(objectType)
        data = body(SearchRequestSerializer, request)
        search = build_search(
            otype,
            filter_groups=data.get("filterGroups"),
            sorts=data.get("sorts"),
            query=data.get("query"),
            properties=data.get("properties") or None,
            limit=data.get("limit") or DEFAULT_LIMIT,
            after=parse_after(data.get("after")),
        )
        page = run_search(search)
        names = reads.selected_properties(otype, search.properties)
        payload: dict[str, Any] = {
            "total": page.total,
            "results": [shapes.record_json(r, names=names) for r in page.records],
        }
        if page.next_after is not None:
            payload["paging"] = {"next": {"after": str(page.next_after)}}
        return Response(payload)
