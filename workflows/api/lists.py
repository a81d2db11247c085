"""``/crm/v3/lists``: HubSpot's lists v3 - create, read, search, change filters or name,
delete and restore lists; read and change their memberships; a record's lists.

Views stay thin: every rule (names, processing types, filters, tiers, permissions, who may
be added by hand) is ``workflows.lists``; bodies are passed to it as sent, except the
membership id arrays, whose shape (a JSON array of ids) is checked here first. Ids are
strings in every answer, as HubSpot's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from django.db.models import Count
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.api.answers import error_answers
from crm.api.paging import paging
from crm.api.params import actor, body, object_type, object_type_in_body, query
from crm.api.serializers import ForwardPagingSerializer
from crm.api.shapes import timestamp
from crm.errors import CrmError
from crm.ids import parse_id
from crm.services import get_record
from workflows import lists as service
from workflows.models import CrmList, ListMembership, ProcessingStatus, ProcessingType

TAG = ["Lists"]
LIST_ID = OpenApiParameter(
    "listId", str, OpenApiParameter.PATH, description="The list's id (HubSpot's ILS list id)."
)
OBJECT_TYPE_ID = OpenApiParameter(
    "objectTypeId",
    str,
    OpenApiParameter.PATH,
    description="The record's object type: 0-1, contacts...",
)
RECORD_ID = OpenApiParameter("recordId", str, OpenApiParameter.PATH, description="The record's id.")
errors = error_answers(
    {
        403: "Missing the lists permission (workflows.add_crmlist, change_crmlist or "
        "delete_crmlist), or the subscription tier does not allow a filter used",
        404: "No list with this id (deleted lists are not found), or no such record",
        409: "A list with this name exists already (names are unique among live lists)",
    }
)

#: HubSpot's limits: search pages of at most 500 lists, membership pages of at most 250
MAX_SEARCH_COUNT = 500
MAX_MEMBERSHIP_PAGE = 250
MAX_OFFSET = 2**31 - 1


# --------------------------------------------------------------------------- shapes


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {},
        "description": "HubSpot's filterBranch: an OR root (filterBranchType OR) of AND "
        "branches, each with filters (PROPERTY, ASSOCIATION...) - as workflows' "
        "listFilterBranch. Checked by the criteria engine: every problem is answered with "
        "its JSON path.",
    }
)
class FilterBranchField(serializers.JSONField):
    pass


class ListCreateRequestSerializer(serializers.Serializer):
    """HubSpot's ``ListCreateRequest`` (documentation: the body goes to the service as sent;
    listFolderId, listPermissions, membershipSettings and customProperties are ignored)."""

    name = serializers.CharField(help_text="Unique among live lists (case-insensitive).")
    objectTypeId = serializers.CharField(help_text="0-1 contacts, 0-2 companies, 2-N custom...")
    processingType = serializers.ChoiceField(
        choices=ProcessingType.values,
        help_text="DYNAMIC (active: follows its filters), MANUAL (static: members by hand) or "
        "SNAPSHOT (filters applied once, at creation; static after that).",
    )
    filterBranch = FilterBranchField(
        required=False, help_text="Required for DYNAMIC and SNAPSHOT lists; none for MANUAL."
    )


class _ListBaseSerializer(serializers.Serializer):
    listId = serializers.CharField()
    listVersion = serializers.IntegerField(help_text="Bumps on every definition change.")
    name = serializers.CharField()
    objectTypeId = serializers.CharField()
    processingType = serializers.ChoiceField(choices=ProcessingType.values)
    processingStatus = serializers.ChoiceField(choices=ProcessingStatus.values)
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()
    filtersUpdatedAt = serializers.DateTimeField(
        required=False, help_text="Lists with filters only."
    )
    deletedAt = serializers.DateTimeField(required=False, help_text="Deleted lists only.")
    createdById = serializers.CharField(required=False, help_text="When a user created it.")
    updatedById = serializers.CharField(required=False, help_text="When a user changed it last.")


class PublicObjectListSerializer(_ListBaseSerializer):
    size = serializers.IntegerField(help_text="How many records are members now.")
    filterBranch = FilterBranchField(
        required=False,
        help_text="With includeFilters=true, and in the answers of create and "
        "update-list-filters (lists with filters only).",
    )


class PublicObjectListSearchResultSerializer(_ListBaseSerializer):
    additionalProperties = serializers.DictField(
        child=serializers.CharField(), help_text="hs_list_size: the member count, as text."
    )


class ListCreateResponseSerializer(serializers.Serializer):
    list = PublicObjectListSerializer()


class ListFetchResponseSerializer(serializers.Serializer):
    list = PublicObjectListSerializer()


class ListsByIdResponseSerializer(serializers.Serializer):
    lists = PublicObjectListSerializer(many=True)


class ListUpdateResponseSerializer(serializers.Serializer):
    updatedList = PublicObjectListSerializer()


class ListFilterUpdateRequestSerializer(serializers.Serializer):
    filterBranch = FilterBranchField(help_text="The new filters (active lists only).")


class ListSearchRequestSerializer(serializers.Serializer):
    query = serializers.CharField(
        required=False, allow_blank=True, help_text="Part of the list name (case-insensitive)."
    )
    # The labelled choices (active, static, snapshot) describe the filter; they also keep
    # this enum apart from processingType's, whose name the docs would otherwise share.
    processingTypes = serializers.ListField(
        child=serializers.ChoiceField(choices=ProcessingType.choices), required=False
    )
    listIds = serializers.ListField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="Only these lists (ids that name no list are skipped).",
    )
    objectTypeId = serializers.CharField(required=False, help_text="Only lists of this type.")
    offset = serializers.IntegerField(
        min_value=0,
        max_value=MAX_OFFSET,
        required=False,
        default=0,
        help_text="The offset of the previous answer, to read the next page.",
    )
    count = serializers.IntegerField(
        min_value=1, max_value=MAX_SEARCH_COUNT, required=False, default=20
    )
    additionalProperties = serializers.ListField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="Accepted and ignored: hs_list_size is always answered.",
    )
    sort = serializers.CharField(required=False, help_text="Accepted and ignored (id order).")


class ListSearchResponseSerializer(serializers.Serializer):
    lists = PublicObjectListSearchResultSerializer(many=True)
    hasMore = serializers.BooleanField()
    offset = serializers.IntegerField(help_text="Send it back to read the next page.")
    total = serializers.IntegerField()


class IncludeFiltersQuerySerializer(serializers.Serializer):
    includeFilters = serializers.BooleanField(
        required=False, default=False, help_text="Include each list's filterBranch."
    )


class ListsByIdQuerySerializer(IncludeFiltersQuerySerializer):
    listIds = serializers.ListField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="The lists to read (repeat the parameter or separate with commas); ids that "
        "name no live list are skipped.",
    )


class ListNameQuerySerializer(IncludeFiltersQuerySerializer):
    listName = serializers.CharField(
        required=False, allow_blank=True, help_text="The new name (unique among live lists)."
    )


class MembershipsPageQuerySerializer(serializers.Serializer):
    after = serializers.CharField(
        required=False, help_text="The paging cursor of the previous page."
    )
    limit = serializers.IntegerField(
        min_value=1, max_value=MAX_MEMBERSHIP_PAGE, required=False, default=100
    )


class JoinTimeAndRecordIdSerializer(serializers.Serializer):
    recordId = serializers.CharField()
    membershipTimestamp = serializers.DateTimeField(help_text="When it (last) joined.")


class ApiCollectionResponseJoinTimeAndRecordIdSerializer(serializers.Serializer):
    results = JoinTimeAndRecordIdSerializer(many=True)
    paging = ForwardPagingSerializer(required=False)
    total = serializers.IntegerField(required=False, help_text="The list's member count.")


class MembershipChangeRequestSerializer(serializers.Serializer):
    recordIdsToAdd = serializers.ListField(
        child=serializers.CharField(), required=False, default=list
    )
    recordIdsToRemove = serializers.ListField(
        child=serializers.CharField(), required=False, default=list
    )


class MembershipsUpdateResponseSerializer(serializers.Serializer):
    # HubSpot's spelling: "recordsIdsAdded"
    recordsIdsAdded = serializers.ListField(child=serializers.CharField())
    recordIdsRemoved = serializers.ListField(child=serializers.CharField())
    recordIdsMissing = serializers.ListField(
        child=serializers.CharField(),
        help_text="Ids that are not live records of the list's object type: not changed.",
    )


class RecordListMembershipSerializer(serializers.Serializer):
    listId = serializers.CharField()
    listVersion = serializers.IntegerField()
    firstAddedTimestamp = serializers.DateTimeField()
    lastAddedTimestamp = serializers.DateTimeField()


class ApiCollectionResponseRecordListMembershipSerializer(serializers.Serializer):
    results = RecordListMembershipSerializer(many=True)
    total = serializers.IntegerField()


#: a membership add or remove body: a bare JSON array of record ids
RECORD_IDS_BODY = {
    "application/json": {
        "type": "array",
        "items": {"type": "string"},
        "description": 'The record ids, e.g. ["123", "456"] (numbers are accepted too); '
        "errors name it recordIds.",
    }
}


# --------------------------------------------------------------------------- JSON


def _sizes(lists: Iterable[CrmList]) -> dict[int, int]:
    pks = [crm_list.pk for crm_list in lists]
    rows = (
        ListMembership.objects.filter(list_id__in=pks)
        .values("list_id")
        .annotate(n=Count("id"))
        .values_list("list_id", "n")
    )
    return dict(rows)


def _common_json(crm_list: CrmList) -> dict[str, Any]:
    out: dict[str, Any] = {
        "listId": str(crm_list.pk),
        "listVersion": crm_list.version,
        "name": crm_list.name,
        "objectTypeId": crm_list.object_type.object_type_id,
        "processingType": crm_list.processing_type,
        "processingStatus": crm_list.processing_status,
        "createdAt": timestamp(crm_list.created_at),
        "updatedAt": timestamp(crm_list.updated_at),
    }
    if crm_list.filters_updated_at is not None:
        out["filtersUpdatedAt"] = timestamp(crm_list.filters_updated_at)
    if crm_list.deleted_at is not None:
        out["deletedAt"] = timestamp(crm_list.deleted_at)
    if crm_list.created_by_id is not None:
        out["createdById"] = str(crm_list.created_by_id)
    if crm_list.updated_by_id is not None:
        out["updatedById"] = str(crm_list.updated_by_id)
    return out


def list_json(
    crm_list: CrmList, *, filters: bool = False, size: int | None = None
) -> dict[str, Any]:
    """HubSpot's ``PublicObjectList``."""
    out = _common_json(crm_list)
    out["size"] = service.list_size(crm_list) if size is None else size
    if filters and crm_list.filter_branch is not None:
        out["filterBranch"] = crm_list.filter_branch
    return out


