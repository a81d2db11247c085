"""Flow writes: create, replace (optimistic revisionId), delete, turn on and off.

Every change bumps the trigger-index version so every process rebuilds its index, and
enabling can enroll the records that already meet the criteria (HubSpot's question at
turn-on, default no) - the enrollment app supplies that through ``on_enable``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from crm.actors import Actor
from crm.errors import ErrorDetail, ObjectNotFound
from crm.ids import parse_id
from workflows.errors import FlowInvalid, StaleRevision
from workflows.flow_payload import parse_flow
from workflows.gating import require_permission, require_tier, require_trigger_permissions
from workflows.models import IndexVersion, Workflow, WorkflowActivation

#: Set by the enrollment app: called after commit with (workflow id, enroll_existing, user id).
EnableHook = Callable[[int, bool, "int | None"], None]
_enable_hooks: list[EnableHook] = []

CRITERIA_FIELDS = ("enrollment_criteria", "suppression_filter_branch", "goal_filter_branch")


def register_enable_hook(hook: EnableHook) -> None:
    if hook not in _enable_hooks:
        _enable_hooks.append(hook)


def bump_index_version() -> None:
    token = uuid.uuid4().hex
    updated = IndexVersion.objects.filter(pk=1).update(version=F("version") + 1, token=token)
    if not updated:
        IndexVersion.objects.get_or_create(pk=1, defaults={"version": 1, "token": token})


def get_flow(flow_id: int | str) -> Workflow:
    """The flow with this id (its object type loaded), or a 404 naming ``flowId``."""
    pk = parse_id(flow_id)
    flow = (
        Workflow.objects.select_related("object_type").filter(pk=pk).first()
        if pk is not None
        else None
    )
    if flow is None:
        raise ObjectNotFound.named(f"No flow with id {flow_id}.", "flowId")
    return flow


def _record_activation(flow: Workflow, enabled: bool) -> None:
    """Open or close the workflow's on period (events are decided against these)."""
    now = flow.updated_at or timezone.now()
    if enabled:
        WorkflowActivation.objects.create(workflow=flow, turned_on_at=now)
    else:
        WorkflowActivation.objects.filter(workflow=flow, turned_off_at__isnull=True).update(
            turned_off_at=now
        )


def _after_enable(flow: Workflow, enroll_existing: bool, user: Any) -> None:
    user_id = getattr(user, "pk", None)
    for hook in list(_enable_hooks):
        transaction.on_commit(lambda h=hook: h(flow.pk, enroll_existing, user_id))


def _check_enroll_existing(criteria: Mapping[str, Any], enroll_existing: bool) -> None:
    if enroll_existing and criteria.get("type") != "LIST_BASED":
        raise FlowInvalid.of_problems(
            [
                (
                    "enrollExisting",
                    f"only filter-based (LIST_BASED) triggers can enroll existing records; this flow's are "
                    f"{criteria.get('type') or 'MANUAL'}",
                )
            ]
        )


def flow_create(
    *, payload: Mapping[str, Any], actor: Actor, enroll_existing: bool = False
) -> Workflow:
    user = require_permission(actor, "create")
    fields = parse_flow(payload)
    require_tier(fields["object_type"], fields["enrollment_criteria"])
    require_trigger_permissions(actor, *(fields[k] for k in CRITERIA_FIELDS))
    if fields["is_enabled"]:
        require_permission(actor, "toggle")
    _check_enroll_existing(fields["enrollment_criteria"], enroll_existing and fields["is_enabled"])
    with transaction.atomic():
        flow = Workflow.objects.create(created_by=user, updated_by=user, **fields)
        bump_index_version()
        if flow.is_enabled:
            _record_activation(flow, True)
            _after_enable(flow, enroll_existing, user)
    return flow


def flow_update(
    *,
    flow_id: int | str,
    payload: Mapping[str, Any],
    actor: Actor,
    enroll_existing: bool = False,
) -> Workflow:
    """Full replacement as HubSpot's PUT: the caller's revisionId must be the current one."""
    user = require_permission(actor, "update")
    with transaction.atomic():
        flow = (
            Workflow.objects.select_for_update(of=("self",))
            .select_related("object_type")
            .filter(pk=get_flow(flow_id).pk)
            .first()
        )
        assert flow is not None
        revision = payload.get("revisionId") if isinstance(payload, Mapping) else None
        if revision is None:
            raise FlowInvalid.of_problems(
                [("revisionId", "is required: send the revisionId you last read")]
            )
        if str(revision) != str(flow.revision_id):
            raise StaleRevision(
                f"revisionId {revision} is stale: the flow is at revision {flow.revision_id}. "
                "Read it again and re-apply your change.",
                [
                    ErrorDetail(
                        "stale revisionId",
                        name="revisionId",
                        code="STALE_REVISION",
                        context={"currentRevisionId": [str(flow.revision_id)]},
                    )
                ],
            )
        fields = parse_flow(payload, current=flow)
        require_tier(fields["object_type"], fields["enrollment_criteria"])
        require_trigger_permissions(actor, *(fields[k] for k in CRITERIA_FIELDS))
        was_enabled = flow.is_enabled
        if fields["is_enabled"] != was_enabled:
            require_permission(actor, "toggle")  # a PUT must not get round the on/off permission
        _check_enroll_existing(
            fields["enrollment_criteria"], enroll_existing and fields["is_enabled"]
        )
        criteria_changed = any(getattr(flow, k) != fields[k] for k in CRITERIA_FIELDS)
        for key, value in fields.items():
            setattr(flow, key, value)
        flow.revision_id += 1
        if criteria_changed:
            flow.criteria_revision = flow.revision_id
        flow.updated_by, flow.updated_at = user, timezone.now()
        flow.save()
        bump_index_version()
        if flow.is_enabled != was_enabled:
            _record_activation(flow, flow.is_enabled)
        if flow.is_enabled and (not was_enabled or (criteria_changed and enroll_existing)):
            _after_enable(flow, enroll_existing, user)
    return flow


def flow_set_enabled(
    *, flow_id: int | str, enabled: bool, actor: Actor, enroll_existing: bool = False
) -> Workflow:
    """Turning off is always allowed; turning on checks the tier again (a downgraded
    account keeps its running workflows, but cannot turn one back on)."""
    user = require_permission(actor, "toggle")
    with transaction.atomic():
        flow = (
            Workflow.objects.select_for_update(of=("self",))
            .select_related("object_type")
            .get(pk=get_flow(flow_id).pk)
        )
        if enabled:
            require_tier(flow.object_type, flow.enrollment_criteria)
            require_trigger_permissions(actor, *(getattr(flow, k) for k in CRITERIA_FIELDS))
            _check_enroll_existing(flow.enrollment_criteria, enroll_existing)
        if flow.is_enabled == enabled:
            if enabled and enroll_existing:
                _after_enable(flow, True, user)
            return flow
        flow.is_enabled = enabled
        flow.revision_id += 1
        flow.updated_by, flow.updated_at = user, timezone.now()
        flow.save(update_fields=["is_enabled", "revision_id", "updated_by", "updated_at"])
        bump_index_version()
        _record_activation(flow, enabled)
        if enabled:
            _after_enable(flow, enroll_existing, user)
    return flow


def flow_delete(*, flow_id: int | str, actor: Actor) -> None:
    require_permission(actor, "delete")
    with transaction.atomic():
        get_flow(flow_id).delete()
        bump_index_version()
