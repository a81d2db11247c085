"""Lists (HubSpot lists v3): create, read, search, change filters or name, delete and
restore, and static memberships. Business rules live here; the API and admin call them.

Rules chosen where HubSpot's are implicit:
- ``processingType`` DYNAMIC (active) needs a ``filterBranch``; MANUAL (static) takes
  none; SNAPSHOT applies its filters once, at creation, and is static after that.
- Only static and snapshot lists take members by hand; an active list's membership is
  its filters' (a 400 says so). Changing an active list's filters rebuilds it: records
  that no longer match leave, new matches join, each logged with the cause FILTERS_UPDATED.
- A deleted list keeps its members and history and can be restored (HubSpot keeps
  deleted lists restorable); while deleted it is not kept current and is not found by
  search unless asked.
- The same filter validation as workflows (the 250-filter limit, operators by type) and
  the same tier rules for the filter families used (page views need Marketing Hub Pro...).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Min, QuerySet
from django.utils import timezone

from crm.actors import Actor, require_user_permission
from crm.errors import CrmError, ErrorDetail, Forbidden, ObjectNotFound
from crm.ids import parse_id
from crm.models import ObjectType, Record
from workflows.errors import FlowInvalid
from workflows.models import (
    CrmList,
    ListMembership,
    ListMembershipEvent,
    MembershipChange,
    ProcessingStatus,
    ProcessingType,
)

log = logging.getLogger(__name__)

#: records per set-based build window (as enroll-existing's)
WINDOW = 250_000
#: at most this many record ids per membership call (HubSpot's lists API takes 100,000)
MAX_IDS = 100_000

PERMISSIONS = {
    "create": "workflows.add_crmlist",
    "update": "workflows.change_crmlist",
    "delete": "workflows.delete_crmlist",
}


class ListInvalid(FlowInvalid):
    """Every problem of a list payload at once, each with its JSON path."""


class ListNameTaken(CrmError):
    category = "CONFLICT"
    status = 409


def _require(actor: Actor, action: str) -> Any:
    return require_user_permission(actor, PERMISSIONS[action], f"{action} lists")


# --------------------------------------------------------------------------- reading


def get_list(list_id: Any, *, include_deleted: bool = False) -> CrmList:
    pk = parse_id(list_id)
    found = (
        CrmList.objects.select_related("object_type").filter(pk=pk).first()
        if pk is not None
        else None
    )
    if found is None or (found.deleted_at is not None and not include_deleted):
        raise ObjectNotFound.named(f"No list with id {list_id}.", "listId")
    return found


def list_criteria(crm_list: CrmList) -> Any:
    """The parsed filters (None for a list without them)."""
    if not crm_list.filter_branch:
        return None
    from workflows.criteria import parse
    from workflows.flow_payload import or_root

    return parse(or_root(crm_list.filter_branch), object_type=crm_list.object_type)


@dataclass(frozen=True)
class ListPage:
    lists: list[CrmList]
    total: int
    offset: int
    has_more: bool


def search_lists(
    *,
    query: str = "",
    processing_types: Sequence[str] = (),
    list_ids: Sequence[Any] = (),
    object_type: Any = None,
    include_deleted: bool = False,
    offset: int = 0,
    count: int = 20,
) -> ListPage:
    qs: QuerySet[CrmList] = CrmList.objects.select_related("object_type").order_by("pk")
    if not include_deleted:
        qs = qs.filter(deleted_at__isnull=True)
    if query:
        qs = qs.filter(name__icontains=query)
    if processing_types:
        qs = qs.filter(processing_type__in=list(processing_types))
    if list_ids:
        qs = qs.filter(pk__in=[i for i in (parse_id(x) for x in list_ids) if i is not None])
    if object_type is not None:
        from crm.services import resolve_object_type

        qs = qs.filter(object_type=resolve_object_type(object_type))
    total = qs.count()
    page = list(qs[offset : offset + count])
    return ListPage(page, total, offset + len(page), offset + len(page) < total)


def list_size(crm_list: CrmList) -> int:
    return ListMembership.objects.filter(list=crm_list).count()


# --------------------------------------------------------------------------- writing


def _object_type(raw: Any, problems: list[tuple[str, str]]) -> ObjectType | None:
    from crm.services import resolve_object_type

    if not isinstance(raw, str) or not raw.strip():
        problems.append(("objectTypeId", "is required: an object type id such as 0-1"))
        return None
    try:
        return resolve_object_type(raw)
    except CrmError:
        problems.append(("objectTypeId", f'no object type "{raw}"'))
        return None


def _filter_problems(branch: Any, object_type: ObjectType) -> list[tuple[str, str]]:
    from workflows.flow_payload import criteria_problems, or_root
    from workflows.trigger_catalogue import catalogue_problems

    problems = criteria_problems(branch, object_type, "filterBranch")
    if not problems and isinstance(branch, Mapping):
        for where, message in catalogue_problems(or_root(branch), object_type):
            where = where.replace("enrollmentCriteria", "filterBranch", 1)
            problems.append((where, message.replace("workflows", "lists")))
    return problems


def _require_tier(branch: Any) -> None:
    from workflows.gating import trigger_tier_problem

    problem = trigger_tier_problem(branch)
    if problem:
        raise Forbidden(problem, [ErrorDetail(problem, name="tier", code="TIER_REQUIRED")])


def _clean_name(raw: Any, problems: list[tuple[str, str]]) -> str:
    if not isinstance(raw, str) or not raw.strip():
        problems.append(("name", "is required"))
        return ""
    if len(raw.strip()) > 255:
        problems.append(("name", "at most 255 characters"))
    return raw.strip()


def _name_free(name: str, but: int | None = None) -> None:
    taken = CrmList.objects.filter(name__iexact=name, deleted_at__isnull=True)
    if but is not None:
        taken = taken.exclude(pk=but)
    if taken.exists():
        raise ListNameTaken(
            f'A list named "{name}" exists already: list names are unique.',
            [ErrorDetail("a list with this name exists already", name="name")],
        )


def list_create(*, data: Any, actor: Actor) -> CrmList:
    """Create a list; an active or snapshot list is built at once, set-based."""
    user = _require(actor, "create")
    if not isinstance(data, Mapping):
        raise ListInvalid.of_problems([("", "the body must be a JSON object")])
    problems: list[tuple[str, str]] = []
    name = _clean_name(data.get("name"), problems)
    object_type = _object_type(data.get("objectTypeId"), problems)
    kind = data.get("processingType")
    if kind not in ProcessingType.values:
        problems.append(("processingType", f"must be one of {', '.join(ProcessingType.values)}"))
    branch = data.get("filterBranch")
    if kind in (ProcessingType.DYNAMIC, ProcessingType.SNAPSHOT) and branch is None:
        problems.append(("filterBranch", f"is required for a {kind} list"))
    if kind == ProcessingType.MANUAL and branch is not None:
        problems.append(("filterBranch", "a MANUAL (static) list has no filters"))
    if branch is not None and object_type is not None:
        problems.extend(_filter_problems(branch, object_type))
    if problems:
        raise ListInvalid.of_problems(problems)
    assert object_type is not None
    if branch is not None:
        _require_tier(branch)
    try:
        with transaction.atomic():
            _name_free(name)
            now = timezone.now()
            crm_list = _create(name, object_type, kind, branch, now, user)
    except IntegrityError:  # a concurrent create took the name between check and insert
        _name_free(name)
        raise
    if branch is not None:
        start_build(crm_list.pk, cause={"kind": "LIST_CREATED"})
        crm_list.refresh_from_db()
    return crm_list


def _create(
    name: str, object_type: ObjectType, kind: str, branch: Any, now: Any, user: Any
) -> CrmList:
    crm_list = CrmList.objects.create(
        name=name,
        object_type=object_type,
        processing_type=kind,
        filter_branch=branch,
        filters_updated_at=now if branch is not None else None,
        processing_status=(
            ProcessingStatus.PROCESSING if branch is not None else ProcessingStatus.COMPLETE
        ),
        created_by=user,
        updated_by=user,
    )
    _lists_changed()
    return crm_list


def list_update_filters(*, list_id: Any, data: Any, actor: Actor) -> CrmList:
    user = _require(actor, "update")
    crm_list = get_list(list_id)
    branch = data.get("filterBranch") if isinstance(data, Mapping) else None
    if crm_list.processing_type != ProcessingType.DYNAMIC:
        raise ListInvalid.of_problems(
            [
                (
                    "filterBranch",
                    f"only an active (DYNAMIC) list's filters can change; this list is "
                    f"{crm_list.processing_type}",
                )
            ]
        )
    problems = (
        _filter_problems(branch, crm_list.object_type)
        if branch is not None
        else [("filterBranch", "is required")]
    )
    if problems:
        raise ListInvalid.of_problems(problems)
    _require_tier(branch)
    with transaction.atomic():
        CrmList.objects.filter(pk=crm_list.pk).update(
            filter_branch=branch,
            version=F("version") + 1,
            filters_updated_at=timezone.now(),
            updated_at=timezone.now(),
            updated_by=user,
            processing_status=ProcessingStatus.PROCESSING,
        )
        _lists_changed()
    start_build(crm_list.pk, cause={"kind": "FILTERS_UPDATED"}, prune=True)
    return get_list(crm_list.pk)


def list_update_name(*, list_id: Any, name: Any, actor: Actor) -> CrmList:
    user = _require(actor, "update")
    crm_list = get_list(list_id)
    problems: list[tuple[str, str]] = []
    clean = _clean_name(name, problems)
    if problems:
        raise ListInvalid.of_problems(problems)
    with transaction.atomic():
        _name_free(clean, but=crm_list.pk)
        CrmList.objects.filter(pk=crm_list.pk).update(
            name=clean, version=F("version") + 1, updated_at=timezone.now(), updated_by=user
        )
    return get_list(crm_list.pk)


def list_delete(*, list_id: Any, actor: Actor) -> None:
    user = _require(actor, "delete")
    crm_list = get_list(list_id)
    with transaction.atomic():
        CrmList.objects.filter(pk=crm_list.pk).update(
            deleted_at=timezone.now(), updated_at=timezone.now(), updated_by=user
        )
        _lists_changed()


def list_restore(*, list_id: Any, actor: Actor) -> CrmList:
    """Back from deletion; an active list is brought up to date (it was not kept current)."""
    user = _require(actor, "delete")
    crm_list = get_list(list_id, include_deleted=True)
    if crm_list.deleted_at is None:
        return crm_list
    with transaction.atomic():
        _name_free(crm_list.name, but=crm_list.pk)
        CrmList.objects.filter(pk=crm_list.pk).update(
            deleted_at=None, updated_at=timezone.now(), updated_by=user
        )
        _lists_changed()
    if crm_list.processing_type == ProcessingType.DYNAMIC:
        start_build(crm_list.pk, cause={"kind": "LIST_RESTORED"}, prune=True)
    return get_list(crm_list.pk)


def _lists_changed() -> None:
    """Every process's list index is stale (the trigger index's version row)."""
    from workflows.services import bump_index_version

    bump_index_version()


# --------------------------------------------------------------------------- memberships


@dataclass(frozen=True)
class MembershipUpdate:
    added: list[int]
    removed: list[int]
    missing: list[int]


def _ids(raw: Any, field: str) -> list[int]:
    if not isinstance(raw, list):
        raise ListInvalid.of_problems([(field, "must be a list of record ids")])
    if len(raw) > MAX_IDS:
        raise ListInvalid.of_problems([(field, f"at most {MAX_IDS:,} record ids per call")])
    out = []
    for i, item in enumerate(raw):
        pk = parse_id(item)
        if pk is None:
            raise ListInvalid.of_problems([(f"{field}[{i}]", f'"{item}" is not a record id')])
        out.append(pk)
    return list(dict.fromkeys(out))


def memberships_change(
    *, list_id: Any, add: Any = (), remove: Any = (), actor: Actor, source: str = "API"
) -> MembershipUpdate:
    """Add and remove members of a static or snapshot list by hand. Ids that are not live
    records of the list's type are answered as missing, not an error (HubSpot's answer)."""
    user = _require(actor, "update")
    crm_list = get_list(list_id)
    if crm_list.processing_type == ProcessingType.DYNAMIC:
        raise ListInvalid.of_problems(
            [
                (
                    "listId",
                    "an active (DYNAMIC) list's members are the records matching its filters: "
                    "change the filters, or use a static (MANUAL) list",
                )
            ]
        )
    to_add = _ids(list(add) if isinstance(add, tuple) else add, "recordIdsToAdd")
    to_remove = _ids(list(remove) if isinstance(remove, tuple) else remove, "recordIdsToRemove")
    live = set(
        Record.objects.filter(
            pk__in=to_add + to_remove, object_type=crm_list.object_type, archived=False
        ).values_list("pk", flat=True)
    )
    missing = [pk for pk in to_add + to_remove if pk not in live]
    cause = {"kind": "MANUAL", "userId": str(user.pk) if user else ""}
    with transaction.atomic():
        # records first, in pk order (the engine's lock order), then the list's rows
        list(
            Record.objects.select_for_update()
            .filter(pk__in=sorted(live))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        added = apply_changes(
            crm_list, join=[p for p in to_add if p in live], leave=[], source=source, cause=cause
        )[0]
        removed = apply_changes(
            crm_list, join=[], leave=[p for p in to_remove if p in live], source=source, cause=cause
        )[1]
    return MembershipUpdate(added, removed, missing)


def apply_changes(
    crm_list: CrmList,
    *,
    join: Iterable[int],
    leave: Iterable[int],
    source: str,
    cause: Mapping[str, Any],
    at: Any = None,
) -> tuple[list[int], list[int]]:
    """Write joins and leaves that are real changes, with their history; the caller holds
    the records' locks (so the current membership read here cannot move)."""
    at = at or timezone.now()
    join, leave = sorted(set(join)), sorted(set(leave))
    current = set(
        ListMembership.objects.filter(list=crm_list, record_id__in=join + leave).values_list(
            "record_id", flat=True
        )
    )
    joins = [pk for pk in join if pk not in current]
    leaves = [pk for pk in leave if pk in current]
    if joins:
        first = dict(
            ListMembershipEvent.objects.filter(
                list=crm_list, record_id__in=joins, change=MembershipChange.JOINED
            )
            .values("record_id")
            .annotate(first=Min("at"))
            .values_list("record_id", "first")
        )
        ListMembership.objects.bulk_create(
            [
                ListMembership(
                    list=crm_list, record_id=pk, added_at=at, first_added_at=first.get(pk, at)
                )
                for pk in joins
            ],
            ignore_conflicts=True,
        )
    if leaves:
        ListMembership.objects.filter(list=crm_list, record_id__in=leaves).delete()
    ListMembershipEvent.objects.bulk_create(
        [
            ListMembershipEvent(
                list=crm_list, record_id=pk, change=kind, at=at, source=source, cause=dict(cause)
            )
            for kind, pks in ((MembershipChange.JOINED, joins), (MembershipChange.LEFT, leaves))
            for pk in pks
        ]
    )
    if joins or leaves:
        _announce(crm_list.pk, joins, leaves, at, source, cause)
    return joins, leaves


