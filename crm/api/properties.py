"""``/crm/v3/properties/{objectType}``: HubSpot's properties API - the definitions every
record write is validated against."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.models import PropertyDefinition
from crm.services import property_archive, property_create, property_update
from crm.services.properties import get_property

from . import serializers, shapes
from .objects import ERRORS, OBJECT_TYPE
from .params import body, object_type, query

TAG = ["CRM properties"]
PROPERTY_NAME = OpenApiParameter(
    "propertyName",
    str,
    OpenApiParameter.PATH,
    description="The property's internal name, e.g. email",
)
WRITE_ERRORS = {
    **ERRORS,
    409: OpenApiResponse(
        serializers.ErrorSerializer, description="A property with this name exists"
    ),
}


def _write_data(request: Request, *, partial: bool) -> dict[str, Any]:
    """Shape-checked fields, plus any unknown keys so the service can name them."""
    checked = body(serializers.PropertyWriteSerializer, request, partial=partial)
    raw = request.data if isinstance(request.data, dict) else {}
    unknown = {
        k: v for k, v in raw.items() if k not in serializers.PropertyWriteSerializer().fields
    }
    return {**unknown, **checked}


class PropertyCollectionView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="properties_list",
        summary="List an object type's properties",
        parameters=[OBJECT_TYPE, serializers.ArchivedQuerySerializer],
        responses={200: serializers.PropertyCollectionSerializer, **ERRORS},
    )
    def get(self, request: Request, objectType: str) -> Response:
        otype = object_type(objectType)
        archived = query(serializers.ArchivedQuerySerializer, request)["archived"]
        props = PropertyDefinition.objects.filter(
            object_type=otype, archived=archived
        ).select_related("object_type")
        return Response({"results": [shapes.property_json(p) for p in props]})

    @extend_schema(
        tags=TAG,
        operation_id="properties_create",
        summary="Create a property",
        parameters=[OBJECT_TYPE],
        request=serializers.PropertyWriteSerializer,
        responses={201: serializers.PropertySerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, objectType: str) -> Response:
        otype = object_type(objectType)
        prop = property_create(
            object_type=otype, data=_write_data(request, partial=False), created_by=request.user
        )
        return Response(shapes.property_json(prop), status=status.HTTP_201_CREATED)


class PropertyDetailView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="properties_get",
        summary="Read a property",
        parameters=[OBJECT_TYPE, PROPERTY_NAME, serializers.ArchivedQuerySerializer],
        responses={200: serializers.PropertySerializer, **ERRORS},
    )
    def get(self, request: Request, objectType: str, propertyName: str) -> Response:
        otype = object_type(objectType)
        archived = query(serializers.ArchivedQuerySerializer, request)["archived"]
        return Response(shapes.property_json(get_property(otype, propertyName, archived=archived)))

    @extend_schema(
        tags=TAG,
        operation_id="properties_update",
        summary="Update a property's label, options, group...",
        parameters=[OBJECT_TYPE, PROPERTY_NAME],
        request=serializers.PropertyWriteSerializer,
        responses={200: serializers.PropertySerializer, **ERRORS},
    )
    def patch(self, request: Request, objectType: str, propertyName: str) -> Response:
        otype = object_type(objectType)
        prop = property_update(
            object_type=otype, name=propertyName, data=_write_data(request, partial=True)
        )
        return Response(shapes.property_json(prop))

    @extend_schema(
        tags=TAG,
        operation_id="properties_archive",
        summary="Archive a property (values are kept)",
        parameters=[OBJECT_TYPE, PROPERTY_NAME],
        request=None,
        responses={204: None, **ERRORS},
    )
    def delete(self, request: Request, objectType: str, propertyName: str) -> Response:
        otype = object_type(objectType)
        property_archive(object_type=otype, name=propertyName)
        return Response(status=status.HTTP_204_NO_CONTENT)
