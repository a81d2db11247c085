"""The minimal action chain that gives an enrollment meaning: delay, set property, enroll.

Actions use HubSpot's v4 shape (``SINGLE_CONNECTION`` actions linked by
``connection.nextActionId`` from ``startActionId``). Branching actions are refused with
a clear message rather than silently ignored. HubSpot's public ids for "delay" (0-1) and
"set property" (0-5) are used; "enroll in another workflow" has no id we could confirm in
public material, so it uses ``0-63809083`` as seen in public v4 examples (UNCONFIRMED),
and the readable names ``DELAY`` / ``SET_PROPERTY`` / ``ENROLL_IN_WORKFLOW`` are accepted
as aliases.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

DELAY, SET_PROPERTY, ENROLL_IN_WORKFLOW = "DELAY", "SET_PROPERTY", "ENROLL_IN_WORKFLOW"
ACTION_TYPE_IDS = {"0-1": DELAY, "0-5": SET_PROPERTY, "0-63809083": ENROLL_IN_WORKFLOW}
HUBSPOT_ID = {kind: type_id for type_id, kind in ACTION_TYPE_IDS.items()}
TIME_UNITS = {"SECONDS": 1, "MINUTES": 60, "HOURS": 3600, "DAYS": 86400, "WEEKS": 604800}
MAX_ACTIONS = 100


@dataclass(frozen=True)
class Step:
    """One action of the chain, in run order."""

    action_id: str
    kind: str
    fields: Mapping[str, Any]

    @property
    def delay(self) -> timedelta:
        return timedelta(
            seconds=int(self.fields["delta"])
            * TIME_UNITS[str(self.fields.get("time_unit", "MINUTES"))]
        )

    @property
    def property_name(self) -> str:
        return str(self.fields["property_name"])

    @property
    def value(self) -> Any:
        raw = self.fields.get("value")
        if isinstance(raw, Mapping):
            return raw.get("staticValue")
        return raw

    @property
    def flow_id(self) -> int:
        return int(self.fields["flow_id"])


def kind_of(action: Mapping[str, Any]) -> str | None:
    type_id = str(action.get("actionTypeId", ""))
    return ACTION_TYPE_IDS.get(type_id) or (type_id if type_id in HUBSPOT_ID else None)


def chain(actions: Sequence[Mapping[str, Any]], start_action_id: str = "") -> list[Step]:
    """Steps in run order, following connections from the start action (already validated)."""
    by_id = {str(a["actionId"]): a for a in actions}
    if not by_id:
        return []
    current: str | None = start_action_id or str(actions[0]["actionId"])
    steps, seen = [], set()
    while current and current in by_id and current not in seen:
        seen.add(current)
        action = by_id[current]
        steps.append(Step(current, kind_of(action) or "", dict(action.get("fields") or {})))
        connection = action.get("connection") or {}
        current = str(connection.get("nextActionId")) if connection.get("nextActionId") else None
    return steps


def validate_actions(
    actions: Any,
    start_action_id: str,
    *,
    property_check: Any,
    flow_check: Any,
    path: str = "actions",
) -> list[tuple[str, str]]:
    """(path, message) for every problem. ``property_check(name, value) -> str | None`` and
    ``flow_check(flow_id) -> str | None`` are supplied by the caller, who knows the object type."""
    problems: list[tuple[str, str]] = []
    if not isinstance(actions, list):
        return [(path, "must be a list of actions")]
    if len(actions) > MAX_ACTIONS:
        problems.append((path, f"at most {MAX_ACTIONS} actions are allowed, got {len(actions)}"))
    ids: set[str] = set()
    for i, action in enumerate(actions):
        here = f"{path}[{i}]"
        if not isinstance(action, Mapping):
            problems.append((here, "must be an object"))
            continue
        unknown = set(action) - {
            "actionId",
            "actionTypeId",
            "actionTypeVersion",
            "type",
            "fields",
            "connection",
        }
        problems.extend((f"{here}.{k}", "is not a known action field") for k in sorted(unknown))
        action_id = str(action.get("actionId") or "")
        if not action_id:
            problems.append((f"{here}.actionId", "is required"))
        elif action_id in ids:
            problems.append((f"{here}.actionId", f'"{action_id}" is used by another action'))
        ids.add(action_id)
        if action.get("type", "SINGLE_CONNECTION") != "SINGLE_CONNECTION":
            problems.append(
                (
                    f"{here}.type",
                    f'"{action.get("type")}" actions (branches) are not supported yet; '
                    "use SINGLE_CONNECTION",
                )
            )
        kind = kind_of(action)
        if kind is None:
            supported = ", ".join(f"{k} ({v})" for k, v in ACTION_TYPE_IDS.items())
            problems.append(
                (
                    f"{here}.actionTypeId",
                    f'"{action.get("actionTypeId")}" is not a supported action; '
                    f"use one of {supported}",
                )
            )
            continue
        fields = action.get("fields")
        if not isinstance(fields, Mapping):
            problems.append((f"{here}.fields", "must be an object"))
            continue
        problems.extend(
            _validate_fields(kind, fields, f"{here}.fields", property_check, flow_check)
        )
    for i, action in enumerate(actions):
        if isinstance(action, Mapping):
            nxt = (action.get("connection") or {}).get("nextActionId")
            if nxt and str(nxt) not in ids:
                problems.append(
                    (f"{path}[{i}].connection.nextActionId", f'"{nxt}" is not the id of an action')
                )
    if start_action_id and actions and start_action_id not in ids:
        problems.append(("startActionId", f'"{start_action_id}" is not the id of an action'))
    if not problems and actions:
        reached = {s.action_id for s in chain(actions, start_action_id)}
        loose = sorted(ids - reached)
        if loose:
            problems.append(
                (
                    path,
                    f"actions {', '.join(loose)} are not reached from the start action "
                    "(or the chain loops)",
                )
            )
    return problems


def _validate_fields(
    kind: str, fields: Mapping[str, Any], path: str, property_check: Any, flow_check: Any
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if kind == DELAY:
        try:
            delta = int(fields.get("delta"))
            if delta < 0:
                raise ValueError
        except (TypeError, ValueError):
            problems.append((f"{path}.delta", "must be a whole number of time units, 0 or more"))
        unit = str(fields.get("time_unit", "MINUTES"))
        if unit not in TIME_UNITS:
            problems.append(
                (f"{path}.time_unit", f'"{unit}" is not one of {", ".join(TIME_UNITS)}')
            )
    elif kind == SET_PROPERTY:
        name = fields.get("property_name")
        if not name:
            problems.append((f"{path}.property_name", "is required"))
        else:
            value = fields.get("value")
            value = value.get("staticValue") if isinstance(value, Mapping) else value
            message = property_check(str(name), value)
            if message:
                problems.append(
                    (f"{path}.value" if "value" in message else f"{path}.property_name", message)
                )
    elif kind == ENROLL_IN_WORKFLOW:
        flow_id = fields.get("flow_id")
        if flow_id in (None, ""):
            problems.append((f"{path}.flow_id", "is required"))
        else:
            message = flow_check(flow_id)
            if message:
                problems.append((f"{path}.flow_id", message))
    return problems
