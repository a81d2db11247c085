"""An unexpected failure still answers in HubSpot's envelope, never an HTML page."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_unhandled_exception__json_envelope_500(api, monkeypatch) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr("crm.api.params.resolve_object_type", boom)
    api.raise_request_exception = False
    response = api.get("/crm/v3/objects/contacts")
    assert response.status_code == 500
    body = response.json()
    assert (
        body["status"] == "error" and body["category"] == "INTERNAL_ERROR" and body["correlationId"]
    )
    assert "kaboom" not in response.content.decode()
