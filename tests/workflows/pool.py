"""A fixed pool of records for the parity proof: every property type, empty values, JSON nulls,
wrong-typed values, value history, labelled associations, archived records - and stored
events of several types (custom events carrying every property type, form submissions,
property changes) spread over months, with wrong-typed event values and NO_MATCH / FAILED
occurrences.

Records, history, associations and events are written directly (bulk_create), not through
the services: the pool must hold what the services never write (wrong types, JSON nulls,
history spread over months) to prove both evaluators treat such rows alike. The schema
(properties, labels) goes through the services; the custom event definitions are written
directly too (one declares a multi-checkbox property, which the definitions API does not).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from crm.event_types import FORM_SUBMISSION, PROPERTY_VALUE_CHANGED
from crm.models import (
    AccountSettings,
    Association,
    AssociationType,
    Event,
    EventDefinition,
    EventStatus,
    ObjectType,
    PropertyChange,
    Record,
)
from crm.services import association_label_create, property_create
from crm.values import format_datetime

BASE = datetime(
    2025, 3, 5, 12, 0, tzinfo=UTC
)  # the US changes clocks on 2025-03-09: DST inside the range
ZONE = "America/New_York"

TEXTS = [
    "alpha",
    "Alpha",
    "ALPHA beta",
    "beta",
    "Beta%",
    "x_y",
    "x%y",
    "é",
    "É",
    "naïve Café",
    "50%",
    "a\\b",
    " spaced ",
    "ab",
    "b",
    "zeta",
]
NEEDLES = [
    "a",
    "AL",
    "beta",
    "%",
    "_",
    "é",
    "É",
    "café",
    "x",
    "\\",
    " ",
    "zz",
    "alpha",
    "b",
    "50%",
    "x_y",
]
NUMBERS = [-1, 0, 1, 2.5, 3, 100, 1_000_000, 0.1, -7.25]
#: day offsets from BASE that values, time points and clocks share, so endpoints are hit exactly
DAY_OFFSETS = [-91, -90, -31, -30, -8, -7, -1, 0, 1, 2, 7, 30, 31, 90, 91]
ENUM_OPTIONS = ["a", "b_x", "c%", "d"]
MULTI_OPTIONS = ["red", "green", "blue", "x_y%"]

#: name -> (type, fieldType, options)
CUSTOM_PROPERTIES: dict[str, tuple[str, str, list[str]]] = {
    "p_text": ("string", "text", []),
    "p_text2": ("string", "text", []),
    "p_num": ("number", "number", []),
    "p_bool": ("bool", "booleancheckbox", []),
    "p_date": ("date", "date", []),
    "p_date2": ("date", "date", []),
    "p_dt": ("datetime", "date", []),
    "p_dt2": ("datetime", "date", []),
    "p_enum": ("enumeration", "select", ENUM_OPTIONS),
    "p_multi": ("enumeration", "checkbox", MULTI_OPTIONS),
}
WRONG_TYPED: dict[str, list[Any]] = {
    "p_text": [7, True],
    "p_text2": [3.5],
    "p_num": ["12", True],
    "p_bool": ["true", 1],
    "p_date": [20250101, "2025-01-011", "2025-01-01T00:00:00.000Z"],
    "p_date2": [False],
    "p_dt": ["2025-01-01", 1735689600000],
    "p_dt2": ["not a date at all"],
    "p_enum": [3],
    "p_multi": [True, ["red"]],
}


#: form ids the pool's form submissions carry (and criteria name)
FORM_IDS = ["form-a", "form-b", "Form-A", "form-c"]
#: property names a property-value-changed event carries in hs_name
CHANGED_NAMES = ["p_text", "p_num", "lifecyclestage"]
#: the custom events' property names (the record properties' names, types and options, so
#: the criteria strategies serve both) - ``createdate`` included
EVENT_PROPERTIES = [*CUSTOM_PROPERTIES, "createdate"]


@dataclass
class Pool:
    types: dict[str, ObjectType]
    live: dict[str, list[int]]  # object type name -> ids of non-archived records
    labels: dict[str, int] = field(
        default_factory=dict
    )  # label name -> type id (contacts -> companies)
    #: object type name -> the custom event type id whose occurrences belong to it
    custom_events: dict[str, str] = field(default_factory=dict)
    #: ids of imports of contacts (IN_LIST inListType IMPORT), some contacts members of them
    imports: list[str] = field(default_factory=list)
    #: ids of contact lists (plain IN_LIST), some contacts members of them
    lists: list[str] = field(default_factory=list)
    #: subscription type ids (EMAIL_SUBSCRIPTION) and sent marketing email ids (EMAIL_EVENT)
    subscriptions: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    #: CTA ids and names (CTA filters), page URLs seen (PAGE_VIEW filters)
    ctas: list[str] = field(default_factory=list)
    #: ids of contact workflows some contacts are (were) enrolled in (IN_LIST WORKFLOWS_*)
    workflows: list[str] = field(default_factory=list)
    #: legacy behavioural event ids (EVENT filters); the last one has no completions
    legacy_events: list[str] = field(default_factory=list)


def random_value(rng: random.Random, name: str) -> Any:
    kind = CUSTOM_PROPERTIES[name][0]
    if kind == "string":
        return rng.choice(TEXTS)
    if kind == "number":
        return rng.choice(NUMBERS)
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "date":
        days = rng.choice(DAY_OFFSETS) if rng.random() < 0.6 else rng.randint(-120, 120)
        return (BASE + timedelta(days=days)).date().isoformat()
    if kind == "datetime":
        return format_datetime(rng.choice(INSTANTS) if rng.random() < 0.6 else random_instant(rng))
    options = CUSTOM_PROPERTIES[name][2]
    if CUSTOM_PROPERTIES[name][1] == "checkbox":
        chosen = [o for o in options if rng.random() < 0.4] or [rng.choice(options)]
        return ";".join(chosen)
    return rng.choice(options)


def local_midnight(day_offset: int) -> datetime:
    day = (BASE + timedelta(days=day_offset)).date()
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(ZONE)).astimezone(UTC)


#: instants values and clocks share: BASE, New York midnights and UTC midnights around it
INSTANTS = sorted(
    {BASE}
    | {BASE + timedelta(days=d) for d in DAY_OFFSETS}
    | {local_midnight(d) for d in DAY_OFFSETS}
    | {
        datetime.combine((BASE + timedelta(days=d)).date(), datetime.min.time(), tzinfo=UTC)
        for d in DAY_OFFSETS
    }
)


def random_instant(rng: random.Random) -> datetime:
    moment = BASE + timedelta(minutes=rng.randint(-120 * 24 * 60, 120 * 24 * 60))
    return moment.replace(microsecond=rng.choice([0, 1000, 999000]))


def random_properties(rng: random.Random) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for name in CUSTOM_PROPERTIES:
        roll = rng.random()
        if roll < 0.2:
            continue  # no value
        if roll < 0.25:
            props[name] = None  # JSON null: no value either
        elif roll < 0.3:
            props[name] = rng.choice(WRONG_TYPED[name])
        else:
            props[name] = random_value(rng, name)
    return props


def ensure_schema() -> dict[str, int]:
    for otype in ("contacts", "companies"):
        for name, (ptype, field_type, options) in CUSTOM_PROPERTIES.items():
            data: dict[str, Any] = {
                "name": name,
                "label": name.replace("_", " ").title(),
                "type": ptype,
                "fieldType": field_type,
            }
            if options:
                data["options"] = [{"label": o.upper(), "value": o} for o in options]
            property_create(object_type=otype, data=data)
    forward, _ = association_label_create(
        from_object_type="contacts",
        to_object_type="companies",
        label="Partner",
        inverse_label="Partner of",
    )
    return {"Partner": forward.type_id}


def build_pool(seed: int = 7, contacts: int = 36, companies: int = 14) -> Pool:
    rng = random.Random(seed)
    settings = AccountSettings.load()
    settings.time_zone = ZONE
    settings.save()
    labels = ensure_schema()
    types = {t.name: t for t in ObjectType.objects.filter(name__in=["contacts", "companies"])}

    records: dict[str, list[Record]] = {}
    for name, count in (("contacts", contacts), ("companies", companies)):
        rows = []
        for _ in range(count):
            created = BASE - timedelta(days=rng.randint(0, 200))
            props = random_properties(rng)
            props["createdate"] = format_datetime(created)
            rows.append(
                Record(
                    object_type=types[name],
                    properties=props,
                    created_at=created,
                    updated_at=created,
                )
            )
        records[name] = Record.objects.bulk_create(rows)
    archived = records["companies"][-3:]
    Record.objects.filter(pk__in=[r.pk for r in archived]).update(archived=True, archived_at=BASE)

    history: list[PropertyChange] = []
    for rows in records.values():
        for record in rows:
            for name in CUSTOM_PROPERTIES:
                if rng.random() < 0.35:
                    continue
                moments = sorted(
                    BASE - timedelta(minutes=rng.randint(0, 150 * 24 * 60))
                    for _ in range(rng.randint(1, 3))
                )
                previous = None
                for i, moment in enumerate(moments):
                    last = i == len(moments) - 1
                    if last and name in record.properties:
                        value = record.properties[name]
                    elif rng.random() < 0.15:
                        value = None
                    elif rng.random() < 0.05:
                        value = rng.choice(WRONG_TYPED[name])
                    else:
                        value = random_value(rng, name)
                    history.append(
                        PropertyChange(
                            record=record,
                            property_name=name,
                            value=value,
                            previous_value=previous,
                            timestamp=moment.replace(microsecond=rng.choice([0, 123456, 999999])),
                            source="IMPORT",
                        )
                    )
                    previous = value
    PropertyChange.objects.bulk_create(history)

    by_key = {
        (t.from_object_type_id, t.to_object_type_id, t.type_id): t
        for t in AssociationType.objects.all()
    }
    contact_pk, company_pk = types["contacts"].pk, types["companies"].pk
    default = by_key[(contact_pk, company_pk, 279)]
    primary = by_key[(contact_pk, company_pk, 1)]
    partner = by_key[(contact_pk, company_pk, labels["Partner"])]
    links = []
    for contact in records["contacts"]:
        for company in rng.sample(records["companies"], rng.choice([0, 0, 1, 1, 2, 3])):
            chosen = [default] + [t for t in (primary, partner) if rng.random() < 0.35]
            for t in chosen:
                links.append(
                    Association(from_record=contact, to_record=company, association_type=t)
                )
                links.append(
                    Association(
                        from_record=company, to_record=contact, association_type_id=t.inverse_id
                    )
                )
    Association.objects.bulk_create(links)

    custom = ensure_event_types()
    Event.objects.bulk_create(
        random_events(rng, records, custom, types) + no_match_events(rng, custom, types)
    )

    imports = random_imports(rng, records["contacts"], types["contacts"])
    lists = random_lists(rng, records["contacts"], types["contacts"])

    subscriptions, emails = random_email_data(records["contacts"], types["contacts"])

    ctas = random_tracking(records["contacts"], types["contacts"])

    workflows = random_enrollments(rng, records["contacts"], types["contacts"])

    legacy_events = random_legacy_events(records["contacts"], types["contacts"])

    live = {name: [r.pk for r in rows if r not in archived] for name, rows in records.items()}
    return Pool(
        types=types,
        live=live,
        labels=labels,
        custom_events=custom,
        imports=imports,
        lists=lists,
        subscriptions=subscriptions,
        emails=emails,
        ctas=ctas,
        workflows=workflows,
        legacy_events=legacy_events,
    )


def random_legacy_events(contacts: list[Record], otype: ObjectType) -> list[str]:
    """Three legacy behavioural events (one never completed): completions at shared moments
    (ties, window edges), some NO_MATCH or FAILED, some with a value."""
    from crm.models import LegacyEventDefinition

    rng = random.Random(1300)  # its own stream: the other sections' draws stay as they were
    made = [
        LegacyEventDefinition.objects.create(
            event_id=f"{1625 + i:012d}", name=f"legacy_{i}", label=f"Legacy {i}"
        )
        for i in range(3)
    ]
    moments = [BASE - timedelta(days=d) for d in (0, 1, 7, 8, 30, 31, 90)]
    statuses = [EventStatus.PROCESSED] * 5 + [EventStatus.RECEIVED, EventStatus.FAILED]
    events = []
    for contact in [*contacts, None]:
        for definition in made[:2]:
            for _ in range(rng.choice([0, 0, 1, 2, 3])):
                events.append(
                    Event(
                        event_type_id=definition.type_id,
                        object_type=otype,
                        record=contact,
                        occurred_at=rng.choice(moments),
                        properties={"hs_value": rng.choice([1, 10, 49.5])}
                        if rng.random() < 0.5
                        else {},
                        source="LEGACY_EVENTS_API",
                        key=f"legacy:{len(events)}",
                        status=EventStatus.NO_MATCH if contact is None else rng.choice(statuses),
                    )
                )
    Event.objects.bulk_create(events)
    return [d.event_id for d in made]


def random_enrollments(rng: random.Random, contacts: list[Record], otype: ObjectType) -> list[str]:
    """Two contact workflows (and one nobody is in); contacts enrolled in them with every
    status, some twice (an ended cycle and an active one) - written directly."""
    from enrollment.models import Enrollment
    from workflows.models import Workflow

    flows = [
        Workflow.objects.create(name=f"Pool flow {i}", object_type=otype, is_enabled=False)
        for i in range(3)
    ]
    rows = []
    for contact in contacts:
        for flow in flows[:2]:
            if rng.random() < 0.3:
                continue
            cycles = rng.choice([1, 1, 2])
            for cycle in range(1, cycles + 1):
                last = cycle == cycles
                status = rng.choice(["ACTIVE", "COMPLETED", "GOAL_MET", "UNENROLLED"])
                if not last and status == "ACTIVE":
                    status = "COMPLETED"
                enrolled = BASE - timedelta(days=rng.randint(1, 90))
                ended = (
                    None if status == "ACTIVE" else enrolled + timedelta(hours=rng.randint(1, 48))
                )
                rows.append(
                    Enrollment(
                        workflow=flow,
                        record=contact,
                        status=status,
                        source="MANUAL",
                        cycle=cycle,
                        enrolled_at=enrolled,
                        ended_at=ended,
                    )
                )
    Enrollment.objects.bulk_create(rows)
    return [str(f.pk) for f in flows]


#: page URLs the pool's page views carry (and PAGE_VIEW filters look for)
PAGE_URLS = [
    "https://www.example.com/",
    "https://www.example.com/pricing",
    "https://www.example.com/pricing?plan=pro",
    "https://www.example.com/Pricing",
    "https://www.example.com/blog/café-50%",
    "https://shop.example.com/cart/x_y",
    "http://localhost:8000/a.b/c",
]


def random_tracking(contacts: list[Record], otype: ObjectType) -> list[str]:
    """Web tracking: page views, CTA views and clicks, consent answers (several categories,
    ties on occurredAt), some LINKED (anonymous, identified later) and NO_MATCH, some
    wrong-typed; two CTAs. Answers the CTA ids and names filters may name."""
    from crm.event_types import CTA_CLICKED, CTA_VIEWED, PAGE_VIEWED, PRIVACY_CONSENT_CHANGED
    from crm.models import Cta

    rng = random.Random(1201)  # its own stream: the other sections' draws stay as they were
    ctas = [
        Cta.objects.create(cta_id="demo", name="Book a demo"),
        Cta.objects.create(cta_id="trial", name="Trial"),
    ]
    moments = [BASE - timedelta(days=d) for d in (0, 1, 7, 8, 30, 31, 90)]
    events = []

    def add(contact: Record | None, type_id: str, props: dict[str, Any], status: str) -> None:
        events.append(
            Event(
                event_type_id=type_id,
                object_type=otype,
                record=contact,
                occurred_at=rng.choice(moments),
                properties=props,
                source="TRACKING",
                key=f"track:{len(events)}",
                status=status,
            )
        )

    statuses = [EventStatus.PROCESSED] * 5 + [EventStatus.LINKED, EventStatus.RECEIVED]
    for contact in [*contacts, None]:
        status = EventStatus.NO_MATCH if contact is None else None
        for _ in range(rng.choice([0, 1, 2, 3, 5])):
            url: Any = rng.choice(PAGE_URLS) if rng.random() < 0.95 else rng.choice([7, None])
            add(contact, PAGE_VIEWED, {"hs_url": url}, status or rng.choice(statuses))
        for type_id in (CTA_VIEWED, CTA_CLICKED):
            for _ in range(rng.choice([0, 0, 1, 2])):
                cta = rng.choice(ctas)
                props = {"hs_cta_id": cta.cta_id, "hs_cta_name": rng.choice([cta.name, "Old name"])}
                add(contact, type_id, props, status or rng.choice(statuses))
        for _ in range(rng.choice([0, 1, 2, 3])):
            props = {
                "hs_consent_status": rng.choice(["accepted", "declined", "revoked", True]),
                "hs_privacy_name": rng.choice(["cookies", "cookies", "analytics", 5]),
            }
            add(contact, PRIVACY_CONSENT_CHANGED, props, status or rng.choice(statuses))
    Event.objects.bulk_create(events)
    return [c.cta_id for c in ctas] + [c.name for c in ctas]


def random_email_data(contacts: list[Record], otype: ObjectType) -> tuple[list[str], list[str]]:
    """Email addresses (the ``email`` claim; some contacts have none, one has a claim whose
    case differs from its property), subscription statuses of three types (one type nobody
    has a status for; an address with no contact) with history, and marketing emails' events
    (two sent emails, one each of every event type, some with URLs; NO_MATCH ones)."""
    from crm.event_types import EMAIL_EVENT_TYPES
    from crm.models import (
        MarketingEmail,
        SubscriptionChange,
        SubscriptionDefinition,
        SubscriptionStatus,
        UniqueValue,
    )

    rng = random.Random(1009)  # its own stream: the other sections' draws stay as they were
    kinds = [SubscriptionDefinition.objects.create(name=f"Type {i}") for i in range(3)]
    emails = [MarketingEmail.objects.create(name=f"Email {i}", state="SENT") for i in range(2)]
    addresses: list[str] = ["nobody-here@example.com"]
    claims = []
    for i, contact in enumerate(contacts):
        if rng.random() < 0.25:
            continue  # no email at all: NOT_SUBSCRIBED everywhere
        address = f"c{i}@example.com"
        contact.properties["email"] = address.upper() if i % 7 == 0 else address
        Record.objects.filter(pk=contact.pk).update(properties=contact.properties)
        claims.append(
            UniqueValue(object_type=otype, property_name="email", value=address, record=contact)
        )
        addresses.append(address)
    UniqueValue.objects.bulk_create(claims)
    statuses, changes = [], []
    for address in addresses:
        for kind in kinds[:2]:
            roll = rng.random()
            if roll < 0.35:
                continue  # no row
            status = "SUBSCRIBED" if roll < 0.7 else "NOT_SUBSCRIBED"
            statuses.append(SubscriptionStatus(email=address, definition=kind, status=status))
            changes.append(
                SubscriptionChange(
                    email=address,
                    definition=kind,
                    status=status,
                    previous_status="NOT_SUBSCRIBED",
                    timestamp=BASE - timedelta(days=rng.randint(0, 60)),
                    source="TEST",
                )
            )
    SubscriptionStatus.objects.bulk_create(statuses)
    SubscriptionChange.objects.bulk_create(changes)
    events = []
    urls = ["https://example.com/a", "https://example.com/b"]
    for n, contact in enumerate(contacts):
        for email in emails:
            for kind, type_id in EMAIL_EVENT_TYPES.items():
                if rng.random() < 0.55:
                    continue
                props = {"hs_email_id": str(email.pk), "hs_email_name": email.name}
                if kind == "CLICK":
                    props["hs_url"] = rng.choice(urls)
                events.append(
                    Event(
                        event_type_id=type_id,
                        object_type=otype,
                        record=contact,
                        occurred_at=BASE - timedelta(days=rng.randint(0, 60)),
                        properties=props,
                        source="TEST",
                        key=f"mail:{n}:{email.pk}:{kind}",
                        status=rng.choice([EventStatus.PROCESSED] * 4 + [EventStatus.NO_MATCH]),
                    )
                )
    Event.objects.bulk_create(events)
    return [str(k.pk) for k in kinds], [str(e.pk) for e in emails]


def random_imports(rng: random.Random, contacts: list[Record], otype: ObjectType) -> list[str]:
    """Three imports of contacts: each holds a random share of them (one holds none)."""
    from crm.models import Import, ImportMembership

    made = [
        Import.objects.create(
            name=f"Import {i}", object_type=otype, file_name="x.csv", state="DONE"
        )
        for i in range(3)
    ]
    members = [
        ImportMembership(
            crm_import=imp,
            record=contact,
            action=rng.choice(["CREATED", "UPDATED"]),
            at=BASE - timedelta(days=rng.randint(0, 90)),
        )
        for imp, share in zip(made, (0.5, 0.15, 0.0), strict=True)
        for contact in contacts
        if rng.random() < share
    ]
    ImportMembership.objects.bulk_create(members)
    return [str(imp.pk) for imp in made]


def random_lists(rng: random.Random, contacts: list[Record], otype: ObjectType) -> list[str]:
    """Three static lists of contacts holding random shares of them (one holds none); the
    archived contacts among the members stay members, as the list upkeep leaves them only
    through the archive signal this pool never sends."""
    from workflows.models import CrmList, ListMembership

    made = [
        CrmList.objects.create(name=f"Pool list {i}", object_type=otype, processing_type="MANUAL")
        for i in range(3)
    ]
    ListMembership.objects.bulk_create(
        ListMembership(list=crm_list, record=contact)
        for crm_list, share in zip(made, (0.5, 0.2, 0.0), strict=True)
        for contact in contacts
        if rng.random() < share
    )
    return [str(crm_list.pk) for crm_list in made]


def ensure_event_types() -> dict[str, str]:
    """A custom event per object type, declaring the custom properties (+ createdate)."""
    declared = []
    for name, (ptype, field_type, options) in CUSTOM_PROPERTIES.items():
        entry: dict[str, Any] = {
            "name": name,
            "label": "Event " + name.replace("_", " "),
            "type": ptype,
            "fieldType": field_type,
        }
        if options:
            entry["options"] = [{"label": o.upper(), "value": o} for o in options]
        declared.append(entry)
    declared.append({"name": "createdate", "label": "Event create date", "type": "datetime"})
    out = {}
    for otype in ("contacts", "companies"):
        definition = EventDefinition.objects.create(
            name=f"pe_pool_{otype}",
            label=f"Pool event ({otype})",
            primary_object_type=ObjectType.objects.get(name=otype),
            type_id=f"tmp-{otype}",
            properties=declared,
        )
        definition.type_id = f"6-{definition.pk}"
        definition.save(update_fields=["type_id"])
        out[otype] = definition.type_id
    return out


def random_event_properties(rng: random.Random, type_id: str) -> dict[str, Any]:
    if type_id == FORM_SUBMISSION:
        props: dict[str, Any] = {}
        roll = rng.random()
        if roll < 0.85:
            props["hs_form_id"] = rng.choice(FORM_IDS)
        elif roll < 0.9:
            props["hs_form_id"] = rng.choice([7, None, True])
        if rng.random() < 0.5:
            props["hs_page_url"] = rng.choice(TEXTS)
        return props
    if type_id == PROPERTY_VALUE_CHANGED:
        return {
            "hs_name": rng.choice(CHANGED_NAMES),
            "hs_value": rng.choice(TEXTS),
            **({"hs_source": "IMPORT"} if rng.random() < 0.5 else {}),
        }
    props = random_properties(rng)
    for name in CUSTOM_PROPERTIES:  # more wrong-typed values than records: errored counts
        if rng.random() < 0.12:
            props[name] = rng.choice(WRONG_TYPED[name])
    if rng.random() < 0.6:
        props["createdate"] = format_datetime(rng.choice(INSTANTS))
    return props


def event_moment(rng: random.Random) -> datetime:
    """Often exactly an instant the pool shares with time points and clocks, else anywhere."""
    if rng.random() < 0.5:
        return rng.choice(INSTANTS)
    return random_instant(rng)


def random_events(
    rng: random.Random,
    records: dict[str, list[Record]],
    custom: dict[str, str],
    types: dict[str, ObjectType],
) -> list[Event]:
    out = []
    for otype, rows in records.items():
        kinds = [custom[otype], PROPERTY_VALUE_CHANGED] + (
            [FORM_SUBMISSION] if otype == "contacts" else []
        )
        for record in rows:
            for type_id in kinds:
                for _ in range(rng.choice([0, 0, 1, 1, 2, 3, 4])):
                    status = rng.choices(
                        [EventStatus.PROCESSED, EventStatus.RECEIVED, EventStatus.FAILED],
                        [8, 1, 1],
                    )[0]
                    out.append(
                        Event(
                            event_type_id=type_id,
                            object_type=types[otype],
                            record=record,
                            occurred_at=event_moment(rng),
                            properties=random_event_properties(rng, type_id),
                            source="POOL",
                            key=f"pool:{len(out)}:{record.pk}:{type_id}",
                            status=status,
                        )
                    )
    return out


def no_match_events(
    rng: random.Random, custom: dict[str, str], types: dict[str, ObjectType]
) -> list[Event]:
    """Occurrences for records that did not exist: kept, never counted."""
    return [
        Event(
            event_type_id=type_id,
            object_type=types["contacts"],
            record=None,
            occurred_at=event_moment(rng),
            properties=random_event_properties(rng, type_id),
            source="POOL",
            key=f"pool:no-match:{i}",
            status=EventStatus.NO_MATCH,
        )
        for i, type_id in enumerate([custom["contacts"], FORM_SUBMISSION] * 3)
    ]