def _announce(
    list_id: int,
    joins: list[int],
    leaves: list[int],
    at: Any,
    source: str,
    cause: Mapping[str, Any],
) -> None:
    """Joins and leaves as "Added to list" / "Removed from list" events (in this
    transaction, while a workflow listens: list-membership triggers), and, after commit,
    the workflows whose filters name this list look at these records again."""
    from workflows.signals import ListMembershipsChanged, list_memberships_changed

    object_type, name = (
        CrmList.objects.filter(pk=list_id).values_list("object_type__name", "name").first()
    ) or ("", "")
    _store_events(list_id, name, object_type, joins, leaves, at)
    change = ListMembershipsChanged(
        list_id, object_type or "", tuple(joins), tuple(leaves), at, source, dict(cause)
    )
    transaction.on_commit(
        lambda: list_memberships_changed.send(sender=CrmList, change=change), robust=False
    )


def memberships_page(
    crm_list: CrmList, *, after: Any = None, limit: int = 100
) -> tuple[list[ListMembership], str | None]:
    """Members in record-id order; ``after`` is the last record id of the previous page."""
    qs = ListMembership.objects.filter(list=crm_list).order_by("record_id")
    start = parse_id(after) if after not in (None, "") else None
    if after not in (None, "") and start is None:
        raise ListInvalid.of_problems([("after", f'"{after}" is not a paging cursor')])
    if start is not None:
        qs = qs.filter(record_id__gt=start)
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (str(rows[-1].record_id) if more and rows else None)


