"""Shared fixtures: database-aware markers, an API client with a Bearer token, Hypothesis profiles."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.db import connection
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "dev", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.conf import settings as dj_settings

    engine = dj_settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in engine:
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL: run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/test "
        "(.ci/run does)"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser(username="root", email="", password="pw")


@pytest.fixture
def api_token(admin_user) -> str:
    from crm.models import ApiToken

    _, raw = ApiToken.issue(user=admin_user, name="tests")
    return raw


@pytest.fixture
def api(api_token):
    """A DRF client authenticated with a Bearer token, as an integration would call us."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token}")
    return client


@pytest.fixture
def anon_api():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture(autouse=True)
def _fresh_trigger_index():
    """Each test's database starts anew; so does this process's cached trigger index."""
    from enrollment.index import invalidate_local

    invalidate_local()
    yield
    invalidate_local()


@pytest.fixture
def make_flow():
    """Create a flow in HubSpot's v4 shape through the service, as the system."""

    def make(
        object_type: str = "contacts",
        criteria: dict[str, Any] | None = None,
        *,
        enabled: bool = True,
        actions: list[dict[str, Any]] | None = None,
        name: str = "Flow",
        **extra: Any,
    ):
        flow_type = "CONTACT_FLOW" if object_type in {"contacts", "0-1"} else "PLATFORM_FLOW"
        from crm.services import resolve_object_type

        payload = {
            "type": flow_type,
            "objectTypeId": resolve_object_type(object_type).object_type_id,
            "name": name,
            "isEnabled": enabled,
            "flowType": "WORKFLOW",
            "actions": actions or [],
            "enrollmentCriteria": criteria or {"type": "MANUAL", "shouldReEnroll": False},
            **extra,
        }
        from crm.actors import SYSTEM
        from workflows.services import flow_create

        return flow_create(payload=payload, actor=SYSTEM)

    return make
