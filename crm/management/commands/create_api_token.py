"""Issue a Bearer access token for a user; the token is printed alone on the last line."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from crm.actors import Actor
from crm.services.tokens import token_issue


class Command(BaseCommand):
    help = "Create an API access token for USERNAME. Only its hash is stored: copy it now."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username", help="The user the token acts as.")
        parser.add_argument("--name", default="", help="A note saying what the token is for.")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f'No user named "{username}".')
        if not user.is_active:
            raise CommandError(f'User "{username}" is inactive.')
        _, raw = token_issue(user=user, name=name, actor=Actor.system("create_api_token"))
        self.stdout.write(f"Token for {username} (shown once, store it safely):")
        self.stdout.write(raw)
