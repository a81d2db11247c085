"""No anonymous access anywhere: every endpoint answers 401 in HubSpot's envelope without a token."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from crm.models import ApiToken, Record
from tests.api.conftest import assert_error

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("get", "/crm/v3/objects/contacts"),
    ("post", "/crm/v3/objects/contacts"),
    ("get", "/crm/v3/objects/contacts/1"),
    ("patch", "/crm/v3/objects/contacts/1"),
    ("delete", "/crm/v3/objects/contacts/1"),
    ("post", "/crm/v3/objects/contacts/batch/create"),
    ("post", "/crm/v3/objects/contacts/batch/read"),
    ("post", "/crm/v3/objects/contacts/batch/update"),
    ("post", "/crm/v3/objects/contacts/batch/archive"),
    ("get", "/crm/v3/properties/contacts"),
    ("post", "/crm/v3/properties/contacts"),
    ("get", "/crm/v3/properties/contacts/email"),
    ("patch", "/crm/v3/properties/contacts/email"),
    ("delete", "/crm/v3/properties/contacts/email"),
    ("put", "/crm/v4/objects/contacts/1/associations/companies/2"),
    ("delete", "/crm/v4/objects/contacts/1/associations/companies/2"),
    ("get", "/crm/v4/objects/contacts/1/associations/companies"),
    ("get", "/crm/v4/associations/contacts/companies/labels"),
    ("post", "/crm/v4/associations/contacts/companies/labels"),
    ("put", "/crm/v4/associations/contacts/companies/labels"),
    ("delete", "/crm/v4/associations/contacts/companies/labels/2001"),
    ("get", "/crm/v3/schemas"),
    ("post", "/crm/v3/schemas"),
    ("get", "/crm/v3/schemas/contacts"),
    ("get", "/crm-object-schemas/v3/schemas"),
    ("get", "/crm-object-schemas/v3/schemas/contacts"),
]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_endpoint__no_credentials__401_envelope(anon_api, method, url) -> None:
    response = getattr(anon_api, method)(
        url, {"properties": {"email": "anon@example.com"}}, format="json"
    )
    assert_error(response, 401, "INVALID_AUTHENTICATION")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Record.objects.exists()


@pytest.mark.parametrize("header", ["Bearer pat-not-a-real-token", "Bearer", "Bearer a b"])
def test_endpoint__bad_token__401_envelope(header) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert_error(client.get("/crm/v3/objects/contacts"), 401, "INVALID_AUTHENTICATION")


def test_endpoint__revoked_token__401(admin_user) -> None:
    token, raw = ApiToken.issue(user=admin_user)
    token.revoked = True
    token.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert_error(client.get("/crm/v3/objects/contacts"), 401, "INVALID_AUTHENTICATION")


def test_endpoint__session_login__browsable_reads_work(admin_user) -> None:
    client = APIClient()
    client.force_login(admin_user)
    assert client.get("/crm/v3/objects/contacts").status_code == 200
    assert client.get("/crm/v3/objects/contacts", HTTP_ACCEPT="text/html").status_code == 200


def test_token_last_used__kept_to_the_minute_not_written_per_request(admin_user) -> None:
    from datetime import timedelta

    from django.utils import timezone

    token, raw = ApiToken.issue(user=admin_user, name="sync")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/crm/v3/objects/contacts").status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    assert client.get("/crm/v3/objects/contacts").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first  # a second call within the minute writes nothing
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    assert client.get("/crm/v3/objects/contacts").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(seconds=1)
    assert token.last_used_at <= timezone.now()
