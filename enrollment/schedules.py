"""The enrollment engine's recurring django-q2 jobs, declared once and upserted by name.

Due action steps (delays that have ended) and due event retries run every minute; decisions older than the
history retention are pruned daily. Upserting by name makes ``setup_schedules`` safe to
run on every deploy.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django_q.models import Schedule


@dataclass(frozen=True)
class Job:
    name: str
    func: str
    schedule_type: str
    minutes: int | None = None


JOBS = (
    Job("enrollment.run_due_steps", "enrollment.tasks.run_due_steps", Schedule.MINUTES, minutes=1),
    Job(
        "enrollment.retry_due_events",
        "enrollment.tasks.retry_due_events",
        Schedule.MINUTES,
        minutes=1,
    ),
    Job("enrollment.prune_history", "enrollment.tasks.prune_history", Schedule.DAILY),
)


def ensure_schedules() -> list[tuple[str, str]]:
    """(name, "created" | "updated" | "unchanged") per job; duplicates of a name are removed."""
    out = []
    with transaction.atomic():
        for job in JOBS:
            rows = list(Schedule.objects.select_for_update().filter(name=job.name).order_by("pk"))
            wanted = {
                "func": job.func,
                "schedule_type": job.schedule_type,
                "minutes": job.minutes,
                "repeats": -1,
            }
            if not rows:
                Schedule.objects.create(name=job.name, **wanted)
                out.append((job.name, "created"))
                continue
            row, extra = rows[0], rows[1:]
            if extra:  # a second row of the same name would run the job twice
                Schedule.objects.filter(pk__in=[r.pk for r in extra]).delete()
            changed = {k: v for k, v in wanted.items() if getattr(row, k) != v}
            if changed:
                Schedule.objects.filter(pk=row.pk).update(**changed)
            out.append((job.name, "updated" if changed or extra else "unchanged"))
    return out
