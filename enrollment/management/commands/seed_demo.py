"""``manage.py seed_demo``: the demo CRM and demo workflows (``make run`` calls it on every
start). It lives in ``enrollment``, the top layer, because the workflows part needs all three
apps; the CRM part is ``crm.demo``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from crm.demo import seed_demo
from enrollment.demo import seed_demo_workflows


class Command(BaseCommand):
    help = (
        "Load a believable demo CRM (contacts, companies, deals, tickets, quotes, activities and "
        "labelled associations) through the CRM services, then demo workflows - turned on, with "
        "enrollments and history. Idempotent: what is already there is left alone."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(seed_demo().line())
        self.stdout.write(seed_demo_workflows().line())