def record_memberships(record: Record) -> list[ListMembership]:
    return list(
        ListMembership.objects.filter(record=record, list__deleted_at__isnull=True)
        .select_related("list")
        .order_by("list_id")
    )


def _store_events(
    list_id: int, name: str, object_type: str, joins: list[int], leaves: list[int], at: Any
) -> None:
    from crm.event_types import LIST_MEMBERSHIP_ADDED, LIST_MEMBERSHIP_REMOVED
    from crm.services.events import EventIn, events_record, heard_types

    heard = heard_types(frozenset({LIST_MEMBERSHIP_ADDED, LIST_MEMBERSHIP_REMOVED}))
    items = [
        EventIn(
            event_type_id=type_id,
            source="LISTS",
            record_id=pk,
            object_type=object_type,
            occurred_at=at,
            sender_id=f"list:{list_id}:{pk}:{type_id}:{at.isoformat()}",
            properties={"hs_list_id": str(list_id), "hs_list_name": name},
            raw={"listId": str(list_id)},
        )
        for type_id, pks in ((LIST_MEMBERSHIP_ADDED, joins), (LIST_MEMBERSHIP_REMOVED, leaves))
        if type_id in heard
        for pk in pks
    ]
    for start in range(0, len(items), 500):
        events_record(items[start : start + 500], batch=True)


