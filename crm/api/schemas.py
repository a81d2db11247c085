"""``/crm/v3/schemas``: HubSpot's custom object schemas API - define new object types at run
time (they get ``2-N`` ids) and read their definitions.

Also served at ``/crm-object-schemas/v3/schemas``, the path HubSpot's Python client calls.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.models import AssociationType, ObjectType
from crm.services import schema_create, schema_update

from . import serializers, shapes
from .objects import ERRORS
from .params import body, object_type, query

TAG = ["CRM schemas"]
OBJECT_TYPE = OpenApiParameter(
    "objectType",
    str,
    OpenApiParameter.PATH,
    description="The schema's object type id (2-N) or name",
)


def _schema_json(otype: ObjectType) -> dict:
    defaults = (
        AssociationType.objects.filter(from_object_type=otype, label__isnull=True)
        .select_related("from_object_type", "to_object_type")
        .order_by("type_id")
    )
    return shapes.schema_json(otype, list(defaults))


class SchemaCollectionView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="schemas_list",
        summary="List custom object schemas",
        parameters=[serializers.ArchivedQuerySerializer],
        responses={
            200: serializers.ObjectSchemaCollectionSerializer,
            401: ERRORS[401],
            400: ERRORS[400],
        },
    )
    def get(self, request: Request) -> Response:
        archived = query(serializers.ArchivedQuerySerializer, request)["archived"]
        custom = ObjectType.objects.filter(is_custom=True, archived=archived).order_by("pk")
        return Response({"results": [_schema_json(o) for o in custom]})

    @extend_schema(
        tags=TAG,
        operation_id="schemas_create",
        summary="Create a custom object type",
        request=serializers.ObjectSchemaEggSerializer,
        responses={
            201: serializers.ObjectSchemaSerializer,
            400: ERRORS[400],
            401: ERRORS[401],
            409: OpenApiResponse(
                serializers.ErrorSerializer, description="An object type with this name exists"
            ),
        },
    )
    def post(self, request: Request) -> Response:
        body(
            serializers.ObjectSchemaEggSerializer, request
        )  # shape first; the service checks meaning
        otype = schema_create(data=request.data, created_by=request.user)
        return Response(_schema_json(otype), status=status.HTTP_201_CREATED)


class SchemaDetailView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="schemas_get",
        summary="Read an object type's schema",
        parameters=[OBJECT_TYPE],
        responses={200: serializers.ObjectSchemaSerializer, **ERRORS},
    )
    def get(self, request: Request, objectType: str) -> Response:
        return Response(_schema_json(object_type(objectType)))

    @extend_schema(
        tags=TAG,
        operation_id="schemas_update",
        summary="Update an object type's labels and display settings",
        description="Custom objects: labels, description and display properties. Standard "
        "objects: only keyProperties (the admin's list columns).",
        parameters=[OBJECT_TYPE],
        request=serializers.ObjectTypeDefinitionPatchSerializer,
        responses={200: serializers.ObjectSchemaSerializer, **ERRORS},
    )
    def patch(self, request: Request, objectType: str) -> Response:
        otype = object_type(objectType)
        body(serializers.ObjectTypeDefinitionPatchSerializer, request)  # shape first
        # the raw body, not validated_data: the service names any key it cannot change
        return Response(_schema_json(schema_update(object_type=otype, data=dict(request.data))))


# The official client's path; kept out of the OpenAPI document so each operation is listed once.
@extend_schema(exclude=True)
class ClientSchemaCollectionView(SchemaCollectionView):
    pass


@extend_schema(exclude=True)
class ClientSchemaDetailView(SchemaDetailView):
    pass
