"""Event refine-bys as numbers: the time window of a ``pruningRefineBy`` and the bounds of a count.

One computation for event triggers (``event_filters.RefineBy``, which reads the JSON as
stored) and for event filters inside criteria (``family_events``, which reads the typed
tree): a window is two instants computed once from ``now`` - so the Python evaluator and the
SQL compiler compare ``occurredAt`` with the same constants - and a count is checked against
inclusive bounds with the engine's three-valued logic.

Choices where HubSpot is silent (documented, tested):
- both ends of every window are inclusive (BEFORE t = at or before t; AFTER t = at or after);
  NOT_BETWEEN is the complement of BETWEEN;
- RELATIVE_RANGED offsets may come in either order (the window is between the earlier and
  the later instant); offsets are fixed lengths (MINUTES, HOURS, DAYS, WEEKS) from ``now``;
- ALL_HISTORY is the same as no window.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Q

from crm.values import format_datetime

from .trace import ERRORED, FAILED, PASSED

UNIT_LENGTHS = {
    "MINUTES": timedelta(minutes=1),
    "HOURS": timedelta(hours=1),
    "DAYS": timedelta(days=1),
    "WEEKS": timedelta(weeks=1),
}


def from_ms(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value) / 1000, tz=UTC)


def offset_from(now: datetime, offset: Mapping[str, Any]) -> datetime:
    """``now`` moved by a ``timeOffset`` (an unknown unit reads as days, as triggers always did)."""
    amount = int(offset.get("amount", 0))
    unit = str(offset.get("timeUnit", "DAYS")).upper()
    delta = UNIT_LENGTHS.get(unit, UNIT_LENGTHS["DAYS"]) * amount
    future = str(offset.get("offsetDirection", "PAST")).upper() == "FUTURE"
    return now + delta if future else now - delta


@dataclass(frozen=True)
class Window:
    """Bounds on ``occurredAt`` (None: open), both inclusive; ``inverted`` = NOT_BETWEEN."""

    lower: datetime | None = None
    upper: datetime | None = None
    inverted: bool = False
    phrase: str = ""  # "in the last 30 days", "" for no window

    @property
    def unbounded(self) -> bool:
        return self.lower is None and self.upper is None

    def contains(self, at: datetime) -> bool:
        inside = (self.lower is None or at >= self.lower) and (
            self.upper is None or at <= self.upper
        )
        return not inside if self.inverted else inside

    def q(self, field: str = "occurred_at") -> Q | None:
        """The same test in SQL (None: every occurrence)."""
        if self.unbounded:
            return None
        inside = Q()
        if self.lower is not None:
            inside &= Q(**{f"{field}__gte": self.lower})
        if self.upper is not None:
            inside &= Q(**{f"{field}__lte": self.upper})
        return ~inside if self.inverted else inside


def window_of(pruning: Mapping[str, Any] | None, now: datetime) -> Window:
    """The window of a ``pruningRefineBy`` (JSON) at ``now``; no refine-by: no window."""
    if not pruning:
        return Window()
    kind = pruning.get("type")
    if kind == "ABSOLUTE_COMPARATIVE":
        at = from_ms(pruning["timestamp"])
        after = pruning.get("comparison") == "AFTER"
        word = "at or after" if after else "at or before"
        phrase = f"{word} {_instant(at)}"
        return Window(at, None, False, phrase) if after else Window(None, at, False, phrase)
    if kind == "ABSOLUTE_RANGED":
        lower, upper = from_ms(pruning["lowerTimestamp"]), from_ms(pruning["upperTimestamp"])
        inverted = pruning.get("rangeType") == "NOT_BETWEEN"
        phrase = f"{'not ' if inverted else ''}between {_instant(lower)} and {_instant(upper)}"
        return Window(lower, upper, inverted, phrase)
    if kind == "RELATIVE_COMPARATIVE":
        offset = pruning["timeOffset"]
        at = offset_from(now, offset)
        after = pruning.get("comparison") == "AFTER"
        phrase = _relative_phrase(offset, after)
        return Window(at, None, False, phrase) if after else Window(None, at, False, phrase)
    if kind == "RELATIVE_RANGED":
        low, high = pruning["lowerBoundOffset"], pruning["upperBoundOffset"]
        a, b = offset_from(now, low), offset_from(now, high)
        inverted = pruning.get("rangeType") == "NOT_BETWEEN"
        phrase = (
            f"{'not ' if inverted else ''}between {_offset_words(low)} and {_offset_words(high)}"
        )
        return Window(min(a, b), max(a, b), inverted, phrase)
    return Window()  # ALL_HISTORY


def is_relative(pruning: Mapping[str, Any] | None) -> bool:
    """True when the window moves with ``now`` (the criteria then read the clock)."""
    return bool(pruning) and str(pruning.get("type", "")).startswith("RELATIVE_")


def _instant(at: datetime) -> str:
    text = format_datetime(at)
    return text[:10] + " " + text[11:19] + " UTC"


def _unit(offset: Mapping[str, Any]) -> str:
    amount = int(offset.get("amount", 0))
    unit = str(offset.get("timeUnit", "DAYS")).lower()
    return f"{amount} {unit[:-1] if amount == 1 and unit.endswith('s') else unit}"


def _offset_words(offset: Mapping[str, Any]) -> str:
    if int(offset.get("amount", 0)) == 0:
        return "now"
    future = str(offset.get("offsetDirection", "PAST")).upper() == "FUTURE"
    return f"{_unit(offset)} {'from now' if future else 'ago'}"


def _relative_phrase(offset: Mapping[str, Any], after: bool) -> str:
    past = str(offset.get("offsetDirection", "PAST")).upper() != "FUTURE"
    if after and past and int(offset.get("amount", 0)) > 0:
        return f"in the last {_unit(offset)}"
    return f"{'at or after' if after else 'at or before'} {_offset_words(offset)}"


# --------------------------------------------------------------------------- counts


@dataclass(frozen=True)
class Bounds:
    """How many matching occurrences there must be: ``low`` .. ``high``, both inclusive.

    HAS_COMPLETED / FILLED_OUT without a count is at least 1; HAS_NOT_COMPLETED /
    NOT_FILLED_OUT is at most 0.
    """

    low: int | None
    high: int | None

    def status(self, passed: int, errored: int) -> str:
        """Three-valued: the true count is somewhere in [passed, passed + errored] (an
        occurrence whose property filters errored may or may not match). Passed when every
        count in that range fits, failed when none does, else errored."""
        most = passed + errored
        if (self.low is None or passed >= self.low) and (self.high is None or most <= self.high):
            return PASSED
        if (self.low is not None and most < self.low) or (
            self.high is not None and passed > self.high
        ):
            return FAILED
        return ERRORED

    def requirement(self) -> str:
        low, high = self.low, self.high
        if high == 0:
            return "none"
        if low is not None and high is not None:
            return f"exactly {low}" if low == high else f"between {low} and {high}"
        if low is not None:
            return f"at least {low}"
        return f"at most {high}"


def times(n: int) -> str:
    return f"{n} time" if n == 1 else f"{n} times"
