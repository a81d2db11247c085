"""Running an enrollment's actions: delay, set property, enroll in another workflow.

Each step and its effect commit together with the enrollment's ``next_step`` under a row
lock, so a django-q2 task delivered twice (at-least-once delivery) finds the step already
done and does nothing.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from crm.actors import Actor
from crm.errors import ObjectNotFound
from crm.models import ChangeSource
from crm.services import record_update
from enrollment.enroll import end_enrollment, lock_record
from enrollment.models import Enrollment, EnrollmentEvent, EnrollmentSource, EnrollmentStatus
from enrollment.queue import enqueue
from workflows.actions import DELAY, ENROLL_IN_WORKFLOW, SET_PROPERTY, chain

log = logging.getLogger(__name__)


def schedule_steps(enrollment_id: int) -> None:
    """Run the first steps in a task once the enrollment is committed."""
    enqueue("enrollment.tasks.run_steps", enrollment_id)


def run_steps(enrollment_id: int, *, now: datetime | None = None) -> str:
    """Advance one enrollment as far as it can go now; returns its status."""
    now = now or timezone.now()
    with transaction.atomic():
        # Lock order everywhere: the record, then its enrollment (the engine and the CRM
        # services lock the record first too), and only our own rows - a FOR UPDATE on the
        # joined workflow would block every enrollment insert into that workflow.
        record_id = (
            Enrollment.objects.filter(pk=enrollment_id).values_list("record_id", flat=True).first()
        )
        if record_id is not None:
            lock_record(record_id)
        enrollment = (
            Enrollment.objects.select_for_update(of=("self",))
            .select_related("workflow", "record__object_type")
            .filter(pk=enrollment_id)
            .first()
        )
        if enrollment is None or enrollment.status != EnrollmentStatus.ACTIVE:
            return enrollment.status if enrollment else "MISSING"
        flow = enrollment.workflow
        steps = chain(flow.actions or [], flow.start_action_id)
        while enrollment.next_step < len(steps):
            step = steps[enrollment.next_step]
            if step.kind == DELAY:
                if enrollment.delay_until is None:
                    enrollment.delay_until = enrollment.next_run_at = now + step.delay
                    enrollment.save(update_fields=["delay_until", "next_run_at"])
                if enrollment.delay_until > now:
                    return EnrollmentStatus.ACTIVE
                enrollment.delay_until = None
            elif step.kind == SET_PROPERTY:
                record_update(
                    record=enrollment.record,
                    properties={step.property_name: step.value},
                    actor=Actor.system(
                        f"flow:{flow.pk}:enrollment:{enrollment.pk}:action:{step.action_id}",
                        source=ChangeSource.WORKFLOW,
                    ),
                )
            elif step.kind == ENROLL_IN_WORKFLOW:
                _enroll_elsewhere(enrollment, step.flow_id)
            enrollment.next_step += 1
            enrollment.next_run_at = now
            enrollment.save(update_fields=["next_step", "next_run_at", "delay_until"])
        end_enrollment(enrollment, status=EnrollmentStatus.COMPLETED, reason="COMPLETED", at=now)
        return EnrollmentStatus.COMPLETED


def _enroll_elsewhere(enrollment: Enrollment, target_flow_id: int) -> None:
    """The "enroll in workflow" action: manual enrollment by the system, one level deeper.
    The eligibility rule stops a chain that is too deep (recorded as a loop guard)."""
    from enrollment.manual import enroll_records

    depth = int(enrollment.cause.get("workflowDepth", 0)) + 1
    try:
        enroll_records(
            flow_id=target_flow_id,
            record_ids=[enrollment.record_id],
            actor=Actor.system(f"flow:{enrollment.workflow_id}:enrollment:{enrollment.pk}"),
            source=EnrollmentSource.WORKFLOW_ACTION,
            cause={
                "kind": "WORKFLOW_ACTION",
                "flowId": str(enrollment.workflow_id),
                "enrollmentId": str(enrollment.pk),
                "workflowDepth": depth,
            },
            via_flow_name=f'"{enrollment.workflow.name}" ({enrollment.workflow_id})',
        )
    except ObjectNotFound:  # the target was deleted since: the step is done, nothing to enroll
        log.warning("enroll-in-workflow target flow %s does not exist", target_flow_id)


def run_due_steps(
    *, now: datetime | None = None, batch: int = 500, budget_seconds: float = 45.0
) -> int:
    """The sweeper: every ACTIVE enrollment whose next step is due (delays that expired,
    backfilled enrollments) gets a run. Scheduled every minute by ``setup_schedules``; it
    works until nothing is due or its time budget is spent (the next tick goes on).

    Enrollments in workflows without actions are completed set-based: a backfill of a
    quarter of a million records must not take a quarter of a million task runs.
    """
    now = now or timezone.now()
    deadline = time.monotonic() + budget_seconds
    done = _complete_actionless(now, deadline, batch * 10)
    while time.monotonic() < deadline:
        due = list(
            Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE, next_run_at__lte=now)
            .order_by("next_run_at", "pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not due:
            break
        for pk in due:
            run_steps(pk, now=now)
        done += len(due)
    return done


def _complete_actionless(now: datetime, deadline: float, batch: int) -> int:
    from enrollment.history import decision_row
    from enrollment.workflow_status import WORKFLOW_COMPLETED, emit_many
    from workflows.models import Workflow

    flows = [f.pk for f in Workflow.objects.only("pk", "actions") if not f.actions]
    total = 0
    while flows and time.monotonic() < deadline:
        # Two transactions, so this never holds enrollment locks while it needs the record's
        # (the history insert): everyone else locks the record first.
        with transaction.atomic():
            ids = list(
                Enrollment.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status=EnrollmentStatus.ACTIVE, next_run_at__lte=now, workflow_id__in=flows)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                break
            Enrollment.objects.filter(pk__in=ids, status=EnrollmentStatus.ACTIVE).update(
                status=EnrollmentStatus.COMPLETED,
                ended_at=now,
                end_reason="COMPLETED",
                next_run_at=None,
            )
        ended = Enrollment.objects.filter(
            pk__in=ids, status=EnrollmentStatus.COMPLETED, ended_at=now
        ).values_list("pk", "workflow_id", "record_id", "source", "criteria_revision")
        ended = list(ended)
        EnrollmentEvent.objects.bulk_create(
            [
                decision_row(
                    flow_id=flow_id,
                    record_id=record_id,
                    reason="COMPLETED",
                    enrollment_id=pk,
                    source=source,
                    criteria_revision=revision,
                )
                for pk, flow_id, record_id, source, revision in ended
            ]
        )
        emit_many([row[0] for row in ended], WORKFLOW_COMPLETED, now)
        total += len(ids)
    return total
