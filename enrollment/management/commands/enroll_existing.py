"""``manage.py enroll_existing <flowId>``: enroll the records that already meet a workflow's
triggers, with a progress bar (or hand it to the task queue with ``--async``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models.signals import post_save

from crm.errors import CrmError
from enrollment.backfill import progress, run_backfill, start_backfill
from enrollment.models import BackfillRun, BackfillStatus
from workflows.services import get_flow

BAR = 30


def bar(done: int, total: int) -> str:
    share = done / total if total else 1.0
    filled = int(BAR * share)
    return f"[{'#' * filled}{'-' * (BAR - filled)}] {done}/{total} ({int(100 * share)}%)"


class Command(BaseCommand):
    help = (
        "Enroll the records that already meet a workflow's filter triggers (HubSpot's 'enroll existing "
        "records'), set-based, with a progress bar. --async queues it for the django-q2 cluster instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("flow_id", help="The workflow (flow) id.")
        parser.add_argument(
            "--async",
            dest="run_async",
            action="store_true",
            help="Queue the run for the django-q2 cluster and return at once.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            flow = get_flow(options["flow_id"])
        except CrmError as exc:
            raise CommandError(exc.message) from None
        run = start_backfill(flow_id=flow.pk, run_async=options["run_async"])
        if options["run_async"]:
            self.stdout.write(
                f'Queued enroll-existing run {run.pk} for "{flow.name}". Follow it with GET '
                f"/automation/v4/flows/{flow.pk}/backfill or in the admin (Backfill runs)."
            )
            return
        self.stdout.write(
            f'Enrolling the records that already meet the triggers of "{flow.name}" ({flow.pk})...'
        )

        def draw(sender: Any, instance: BackfillRun, **kwargs: Any) -> None:
            # run_backfill saves its progress after every window: each save redraws the bar.
            if instance.pk == run.pk and instance.status == BackfillStatus.RUNNING:
                self.stdout.write(f"\r{bar(instance.done, instance.total)}", ending="")
                self.stdout.flush()

        post_save.connect(draw, sender=BackfillRun, weak=False)
        try:
            run = run_backfill(run.pk)
        finally:
            post_save.disconnect(draw, sender=BackfillRun)
        report = progress(run)
        self.stdout.write(f"\r{bar(report['done'], report['total'])}")
        if run.status != BackfillStatus.COMPLETE:
            raise CommandError(
                f"Enroll existing {run.status.lower()}: {'; '.join(run.errors) or 'unknown error'}"
            )
        self.stdout.write(
            f"Done: enrolled {run.enrolled} of the {run.total} records that met the triggers "
            f"(run {run.pk})."
        )
