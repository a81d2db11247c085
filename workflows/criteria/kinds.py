"""What a well-typed stored value looks like, per property type - the same test in Python and SQL.

A value that does not have its property's kind (schema drift, a hand-edited row) makes a
filter *errored*, never passed; ``compile_sql`` guards every comparison with the same kind
test (``sqlfuncs.JsonKindIs``), so the two evaluators agree on such rows too.
"""

from __future__ import annotations

from typing import Any

STRING = "string"  # a JSON string
NUMBER = "number"  # a JSON number (not a boolean)
BOOL = "bool"  # a JSON true/false
DATE = "date"  # a JSON string of 10 characters, "YYYY-MM-DD"
INSTANT = "instant"  # a JSON string of 24 characters, "YYYY-MM-DDTHH:MM:SS.mmmZ"

DATE_LENGTH = 10
INSTANT_LENGTH = 24

_BY_PROPERTY_TYPE = {
    "string": STRING,
    "number": NUMBER,
    "bool": BOOL,
    "date": DATE,
    "datetime": INSTANT,
    "enumeration": STRING,
}


def of_property_type(property_type: str) -> str:
    return _BY_PROPERTY_TYPE[property_type]


def is_kind(kind: str, value: Any) -> bool:
    """True when ``value`` (not None) is stored in the shape ``kind`` expects."""
    value_type = type(value)
    if kind == STRING:
        return value_type is str
    if kind == NUMBER:
        return value_type is int or value_type is float
    if kind == BOOL:
        return value_type is bool
    if kind == DATE:
        return value_type is str and len(value) == DATE_LENGTH
    if kind == INSTANT:
        return value_type is str and len(value) == INSTANT_LENGTH
    raise ValueError(f"unknown kind {kind!r}")


def is_empty(value: Any) -> bool:
    """HubSpot's "no value": the key is absent (read as None) or JSON null."""
    return value is None
