"""Demo data for email subscriptions and marketing email: two subscription types with some
contacts subscribed (one unsubscribed again), a sent newsletter with opens and clicks, and
a draft - so a new user sees both trigger families with data behind them."""

from __future__ import annotations

from collections.abc import Sequence

from crm.actors import Actor
from crm.models import MarketingEmail, Record, SubscriptionDefinition
from crm.services.marketing_email import email_create, email_events_record
from crm.services.subscriptions import subscribe, unsubscribe

ACTOR = Actor.system("seed_demo")


def seed_email(contacts: Sequence[Record]) -> dict[str, int]:
    """Idempotent by name: types and emails already there are reused."""
    newsletter, _ = SubscriptionDefinition.objects.get_or_create(
        name="Newsletter", defaults={"description": "The monthly newsletter"}
    )
    SubscriptionDefinition.objects.get_or_create(
        name="Product updates", defaults={"description": "Release notes", "is_default": True}
    )
    addresses = [c.properties.get("email") for c in contacts if c.properties.get("email")]
    for i, address in enumerate(addresses[:12]):
        subscribe(
            email=address,
            subscription_id=newsletter.pk,
            actor=ACTOR,
            legal_basis="CONSENT_WITH_NOTICE",
        )
        if i % 5 == 4:
            unsubscribe(email=address, subscription_id=newsletter.pk, actor=ACTOR)
    sent = MarketingEmail.objects.filter(name="March newsletter").first() or email_create(
        data={"name": "March newsletter", "subject": "What's new in March", "state": "SENT"}
    )
    if not MarketingEmail.objects.filter(name="April newsletter (draft)").exists():
        email_create(data={"name": "April newsletter (draft)", "subject": "April"})
    events = []
    for i, address in enumerate(addresses[:10]):
        base = {"recipient": address, "emailCampaignId": str(sent.pk)}
        events += [{**base, "type": "SENT", "id": f"demo-{i}-sent"}]
        events += [{**base, "type": "DELIVERED", "id": f"demo-{i}-delivered"}]
        if i % 2 == 0:
            events += [{**base, "type": "OPEN", "id": f"demo-{i}-open"}]
        if i % 4 == 0:
            events += [
                {**base, "type": "CLICK", "url": "https://example.com/pricing", "id": f"demo-{i}-c"}
            ]
    email_events_record(events)
    return {"subscription types": 2, "marketing emails": 2, "email events": len(events)}
