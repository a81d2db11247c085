"""Management commands a new user meets first: tokens and the local admin login."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_create_api_token__prints_token_alone_on_last_line_and_it_authenticates(
    admin_user, anon_api
) -> None:
    out = StringIO()
    call_command("create_api_token", admin_user.username, stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    assert token.startswith("pat-") and " " not in token
    anon_api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert anon_api.get("/api/schema/").status_code == 200


def test_create_api_token__unknown_user__readable_error() -> None:
    with pytest.raises(CommandError, match='No user named "ghost"'):
        call_command("create_api_token", "ghost")


def test_ensure_admin__twice__same_login_that_works(tmp_path, settings, client) -> None:
    settings.VAR_DIR = tmp_path
    first, second = StringIO(), StringIO()
    call_command("ensure_admin", stdout=first)
    call_command("ensure_admin", stdout=second)
    assert first.getvalue() == second.getvalue()
    password = first.getvalue().split("Admin login: admin / ")[1].split()[0]
    assert client.login(username="admin", password=password)
