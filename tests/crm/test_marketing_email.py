"""Marketing emails and their email events, stored as events for the recipient's contact."""

from __future__ import annotations

import pytest

from crm.actors import SYSTEM
from crm.errors import CrmValidationError
from crm.event_types import EMAIL_CLICK, EMAIL_OPEN
from crm.models import Event, EventStatus
from crm.services import record_create
from crm.services.marketing_email import email_create, email_events_record, email_publish

pytestmark = pytest.mark.django_db


def test_publish__marks_the_email_sent_with_the_time():
    email = email_create(data={"name": "News"})
    assert email.state == "DRAFT" and email.sent_at is None
    email = email_publish(email=email)
    assert email.state == "SENT" and email.sent_at is not None


def test_events__are_stored_for_the_recipients_contact_with_the_email_id():
    email = email_create(data={"name": "News", "state": "SENT"})
    ada = record_create(
        object_type="contacts", properties={"email": "ada@example.com"}, actor=SYSTEM
    )
    email_events_record(
        [
            {
                "type": "OPEN",
                "recipient": "ADA@example.com",
                "emailCampaignId": str(email.pk),
                "id": "e1",
            },
            {
                "type": "CLICK",
                "recipient": "ada@example.com",
                "emailId": email.pk,
                "url": "https://x.io",
            },
            {"type": "OPEN", "recipient": "ghost@example.com", "emailCampaignId": str(email.pk)},
        ]
    )
    opened = Event.objects.get(event_type_id=EMAIL_OPEN, record=ada)
    assert opened.properties == {"hs_email_id": str(email.pk), "hs_email_name": "News"}
    assert Event.objects.get(event_type_id=EMAIL_CLICK).properties["hs_url"] == "https://x.io"
    assert Event.objects.get(record__isnull=True).status == EventStatus.NO_MATCH
    # the sender's id makes a resent event a no-op
    email_events_record(
        [
            {
                "type": "OPEN",
                "recipient": "ada@example.com",
                "emailCampaignId": str(email.pk),
                "id": "e1",
            }
        ]
    )
    assert Event.objects.filter(event_type_id=EMAIL_OPEN, record=ada).count() == 1


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"type": "LOOKED"}, "events[1].type"),
        ({"recipient": "nope"}, "events[1].recipient"),
        ({"emailCampaignId": "999"}, "events[1].emailCampaignId"),
        ({"type": "CLICK"}, "events[1].url"),
        ({"created": "yesterday-ish"}, "events[1].created"),
    ],
)
def test_events__bad_input__names_the_field_and_stores_nothing(item, field):
    email = email_create(data={"name": "News", "state": "SENT"})
    good = {"type": "OPEN", "recipient": "ada@example.com", "emailCampaignId": str(email.pk)}
    with pytest.raises(CrmValidationError) as exc:
        email_events_record([good, {**good, **item}])
    assert field in [e.name for e in exc.value.errors]
    assert not Event.objects.exists()


def test_events__for_an_email_never_sent__are_refused():
    draft = email_create(data={"name": "Draft"})
    with pytest.raises(CrmValidationError) as exc:
        email_events_record(
            [{"type": "SENT", "recipient": "a@example.com", "emailCampaignId": str(draft.pk)}]
        )
    assert exc.value.errors[0].code == "EMAIL_NOT_SENT"
