"""Stored event occurrences from the command line: how many per status, and retry failed ones.

``events status`` prints one line per status. ``events retry --id N [--id M]`` retries
those (each must exist and be FAILED, or nothing is retried); ``events retry --failed``
retries every FAILED one. Retrying goes through ``crm.services.events.retry_failed``
(FAILED -> RECEIVED, handed on as new), the same door the admin action and the API use.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from crm.ids import parse_id
from crm.models import Event, EventStatus
from crm.services.events import retry_failed

USAGE = "say what to do: events status | events retry --id N [--id M] | events retry --failed"


class Command(BaseCommand):
    help = (
        "Stored events: 'events status' counts them per status; 'events retry --id N' or "
        "'events retry --failed' processes failed ones again."
    )

    def add_arguments(self, parser: Any) -> None:
        # A plain positional, not argparse sub-commands: a wrong word is then one readable
        # line (CommandError), not a usage block.
        parser.add_argument("action", nargs="?", metavar="status|retry", help="What to do.")
        parser.add_argument(
            "--id",
            dest="ids",
            action="append",
            default=[],
            metavar="N",
            help="retry: a FAILED event's id; repeat for several.",
        )
        parser.add_argument("--failed", action="store_true", help="retry: every FAILED event.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options.get("action")
        ids, failed = options.get("ids") or [], bool(options.get("failed"))
        if action == "status":
            if ids or failed:
                raise CommandError("status takes no --id or --failed (those are for retry)")
            self.status()
        elif action == "retry":
            self.retry(ids, failed=failed)
        elif action is None:
            raise CommandError(USAGE)
        else:
            raise CommandError(f'"{action}" is not an action; {USAGE}')

    def status(self) -> None:
        counts = {
            row["status"]: row["n"]
            for row in Event.objects.order_by().values("status").annotate(n=Count("pk"))
        }
        for choice in EventStatus:
            self.stdout.write(f"{choice.value}: {counts.get(choice.value, 0)}")

    def retry(self, raw_ids: list[str], *, failed: bool) -> None:
        if failed and raw_ids:
            raise CommandError("retry takes --id N or --failed, not both")
        if not failed and not raw_ids:
            raise CommandError("retry needs --id N (repeat it for several) or --failed")
        if failed:
            ids = list(
                Event.objects.filter(status=EventStatus.FAILED)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        else:
            ids = self._failed_ids(raw_ids)
        if not ids:
            self.stdout.write("No failed events to retry.")
            return
        done = retry_failed(ids)
        self.stdout.write(f"Queued {done} failed event{'s' if done != 1 else ''} to process again.")

    def _failed_ids(self, raw_ids: list[str]) -> list[int]:
        """The ids given, each checked: all must be stored FAILED events (else nothing runs)."""
        ids: list[int] = []
        for raw in raw_ids:
            pk = parse_id(raw)
            if pk is None:
                raise CommandError(f'"{raw}" is not an event id')
            if pk not in ids:
                ids.append(pk)
        found = dict(Event.objects.filter(pk__in=ids).values_list("pk", "status"))
        missing = [str(pk) for pk in ids if pk not in found]
        if missing:
            raise CommandError(f"No stored event with id {', '.join(missing)}")
        not_failed = [f"{pk} is {found[pk]}" for pk in ids if found[pk] != EventStatus.FAILED]
        if not_failed:
            raise CommandError(
                f"Only FAILED events can be retried: event {'; event '.join(not_failed)}"
            )
        return ids
