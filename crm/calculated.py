"""Calculated properties that depend on a record's own values (e.g. line item net price).

Association counts are calculated too, but from associations: see
``crm.services.associations``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from crm.values import canonical_number


def _line_item_amount(props: Mapping[str, Any]) -> dict[str, Any]:
    price, quantity = props.get("price"), props.get("quantity")
    if price is None or quantity is None:
        return {"amount": None}
    discount = props.get("hs_discount_percentage") or 0
    return {"amount": canonical_number(round(price * quantity * (1 - discount / 100), 2))}


CALCULATORS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "line_items": _line_item_amount,
}


def calculate(object_type_name: str, props: Mapping[str, Any]) -> dict[str, Any]:
    calculator = CALCULATORS.get(object_type_name)
    return calculator(props) if calculator else {}
