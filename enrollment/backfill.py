"""Enroll existing records ("enroll the records that already meet the criteria?").

Set-based: the SQL compiler selects the matching records, and each pk window becomes one
``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` for the enrollments and one for their
history rows - never a Python loop over records. Conflicts are live enrollments that won
a race with the backfill: the database keeps exactly one.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, F, Max, Min, OuterRef, QuerySet
from django.utils import timezone

from crm.models import Record
from enrollment.models import BackfillRun, BackfillStatus, Enrollment, EnrollmentStatus
from enrollment.queue import enqueue
from enrollment.reasons import sentence
from workflows.models import CriteriaType, Workflow
from workflows.services import get_flow

log = logging.getLogger(__name__)

#: pk range per INSERT ... SELECT: big enough that commits (a WAL flush each) are few,
#: small enough that progress moves and a window's transaction stays short.
WINDOW = 250_000


def start_backfill(
    *, flow_id: int, user_id: int | None = None, run_async: bool = True
) -> BackfillRun:
    flow = get_flow(flow_id)
    run = BackfillRun.objects.create(
        workflow=flow, criteria_revision=flow.criteria_revision, requested_by_id=user_id
    )
    if run_async:
        enqueue("enrollment.tasks.run_backfill", run.pk)
    return run


def candidates(
    flow: Workflow, *, now: Any = None, exclude_enrolled: bool = True
) -> QuerySet[Record]:
    """The eligibility rule (``enrollment.eligibility.decide`` on the BACKFILL path) as SQL.

    Records whose triggers *pass* (errored is not a pass), whose suppression and goal are
    *definitely not met* (an errored one blocks, as in ``decide``), and that may enroll
    (never enrolled; or, with re-enrollment on, not enrolled right now). The agreement test
    (tests/enrollment/test_eligibility_backfill.py) holds this to ``decide``."""
    from enrollment.index import compile_flow
    from workflows.criteria import not_failed_queryset, to_queryset

    compiled = compile_flow(flow)
    qs = to_queryset(compiled.criteria, now=now)
    # NOT EXISTS, not NOT IN: PostgreSQL plans it as an anti-join; NOT IN over a large,
    # growing subquery falls back to a per-row scan once it outgrows work_mem.
    for extra in (compiled.suppression, compiled.goal):
        if extra is not None:
            blocked = not_failed_queryset(extra, now=now).filter(pk=OuterRef("pk"))
            qs = qs.filter(~Exists(blocked))
    if not exclude_enrolled:
        return qs
    taken = Enrollment.objects.filter(workflow=flow, record_id=OuterRef("pk"))
    if flow.should_re_enroll:
        taken = taken.filter(status=EnrollmentStatus.ACTIVE)
    return qs.filter(~Exists(taken))


def run_backfill(run_id: int, *, window: int = WINDOW) -> BackfillRun:
    """Idempotent: a finished run is left alone; a re-delivered one resumes harmlessly."""
    run = BackfillRun.objects.select_related("workflow__object_type").get(pk=run_id)
    if run.status == BackfillStatus.COMPLETE:
        return run
    flow = run.workflow
    now = timezone.now()
    run.status, run.started_at = BackfillStatus.RUNNING, run.started_at or now
    run.save(update_fields=["status", "started_at"])
    try:
        if not flow.is_enabled:
            raise ValueError(f"flow {flow.pk} is off: turn it on to enroll existing records")
        if flow.criteria_type != CriteriaType.LIST_BASED:
            raise ValueError(
                f"flow {flow.pk} has {flow.criteria_type} criteria: only filter-based triggers "
                "can enroll existing records"
            )
        run.total = candidates(flow, now=now).count()
        # The INSERT leaves "already enrolled" to the unique indexes (ON CONFLICT DO NOTHING):
        # an anti-join against the very table being inserted into degrades quadratically
        # (every probe walks the index entries this statement has just added).
        qs = candidates(flow, now=now, exclude_enrolled=False)
        run.save(update_fields=["total"])
        # Window bounds from the type's own index (cheap), not from the criteria query.
        bounds = Record.objects.filter(object_type=flow.object_type, archived=False).aggregate(
            lo=Min("pk"), hi=Max("pk")
        )
        if bounds["lo"] is not None:
            low = bounds["lo"] - 1
            while low < bounds["hi"]:
                high = low + window
                inserted = _insert_window(flow, qs.filter(pk__gt=low, pk__lte=high), run)
                run.enrolled += inserted
                run.done = min(run.total, run.done + inserted)
                run.save(update_fields=["enrolled", "done"])
                low = high
        run.done = run.total
        run.status, run.finished_at = BackfillStatus.COMPLETE, timezone.now()
    except Exception as exc:
        log.exception("backfill %s failed", run.pk)
        run.status, run.finished_at = BackfillStatus.FAILED, timezone.now()
        run.errors = [*run.errors, f"{type(exc).__name__}: {exc}"]
    run.save()
    if run.enrolled:
        enqueue("enrollment.tasks.run_due_steps")
    return run


def _insert_window(flow: Workflow, window: QuerySet[Record], run: BackfillRun) -> int:
    """One INSERT ... SELECT for the window's enrollments, one for their history rows."""
    ops = connection.ops
    # The window's own timestamp finds its rows again for the history insert.
    stamp = timezone.now()
    # An explicit alias: Django names a bare values_list("pk") column "pk", not "id".
    select_sql, select_params = window.values(record_pk=F("pk")).query.sql_with_params()
    json_param = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    cause = json.dumps({"kind": "ENROLL_EXISTING", "backfillId": str(run.pk)})
    if flow.should_re_enroll:
        cycle_sql = (
            "COALESCE((SELECT MAX(e.cycle) FROM enrollment_enrollment e "
            "WHERE e.workflow_id = %s AND e.record_id = m.record_pk), 0) + 1"
        )
        cycle_params: list[Any] = [flow.pk]
    else:
        cycle_sql, cycle_params = "1", []
    when = ops.adapt_datetimefield_value(stamp)
    if connection.vendor == "postgresql":
        # Each candidate is locked (KEY SHARE, in id order) by the very statement that
        # enrolls it, just before its row is inserted. Left to the foreign-key checks at
        # commit, the locks came *after* the window's enrollment rows existed, while a live
        # save holding its record FOR UPDATE waited for exactly those rows: a deadlock that
        # failed the whole run (tests/enrollment/test_exactly_once_pg.py). A separate lock
        # statement first is not enough: the INSERT's newer snapshot can see candidates the
        # lock did not. Now a live save either finishes before the record's row or waits
        # behind the window.
        select_sql = (
            f"SELECT r.id AS record_pk FROM crm_record r WHERE r.id IN ({select_sql}) "
            "ORDER BY r.id FOR KEY SHARE OF r"
        )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A window is re-runnable (ON CONFLICT DO NOTHING), so it need not wait for its WAL
            # flush: a crash can lose at most the last windows, never corrupt anything, and the
            # run is then not COMPLETE. This halves the cost of a large backfill.
            cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(
            "INSERT INTO enrollment_enrollment (workflow_id, record_id, status, source, cycle, enrolled_at, "
            "end_reason, criteria_revision, cause, next_step, next_run_at) "
            f"SELECT %s, m.record_pk, %s, %s, {cycle_sql}, %s, '', %s, {json_param}, 0, %s "
            f"FROM ({select_sql}) AS m WHERE 1 = 1 ON CONFLICT DO NOTHING",
            [
                flow.pk,
                EnrollmentStatus.ACTIVE,
                "BACKFILL",
                *cycle_params,
                when,
                flow.criteria_revision,
                cause,
                when,
                *select_params,
            ],
        )
        inserted = max(cursor.rowcount, 0)
        if inserted:
            cursor.execute(
                "INSERT INTO enrollment_enrollmentevent (workflow_id, record_id, enrollment_id, decision, reason, "
                "message, source, criteria_revision, cause, at) "
                "SELECT workflow_id, record_id, id, %s, %s, %s, source, criteria_revision, cause, enrolled_at "
                "FROM enrollment_enrollment WHERE workflow_id = %s AND source = %s AND enrolled_at = %s",
                [
                    "ENROLLED",
                    "ENROLL_EXISTING",
                    sentence("ENROLL_EXISTING"),
                    flow.pk,
                    "BACKFILL",
                    when,
                ],
            )
        if inserted:
            from enrollment.workflow_status import WORKFLOW_ENROLLED, emit_many

            emit_many(
                list(
                    Enrollment.objects.filter(
                        workflow=flow, source="BACKFILL", enrolled_at=stamp
                    ).values_list("pk", flat=True)
                ),
                WORKFLOW_ENROLLED,
                stamp,
            )
        if inserted and (flow.unenrollment_setting or {}).get("type") in {"ALL", "SELECTIVE"}:
            from enrollment.enroll import kick_out_of_other_workflows

            for enrollment in Enrollment.objects.filter(
                workflow=flow, source="BACKFILL", enrolled_at=stamp
            ):
                kick_out_of_other_workflows(enrollment)
    return inserted


def progress(run: BackfillRun) -> dict[str, Any]:
    from crm.values import format_datetime

    return {
        "id": str(run.pk),
        "flowId": str(run.workflow_id),
        "status": run.status,
        "done": run.done,
        "enrolled": run.enrolled,
        "total": run.total,
        "startedAt": format_datetime(run.started_at) if run.started_at else None,
        "finishedAt": format_datetime(run.finished_at) if run.finished_at else None,
        "errors": run.errors,
    }


def latest_run(flow_id: int) -> BackfillRun | None:
    return BackfillRun.objects.filter(workflow_id=flow_id).order_by("-created_at", "-id").first()