# --------------------------------------------------------------------------- building


def start_build(list_id: int, *, cause: Mapping[str, Any], prune: bool = False) -> None:
    """A django-q2 task builds the list (its processingStatus is PROCESSING until done, with
    build_done / build_total as progress), as enroll-existing runs: a list over a million
    records must not hold a request open."""

    def send() -> None:
        from django_q.tasks import async_task

        async_task("workflows.tasks.build_list", list_id, dict(cause), prune)

    transaction.on_commit(send)


def build_list(
    list_id: int, *, cause: Mapping[str, Any], prune: bool = False, window: int = WINDOW
) -> CrmList:
    """Apply the list's filters to every record of its type, set-based, one pk window per
    transaction (INSERT ... SELECT, as enroll-existing): matches join; with ``prune``,
    members that no longer match leave. A snapshot list is static once built."""
    crm_list = CrmList.objects.select_related("object_type").get(pk=list_id)
    now = timezone.now()
    try:
        criteria = list_criteria(crm_list)
        if criteria is None:
            raise ValueError("the list has no filters")
        from workflows.criteria import to_queryset

        matching = to_queryset(criteria, now=now)
        bounds = Record.objects.filter(object_type=crm_list.object_type, archived=False).aggregate(
            lo=Min("pk"), hi=Max("pk")
        )
        total = Record.objects.filter(object_type=crm_list.object_type, archived=False).count()
        CrmList.objects.filter(pk=list_id).update(build_total=total, build_done=0, build_error="")
        if bounds["lo"] is not None:
            low = bounds["lo"] - 1
            done = 0
            while low < bounds["hi"]:
                high = low + window
                _build_window(crm_list, matching, low, high, cause, prune, now)
                done += Record.objects.filter(
                    object_type=crm_list.object_type, archived=False, pk__gt=low, pk__lte=high
                ).count()
                CrmList.objects.filter(pk=list_id).update(build_done=min(done, total))
                low = high
        CrmList.objects.filter(pk=list_id).update(
            processing_status=ProcessingStatus.COMPLETE, build_done=total
        )
    except Exception as exc:  # kept on the list (processingStatus FAILED, the admin shows why)
        log.exception("building list %s failed", list_id)
        CrmList.objects.filter(pk=list_id).update(
            processing_status=ProcessingStatus.FAILED, build_error=f"{type(exc).__name__}: {exc}"
        )
    crm_list.refresh_from_db()
    return crm_list


