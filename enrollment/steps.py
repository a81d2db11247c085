"""Running an enrollment's actions: delay, set property, enroll in another workflow.

Each step and its effect commit together with the enrollment's ``next_step`` under a row
lock, so a django-q2 task delivered twice (at-least-once delivery) finds the step already
done and does nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from crm.models import ChangeSource
from crm.services import Actor, record_update
from enrollment.enroll import end_enrollment, lock_record
from enrollment.models import Enrollment, EnrollmentSource, EnrollmentStatus
from workflows.actions import DELAY, ENROLL_IN_WORKFLOW, SET_PROPERTY, chain

log = logging.getLogger(__name__)

#: A chain of "enroll in workflow" actions deeper than this stops (A -> B -> A ...).
MAX_WORKFLOW_DEPTH = 10


def schedule_steps(enrollment_id: int) -> None:
    """Run the first steps in a task once the enrollment is committed."""
    from django_q.tasks import async_task

    transaction.on_commit(lambda: async_task("enrollment.tasks.run_steps", enrollment_id))


def run_steps(enrollment_id: int, *, now: datetime | None = None) -> str:
    """Advance one enrollment as far as it can go now; returns its status."""
    now = now or timezone.now()
    with transaction.atomic():
        # Lock order everywhere: the record, then its enrollment (the engine and the CRM
        # services lock the record first too), and only our own rows - a FOR UPDATE on the
        # joined workflow would block every enrollment insert into that workflow.
        record_id = Enrollment.objects.filter(pk=enrollment_id).values_list("record_id", flat=True).first()
        if record_id is not None:
            lock_record(record_id)
        enrollment = (
            Enrollment.objects.select_for_update(of=("self",)).select_related("workflow", "record__object_type")
            .filter(pk=enrollment_id).first()
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
                    record=enrollment.record, properties={step.property_name: step.value},
                    actor=Actor(source=ChangeSource.WORKFLOW,
                                source_id=f"flow:{flow.pk}:enrollment:{enrollment.pk}:action:{step.action_id}"),
                )
            elif step.kind == ENROLL_IN_WORKFLOW:
                _enroll_elsewhere(enrollment, step.flow_id)
            enrollment.next_step += 1
            enrollment.next_run_at = now
            enrollment.save(update_fields=["next_step", "next_run_at", "delay_until"])
        end_enrollment(enrollment, status=EnrollmentStatus.COMPLETED, reason="COMPLETED", at=now)
        return EnrollmentStatus.COMPLETED


def _enroll_elsewhere(enrollment: Enrollment, target_flow_id: int) -> None:
    from enrollment.manual import enroll_records

    depth = int(enrollment.cause.get("workflowDepth", 0)) + 1
    if depth > MAX_WORKFLOW_DEPTH:
        log.warning("enroll-in-workflow chain deeper than %s stopped at flow %s", MAX_WORKFLOW_DEPTH, target_flow_id)
        return
    enroll_records(
        flow_id=target_flow_id, record_ids=[enrollment.record_id], source=EnrollmentSource.WORKFLOW_ACTION,
        cause={"kind": "WORKFLOW_ACTION", "flowId": str(enrollment.workflow_id),
               "enrollmentId": str(enrollment.pk), "workflowDepth": depth},
        via_flow_name=f'"{enrollment.workflow.name}" ({enrollment.workflow_id})',
    )


def run_due_steps(*, now: datetime | None = None, limit: int = 1000) -> int:
    """The sweeper: every ACTIVE enrollment whose next step is due (delays that expired,
    backfilled enrollments) gets a run. Scheduled by ``setup_schedules``."""
    now = now or timezone.now()
    due = list(
        Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE, next_run_at__lte=now)
        .order_by("next_run_at").values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        run_steps(pk, now=now)
    return len(due)