def search_result_json(crm_list: CrmList, size: int) -> dict[str, Any]:
    """HubSpot's ``PublicObjectListSearchResult``: no filters; the size as hs_list_size."""
    return {**_common_json(crm_list), "additionalProperties": {"hs_list_size": str(size)}}


def update_json(done: service.MembershipUpdate) -> dict[str, Any]:
    return {
        "recordsIdsAdded": [str(pk) for pk in done.added],
        "recordIdsRemoved": [str(pk) for pk in done.removed],
        "recordIdsMissing": [str(pk) for pk in done.missing],
    }


def _renamed(exc: CrmError, names: Mapping[str, str]) -> CrmError:
    """The service's field names -> this endpoint's (``name`` is the ``listName``
    parameter; ``recordIdsToAdd[3]`` is ``recordIds[3]`` of a bare array body)."""

    def rename(path: str) -> str | None:
        for old, new in names.items():
            if path == old or path.startswith((f"{old}[", f"{old}.")):
                return new + path[len(old) :]
        return None

    details = []
    for detail in exc.errors:
        new = rename(detail.name)
        if new is not None:
            message = detail.message
            if message.startswith(f"{detail.name}:"):
                message = new + message[len(detail.name) :]
            detail = replace(detail, name=new, message=message)
        details.append(detail)
    if details == exc.errors:
        return exc
    return type(exc)("; ".join(d.message for d in details), details)