def _build_window(
    crm_list: CrmList,
    matching: QuerySet[Record],
    low: int,
    high: int,
    cause: Mapping[str, Any],
    prune: bool,
    now: Any,
) -> None:
    window = matching.filter(pk__gt=low, pk__lte=high)
    select_sql, params = window.values(record_pk=F("pk")).query.sql_with_params()
    if connection.vendor == "postgresql":
        # lock each match in the statement that adds it (see enrollment.backfill)
        select_sql = (
            f"SELECT r.id AS record_pk FROM crm_record r WHERE r.id IN ({select_sql}) "
            "ORDER BY r.id FOR KEY SHARE OF r"
        )
    when = connection.ops.adapt_datetimefield_value(now)
    json_param = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    cause_json = json.dumps(dict(cause))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO workflows_listmembership (list_id, record_id, first_added_at, added_at) "
            f"SELECT %s, m.record_pk, %s, %s FROM ({select_sql}) AS m WHERE 1 = 1 "
            "ON CONFLICT DO NOTHING",
            [crm_list.pk, when, when, *params],
        )
        if cursor.rowcount:
            cursor.execute(
                "INSERT INTO workflows_listmembershipevent (list_id, record_id, change, at, source, cause) "
                f"SELECT list_id, record_id, %s, %s, %s, {json_param} FROM workflows_listmembership "
                "WHERE list_id = %s AND added_at = %s AND record_id > %s AND record_id <= %s",
                [
                    MembershipChange.JOINED,
                    when,
                    "FILTERS",
                    cause_json,
                    crm_list.pk,
                    when,
                    low,
                    high,
                ],
            )
            joined = list(
                ListMembership.objects.filter(
                    list=crm_list, added_at=now, record_id__gt=low, record_id__lte=high
                ).values_list("record_id", flat=True)
            )
            _announce(crm_list.pk, joined, [], now, "FILTERS", cause)
        if prune:
            gone = list(
                ListMembership.objects.filter(list=crm_list, record_id__gt=low, record_id__lte=high)
                .exclude(record_id__in=window.values("pk"))
                .values_list("record_id", flat=True)
            )
            if gone:
                apply_changes(crm_list, join=[], leave=gone, source="FILTERS", cause=cause, at=now)
