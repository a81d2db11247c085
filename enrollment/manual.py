"""Manual enrollment: by a person, a chatflow, or another workflow's action.

Bypasses the triggers (a workflow needs none), and otherwise asks the one eligibility
rule (``enrollment.eligibility``): refused - with the reason, written to the history - when
the workflow is off, the record is enrolled now, was enrolled before while re-enrollment is
off, is suppressed or at the goal, when that cannot be checked, or when an "enroll in
workflow" chain is too deep. HubSpot documents the suppression refusal; refusing a record
that already meets the goal is our reading of "setting a goal also prevents enrollment".
"""

from __future__ import annotations

from typing import Any

from django.db.models import Max
from django.utils import timezone

from crm.actors import Actor
from crm.ids import parse_id
from crm.models import Record
from enrollment.eligibility import Evidence, Facts, Path, decide
from enrollment.enroll import EnrollRequest, create_enrollment
from enrollment.history import record_decision
from enrollment.models import Enrollment, EnrollmentSource, EnrollmentStatus
from enrollment.outcomes import Outcome
from enrollment.reasons import Reason, sentence
from workflows.gating import require_permission
from workflows.services import get_flow

#: A chain of "enroll in workflow" actions deeper than this stops (A -> B -> A ...).
MAX_WORKFLOW_DEPTH = 10


def enroll_records(
    *,
    flow_id: int | str,
    record_ids: list[int | str],
    actor: Actor,
    source: str = EnrollmentSource.MANUAL,
    cause: dict[str, Any] | None = None,
    via_flow_name: str = "",
) -> list[Outcome]:
    """One outcome per id, in order. People (MANUAL, CHATFLOW) need the enroll permission;
    a workflow's own action is the system acting."""
    from enrollment.index import compile_flow
    from workflows.criteria import evaluate

    user = require_permission(actor, "enroll")
    flow = get_flow(flow_id)
    compiled = compile_flow(flow)
    user_id = getattr(user, "pk", None)
    cause = cause or {"kind": source, "userId": str(user_id) if user_id else None}
    depth = int(cause.get("workflowDepth", 0) or 0)
    loop = (
        f"an 'enroll in workflow' chain stops after {MAX_WORKFLOW_DEPTH} workflows"
        if depth > MAX_WORKFLOW_DEPTH
        else ""
    )
    pks = [pk for raw in record_ids if (pk := parse_id(raw)) is not None]
    records = {
        r.pk: r
        for r in Record.objects.select_related("object_type").filter(
            pk__in=pks, object_type=flow.object_type, archived=False
        )
    }
    active = set(
        Enrollment.objects.filter(
            workflow=flow, record_id__in=list(records), status=EnrollmentStatus.ACTIVE
        ).values_list("record_id", flat=True)
    )
    last_cycle = dict(
        Enrollment.objects.filter(workflow=flow, record_id__in=list(records))
        .values_list("record_id")
        .annotate(c=Max("cycle"))
        .values_list("record_id", "c")
    )
    now = timezone.now()
    detail = f"by {user.get_username()}" if user is not None else ""
    outcomes = []
    for raw in record_ids:
        pk = parse_id(raw)
        record = records.get(pk) if pk is not None else None
        if record is None:
            missing = f"No {flow.object_type.label_singular.lower()} with id {raw}."
            outcomes.append(Outcome(str(raw), "REFUSED", missing, Reason.NOT_FOUND))
            continue
        facts = Facts(
            path=Path.MANUAL,
            enabled=flow.is_enabled,
            has_triggers=compiled.criteria is not None,
            active=record.pk in active,
            last_cycle=last_cycle.get(record.pk, 0),
            should_re_enroll=flow.should_re_enroll,
            source=source,
            loop=loop,
        )
        evidence = Evidence(
            suppression=(lambda r=record: evaluate(compiled.suppression, r, now=now))
            if compiled.suppression is not None
            else Evidence.none,
            goal=(lambda r=record: evaluate(compiled.goal, r, now=now))
            if compiled.goal is not None
            else Evidence.none,
        )
        verdict = decide(facts, evidence)
        if not verdict.admit:
            record_decision(
                flow_id=flow.pk,
                record_id=record.pk,
                reason=verdict.reason,
                source=source,
                criteria_revision=flow.criteria_revision,
                cause=cause,
                user_id=user_id,
                evaluation=verdict.evaluation,
                detail=verdict.detail,
                flow_name=via_flow_name,
            )
            text = sentence(verdict.reason, detail=verdict.detail, flow=via_flow_name)
            outcomes.append(Outcome(str(raw), "REFUSED", text, verdict.reason))
            continue
        enrollment = create_enrollment(
            EnrollRequest(
                flow_id=flow.pk,
                record_id=record.pk,
                source=source,
                criteria_revision=flow.criteria_revision,
                cause=cause,
                user_id=user_id,
                flow_name=via_flow_name,
                detail=detail,
                cycle=verdict.cycle,
            )
        )
        if enrollment is None:
            outcomes.append(
                Outcome(
                    str(raw), "REFUSED", sentence(Reason.ALREADY_ENROLLED), Reason.ALREADY_ENROLLED
                )
            )
        else:
            active.add(record.pk)
            outcomes.append(
                Outcome(str(raw), "ENROLLED", "Enrolled.", verdict.reason, enrollment.pk)
            )
    return outcomes
