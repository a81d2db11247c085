"""``manage.py seed_demo``: load the demo CRM (``make run`` calls it on every start)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from crm.demo import seed_demo


class Command(BaseCommand):
    help = (
        "Load a believable demo CRM (contacts, companies, deals, tickets, quotes, activities and "
        "labelled associations) through the CRM services. Idempotent: if the demo is already "
        "there, nothing is written."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(seed_demo().line())
