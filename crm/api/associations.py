"""``/crm/v4/...associations``: HubSpot's v4 associations API - associate two records with
labels, list a record's associations with their labels, and manage the labels themselves."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.errors import ObjectNotFound
from crm.services import (
    association_create,
    association_label_create,
    association_label_delete,
    association_label_update,
    association_remove,
)
from crm.services.associations import association_types

from . import reads, serializers, shapes
from .objects import ERRORS
from .paging import paging, parse_after
from .params import actor, body, object_type, query

TAG = ["CRM associations v4"]
FROM_TYPE = OpenApiParameter(
    "fromObjectType",
    str,
    OpenApiParameter.PATH,
    description="Object type name or id, e.g. contacts or 0-1",
)
FROM_ID = OpenApiParameter("fromObjectId", str, OpenApiParameter.PATH)
TO_TYPE = OpenApiParameter(
    "toObjectType",
    str,
    OpenApiParameter.PATH,
    description="Object type name or id, e.g. companies or 0-2",
)
TO_ID = OpenApiParameter("toObjectId", str, OpenApiParameter.PATH)
TYPE_ID = OpenApiParameter("associationTypeId", int, OpenApiParameter.PATH)


class AssociationPairView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="associations_create",
        summary="Associate two records with the given labels (the unlabeled default comes too)",
        parameters=[FROM_TYPE, FROM_ID, TO_TYPE, TO_ID],
        request=serializers.AssociationSpecSerializer(many=True),
        responses={201: serializers.LabelsBetweenObjectPairSerializer, **ERRORS},
    )
    def put(
        self,
        request: Request,
        fromObjectType: str,
        fromObjectId: str,
        toObjectType: str,
        toObjectId: str,
    ) -> Response:
        from_record = reads.find_record(object_type(fromObjectType), fromObjectId)
        to_record = reads.find_record(object_type(toObjectType), toObjectId)
        specs = body(serializers.AssociationSpecSerializer, request, many=True, allow_empty=False)
        association_create(
            from_record=from_record,
            to_record=to_record,
            types=[(s["associationCategory"], s["associationTypeId"]) for s in specs],
            actor=actor(request),
        )
        labels = reads.labels_between(from_record, to_record)
        return Response(
            shapes.labels_between_json(from_record, to_record, labels),
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        tags=TAG,
        operation_id="associations_archive",
        summary="Remove every association between two records",
        parameters=[FROM_TYPE, FROM_ID, TO_TYPE, TO_ID],
        request=None,
        responses={204: None, 401: ERRORS[401], 404: ERRORS[404]},
    )
    def delete(
        self,
        request: Request,
        fromObjectType: str,
        fromObjectId: str,
        toObjectType: str,
        toObjectId: str,
    ) -> Response:
        from_record = reads.find_record(object_type(fromObjectType), fromObjectId)
        to_record = reads.find_record(object_type(toObjectType), toObjectId)
        association_remove(from_record=from_record, to_record=to_record, actor=actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class AssociationListView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="associations_get_page",
        summary="A record's associated records of one type, each with all its labels",
        parameters=[FROM_TYPE, FROM_ID, TO_TYPE, serializers.AssociationPageQuerySerializer],
        responses={200: serializers.AssociationPageSerializer, **ERRORS},
    )
    def get(
        self, request: Request, fromObjectType: str, fromObjectId: str, toObjectType: str
    ) -> Response:
        record = reads.find_record(object_type(fromObjectType), fromObjectId)
        to_type = object_type(toObjectType)
        params = query(serializers.AssociationPageQuerySerializer, request)
        rows, next_after = reads.associations_page(
            record, to_type, after=parse_after(params.get("after")), limit=params["limit"]
        )
        results = [
            {
                "toObjectId": to_id,
                "associationTypes": [shapes.association_spec_json(t) for t in types],
            }
            for to_id, types in rows
        ]
        return Response({"results": results, **paging(request, next_after)})


class AssociationLabelsView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="association_labels_list",
        summary="Association types (labels) from one object type to another",
        parameters=[FROM_TYPE, TO_TYPE],
        responses={200: serializers.AssociationSpecWithLabelCollectionSerializer, **ERRORS},
    )
    def get(self, request: Request, fromObjectType: str, toObjectType: str) -> Response:
        found = association_types(object_type(fromObjectType), object_type(toObjectType))
        return Response({"results": [shapes.association_spec_json(t) for t in found]})

    @extend_schema(
        tags=TAG,
        operation_id="association_labels_create",
        summary="Create a USER_DEFINED label (and its inverse)",
        parameters=[FROM_TYPE, TO_TYPE],
        request=serializers.LabelCreateSerializer,
        responses={200: serializers.AssociationSpecWithLabelCollectionSerializer, **ERRORS},
    )
    def post(self, request: Request, fromObjectType: str, toObjectType: str) -> Response:
        from_type, to_type = object_type(fromObjectType), object_type(toObjectType)
        data = body(serializers.LabelCreateSerializer, request)
        forward, backward = association_label_create(
            from_object_type=from_type,
            to_object_type=to_type,
            label=data["label"],
            inverse_label=data.get("inverseLabel") or None,
            name=data.get("name") or "",
        )
        return Response(
            {
                "results": [
                    shapes.association_spec_json(forward),
                    shapes.association_spec_json(backward),
                ]
            }
        )

    @extend_schema(
        tags=TAG,
        operation_id="association_labels_update",
        summary="Rename a USER_DEFINED label",
        parameters=[FROM_TYPE, TO_TYPE],
        request=serializers.LabelUpdateSerializer,
        responses={204: None, **ERRORS},
    )
    def put(self, request: Request, fromObjectType: str, toObjectType: str) -> Response:
        from_type, to_type = object_type(fromObjectType), object_type(toObjectType)
        data = body(serializers.LabelUpdateSerializer, request)
        association_label_update(
            from_object_type=from_type,
            to_object_type=to_type,
            type_id=data["associationTypeId"],
            label=data["label"],
            inverse_label=data.get("inverseLabel") or None,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class AssociationLabelDetailView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="association_labels_archive",
        summary="Delete a USER_DEFINED label; associations lose it",
        parameters=[FROM_TYPE, TO_TYPE, TYPE_ID],
        request=None,
        responses={204: None, **ERRORS},
    )
    def delete(
        self, request: Request, fromObjectType: str, toObjectType: str, associationTypeId: int
    ) -> Response:
        if associationTypeId > serializers.MAX_TYPE_ID:  # cannot exist; never reach the database
            raise ObjectNotFound.named(
                f"No association type {associationTypeId}.", "associationTypeId"
            )
        association_label_delete(
            from_object_type=object_type(fromObjectType),
            to_object_type=object_type(toObjectType),
            type_id=associationTypeId,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
