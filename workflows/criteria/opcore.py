"""The pieces every operator family is made of: ``Operator`` (a row of the table), ``Check``, ``Env``.

An operator's ``build`` turns one operation (values, time points...) into a ``Built``: a
*mode* saying which value it looks at, the *kind* that value must have, and a ``Check`` -
one predicate written twice, for Python (``py(value, ctx)``) and for SQL
(``sql(subject, scope) -> Q``). The property-filter family wraps it with the empty-value
rule and the kind guard, the same way in both evaluators (``filters_property``).

Modes:
- VALUE: the current value;
- EVER / NEVER: some / no value in the property's history (current value included) passes
  the check - HubSpot's "has ever been" / "has never been" operators;
- UPDATED_AT: when the property was last written (history), as fixed-width UTC text;
- KNOWN / UNKNOWN: whether there is a value at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from .problems import Problem

VALUE = "VALUE"
EVER = "EVER"
NEVER = "NEVER"
UPDATED_AT = "UPDATED_AT"
KNOWN = "KNOWN"
UNKNOWN = "UNKNOWN"

ALL_TYPES = frozenset({"string", "number", "bool", "date", "datetime", "enumeration"})
DATE_TYPES = frozenset({"date", "datetime"})


@dataclass(frozen=True)
class Check:
    """One predicate on one non-empty, well-typed value, for both evaluators."""

    py: Callable[[Any, Any], bool]
    sql: Callable[[Any, Any], Any]
    phrase: str  # operator label with its values, e.g. "is any of Lead, Customer"
    #: (property, "VALUE" | "UPDATED_AT") of the same record the check also reads
    references: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Built:
    mode: str
    kind: str | None  # the kind the value must have (VALUE / EVER / NEVER)
    check: Check | None


class Env:
    """What a build may depend on: the clock, the account zone (read lazily), the schema."""

    def __init__(
        self, *, now: datetime, object_type_name: str, schema: Any, tz: ZoneInfo | None = None
    ) -> None:
        self.now = now
        self.object_type_name = object_type_name
        self.schema = schema
        self._tz = tz

    @property
    def tz(self) -> ZoneInfo:
        if self._tz is None:
            from .dates import account_time_zone

            self._tz = account_time_zone()
        return self._tz

    def for_type(self, object_type_name: str) -> Env:
        """The same clock, zone and schema for filters read in another (pseudo) object type:
        an event's own properties follow the empty-value default of the event, not of the
        record (as event triggers do)."""
        return Env(now=self.now, object_type_name=object_type_name, schema=self.schema, tz=self._tz)


Validator = Callable[[Any, Any, Any, str, str], list[Problem]]
Builder = Callable[[Any, Any, Env], Built]


@dataclass(frozen=True)
class Operator:
    """One row of the operator table: read by validation, both evaluators, builder and diagnosis."""

    operation_type: str
    name: str
    label: str  # e.g. "is any of"; X stands for the number of days where there is one
    property_types: frozenset[str]  # property types it applies to (with propertyParser VALUE)
    value_fields: tuple[str, ...]  # the operation's JSON keys it reads
    negative: bool  # HubSpot's negative operators: contacts with no value pass by default
    history: bool  # reads the property's value history
    build: Builder
    #: time operators whose propertyParser may be UPDATED_AT work on any property type
    any_type_when_updated_at: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.operation_type, self.name)


def include_empty(flag: bool | None, operator: Operator, object_type_name: str) -> bool:
    """``includeObjectsWithNoValueSet`` decides; absent, HubSpot's default applies.

    Contacts: negative operators (is not equal to, doesn't contain, is none of, has never
    been...) let records with no value through; other object types exclude them. The rule
    follows the *criteria's* object type, also for filters on associated records (HubSpot:
    "also on associated objects" in contact workflows).
    """
    if flag is not None:
        return flag
    return object_type_name == "contacts" and operator.negative


def join_values(values: Any, limit: int = 8) -> str:
    items = [str(v) for v in values]
    shown = ", ".join(items[:limit])
    return shown + (f" (+{len(items) - limit} more)" if len(items) > limit else "")


def display(value: Any) -> str:
    if value is None:
        return "(no value)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
