"""``/crm/v3/imports``: start a CSV import (multipart, HubSpot's shape), follow it, read its
row errors, cancel it.

Views stay thin: the request is read here (the ``files`` parts and the ``importRequest``
JSON text), everything it means is checked by ``crm.services.imports`` (400 naming the
field, nothing stored), which also queues the import's task after commit.
"""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.errors import CrmValidationError, ErrorDetail, ObjectNotFound
from crm.ids import parse_id
from crm.models import Import, ImportRowError
from crm.services.imports import UploadedFile, import_cancel, import_create

from .answers import error_answers
from .paging import paging, parse_after
from .params import actor, query
from .serializers import ForwardPagingSerializer
from .shapes import timestamp

TAG = ["Imports"]
IMPORT_ID = OpenApiParameter("importId", str, OpenApiParameter.PATH, description="An import's id.")
errors = error_answers(
    {404: "No import with this id", 409: "The import has finished: it cannot be cancelled"}
)


# --------------------------------------------------------------------------- shapes


class ImportStartSerializer(serializers.Serializer):
    files = serializers.FileField(help_text="The CSV file (UTF-8), named as in importRequest.")
    importRequest = serializers.CharField(
        help_text='JSON text: {"name", "importOperations", "files": [{"fileName", '
        '"fileFormat": "CSV", "fileImportPage": {"hasHeader", "columnMappings": '
        '[{"columnName", "propertyName", "columnObjectTypeId", "idColumnType"}]}}]}'
    )


class ImportMetadataSerializer(serializers.Serializer):
    counters = serializers.DictField(child=serializers.IntegerField())
    fileIds = serializers.ListField(child=serializers.CharField())
    objectLists = serializers.ListField(child=serializers.DictField())


class ImportSerializer(serializers.Serializer):
    id = serializers.CharField()
    state = serializers.ChoiceField(choices=["STARTED", "PROCESSING", "DONE", "FAILED", "CANCELED"])
    importName = serializers.CharField()
    importSource = serializers.CharField()
    optOutImport = serializers.BooleanField()
    mappedObjectTypeIds = serializers.ListField(child=serializers.CharField())
    importRequestJson = serializers.DictField()
    metadata = ImportMetadataSerializer()
    error = serializers.CharField(required=False)
    createdAt = serializers.CharField()
    updatedAt = serializers.CharField()


class ImportPageSerializer(serializers.Serializer):
    results = ImportSerializer(many=True)
    paging = ForwardPagingSerializer(required=False)


class ImportErrorSerializer(serializers.Serializer):
    id = serializers.CharField()
    errorType = serializers.CharField()
    message = serializers.CharField()
    invalidValue = serializers.CharField(allow_blank=True)
    knownColumnNumber = serializers.IntegerField(allow_null=True)
    objectType = serializers.CharField()
    objectTypeId = serializers.CharField()
    sourceData = serializers.DictField()
    createdAt = serializers.CharField()


class ImportErrorPageSerializer(serializers.Serializer):
    results = ImportErrorSerializer(many=True)
    paging = ForwardPagingSerializer(required=False)


class ActionResponseSerializer(serializers.Serializer):
    status = serializers.CharField()
    startedAt = serializers.CharField()
    completedAt = serializers.CharField()


class PageQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20, required=False)
    after = serializers.CharField(required=False, help_text="The paging cursor of the last page.")


def import_json(imp: Import) -> dict[str, Any]:
    request = {k: v for k, v in (imp.request or {}).items() if not k.startswith("_")}
    out: dict[str, Any] = {
        "id": str(imp.pk),
        "state": imp.state,
        "importName": imp.name,
        "importSource": "API",
        "optOutImport": False,
        "mappedObjectTypeIds": [imp.object_type.object_type_id],
        "importRequestJson": request,
        "metadata": {"counters": dict(imp.counters or {}), "fileIds": [], "objectLists": []},
        "createdAt": timestamp(imp.created_at),
        "updatedAt": timestamp(imp.updated_at),
    }
    if imp.error:
        out["error"] = imp.error
    return out


