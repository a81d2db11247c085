"""``/crm/v3/objects/{objectType}``: HubSpot's CRM objects API - list, create, get, update,
archive, and the batch endpoints - for every object type, standard or custom.

Views stay thin: shapes are checked by ``serializers``, lookups live in ``reads``, JSON is
built by ``shapes``, and every write goes through ``crm.services``.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.errors import CrmValidationError, ErrorDetail
from crm.models import ObjectType, Record
from crm.services import record_archive, records_archive, records_update
from crm.services.compound import create_records

from . import reads, serializers, shapes
from .paging import paging, parse_after
from .params import actor, body, object_type, object_type_in_body, query

TAG = ["CRM objects"]
OBJECT_TYPE = OpenApiParameter(
    "objectType",
    str,
    OpenApiParameter.PATH,
    description="Object type name or id: contacts or 0-1, companies or 0-2, a custom 2-N...",
)
OBJECT_ID = OpenApiParameter(
    "objectId",
    str,
    OpenApiParameter.PATH,
    description="The record id, or a value of the unique property named by idProperty.",
)
ERRORS = {
    400: OpenApiResponse(serializers.ErrorSerializer, description="Bad input"),
    401: OpenApiResponse(serializers.ErrorSerializer, description="No or invalid credentials"),
    404: OpenApiResponse(serializers.ErrorSerializer, description="Unknown object type or id"),
}
WRITE_ERRORS = {
    **ERRORS,
    409: OpenApiResponse(serializers.ErrorSerializer, description="A unique value is taken"),
}


def _read_options(otype: ObjectType, params: dict[str, Any]) -> dict[str, Any]:
    """What to include with each record: properties, history and associated types."""
    return {
        "names": reads.selected_properties(otype, params.get("properties")),
        "history": reads.history_properties(otype, params.get("propertiesWithHistory")),
        "to_types": [
            object_type_in_body(ref, "associations") for ref in params.get("associations") or []
        ],
    }


def _records_json(
    records: list[Record],
    *,
    names: list[str] | None,
    history: list[str],
    to_types: list[ObjectType],
) -> list[dict[str, Any]]:
    histories = reads.history_of(records, history) if history else {}
    links = reads.associations_by_type(records, to_types) if to_types else {}
    return [
        shapes.record_json(
            r,
            names=names,
            history=histories.get(r.pk) if history else None,
            associations=links.get(r.pk) if to_types else None,
        )
        for r in records
    ]


class ObjectCollectionView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="objects_list",
        summary="List records, one page at a time",
        parameters=[OBJECT_TYPE, serializers.ListQuerySerializer],
        responses={200: serializers.ObjectPageSerializer, **ERRORS},
    )
    def get(self, request: Request, objectType: str) -> Response:
        otype = object_type(objectType)
        params = query(serializers.ListQuerySerializer, request)
        options = _read_options(otype, params)
        records, next_after = reads.page_of_records(
            otype,
            archived=params["archived"],
            after=parse_after(params.get("after")),
            limit=params["limit"],
        )
        return Response(
            {"results": _records_json(records, **options), **paging(request, next_after)}
        )

    @extend_schema(
        tags=TAG,
        operation_id="objects_create",
        summary="Create a record (optionally with associations)",
        parameters=[OBJECT_TYPE],
        request=serializers.ObjectCreateSerializer,
        responses={201: serializers.SimplePublicObjectSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, objectType: str) -> Response:
        otype = object_type(objectType)
        data = body(serializers.ObjectCreateSerializer, request)
        record = create_records(otype, [data], actor=actor(request))[0]
        return Response(shapes.record_json(record), status=status.HTTP_201_CREATED)


class ObjectDetailView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="objects_get",
        summary="Read a record by id or by a unique property",
        parameters=[OBJECT_TYPE, OBJECT_ID, serializers.GetQuerySerializer],
        responses={200: serializers.SimplePublicObjectWithAssociationsSerializer, **ERRORS},
    )
    def get(self, request: Request, objectType: str, objectId: str) -> Response:
        otype = object_type(objectType)
        params = query(serializers.GetQuerySerializer, request)
        options = _read_options(otype, params)
        record = reads.find_record(
            otype, objectId, id_property=params.get("idProperty"), archived=params["archived"]
        )
        return Response(_records_json([record], **options)[0])

    @extend_schema(
        tags=TAG,
        operation_id="objects_update",
        summary="Update a record's properties",
        parameters=[OBJECT_TYPE, OBJECT_ID, serializers.IdPropertyQuerySerializer],
        request=serializers.ObjectUpdateSerializer,
        responses={200: serializers.SimplePublicObjectSerializer, **WRITE_ERRORS},
    )
    def patch(self, request: Request, objectType: str, objectId: str) -> Response:
        otype = object_type(objectType)
        params = query(serializers.IdPropertyQuerySerializer, request)
        data = body(serializers.ObjectUpdateSerializer, request)
        record = reads.find_record(otype, objectId, id_property=params.get("idProperty"))
        updated = records_update(
            object_type=otype, updates=[(record.pk, data["properties"])], actor=actor(request)
        )[0]
        return Response(shapes.record_json(updated))

    @extend_schema(
        tags=TAG,
        operation_id="objects_archive",
        summary="Archive a record (HubSpot's delete)",
        parameters=[OBJECT_TYPE, OBJECT_ID, serializers.IdPropertyQuerySerializer],
        request=None,
        responses={204: None, 401: ERRORS[401], 404: ERRORS[404]},
    )
    def delete(self, request: Request, objectType: str, objectId: str) -> Response:
        otype = object_type(objectType)
        params = query(serializers.IdPropertyQuerySerializer, request)
        id_property = params.get("idProperty")
        if id_property:
            record_archive(
                record=reads.find_record(otype, objectId, id_property=id_property),
                actor=actor(request),
            )
        elif reads.never_existed(otype, [objectId]):
            raise reads.not_found(otype, [objectId])
        else:
            # Archiving an archived record is a no-op, as in HubSpot: DELETE is idempotent.
            records_archive(object_type=otype, ids=[objectId], actor=actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --------------------------------------------------------------------------- batch


def _no_repeats(ids: list[str], field: str = "id") -> None:
    seen: dict[str, int] = {}
    errors = []
    for i, raw in enumerate(ids):
        if raw in seen:
            errors.append(
                ErrorDetail(
                    f"inputs[{i}]: {field} {raw} is also given in inputs[{seen[raw]}]",
                    name=f"inputs[{i}].{field}",
                    code="DUPLICATE_ID",
                )
            )
        seen.setdefault(raw, i)
    if errors:
        raise CrmValidationError.of(errors)


class BatchCreateView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="objects_batch_create",
        summary="Create up to 100 records, all or nothing",
        parameters=[OBJECT_TYPE],
        request=serializers.BatchCreateSerializer,
        responses={201: serializers.BatchResponseSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, objectType: str) -> Response:
        otype = object_type(objectType)
        data = body(serializers.BatchCreateSerializer, request)
        started = timezone.now()
        records = create_records(otype, data["inputs"], actor=actor(request))
        results = [shapes.record_json(r) for r in records]
        return Response(
            shapes.batch_json(results, started, timezone.now()), status=status.HTTP_201_CREATED
        )


class BatchReadView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="objects_batch_read",
        summary="Read up to 100 records by id or unique property",
        parameters=[OBJECT_TYPE, serializers.ArchivedQuerySerializer],
        request=serializers.BatchReadSerializer,
        responses={
            200: serializers.BatchResponseSerializer,
            207: OpenApiResponse(
                serializers.BatchResponseWithErrorsSerializer,
                description="Some ids matched nothing",
            ),
            **ERRORS,
        },
    )
    def post(self, request: Request, objectType: str) -> Response:
        otype = object_type(objectType)
        archived = query(serializers.ArchivedQuerySerializer, request)["archived"]
        data = body(serializers.BatchReadSerializer, request)
        started = timezone.now()
        id_property = data.get("idProperty")
        ids = list(dict.fromkeys(str(item["id"]) for item in data["inputs"]))
        found, missing = reads.records_by_ids(
            otype, ids, id_property=id_property, archived=archived
        )
        records = list(dict.fromkeys(found[raw] for raw in ids if raw in found))
        requested = data.get("properties") or None
        results = _records_json(
            records,
            names=reads.selected_properties(otype, requested),
            history=reads.history_properties(otype, data.get("propertiesWithHistory")),
            to_types=[],
        )
        payload = shapes.batch_json(results, started, timezone.now())
        if not missing:
            return Response(payload)
        error = reads.not_found(otype, missing, id_property)
        payload["numErrors"] = 1
        payload["errors"] = [
            {
                "status": "error",
                "category": error.category,
                "message": error.message,
                "context": {"ids": missing},
                "errors": [],
                "links": {},
            }
        ]
        return Response(payload, status=status.HTTP_207_MULTI_STATUS)


class BatchUpdateView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="objects_batch_update",
        summary="Update up to 100 records, all or nothing",
        parameters=[OBJECT_TYPE],
        request=serializers.BatchUpdateSerializer,
        responses={200: serializers.BatchResponseSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, objectType: str) -> Response:
        otype = object_type(objectType)
        data = body(serializers.BatchUpdateSerializer, request)
        started = timezone.now()
        pks: list[int] = []
        missing: list[str] = []
        for item in data["inputs"]:
            found, lost = reads.records_by_ids(
                otype, [item["id"]], id_property=item.get("idProperty")
            )
            missing.extend(lost)
            pks.extend(r.pk for r in found.values())
        if missing:
            raise reads.not_found(otype, missing)
        _no_repeats([str(pk) for pk in pks])
        records = records_update(
            object_type=otype,
            updates=[
                (pk, item["properties"]) for pk, item in zip(pks, data["inputs"], strict=True)
            ],
            actor=actor(request),
        )
        results = [shapes.record_json(r) for r in records]
        return Response(shapes.batch_json(results, started, timezone.now()))


class BatchArchiveView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="objects_batch_archive",
        summary="Archive up to 100 records by id",
        parameters=[OBJECT_TYPE],
        request=serializers.BatchArchiveSerializer,
        responses={204: None, **ERRORS},
    )
    def post(self, request: Request, objectType: str) -> Response:
        otype = object_type(objectType)
        data = body(serializers.BatchArchiveSerializer, request)
        ids = [str(item["id"]) for item in data["inputs"]]
        unknown = reads.never_existed(otype, ids)
        if unknown:
            raise reads.not_found(otype, unknown)
        records_archive(object_type=otype, ids=ids, actor=actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
