"""ALL_PROPERTY: is known / is unknown, for every property type.

``includeObjectsWithNoValueSet`` does not apply: these operators are about having a value.
IS_NOT_BLANK / IS_BLANK (event definitions' names) are kept as synonyms.
"""

from __future__ import annotations

from typing import Any

from .opcore import ALL_TYPES, KNOWN, UNKNOWN, Built, Check, Env, Operator
from .problems import Problem


def _known(mode: str, label: str) -> Any:
    def build(operation: Any, prop: Any, env: Env) -> Built:
        return Built(mode, None, Check(lambda v, ctx: True, lambda ref, scope: None, label))

    return build


OPERATORS = [
    Operator(
        "ALL_PROPERTY",
        "IS_KNOWN",
        "is known",
        ALL_TYPES,
        (),
        False,
        False,
        _known(KNOWN, "is known"),
    ),
    Operator(
        "ALL_PROPERTY",
        "IS_UNKNOWN",
        "is unknown",
        ALL_TYPES,
        (),
        False,
        False,
        _known(UNKNOWN, "is unknown"),
    ),
    Operator(
        "ALL_PROPERTY",
        "IS_NOT_BLANK",
        "is not blank",
        ALL_TYPES,
        (),
        False,
        False,
        _known(KNOWN, "is not blank"),
    ),
    Operator(
        "ALL_PROPERTY",
        "IS_BLANK",
        "is blank",
        ALL_TYPES,
        (),
        False,
        False,
        _known(UNKNOWN, "is blank"),
    ),
]


def validate_values(
    operation: Any, prop: Any, schema: Any, object_type: str, path: str
) -> list[Problem]:
    return []
