"""Ads: the ad properties on contacts as PROPERTY filters, and ad interaction events as an
event trigger (stored through the events service), gated by Marketing Hub Professional."""

from __future__ import annotations

import pytest

from crm.event_types import AD_INTERACTION
from crm.models import AccountSettings, PropertyDefinition, Tier
from crm.services import record_create, record_update
from crm.services.events import EventIn, events_record
from enrollment.models import Enrollment
from tests.enrollment.conftest import enum_any, known, list_based
from tests.enrollment.events_helpers import event_based, event_branch
from workflows.errors import FlowForbidden

pytestmark = pytest.mark.django_db(transaction=True)

AD_PROPERTIES = {
    "hs_google_click_id",
    "hs_facebook_click_id",
    "hs_facebook_ad_clicked",
    "hs_linkedin_ad_clicked",
    "hs_analytics_source",
}


def test_ad_properties_exist_on_contacts():
    names = set(
        PropertyDefinition.objects.filter(object_type__name="contacts").values_list(
            "name", flat=True
        )
    )
    assert names >= AD_PROPERTIES


def test_google_ads_click_id_is_known__enrolls_when_set(make_flow):
    flow = make_flow("contacts", list_based(known("hs_google_click_id")))
    ada = record_create(object_type="contacts", properties={"email": "ada@example.com"})
    assert not Enrollment.objects.filter(workflow=flow).exists()
    record_update(record=ada, properties={"hs_google_click_id": "EAIaIQobChMI"})
    assert Enrollment.objects.filter(workflow=flow, record=ada).exists()


def test_ad_interaction_event__enrolls_on_a_linkedin_form_submission_only(make_flow):
    branch = event_branch(
        AD_INTERACTION,
        enum_any("hs_ad_network", "LINKEDIN"),
        enum_any("hs_interaction_type", "FORM_SUBMISSION"),
    )
    flow = make_flow("contacts", event_based(branch))
    ada = record_create(object_type="contacts", properties={"email": "ada@example.com"})
    bob = record_create(object_type="contacts", properties={"email": "bob@example.com"})
    events_record(
        [
            EventIn(
                event_type_id=AD_INTERACTION,
                source="ADS",
                email="ada@example.com",
                properties={
                    "hs_ad_network": "LINKEDIN",
                    "hs_interaction_type": "FORM_SUBMISSION",
                    "hs_campaign_id": "c-1",
                },
            ),
            EventIn(
                event_type_id=AD_INTERACTION,
                source="ADS",
                email="bob@example.com",
                properties={"hs_ad_network": "GOOGLE", "hs_interaction_type": "CLICK"},
            ),
        ]
    )
    assert set(Enrollment.objects.filter(workflow=flow).values_list("record_id", flat=True)) == {
        ada.pk
    }
    assert not Enrollment.objects.filter(workflow=flow, record=bob).exists()


def test_ad_interaction_trigger__needs_marketing_professional(make_flow):
    account = AccountSettings.load()
    account.marketing_hub = Tier.STARTER
    account.save()
    with pytest.raises(FlowForbidden) as caught:
        make_flow("contacts", event_based(event_branch(AD_INTERACTION)))
    assert "Marketing Hub Professional" in str(caught.value)
