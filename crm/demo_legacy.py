"""Demo data for behavioural events (legacy): two legacy events, as if brought over from
HubSpot with their ids, and completions by some demo contacts - so the family has data
behind it. Stored by the events service as the demo loader (a system door: the Marketing
Hub Enterprise rule guards the API and the triggers, not the loader's own data)."""

from __future__ import annotations

from collections.abc import Sequence

from crm.event_types import from_legacy_definition
from crm.models import LegacyEventDefinition, Record
from crm.services.events import EventIn, events_record

DEMO_EVENTS = (
    ("000000001625", "watched_demo_video", "Watched the demo video"),
    ("000000001626", "used_pricing_calculator", "Used the pricing calculator"),
)


def seed_legacy_events(contacts: Sequence[Record]) -> dict[str, int]:
    """Idempotent: definitions by id are reused, completions are stored once by their id."""
    made = []
    for event_id, name, label in DEMO_EVENTS:
        definition, _ = LegacyEventDefinition.objects.get_or_create(
            event_id=event_id, defaults={"name": name, "label": label}
        )
        made.append(definition)
    items = [
        EventIn(
            event_type_id=definition.type_id,
            source="DEMO",
            properties={"hs_value": 10 * (i % 5)},
            record_id=contact.pk,
            sender_id=f"demo-legacy-{definition.event_id}-{contact.pk}",
            object_type="contacts",
            event_type=from_legacy_definition(definition),
        )
        for i, contact in enumerate(contacts[:15])
        for definition in made[: 1 + i % 2]
    ]
    events_record(items, batch=True)
    return {"legacy behavioural events": len(made), "legacy event completions": len(items)}
