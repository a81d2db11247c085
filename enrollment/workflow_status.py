"""Workflow status: "is active in / has completed / met the goal of / was enrolled in" a
workflow, as a filter and as events - read from the enrollment tables.

*Filter* - HubSpot's ``IN_LIST`` with ``metadata.inListType`` (``listId`` is the workflow):

- ``WORKFLOWS_ACTIVE``: the record has an ACTIVE enrollment in it;
- ``WORKFLOWS_COMPLETED``: an enrollment of it ended by completing the actions;
- ``WORKFLOWS_GOAL``: an enrollment of it ended by meeting the goal;
- ``WORKFLOWS_ENROLLMENT``: it was ever enrolled (any enrollment, whatever its end).

``NOT_IN_LIST`` negates each. The filter is for contact workflows and names a contact
workflow (HubSpot's "Workflows" trigger is a contact trigger); "this or another workflow"
- a workflow may name itself. ``as_of`` (the record "just before" a change) reads an
enrollment as it stood then: active when it had started and not yet ended, completed or
at the goal once it had ended so.

*Events* - the enrollment tables change without a CRM write, so each change is also an
event of the record (``crm.event_types``: enrolled ``4-1466013``, unenrolled
``4-1466014``, goal met ``4-1753168``, completed ``9-1466015``; each ending is exactly one
of the last three), stored through the events pipeline *only while an enabled workflow
listens* to that type - as an event trigger, or through a workflow-status filter, whose
``watched`` keys are those events, so a filter-based workflow re-evaluates the contact when
its status elsewhere changes. A workflow event that enrolls starts a chain: each event
carries how many workflow events led to it (``hs_chain_depth``), and none is stored past
``MAX_CHAIN`` - two workflows that enroll each other on completion stop there (logged)
instead of looping for ever.

This module belongs to ``enrollment`` (it reads enrollments) and registers itself into the
criteria package when the app loads, so ``workflows.criteria`` never imports the engine.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, Q

from crm.event_types import (
    WORKFLOW_COMPLETED,
    WORKFLOW_ENROLLED,
    WORKFLOW_GOAL_MET,
    WORKFLOW_UNENROLLED,
)
from enrollment.models import Enrollment, EnrollmentStatus
from workflows.criteria.context import MEMBERSHIP_LOADERS, Needs, RecordContext, chunks
from workflows.criteria.families import CompiledFilter
from workflows.criteria.family_in_list import membership_filter, register_membership
from workflows.criteria.opcore import Env
from workflows.criteria.problems import Problem
from workflows.criteria.schema import Schema
from workflows.criteria.sqlscope import SqlScope
from workflows.criteria.tree import InListFilter

log = logging.getLogger(__name__)

LOADER = "workflows"
OBJECT_TYPE = "contacts"
#: workflow events in one chain (an event whose enrollment emits the next...)
MAX_CHAIN = 20

#: inListType -> (what it asks, in words; the events that can change it)
STATUSES: dict[str, tuple[str, tuple[str, ...]]] = {
    "WORKFLOWS_ACTIVE": (
        "active in",
        (WORKFLOW_ENROLLED, WORKFLOW_UNENROLLED, WORKFLOW_GOAL_MET, WORKFLOW_COMPLETED),
    ),
    "WORKFLOWS_COMPLETED": ("has completed", (WORKFLOW_COMPLETED,)),
    "WORKFLOWS_GOAL": ("has met the goal of", (WORKFLOW_GOAL_MET,)),
    "WORKFLOWS_ENROLLMENT": ("has been enrolled in", (WORKFLOW_ENROLLED,)),
}
NEGATED = {
    "active in": "is not active in",
    "has completed": "has not completed",
    "has met the goal of": "has not met the goal of",
    "has been enrolled in": "has never been enrolled in",
}
#: an ending's status -> the event it is
ENDING_EVENTS = {
    EnrollmentStatus.UNENROLLED: WORKFLOW_UNENROLLED,
    EnrollmentStatus.GOAL_MET: WORKFLOW_GOAL_MET,
    EnrollmentStatus.COMPLETED: WORKFLOW_COMPLETED,
}

#: one enrollment as the filter reads it: (enrolled at, ended at or None, status)
Stint = tuple[datetime, "datetime | None", str]


@dataclass(frozen=True)
class Loaded:
    """One record's enrollments in the named workflows, as they stood at ``as_of``."""

    as_of: datetime | None
    by_flow: dict[str, list[Stint]] = field(default_factory=dict)