def _record_ids(request: Request) -> list[str]:
    """A bare JSON array of ids (strings or numbers); its items are checked by the service."""
    field = serializers.ListField(child=serializers.CharField())
    try:
        return field.run_validation(request.data)
    except serializers.ValidationError as exc:
        raise serializers.ValidationError({"recordIds": exc.detail}) from None


def _change(request: Request, listId: str, *, add: list[str], remove: list[str]) -> Response:
    done = service.memberships_change(list_id=listId, add=add, remove=remove, actor=actor(request))
    return Response(update_json(done))


# --------------------------------------------------------------------------- views


class ListCollectionView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="lists_get_all",
        summary="Read several lists by id",
        description="Lists that are deleted, or ids that name no list, are left out. Without "
        "listIds the answer is empty.",
        parameters=[ListsByIdQuerySerializer],
        responses={200: ListsByIdResponseSerializer, **errors()},
    )
    def get(self, request: Request) -> Response:
        params = query(ListsByIdQuerySerializer, request)
        ids = params.get("listIds") or []
        found = service.search_lists(list_ids=ids, count=len(ids)).lists if ids else []
        sizes = _sizes(found)
        return Response(
            {
                "lists": [
                    list_json(
                        crm_list, filters=params["includeFilters"], size=sizes.get(crm_list.pk, 0)
                    )
                    for crm_list in found
                ]
            }
        )

    @extend_schema(
        tags=TAG,
        operation_id="lists_create",
        summary="Create a list (an active or snapshot list is built at once)",
        description="Every problem of the body is answered at once, each with its field "
        "(filter problems with their JSON path in filterBranch).",
        request=ListCreateRequestSerializer,
        responses={200: ListCreateResponseSerializer, **errors(403, 409)},
    )
    def post(self, request: Request) -> Response:
        crm_list = service.list_create(data=request.data, actor=actor(request))
        return Response({"list": list_json(crm_list, filters=True)})


