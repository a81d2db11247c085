"""A fixed pool of records for the parity proof: every property type, empty values, JSON nulls,
wrong-typed values, value history, labelled associations and archived records.

Records, history and associations are written directly (bulk_create), not through the
services: the pool must hold what the services never write (wrong types, JSON nulls, history
spread over months) to prove both evaluators treat such rows alike. The schema (properties,
labels) goes through the services.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from crm.models import (
    AccountSettings,
    Association,
    AssociationType,
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


@dataclass
class Pool:
    types: dict[str, ObjectType]
    live: dict[str, list[int]]  # object type name -> ids of non-archived records
    labels: dict[str, int] = field(
        default_factory=dict
    )  # label name -> type id (contacts -> companies)


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

    live = {name: [r.pk for r in rows if r not in archived] for name, rows in records.items()}
    return Pool(types=types, live=live, labels=labels)
