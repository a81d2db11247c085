"""Where values live in SQL: a record level (root or associated) and one JSON value in it.

Operator SQL builders receive a *subject* (``ValueRef`` - a property of the record or a value
in its history - or ``ExprRef`` - a computed text such as "last updated at") and a
``SqlScope`` (the record level, for references to other properties). They never build
joins themselves, so the same builder serves the root record, an associated record inside
an ``Exists``, and a history row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Exists, F, OuterRef, Q, Subquery, TextField, Value
from django.db.models.lookups import IsNull

from crm.models import PropertyChange

from . import kinds
from .sqlfuncs import (
    JsonBoolIs,
    JsonKindIs,
    JsonNumber,
    JsonPresent,
    JsonText,
    Lower,
    Sortable,
    TimestampText,
)

TRUE = Q(Value(True, output_field=BooleanField()))
FALSE = Q(Value(False, output_field=BooleanField()))


def q(expression: Any) -> Q:
    return expression if isinstance(expression, Q) else Q(expression)


@dataclass(frozen=True)
class ValueRef:
    """One JSON value: ``field`` is the JSON column path, ``key`` a top-level key (None = whole)."""

    field: str
    key: str | None

    def column(self) -> F:
        return F(self.field)

    def kind_ok(self, kind: str) -> Q:
        return q(JsonKindIs(self.column(), self.key, kind))

    def present(self) -> Q:
        return q(JsonPresent(self.column(), self.key))

    def text(self) -> Any:
        return JsonText(self.column(), self.key)

    def lower(self) -> Any:
        return Lower(self.text())

    def sortable(self) -> Any:
        return Sortable(self.text())

    def number(self) -> Any:
        return JsonNumber(self.column(), self.key)

    def bool_is(self, value: bool) -> Q:
        return q(JsonBoolIs(self.column(), self.key, value))


@dataclass(frozen=True)
class ExprRef:
    """A computed text subject (e.g. last-updated instant); NULL means "no value"."""

    expression: Any

    def present(self) -> Q:
        return q(IsNull(self.expression, False))

    def text(self) -> Any:
        return self.expression

    def sortable(self) -> Any:
        return Sortable(self.expression)

    def lower(self) -> Any:
        return Lower(self.expression)


@dataclass(frozen=True)
class SqlScope:
    """A record level: the root record (prefix "") or an associated one (``to_record__``)."""

    prefix: str = ""
    id_ref: str = "pk"  # what OuterRef names, from inside a subquery, to reach this record's id

    def value(self, name: str) -> ValueRef:
        return ValueRef(f"{self.prefix}properties", name)

    def child(self) -> SqlScope:
        """The scope of the records reached through an Association subquery."""
        return SqlScope(prefix="to_record__", id_ref="to_record_id")

    def history(self, name: str) -> Any:
        return PropertyChange.objects.filter(record_id=OuterRef(self.id_ref), property_name=name)

    def history_exists(self, name: str, condition: Q) -> Q:
        return Q(Exists(self.history(name).filter(condition)))

    def history_value(self) -> ValueRef:
        return ValueRef("value", None)

    def updated_at(self, name: str) -> ExprRef:
        latest = self.history(name).order_by("-timestamp").values("timestamp")[:1]
        return ExprRef(TimestampText(Subquery(latest)))

    def reference(self, name: str, kind: str) -> ExprRef:
        """Another property's text when it has ``kind``, else NULL."""
        from django.db.models import Case, When

        ref = self.value(name)
        return ExprRef(
            Case(
                When(ref.kind_ok(kind), then=ref.text()),
                default=Value(None),
                output_field=TextField(),
            )
        )


def kind_of(prop_type: str) -> str:
    return kinds.of_property_type(prop_type)
