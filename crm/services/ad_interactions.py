"""Ad interactions (event type 9-1101): a click on, or a lead form sent from, a Google,
Facebook or LinkedIn ad - ingested by our API and stored through ``events_record``.

HubSpot publishes no ingestion API for ad interactions (its ad integrations write them
itself), so the shape is ours: the contact by email, utk or objectId, the network and the
interaction type (required: an interaction without them means nothing to a trigger), the
campaign / ad group / ad ids and the click id, occurredAt and an optional sender id (stored
once). Bad input names the field and stores nothing (a batch is all or nothing).
Ingestion has no tier: the data is the contact's; the trigger on it is gated
(``workflows.trigger_catalogue.ADS_GATE``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from crm.errors import CrmValidationError, ErrorDetail
from crm.event_types import AD_INTERACTION, AD_INTERACTION_TYPES, AD_NETWORKS
from crm.services.events import EventIn, Stored, events_record

SOURCE = "ADS_API"
#: API field -> event property (text values)
TEXT_FIELDS = {
    "campaignId": "hs_campaign_id",
    "campaignName": "hs_campaign_name",
    "adGroupId": "hs_ad_group_id",
    "adId": "hs_ad_id",
    "clickId": "hs_click_id",
}
CHOICES = {
    "network": ("hs_ad_network", AD_NETWORKS),
    "interactionType": ("hs_interaction_type", AD_INTERACTION_TYPES),
}


def _interaction(data: Mapping[str, Any], where: str) -> tuple[EventIn | None, list[ErrorDetail]]:
    errors: list[ErrorDetail] = []
    props: dict[str, Any] = {}
    for name, (prop, allowed) in CHOICES.items():
        value = data.get(name)
        if value in (None, ""):
            errors.append(ErrorDetail(f"required: one of {', '.join(allowed)}", name=where + name))
        elif value not in allowed:
            errors.append(
                ErrorDetail(
                    f'"{value}" is not one of {", ".join(allowed)}',
                    name=where + name,
                    code="INVALID_OPTION",
                )
            )
        else:
            props[prop] = value
    for name, prop in TEXT_FIELDS.items():
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            errors.append(ErrorDetail("must be a string", name=where + name))
        elif value:
            props[prop] = value
    if errors:
        return None, errors
    return EventIn(
        event_type_id=AD_INTERACTION,
        source=SOURCE,
        properties=props,
        occurred_at=data.get("occurredAt"),
        record_id=data.get("objectId") or None,
        email=data.get("email") or None,
        utk=data.get("utk") or None,
        sender_id=str(data["id"]) if data.get("id") else None,
        object_type="contacts",
        raw=dict(data),
    ), []


def ad_interactions_record(
    items: Sequence[Mapping[str, Any]], *, batch: bool = False
) -> list[Stored]:
    """Validate every interaction, then store them all (or none), answering the stored events."""
    errors: list[ErrorDetail] = []
    events: list[EventIn] = []
    for i, data in enumerate(items):
        item, problems = _interaction(data, f"inputs[{i}]." if batch else "")
        errors.extend(problems)
        if item is not None:
            events.append(item)
    if errors:
        raise CrmValidationError.of(errors)
    return events_record(events, batch=batch)


__all__ = ["ad_interactions_record"]
