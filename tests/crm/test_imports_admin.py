"""Admin pages for imports (read-only list with state, counters, progress; detail with row
errors) and for legacy behavioural events (created through the service, archived)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crm.models import (
    AccountSettings,
    Import,
    ImportRowError,
    LegacyEventDefinition,
    ObjectType,
    Tier,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def fair() -> Import:
    imp = Import.objects.create(
        name="Fair leads",
        object_type=ObjectType.objects.get(name="contacts"),
        file_name="fair.csv",
        state="PROCESSING",
        counters={
            "TOTAL_ROWS": 40,
            "PROCESSED_ROWS": 10,
            "CREATED_OBJECTS": 7,
            "UPDATED_OBJECTS": 2,
            "ERRORS": 1,
        },
    )
    ImportRowError.objects.create(
        crm_import=imp,
        line_number=5,
        error_type="INVALID_EMAIL",
        message="not an email address",
        property_name="email",
        invalid_value="ada@",
    )
    return imp


def test_import_list__shows_state_counters_and_progress(staff, fair) -> None:
    page = staff.get(reverse("admin:crm_import_changelist")).content.decode()
    assert "Fair leads" in page and "PROCESSING" in page
    assert "10/40 rows (25%)" in page


def test_import_detail__shows_row_errors_and_is_read_only(staff, fair) -> None:
    url = reverse("admin:crm_import_change", args=[fair.pk])
    page = staff.get(url).content.decode()
    assert "INVALID_EMAIL" in page and "not an email address" in page and "ada@" in page
    assert 'name="_save"' not in page
    staff.post(url, {"name": "Renamed"})
    assert Import.objects.get().name == "Fair leads"
    assert staff.get(reverse("admin:crm_import_add")).status_code == 403
    staff.post(reverse("admin:crm_import_delete", args=[fair.pk]), {"post": "yes"})
    assert Import.objects.filter(pk=fair.pk).exists()


def test_legacy_event_admin__creates_through_the_service_with_its_rules(staff) -> None:
    add = reverse("admin:crm_legacyeventdefinition_add")
    answer = staff.post(add, {"label": "Watched demo", "id": "1625", "name": "", "description": ""})
    assert answer.status_code == 200 and "Marketing Hub Enterprise" in answer.content.decode()
    assert not LegacyEventDefinition.objects.exists()
    account = AccountSettings.load()
    account.marketing_hub = Tier.ENTERPRISE
    account.save()
    answer = staff.post(add, {"label": "Watched demo", "id": "16x", "name": "", "description": ""})
    assert "1 to 20 digits" in answer.content.decode()
    answer = staff.post(add, {"label": "Watched demo", "id": "1625", "name": "", "description": ""})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    made = LegacyEventDefinition.objects.get()
    assert (made.event_id, made.name) == ("1625", "watched_demo")
    page = staff.get(reverse("admin:crm_legacyeventdefinition_changelist")).content.decode()
    assert "9-1300-1625" in page


def test_legacy_event_admin__archive_action(staff) -> None:
    made = LegacyEventDefinition.objects.create(event_id="1", name="a", label="A")
    staff.post(
        reverse("admin:crm_legacyeventdefinition_changelist"),
        {"action": "archive", "_selected_action": [made.pk]},
    )
    assert LegacyEventDefinition.objects.get().archived