def load(record_ids: Sequence[int], flow_ids: set[str], as_of: datetime | None) -> dict[int, Any]:
    """Per record, per named workflow, its enrollments (that had started by ``as_of``)."""
    wanted = sorted(int(i) for i in flow_ids if i.isdigit())
    out: dict[int, Any] = {pk: Loaded(as_of) for pk in record_ids}
    if not wanted:
        return out
    for chunk in chunks(list(record_ids)):
        rows = Enrollment.objects.filter(record_id__in=chunk, workflow_id__in=wanted)
        if as_of is not None:
            rows = rows.filter(enrolled_at__lte=as_of)
        for record_id, flow_id, enrolled, ended, status in rows.values_list(
            "record_id", "workflow_id", "enrolled_at", "ended_at", "status"
        ):
            out[record_id].by_flow.setdefault(str(flow_id), []).append((enrolled, ended, status))
    return out


def holds(in_list_type: str, stints: Sequence[Stint], as_of: datetime | None) -> bool:
    """Does one of these enrollments (loaded as of ``as_of``) give the status then?"""
    ending = {
        "WORKFLOWS_COMPLETED": EnrollmentStatus.COMPLETED,
        "WORKFLOWS_GOAL": EnrollmentStatus.GOAL_MET,
    }.get(in_list_type)
    for _, ended, status in stints:
        ended_then = ended is not None and (as_of is None or ended <= as_of)
        if in_list_type == "WORKFLOWS_ENROLLMENT":
            return True
        if in_list_type == "WORKFLOWS_ACTIVE" and (
            status == EnrollmentStatus.ACTIVE if as_of is None else not ended_then
        ):
            return True
        if ending is not None and status == ending and ended_then:
            return True
    return False


def _status_q(in_list_type: str) -> Q:
    return {
        "WORKFLOWS_ACTIVE": Q(status=EnrollmentStatus.ACTIVE),
        "WORKFLOWS_COMPLETED": Q(status=EnrollmentStatus.COMPLETED),
        "WORKFLOWS_GOAL": Q(status=EnrollmentStatus.GOAL_MET),
        "WORKFLOWS_ENROLLMENT": Q(),
    }[in_list_type]


class WorkflowStatusMembership:
    """The IN_LIST membership kind of the four WORKFLOWS_* types."""

    def validate(
        self, f: InListFilter, path: str, object_type: str, schema: Schema
    ) -> list[Problem]:
        if object_type != OBJECT_TYPE:
            return [
                Problem(
                    f"{path}.metadata.inListType",
                    f"workflow status filters are for contacts, not {object_type} "
                    "(HubSpot's Workflows trigger is a contact trigger)",
                )
            ]
        flow = schema.workflows.get(f.list_id.strip())
        if flow is None:
            return [Problem(f"{path}.listId", f'no workflow "{f.list_id}"')]
        if flow.object_type != OBJECT_TYPE:
            return [
                Problem(
                    f"{path}.listId",
                    f'workflow {flow.flow_id} ("{flow.name}") enrolls {flow.object_type}; '
                    "a workflow status filter names a contact workflow",
                )
            ]
        return []

    def needs(self, f: InListFilter, object_type: str, schema: Schema, needs: Needs) -> None:
        needs.add_membership(LOADER, f.list_id.strip())

    def watched(self, f: InListFilter, object_type: str, schema: Schema) -> set[tuple[str, str]]:
        from enrollment.index import EVENTS

        return {(EVENTS, type_id) for type_id in STATUSES[f.in_list_type or ""][1]}

    def dependency(self, f: InListFilter) -> str | None:
        return None

    def compile(self, f: InListFilter, path: str, object_type: str, env: Env) -> CompiledFilter:
        kind = f.in_list_type or ""
        flow_id = f.list_id.strip()
        negated = f.operator == "NOT_IN_LIST"
        words = STATUSES[kind][0]
        flow = env.schema.workflows.get(flow_id)
        name = f'workflow "{flow.name}" ({flow_id})' if flow else f"workflow {flow_id}"
        expected = f"{NEGATED[words] if negated else words} {name}"

        def member(ctx: RecordContext) -> bool:
            loaded = ctx.memberships.get(LOADER)
            if not isinstance(loaded, Loaded):
                return False  # a context built by hand with no enrollments
            return holds(kind, loaded.by_flow.get(flow_id, ()), loaded.as_of)

        def rows(scope: SqlScope) -> Any:
            return Enrollment.objects.filter(
                _status_q(kind),
                record_id=OuterRef(scope.id_ref),
                workflow_id=int(flow_id) if flow_id.isdigit() else 0,
            )

        return membership_filter(
            f,
            path,
            object_type,
            expected=expected,
            member=member,
            seen=(words, NEGATED[words]),
            rows=rows,
            sentence_suffix=" it",
        )


