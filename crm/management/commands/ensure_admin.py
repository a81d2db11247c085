"""Ensure a local admin login exists and print it (used by ``make run``)."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from crm.actors import Actor
from crm.services.tokens import token_issue


class Command(BaseCommand):
    help = (
        "Create the local 'admin' superuser if missing (password kept in var/admin-login.txt) "
        "and print the login and an API token."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--username", default="admin", help="Username of the admin (default: admin)."
        )

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        login_file = settings.VAR_DIR / "admin-login.txt"
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        saved = login_file.read_text().split("\n") if login_file.exists() else []
        password = saved[1] if len(saved) > 2 and saved[0] == username else ""
        if user is None or not password or not user.check_password(password):
            password = secrets.token_urlsafe(12)
            if user is None:
                user = User.objects.create_superuser(username=username, email="", password=password)
            else:
                user.set_password(password)
                user.is_staff = user.is_superuser = True
                user.save()
            _, token = token_issue(user=user, name="make run", actor=Actor.system("ensure_admin"))
            login_file.write_text(f"{username}\n{password}\n{token}\n")
            login_file.chmod(0o600)
        token = login_file.read_text().split("\n")[2]
        self.stdout.write(f"Admin login: {username} / {password}")
        self.stdout.write(f"API token:   {token}")