class ListCollectionSlashView(ListCollectionView):
    """``/crm/v3/lists/``: the path HubSpot's Python client calls; documented once."""

    schema = None


class ListSearchView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="lists_search",
        summary="Search lists by name, processing type and id, one page at a time",
        request=ListSearchRequestSerializer,
        responses={200: ListSearchResponseSerializer, **errors()},
    )
    def post(self, request: Request) -> Response:
        params = body(ListSearchRequestSerializer, request)
        otype = params.get("objectTypeId")
        page = service.search_lists(
            query=params.get("query") or "",
            processing_types=params.get("processingTypes") or (),
            list_ids=params.get("listIds") or (),
            object_type=object_type_in_body(otype, "objectTypeId") if otype else None,
            offset=params["offset"],
            count=params["count"],
        )
        sizes = _sizes(page.lists)
        return Response(
            {
                "lists": [search_result_json(x, sizes.get(x.pk, 0)) for x in page.lists],
                "hasMore": page.has_more,
                "offset": page.offset,
                "total": page.total,
            }
        )


class ListDetailView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="lists_get",
        summary="Read a list",
        parameters=[LIST_ID, IncludeFiltersQuerySerializer],
        responses={200: ListFetchResponseSerializer, **errors(404)},
    )
    def get(self, request: Request, listId: str) -> Response:
        params = query(IncludeFiltersQuerySerializer, request)
        crm_list = service.get_list(listId)
        return Response({"list": list_json(crm_list, filters=params["includeFilters"])})

    @extend_schema(
        tags=TAG,
        operation_id="lists_delete",
        summary="Delete a list (it keeps its members and history and can be restored)",
        parameters=[LIST_ID],
        request=None,
        responses={204: None, **errors(403, 404)},
    )
    def delete(self, request: Request, listId: str) -> Response:
        service.list_delete(list_id=listId, actor=actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ListRestoreView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="lists_restore",
        summary="Restore a deleted list (an active one is brought up to date)",
        description="409 when a live list has taken its name meanwhile.",
        parameters=[LIST_ID],
        request=None,
        responses={204: None, **errors(403, 404, 409)},
    )
    def put(self, request: Request, listId: str) -> Response:
        service.list_restore(list_id=listId, actor=actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ListUpdateFiltersView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="lists_update_filters",
        summary="Change an active list's filters: it is rebuilt (leavers and joiners logged)",
        parameters=[LIST_ID],
        request=ListFilterUpdateRequestSerializer,
        responses={200: ListUpdateResponseSerializer, **errors(403, 404)},
    )
    def put(self, request: Request, listId: str) -> Response:
        crm_list = service.list_update_filters(
            list_id=listId, data=request.data, actor=actor(request)
        )
        return Response({"updatedList": list_json(crm_list, filters=True)})