def register() -> None:
    kind = WorkflowStatusMembership()
    for in_list_type in STATUSES:
        register_membership(in_list_type, kind)
    MEMBERSHIP_LOADERS[LOADER] = load


# --------------------------------------------------------------------------- events


def emit(enrollment: Enrollment, type_id: str, at: datetime) -> None:
    """Store the workflow event of this enrollment change when an enabled workflow listens
    (inside the caller's transaction, so it exists exactly when the change does)."""
    from crm.services.events import EventIn, events_record
    from enrollment.index import current_index
    from workflows.models import Workflow

    index = current_index()
    if not index.listens_to(type_id):
        return
    flow = (
        Workflow.objects.filter(pk=enrollment.workflow_id)
        .values_list("name", "object_type__name")
        .first()
    )
    if flow is None or flow[1] != OBJECT_TYPE:
        return
    depth = chain_depth(enrollment.cause) + 1
    if depth > MAX_CHAIN:
        log.warning(
            "workflow event %s of enrollment %s not stored: %s workflow events in a row "
            "(a loop between workflows?)",
            type_id,
            enrollment.pk,
            depth,
        )
        return
    props: dict[str, Any] = {
        "hs_workflow_id": str(enrollment.workflow_id),
        "hs_workflow_name": flow[0],
        "hs_enrollment_id": str(enrollment.pk),
        "hs_chain_depth": depth,
    }
    if type_id != WORKFLOW_ENROLLED and enrollment.end_reason:
        props["hs_reason"] = enrollment.end_reason
    events_record(
        [
            EventIn(
                event_type_id=type_id,
                source="WORKFLOWS",
                record_id=enrollment.record_id,
                object_type=OBJECT_TYPE,
                occurred_at=at,
                sender_id=f"{enrollment.pk}:{type_id}",
                properties=props,
                raw={"enrollmentId": str(enrollment.pk), "flowId": str(enrollment.workflow_id)},
            )
        ],
        batch=False,
    )


def emit_many(enrollment_ids: Sequence[int], type_id: str, at: datetime) -> int:
    """The set-based paths' version of ``emit`` (enroll-existing windows, actionless
    workflows completing in bulk): one query to find whether anyone listens, then batches."""
    from crm.services.events import MAX_BATCH, EventIn, events_record
    from enrollment.index import current_index

    if not enrollment_ids or not current_index().listens_to(type_id):
        return 0
    stored = 0
    for chunk in chunks(list(enrollment_ids), MAX_BATCH):
        rows = (
            Enrollment.objects.filter(pk__in=chunk, workflow__object_type__name=OBJECT_TYPE)
            .order_by("pk")
            .values_list("pk", "workflow_id", "workflow__name", "record_id", "cause", "end_reason")
        )
        items = []
        for pk, flow_id, name, record_id, cause, reason in rows:
            depth = chain_depth(cause) + 1
            if depth > MAX_CHAIN:
                continue
            props: dict[str, Any] = {
                "hs_workflow_id": str(flow_id),
                "hs_workflow_name": name,
                "hs_enrollment_id": str(pk),
                "hs_chain_depth": depth,
            }
            if type_id != WORKFLOW_ENROLLED and reason:
                props["hs_reason"] = reason
            items.append(
                EventIn(
                    event_type_id=type_id,
                    source="WORKFLOWS",
                    record_id=record_id,
                    object_type=OBJECT_TYPE,
                    occurred_at=at,
                    sender_id=f"{pk}:{type_id}",
                    properties=props,
                    raw={"enrollmentId": str(pk), "flowId": str(flow_id)},
                )
            )
        if items:
            events_record(items, batch=True)
            stored += len(items)
    return stored


def chain_depth(cause: Any) -> int:
    """How many workflow events led to the enrollment with this cause (0: none)."""
    if not isinstance(cause, dict) or cause.get("eventTypeId") not in WORKFLOW_EVENT_TYPES:
        return 0
    try:
        return int((cause.get("properties") or {}).get("hs_chain_depth") or 0)
    except (TypeError, ValueError):
        return 0


WORKFLOW_EVENT_TYPES = frozenset(
    {WORKFLOW_ENROLLED, WORKFLOW_UNENROLLED, WORKFLOW_GOAL_MET, WORKFLOW_COMPLETED}
)
