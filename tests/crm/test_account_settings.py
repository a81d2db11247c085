"""Account settings, API tokens and object-type display settings are written by services:
validated, audited, and seen by the gating code in one place."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

from crm.actors import SYSTEM, Actor
from crm.errors import CrmValidationError, Forbidden
from crm.models import AccountSettings, AccountSettingsChange, ApiToken
from crm.services import record_create, schema_create
from crm.services.account import account_settings_update
from crm.services.tokens import token_issue, tokens_revoke
from enrollment.models import Enrollment
from tests.enrollment.conftest import known, list_based
from workflows.errors import FlowForbidden
from workflows.flow_payload import flow_to_json
from workflows.services import flow_create, flow_set_enabled, flow_update

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def viewer(django_user_model):
    user = django_user_model.objects.create_user(username="viewer", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_accountsettings"))
    return django_user_model.objects.get(pk=user.pk)


@pytest.fixture
def quote_flow():
    """An enabled quote workflow: quotes need Sales Hub Professional or Enterprise."""
    return flow_create(
        payload={
            "type": "PLATFORM_FLOW",
            "objectTypeId": "0-14",
            "name": "Quote follow-up",
            "isEnabled": True,
            "actions": [],
            "enrollmentCriteria": list_based(known("hs_title")),
        },
        actor=SYSTEM,
    )


# --------------------------------------------------------------------------- tiers


def test_tier_change__audited_with_who_old_and_new__unchanged_fields_not(admin_user) -> None:
    done = account_settings_update(
        changes={"sales_hub": "STARTER", "marketing_hub": "PROFESSIONAL"},
        actor=Actor.of_user(admin_user),
    )
    [row] = AccountSettingsChange.objects.all()
    assert (row.field, row.old_value, row.new_value) == ("sales_hub", "PROFESSIONAL", "STARTER")
    assert row.changed_by == admin_user and row.actor == "root"
    assert done.changes == (row,)
    assert AccountSettings.load().sales_hub == "STARTER"


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"sales_hub": "GOLD"}, "sales_hub", "not a tier"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "not a known IANA time zone"),
        ({"plan": "X"}, "plan", "not an account setting"),
    ],
)
def test_bad_setting__refused_by_field__nothing_written(changes, field, words) -> None:
    with pytest.raises(CrmValidationError) as caught:
        account_settings_update(changes=changes, actor=SYSTEM)
    assert [e.name for e in caught.value.errors] == [field]
    assert words in caught.value.message
    assert not AccountSettingsChange.objects.exists()


def test_tier_change__needs_the_permission__fails_closed(viewer) -> None:
    with pytest.raises(Forbidden, match="change_accountsettings"):
        account_settings_update(changes={"sales_hub": "STARTER"}, actor=Actor.of_user(viewer))
    with pytest.raises(TypeError):
        account_settings_update(changes={"sales_hub": "STARTER"}, actor=None)
    assert AccountSettings.load().sales_hub == "PROFESSIONAL"


def test_downgrade__enabled_quote_workflow_keeps_running_but_is_locked(quote_flow) -> None:
    flow = quote_flow
    done = account_settings_update(changes={"sales_hub": "STARTER"}, actor=SYSTEM)
    [warning] = done.warnings
    assert '"Quote follow-up"' in warning and "keep running" in warning
    assert "Sales Hub Professional" in warning
    # still running: a new quote meeting the triggers is enrolled
    quote = record_create(object_type="quotes", properties={"hs_title": "Q-1"})
    assert Enrollment.objects.filter(workflow=flow, record=quote).exists()
    # but edits are refused, naming the tier
    with pytest.raises(FlowForbidden, match="Sales Hub Professional"):
        flow_update(
            flow_id=flow.pk, payload={**flow_to_json(flow), "name": "Renamed"}, actor=SYSTEM
        )
    # turning off is allowed; turning back on is not
    flow_set_enabled(flow_id=flow.pk, enabled=False, actor=SYSTEM)
    with pytest.raises(FlowForbidden, match="Sales Hub Professional"):
        flow_set_enabled(flow_id=flow.pk, enabled=True, actor=SYSTEM)
    # the tier back: editable again
    account_settings_update(changes={"sales_hub": "ENTERPRISE"}, actor=SYSTEM)
    flow_set_enabled(flow_id=flow.pk, enabled=True, actor=SYSTEM)


def test_admin_account_settings__saves_through_service__audit_and_warning_shown(
    staff, quote_flow
) -> None:
    url = reverse("admin:crm_accountsettings_change", args=[AccountSettings.load().pk])
    page = staff.post(
        url,
        {
            "marketing_hub": "PROFESSIONAL",
            "sales_hub": "STARTER",
            "service_hub": "PROFESSIONAL",
            "operations_hub": "NONE",
            "time_zone": "UTC",
        },
        follow=True,
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Quote follow-up" in text and "keep running" in text
    assert AccountSettingsChange.objects.get().actor == "root"
    again = staff.get(url).content.decode()
    assert "Recent changes" in again and "STARTER" in again


def test_account_command__sets_shows_and_refuses_bad_input(capsys) -> None:
    call_command("account", "--set", "marketing_hub=ENTERPRISE", "--history")
    out = capsys.readouterr().out
    assert "marketing_hub: PROFESSIONAL -> ENTERPRISE" in out
    assert "system (manage.py account)" in out
    with pytest.raises(CommandError, match="not a tier"):
        call_command("account", "--set", "sales_hub=GOLD")
    with pytest.raises(CommandError, match="FIELD=VALUE"):
        call_command("account", "--set", "sales_hub")


# --------------------------------------------------------------------------- API tokens


def test_token_revoke__records_who_and_when__and_stops_working(admin_user, anon_api) -> None:
    token, raw = token_issue(user=admin_user, name="ci", actor=SYSTEM)
    anon_api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert anon_api.get("/crm/v3/objects/contacts").status_code == 200
    assert tokens_revoke(token_ids=[token.pk], actor=Actor.of_user(admin_user)) == 1
    token.refresh_from_db()
    assert token.revoked and token.revoked_by == admin_user and token.revoked_at is not None
    assert anon_api.get("/crm/v3/objects/contacts").status_code == 401
    assert tokens_revoke(token_ids=[token.pk], actor=SYSTEM) == 0  # already revoked


def test_token_revoke__without_permission__refused(viewer, admin_user) -> None:
    token, _ = token_issue(user=admin_user, actor=SYSTEM)
    with pytest.raises(Forbidden, match="change_apitoken"):
        tokens_revoke(token_ids=[token.pk], actor=Actor.of_user(viewer))
    assert not ApiToken.objects.get(pk=token.pk).revoked


# --------------------------------------------------------------------------- display settings


@pytest.fixture
def pets():
    return schema_create(
        data={
            "name": "pets",
            "labels": {"singular": "Pet", "plural": "Pets"},
            "primaryDisplayProperty": "pet_name",
            "properties": [
                {"name": "pet_name", "label": "Name", "type": "string", "fieldType": "text"},
                {"name": "species", "label": "Species", "type": "string", "fieldType": "text"},
            ],
        }
    )


def test_schema_patch__custom_type__labels_and_display_change(api, pets) -> None:
    got = api.patch(
        f"/crm/v3/schemas/{pets.object_type_id}",
        {
            "labels": {"plural": "Animals"},
            "secondaryDisplayProperties": ["species"],
            "keyProperties": ["pet_name", "species"],
        },
        format="json",
    )
    assert got.status_code == 200, got.json()
    body = got.json()
    assert body["labels"] == {"singular": "Pet", "plural": "Animals"}
    assert body["secondaryDisplayProperties"] == ["species"]
    pets.refresh_from_db()
    assert pets.key_properties == ["pet_name", "species"]


def test_schema_patch__unknown_property__400_naming_it(api, pets) -> None:
    got = api.patch(
        f"/crm/v3/schemas/{pets.object_type_id}",
        {"searchableProperties": ["shoe_size"]},
        format="json",
    )
    assert got.status_code == 400
    [error] = got.json()["errors"]
    assert error["name"] == "searchableProperties" and "shoe_size" in error["message"]


def test_schema_patch__standard_type__only_key_properties(api) -> None:
    refused = api.patch("/crm/v3/schemas/contacts", {"labels": {"plural": "People"}}, format="json")
    assert refused.status_code == 400
    assert "standard object" in refused.json()["message"]
    allowed = api.patch("/crm/v3/schemas/contacts", {"keyProperties": ["email"]}, format="json")
    assert allowed.status_code == 200
