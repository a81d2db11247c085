"""``manage.py diagnose <flowId> <objectId>``: why is - or isn't - this record enrolled, in words."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from crm.errors import CrmError
from crm.ids import parse_id
from crm.models import Record
from enrollment.diagnose import diagnose
from workflows.services import get_flow


class Command(BaseCommand):
    help = (
        "Explain a record's enrollment in a workflow: the stored enrollments and decisions, and a fresh "
        "evaluation of the triggers now, filter by filter."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("flow_id", help="The workflow (flow) id.")
        parser.add_argument("object_id", help="The record id.")
        parser.add_argument(
            "--json", action="store_true", help="Print the full diagnosis as JSON instead."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            flow = get_flow(options["flow_id"])
        except CrmError as exc:
            raise CommandError(exc.message) from None
        raw = options["object_id"]
        pk = parse_id(raw)
        record = (
            Record.objects.select_related("object_type")
            .filter(pk=pk, object_type=flow.object_type)
            .first()
            if pk is not None
            else None
        )
        if record is None:
            raise CommandError(
                f"No {flow.object_type.label_singular.lower()} with id {raw} "
                f'(workflow "{flow.name}" enrolls {flow.object_type.label_plural.lower()}).'
            )
        result = diagnose(flow, record)
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
            return
        state = "enrolled now" if result["enrolled"] else "not enrolled now"
        off = "" if result["isEnabled"] else " (the workflow is off)"
        self.stdout.write(
            f'{flow.object_type.label_singular} {record.pk} in workflow "{flow.name}" '
            f"({flow.pk}): {state}{off}"
        )
        for line in result["summary"]:
            self.stdout.write(f"  - {line}")
        if result["enrollments"]:
            self.stdout.write("Enrollments:")
            for e in result["enrollments"]:
                ended = f", ended {e['endedAt']} ({e['endReason']})" if e["endedAt"] else ""
                self.stdout.write(
                    f"  #{e['cycle']} {e['status']} via {e['source']}, enrolled {e['enrolledAt']}{ended}"
                )
        if result["decisions"]:
            self.stdout.write("Decisions (newest first):")
            for d in result["decisions"]:
                self.stdout.write(f"  {d['at']} {d['decision']}: {d['message']}")