def error_json(row: ImportRowError, imp: Import) -> dict[str, Any]:
    columns = {c["property_name"]: c["index"] for c in imp.mappings}
    return {
        "id": str(row.pk),
        "errorType": row.error_type,
        "message": row.message,
        "invalidValue": row.invalid_value,
        "knownColumnNumber": (
            columns[row.property_name] + 1 if row.property_name in columns else None
        ),
        "objectType": imp.object_type.name.upper().rstrip("S"),
        "objectTypeId": imp.object_type.object_type_id,
        "sourceData": {
            "lineNumber": row.line_number,
            "rowData": list(row.row_data or []),
            "fileName": imp.file_name,
        },
        "createdAt": timestamp(row.created_at),
    }


def _import(import_id: str) -> Import:
    pk = parse_id(import_id)
    found = (
        Import.objects.select_related("object_type").filter(pk=pk).first()
        if pk is not None
        else None
    )
    if found is None:
        raise ObjectNotFound.named(f"No import {import_id}.", "importId")
    return found


def _page(qs: Any, request: Request) -> tuple[list[Any], int | None]:
    params = query(PageQuerySerializer, request)
    after = parse_after(params.get("after"))
    limit = params["limit"]
    rows = list((qs.filter(pk__gt=after) if after else qs).order_by("pk")[: limit + 1])
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1].pk
    return rows, None


def _request_json(raw: Any) -> Any:
    if raw in (None, ""):
        raise CrmValidationError.of(
            [ErrorDetail("importRequest: give the import request JSON", name="importRequest")]
        )
    try:
        return json.loads(raw)
    except (TypeError, ValueError) as exc:
        raise CrmValidationError.of(
            [
                ErrorDetail(
                    f"importRequest: not valid JSON ({exc})", name="importRequest", code="BAD_JSON"
                )
            ]
        ) from None


# --------------------------------------------------------------------------- views


class ImportCollectionView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=TAG,
        operation_id="imports_list",
        summary="Imports, oldest first, one page at a time",
        parameters=[PageQuerySerializer],
        responses={200: ImportPageSerializer, **errors()},
    )
    def get(self, request: Request) -> Response:
        rows, next_after = _page(Import.objects.select_related("object_type"), request)
        return Response({"results": [import_json(i) for i in rows], **paging(request, next_after)})

    @extend_schema(
        tags=TAG,
        operation_id="imports_create",
        summary="Start a CSV import (multipart: files + importRequest); it runs as a task",
        request={"multipart/form-data": ImportStartSerializer},
        responses={200: ImportSerializer, **errors(413, 415)},
    )
    def post(self, request: Request) -> Response:
        payload = _request_json(request.data.get("importRequest"))
        files = [
            UploadedFile(name=f.name, content=f.read()) for f in request.FILES.getlist("files")
        ]
        imp = import_create(request=payload, files=files, actor=actor(request))
        imp.refresh_from_db()
        return Response(import_json(imp), status=status.HTTP_200_OK)


class ImportDetailView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="imports_get",
        summary="One import: its state and counters",
        parameters=[IMPORT_ID],
        responses={200: ImportSerializer, **errors(404)},
    )
    def get(self, request: Request, importId: str) -> Response:
        return Response(import_json(_import(importId)))


class ImportErrorsView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="imports_errors",
        summary="The rows an import could not write, with line numbers and reasons",
        parameters=[IMPORT_ID, PageQuerySerializer],
        responses={200: ImportErrorPageSerializer, **errors(404)},
    )
    def get(self, request: Request, importId: str) -> Response:
        imp = _import(importId)
        rows, next_after = _page(ImportRowError.objects.filter(crm_import=imp), request)
        return Response(
            {"results": [error_json(r, imp) for r in rows], **paging(request, next_after)}
        )


class ImportCancelView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="imports_cancel",
        summary="Cancel a running import (rows already written stay)",
        parameters=[IMPORT_ID],
        request=None,
        responses={200: ActionResponseSerializer, **errors(404, 409)},
    )
    def post(self, request: Request, importId: str) -> Response:
        imp = _import(importId)
        imp = import_cancel(import_id=imp.pk)
        return Response(
            {
                "status": "COMPLETE",
                "startedAt": timestamp(imp.created_at),
                "completedAt": timestamp(imp.finished_at),
            }
        )
