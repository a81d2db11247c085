"""``manage.py enroll <flowId> <objectId...>``: manual enrollment from the shell, one line per record."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from crm.actors import Actor
from crm.errors import CrmError
from crm.ids import parse_id
from crm.models import ChangeSource
from enrollment.manual import enroll_records
from enrollment.models import EnrollmentSource
from enrollment.outcomes import MAX_BULK


def record_ids(raw: list[str]) -> list[str]:
    bad = [r for r in raw if parse_id(r) is None]
    if bad:
        raise CommandError(
            f"{', '.join(repr(b) for b in bad)} {'is not a record id' if len(bad) == 1 else 'are not record ids'}."
        )
    if len(raw) > MAX_BULK:
        raise CommandError(f"At most {MAX_BULK} records at a time, got {len(raw)}.")
    return raw


class Command(BaseCommand):
    help = (
        "Enroll records in a workflow manually (bypasses the triggers). Prints one line per record: "
        "ENROLLED, or REFUSED with the reason."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("flow_id", help="The workflow (flow) id.")
        parser.add_argument("object_ids", nargs="+", help="Record ids to enroll.")
        parser.add_argument(
            "--source",
            choices=[EnrollmentSource.MANUAL, EnrollmentSource.CHATFLOW],
            default=EnrollmentSource.MANUAL,
            help="MANUAL (default) or CHATFLOW.",
        )
        parser.add_argument(
            "--user",
            help="Enroll as this user (checked for the enroll_records permission) "
            "and record them in the history. Default: the operator, unchecked.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ids = record_ids(options["object_ids"])
        actor = Actor.system("manage.py enroll", source=ChangeSource.ADMIN)
        if options["user"]:
            user = (
                get_user_model()
                .objects.filter(**{get_user_model().USERNAME_FIELD: options["user"]})
                .first()
            )
            if user is None:
                raise CommandError(f'No user "{options["user"]}".')
            actor = Actor.of_user(user, source=ChangeSource.ADMIN, source_id="manage.py enroll")
        try:
            outcomes = enroll_records(
                flow_id=options["flow_id"], record_ids=ids, source=options["source"], actor=actor
            )
        except CrmError as exc:
            raise CommandError(exc.message) from None
        for outcome in outcomes:
            self.stdout.write(f"{outcome.object_id}\t{outcome.outcome}\t{outcome.reason}")
