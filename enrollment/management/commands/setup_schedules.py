"""``manage.py setup_schedules``: create or update the engine's django-q2 schedules (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from enrollment.schedules import ensure_schedules


class Command(BaseCommand):
    help = (
        "Create or update, by name, the django-q2 schedules the enrollment engine needs: due action "
        "steps every minute, history pruning daily. Safe to run on every deploy."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for name, what in ensure_schedules():
            self.stdout.write(f"{name}: {what}")