class ListUpdateNameView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="lists_update_name",
        summary="Rename a list",
        parameters=[LIST_ID, ListNameQuerySerializer],
        request=None,
        responses={200: ListUpdateResponseSerializer, **errors(403, 404, 409)},
    )
    def put(self, request: Request, listId: str) -> Response:
        params = query(ListNameQuerySerializer, request)
        try:
            crm_list = service.list_update_name(
                list_id=listId, name=params.get("listName"), actor=actor(request)
            )
        except (service.ListInvalid, service.ListNameTaken) as exc:
            raise _renamed(exc, {"name": "listName"}) from None
        return Response({"updatedList": list_json(crm_list, filters=params["includeFilters"])})


class ListMembershipsView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="lists_memberships_page",
        summary="A list's members, in record-id order, one page at a time",
        parameters=[LIST_ID, MembershipsPageQuerySerializer],
        responses={200: ApiCollectionResponseJoinTimeAndRecordIdSerializer, **errors(404)},
    )
    def get(self, request: Request, listId: str) -> Response:
        params = query(MembershipsPageQuerySerializer, request)
        crm_list = service.get_list(listId)
        rows, next_after = service.memberships_page(
            crm_list, after=params.get("after"), limit=params["limit"]
        )
        return Response(
            {
                "results": [
                    {"recordId": str(m.record_id), "membershipTimestamp": timestamp(m.added_at)}
                    for m in rows
                ],
                "total": service.list_size(crm_list),
                **paging(request, parse_id(next_after) if next_after else None),
            }
        )


class ListMembershipsAddView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="lists_memberships_add",
        summary="Add records to a static (MANUAL) or snapshot list",
        description="Ids that are not live records of the list's type are answered in "
        "recordIdsMissing. An active (DYNAMIC) list refuses: its members are its filters'.",
        parameters=[LIST_ID],
        request=RECORD_IDS_BODY,
        responses={200: MembershipsUpdateResponseSerializer, **errors(403, 404)},
    )
    def put(self, request: Request, listId: str) -> Response:
        ids = _record_ids(request)
        try:
            return _change(request, listId, add=ids, remove=[])
        except service.ListInvalid as exc:
            raise _renamed(exc, {"recordIdsToAdd": "recordIds"}) from None


class ListMembershipsRemoveView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="lists_memberships_remove",
        summary="Remove records from a static (MANUAL) or snapshot list",
        parameters=[LIST_ID],
        request=RECORD_IDS_BODY,
        responses={200: MembershipsUpdateResponseSerializer, **errors(403, 404)},
    )
    def put(self, request: Request, listId: str) -> Response:
        ids = _record_ids(request)
        try:
            return _change(request, listId, add=[], remove=ids)
        except service.ListInvalid as exc:
            raise _renamed(exc, {"recordIdsToRemove": "recordIds"}) from None


class ListMembershipsAddAndRemoveView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="lists_memberships_add_and_remove",
        summary="Add and remove records of a static (MANUAL) or snapshot list at once",
        parameters=[LIST_ID],
        request=MembershipChangeRequestSerializer,
        responses={200: MembershipsUpdateResponseSerializer, **errors(403, 404)},
    )
    def put(self, request: Request, listId: str) -> Response:
        data = body(MembershipChangeRequestSerializer, request)
        return _change(
            request, listId, add=data["recordIdsToAdd"], remove=data["recordIdsToRemove"]
        )


class RecordMembershipsView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="lists_record_memberships",
        summary="The live lists a record is a member of",
        parameters=[OBJECT_TYPE_ID, RECORD_ID],
        responses={200: ApiCollectionResponseRecordListMembershipSerializer, **errors(404)},
    )
    def get(self, request: Request, objectTypeId: str, recordId: str) -> Response:
        record = get_record(object_type(objectTypeId), recordId)
        results = [
            {
                "listId": str(m.list_id),
                "listVersion": m.list.version,
                "firstAddedTimestamp": timestamp(m.first_added_at),
                "lastAddedTimestamp": timestamp(m.added_at),
            }
            for m in service.record_memberships(record)
        ]
        return Response({"results": results, "total": len(results)})
