"""``manage.py evaluate``: does this record meet these criteria, and why - the engine's trace, in words.

For people writing criteria by hand (or checking one a workflow holds) without turning a
workflow on: every group and filter with pass / fail and the values seen.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from crm.errors import CrmError
from crm.ids import parse_id
from crm.services import resolve_object_type
from workflows.criteria import CriteriaInvalid, evaluate, parse


def _read_criteria(name: str) -> tuple[dict[str, Any], str]:
    """The criteria JSON and its path: a filter branch, or an object holding ``listFilterBranch``
    (a flow's ``enrollmentCriteria``, a list definition) - taken as it is."""
    try:
        text = Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(
            f"{name}: cannot read the criteria file ({exc.strerror or exc})"
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"{name}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    if isinstance(data, dict) and isinstance(data.get("listFilterBranch"), dict):
        return data["listFilterBranch"], "listFilterBranch"
    if not isinstance(data, dict):
        raise CommandError(
            f"{name}: the criteria must be a JSON object (a filter branch), not {type(data).__name__}"
        )
    return data, "listFilterBranch"


def _instant(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise CommandError(
            f'--now: "{raw}" is not an ISO-8601 time (e.g. 2024-05-01T09:30:00Z)'
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = (
        "Evaluate criteria (HubSpot filter-branch JSON) against one record and print the trace: the "
        "verdict, then each group and filter with pass / fail and the values seen."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--criteria",
            required=True,
            metavar="FILE",
            help="A JSON file: a filter branch, or an object with a listFilterBranch.",
        )
        parser.add_argument(
            "--object-type",
            required=True,
            metavar="T",
            help="The records' object type: contacts, 0-1, companies, a custom 2-N...",
        )
        parser.add_argument("--record", required=True, metavar="ID", help="The record id.")
        parser.add_argument(
            "--now",
            metavar="ISO",
            help="Evaluate as if it were this time (relative dates); default: now.",
        )
        parser.add_argument(
            "--json", action="store_true", help="Print the whole evaluation as JSON instead."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = _instant(options["now"])
        try:
            otype = resolve_object_type(options["object_type"])
        except CrmError as exc:
            raise CommandError(exc.message) from None
        branch, path = _read_criteria(options["criteria"])
        try:
            criteria = parse(branch, object_type=otype, path=path)
        except CriteriaInvalid as exc:
            raise CommandError(f"{options['criteria']}: {exc}") from None
        record_id = parse_id(options["record"])
        if record_id is None:
            raise CommandError(f'--record: "{options["record"]}" is not a record id')
        try:
            result = evaluate(criteria, record_id, now=now)
        except CrmError as exc:
            raise CommandError(exc.message) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
            return
        for line in result.summary():
            self.stdout.write(line)
