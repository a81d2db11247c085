"""Tier and permission gating of flows, enforced in the services (the API and admin call them)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from crm.actors import SYSTEM, Actor
from crm.models import AccountSettings
from workflows.errors import FlowForbidden, FlowInvalid
from workflows.flow_payload import flow_to_json
from workflows.services import flow_create, flow_set_enabled, flow_update

pytestmark = pytest.mark.django_db


def payload(object_type: str = "0-1", **extra):
    flow_type = "CONTACT_FLOW" if object_type == "0-1" else "PLATFORM_FLOW"
    return {
        "type": flow_type,
        "objectTypeId": object_type,
        "name": "Gated",
        "isEnabled": False,
        "actions": [],
        "enrollmentCriteria": {"type": "MANUAL", "shouldReEnroll": False},
        **extra,
    }


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user(username="editor", password="x")
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_workflow", "change_workflow"])
    )
    return django_user_model.objects.get(pk=user.pk)  # fresh permission cache


def test_quote_workflow__sales_hub_starter__forbidden_with_reason() -> None:
    account = AccountSettings.load()
    account.sales_hub = "STARTER"
    account.save()
    with pytest.raises(FlowForbidden, match="Sales Hub Professional or Enterprise"):
        flow_create(payload=payload("0-14"), actor=SYSTEM)


def test_quote_workflow__sales_hub_professional__allowed() -> None:
    assert flow_create(payload=payload("0-14"), actor=SYSTEM).object_type.name == "quotes"


def test_editor_without_toggle_permission__cannot_turn_on_by_action_or_put(editor) -> None:
    flow = flow_create(payload=payload(), actor=Actor.of_user(editor))
    with pytest.raises(FlowForbidden, match="toggle_workflow"):
        flow_set_enabled(flow_id=flow.pk, enabled=True, actor=Actor.of_user(editor))
    body = {**flow_to_json(flow), "isEnabled": True}
    with pytest.raises(FlowForbidden, match="toggle_workflow"):
        flow_update(flow_id=flow.pk, payload=body, actor=Actor.of_user(editor))
    with pytest.raises(FlowForbidden):
        flow_create(payload=payload(isEnabled=True), actor=Actor.of_user(editor))
    flow.refresh_from_db()
    assert not flow.is_enabled


def test_enroll_existing__manual_flow__clear_400() -> None:
    flow = flow_create(payload=payload(), actor=SYSTEM)
    with pytest.raises(FlowInvalid, match="only filter-based"):
        flow_set_enabled(flow_id=flow.pk, enabled=True, enroll_existing=True, actor=SYSTEM)
    flow.refresh_from_db()
    assert not flow.is_enabled
