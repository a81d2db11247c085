"""The OpenAPI document validates with no warnings and documents the CRM API."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_spectacular__validate_fail_on_warn__clean_and_lists_crm_paths(tmp_path: Path) -> None:
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(target), "--validate", "--fail-on-warn")
    schema = yaml.safe_load(target.read_text())
    paths = schema["paths"]
    assert "/crm/v3/objects/{objectType}/{objectId}" in paths
    assert "/crm/v4/associations/{fromObjectType}/{toObjectType}/labels" in paths
    assert (
        "/crm-object-schemas/v3/schemas" not in paths
    )  # the client alias is listed once, as /crm/v3
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_schema_and_docs_urls__served(api) -> None:
    assert api.get("/api/schema/").status_code == 200
    assert api.get("/api/docs/").status_code == 200
