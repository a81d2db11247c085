"""Show or change the account settings (hub tiers, time zone) from the command line.

Changes go through ``account_settings_update``, so they are validated and audited like the
admin's; the operator on the machine acts as the system (or as ``--user``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from crm.actors import Actor
from crm.errors import CrmError
from crm.models import AccountSettings, AccountSettingsChange
from crm.services.account import FIELDS, account_settings_update


class Command(BaseCommand):
    help = (
        "Show the account settings, or change them: account --set sales_hub=STARTER "
        "--set time_zone=Europe/Dublin. --history lists recent changes."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="FIELD=VALUE",
            help=f"One of {', '.join(FIELDS)}; repeat for several.",
        )
        parser.add_argument("--user", help="Act as this user (permissions apply).")
        parser.add_argument("--history", action="store_true", help="List the last 20 changes.")

    def handle(self, *args: Any, **options: Any) -> None:
        changes = {}
        for item in options["set"]:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f'"{item}" is not FIELD=VALUE')
            changes[name.strip()] = value.strip()
        if changes:
            actor = Actor.system("manage.py account")
            if options["user"]:
                user = get_user_model().objects.filter(username=options["user"]).first()
                if user is None:
                    raise CommandError(f'No user named "{options["user"]}".')
                actor = Actor.of_user(user)
            try:
                done = account_settings_update(changes=changes, actor=actor)
            except CrmError as exc:
                raise CommandError(exc.message) from None
            for change in done.changes:
                self.stdout.write(f"{change.field}: {change.old_value} -> {change.new_value}")
            if not done.changes:
                self.stdout.write("Nothing changed.")
            for warning in done.warnings:
                self.stderr.write(f"Warning: {warning}")
        row = AccountSettings.load()
        for name in FIELDS:
            self.stdout.write(f"{name} = {getattr(row, name)}")
        if options["history"]:
            for change in AccountSettingsChange.objects.all()[:20]:
                self.stdout.write(
                    f"{change.at:%Y-%m-%d %H:%M} {change.actor}: "
                    f"{change.field} {change.old_value} -> {change.new_value}"
                )
