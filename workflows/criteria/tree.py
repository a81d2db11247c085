"""The criteria tree: immutable, compared by value, serialisable back to HubSpot's JSON, walkable.

Like Django's ``Q`` tree, but typed: a ``Branch`` (OR / AND / ASSOCIATION / UNIFIED_EVENTS)
holds filters and sub-branches; a filter is one of the registered filter families
(``FILTER_TYPES``: PROPERTY, NUM_ASSOCIATIONS, IN_LIST, FORM_SUBMISSION - a new family is one
class and one registry entry). ``parse_branch`` only checks the *shape* (keys, JSON types,
enums) and reports every problem; the rules that need the schema (properties, association
labels, operator fit, event types) are in ``validate``.

A UNIFIED_EVENTS branch counts the record's stored occurrences of one event type; its
filters are PROPERTY filters on the *event's* properties (read in the event's pseudo object
type ``event:<eventTypeId>``, see ``family_events``). Refine-bys are typed: the count
(``NumOccurrences``) and the time windows of HubSpot's ``pruningRefineBy``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .operations import Operation, parse_operation
from .problems import Problem
from .shape import (
    Reader,
    describe,
    join,
    meta,
    node_json,
    parse_fields,
    parse_node,
    parse_tagged,
    thaw,
)

BRANCH_TYPES = ("OR", "AND", "ASSOCIATION", "UNIFIED_EVENTS")
#: Branch types in HubSpot's schema that this engine does not evaluate (yet): a clear problem.
UNSUPPORTED_BRANCH_TYPES = {
    "NOT_ALL": "negated groups are not supported",
    "NOT_ANY": "negated groups are not supported",
    "RESTRICTED": "restricted branches are not supported",
    "PROPERTY_ASSOCIATION": "property-association branches are not supported",
}
#: Filter types in HubSpot's schema this engine does not evaluate, with what to use instead.
UNSUPPORTED_FILTER_TYPES = {
    "UNIFIED_EVENTS": "use a UNIFIED_EVENTS branch (filterBranchType) with operator "
    "HAS_COMPLETED, its PROPERTY filters in filters",
}
ASSOCIATION_CATEGORIES = ("HUBSPOT_DEFINED", "USER_DEFINED", "INTEGRATOR_DEFINED", "WORK")
EVENT_OPERATORS = ("HAS_COMPLETED", "HAS_NOT_COMPLETED")
COMPARISONS = ("BEFORE", "AFTER")
RANGE_TYPES = ("BETWEEN", "NOT_BETWEEN")
OFFSET_DIRECTIONS = ("PAST", "FUTURE")
#: units of a refine-by ``timeOffset`` (fixed lengths: the window is computed from ``now``)
OFFSET_UNITS = ("MINUTES", "HOURS", "DAYS", "WEEKS")
#: Branches nest at most this deep (HubSpot's UI nests three levels); bounds recursion.
MAX_DEPTH = 12


# --------------------------------------------------------------------------- refine-bys


@dataclass(frozen=True, kw_only=True)
class NumOccurrences:
    """``coalescingRefineBy`` NUM_OCCURRENCES: at least / at most this many (both inclusive)."""

    type: ClassVar[str] = "NUM_OCCURRENCES"
    min_occurrences: int | None = field(default=None, metadata=meta("minOccurrences", "int"))
    max_occurrences: int | None = field(default=None, metadata=meta("maxOccurrences", "int"))

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, **node_json(self)}


def _time_offset(data: Any, path: str, problems: list[Problem]) -> TimeOffset | None:
    return parse_node(TimeOffset, data, path, problems)


@dataclass(frozen=True, kw_only=True)
class TimeOffset:
    """``timeOffset`` / ``lower|upperBoundOffset``: so many units before (PAST) or after now."""

    amount: int = field(metadata=meta("amount", "int"))
    offset_direction: str = field(
        metadata=meta("offsetDirection", "choice", choices=OFFSET_DIRECTIONS)
    )
    time_unit: str = field(metadata=meta("timeUnit", "choice", choices=OFFSET_UNITS))

    def to_json(self) -> dict[str, Any]:
        return node_json(self)


@dataclass(frozen=True, kw_only=True)
class AbsoluteComparative:
    """Occurrences at or before / at or after an instant (epoch milliseconds)."""

    type: ClassVar[str] = "ABSOLUTE_COMPARATIVE"
    comparison: str = field(metadata=meta("comparison", "choice", choices=COMPARISONS))
    timestamp: int = field(metadata=meta("timestamp", "int"))

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, **node_json(self)}


@dataclass(frozen=True, kw_only=True)
class AbsoluteRanged:
    """Occurrences between (or not between) two instants, both ends inclusive."""

    type: ClassVar[str] = "ABSOLUTE_RANGED"
    range_type: str = field(metadata=meta("rangeType", "choice", choices=RANGE_TYPES))
    lower_timestamp: int = field(metadata=meta("lowerTimestamp", "int"))
    upper_timestamp: int = field(metadata=meta("upperTimestamp", "int"))

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, **node_json(self)}


@dataclass(frozen=True, kw_only=True)
class RelativeComparative:
    """Occurrences before / after an offset from now ("in the last 30 days": AFTER 30 DAYS PAST)."""

    type: ClassVar[str] = "RELATIVE_COMPARATIVE"
    comparison: str = field(metadata=meta("comparison", "choice", choices=COMPARISONS))
    time_offset: TimeOffset = field(metadata=meta("timeOffset", "node", resolver=_time_offset))

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, **node_json(self)}


@dataclass(frozen=True, kw_only=True)
class RelativeRanged:
    """Occurrences between (or not between) two offsets from now, in either order."""

    type: ClassVar[str] = "RELATIVE_RANGED"
    range_type: str = field(metadata=meta("rangeType", "choice", choices=RANGE_TYPES))
    lower_bound_offset: TimeOffset = field(
        metadata=meta("lowerBoundOffset", "node", resolver=_time_offset)
    )
    upper_bound_offset: TimeOffset = field(
        metadata=meta("upperBoundOffset", "node", resolver=_time_offset)
    )

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, **node_json(self)}


@dataclass(frozen=True, kw_only=True)
class AllHistory:
    """Every occurrence, whenever it happened (the same as no time window)."""

    type: ClassVar[str] = "ALL_HISTORY"

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type}


@dataclass(frozen=True)
class OtherRefineBy:
    """A refine-by this engine keeps (round-trips) but does not evaluate; validation says so."""

    type: str
    body: Any  # frozen JSON

    def to_json(self) -> dict[str, Any]:
        return thaw(self.body)


#: pruningRefineBy time windows, by ``type``
TIME_WINDOWS: dict[str, type] = {
    cls.type: cls
    for cls in (
        AbsoluteComparative,
        AbsoluteRanged,
        RelativeComparative,
        RelativeRanged,
        AllHistory,
    )
}
TimeWindow = (
    AbsoluteComparative | AbsoluteRanged | RelativeComparative | RelativeRanged | AllHistory
)
RefineBy = NumOccurrences | TimeWindow | OtherRefineBy


def parse_refine_by(data: Any, path: str, problems: list[Problem]) -> RefineBy | None:
    from .shape import freeze

    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        problems.append(Problem(path, f'must be an object with a "type", not {describe(data)}'))
        return None
    cls = NumOccurrences if data["type"] == NumOccurrences.type else TIME_WINDOWS.get(data["type"])
    if cls is None:
        return OtherRefineBy(type=data["type"], body=freeze(data))
    reader = Reader(data, path, problems)
    reader.raw("type")
    values = parse_fields(cls, reader)
    reader.finish()
    return cls(**values) if values is not None else None


# --------------------------------------------------------------------------- filters


@dataclass(frozen=True, kw_only=True)
class Filter:
    """Fields every filter family may carry; at most one refine-by is allowed (HubSpot's rule)."""

    filter_type: ClassVar[str] = ""
    pruning_refine_by: RefineBy | None = field(
        default=None, metadata=meta("pruningRefineBy", "node", resolver=parse_refine_by)
    )
    coalescing_refine_by: RefineBy | None = field(
        default=None, metadata=meta("coalescingRefineBy", "node", resolver=parse_refine_by)
    )

    def to_json(self) -> dict[str, Any]:
        return {"filterType": self.filter_type, **node_json(self)}

    @property
    def refine_bys(self) -> tuple[RefineBy, ...]:
        return tuple(
            r for r in (self.pruning_refine_by, self.coalescing_refine_by) if r is not None
        )


def _operation(data: Any, path: str, problems: list[Problem]) -> Operation | None:
    return parse_operation(data, path, problems)


@dataclass(frozen=True, kw_only=True)
class PropertyFilter(Filter):
    """A property of the record (or of the associated record, inside an ASSOCIATION branch)."""

    filter_type: ClassVar[str] = "PROPERTY"
    property: str = field(metadata=meta("property", "str"))
    operation: Operation = field(metadata=meta("operation", "node", resolver=_operation))


@dataclass(frozen=True, kw_only=True)
class NumAssociationsFilter(Filter):
    """How many live records are associated through one association type (label).

    ``coalescingRefineBy`` NUM_OCCURRENCES gives the bounds; ``toObjectTypeId`` is optional
    (the type id already names the pair) and, when given, must match.
    """

    filter_type: ClassVar[str] = "NUM_ASSOCIATIONS"
    association_category: str = field(
        metadata=meta("associationCategory", "choice", choices=ASSOCIATION_CATEGORIES)
    )
    association_type_id: int = field(metadata=meta("associationTypeId", "int"))
    to_object_type_id: str | None = field(default=None, metadata=meta("toObjectTypeId", "str"))
    to_object_type: str | None = field(default=None, metadata=meta("toObjectType", "str"))


@dataclass(frozen=True, kw_only=True)
class InListFilter(Filter):
    """Membership of a list, or of what HubSpot files under lists: ``metadata.inListType``
    WORKFLOWS_ACTIVE / _COMPLETED / _GOAL / _ENROLLMENT (``listId`` is a workflow's id),
    IMPORT (an import's id)... - each a membership kind (``family_in_list``)."""

    filter_type: ClassVar[str] = "IN_LIST"
    list_id: str = field(metadata=meta("listId", "str"))
    operator: str = field(metadata=meta("operator", "choice", choices=("IN_LIST", "NOT_IN_LIST")))
    metadata: Any = field(default=None, metadata=meta("metadata", "raw"))

    @property
    def in_list_type(self) -> str | None:
        """``metadata.inListType`` (None: a plain list, or metadata that is not an object)."""
        data = thaw(self.metadata)
        found = data.get("inListType") if isinstance(data, dict) else None
        return found if isinstance(found, str) else None


@dataclass(frozen=True, kw_only=True)
class FormSubmissionFilter(Filter):
    """The record filled out a form (``formId``) or any form (no ``formId``): sugar over its
    stored form-submission events (``4-1639801``, property ``hs_form_id``); refine-bys as
    for an event branch (a time window, or a count with FILLED_OUT)."""

    filter_type: ClassVar[str] = "FORM_SUBMISSION"
    operator: str = field(
        metadata=meta("operator", "choice", choices=("FILLED_OUT", "NOT_FILLED_OUT"))
    )
    form_id: str | None = field(default=None, metadata=meta("formId", "str"))


@dataclass(frozen=True, kw_only=True)
class EmailSubscriptionFilter(Filter):
    """The contact's current status for subscription types (``family_email_subscription``):
    its status for any of ``subscriptionIds`` is one of ``acceptedStatuses``."""

    filter_type: ClassVar[str] = "EMAIL_SUBSCRIPTION"
    subscription_ids: tuple[str, ...] = field(metadata=meta("subscriptionIds", "strs"))
    accepted_statuses: tuple[str, ...] = field(metadata=meta("acceptedStatuses", "strs"))
    subscription_type: str | None = field(default=None, metadata=meta("subscriptionType", "str"))


#: The marketing email operators HubSpot's EMAIL_EVENT filter takes (what each reads:
#: ``family_email_event.OPERATORS``).
EMAIL_EVENT_OPERATORS = (
    "BOUNCED",
    "LINK_CLICKED",
    "MARKED_SPAM",
    "OPENED",
    "OPENED_BUT_LINK_NOT_CLICKED",
    "OPENED_BUT_NOT_REPLIED",
    "RECEIVED",
    "RECEIVED_BUT_NOT_OPENED",
    "REPLIED",
    "SENT",
    "SENT_BUT_LINK_NOT_CLICKED",
    "SENT_BUT_NOT_RECEIVED",
    "UNSUBSCRIBED",
)


@dataclass(frozen=True, kw_only=True)
class EmailEventFilter(Filter):
    """The contact's events for one marketing email (``family_email_event``): opened,
    clicked (``clickUrl``), bounced... and the "but not" pairs HubSpot lists."""

    filter_type: ClassVar[str] = "EMAIL_EVENT"
    email_id: str = field(metadata=meta("emailId", "str"))
    operator: str = field(metadata=meta("operator", "choice", choices=EMAIL_EVENT_OPERATORS))
    app_id: str | None = field(default=None, metadata=meta("appId", "str"))
    level: str | None = field(default=None, metadata=meta("level", "str"))
    click_url: str | None = field(default=None, metadata=meta("clickUrl", "str"))


PAGE_VIEW_OPERATORS = (
    "HAS_PAGEVIEW_EQ",
    "HAS_PAGEVIEW_CONTAINS",
    "HAS_PAGEVIEW_MATCHES_REGEX",
    "NOT_HAS_PAGEVIEW_EQ",
    "NOT_HAS_PAGEVIEW_CONTAINS",
)
CTA_OPERATORS = ("HAS_CLICKED_CTA", "HAS_NOT_CLICKED_CTA", "HAS_OPENED_CTA", "HAS_NOT_OPENED_CTA")


@dataclass(frozen=True, kw_only=True)
class PageViewFilter(Filter):
    """The contact viewed a page (``family_page_view``): URL is / contains / matches a
    pattern, or has not viewed; refined by a time window or a count (one at most)."""

    filter_type: ClassVar[str] = "PAGE_VIEW"
    page_url: str = field(metadata=meta("pageUrl", "str"))
    operator: str = field(metadata=meta("operator", "choice", choices=PAGE_VIEW_OPERATORS))
    enable_tracking: bool | None = field(default=None, metadata=meta("enableTracking", "bool"))


@dataclass(frozen=True, kw_only=True)
class CtaFilter(Filter):
    """The contact saw ("opened") or clicked a CTA, or did not (``family_cta``); ``ctaName``
    names the CTA by its name or its id."""

    filter_type: ClassVar[str] = "CTA"
    cta_name: str = field(metadata=meta("ctaName", "str"))
    operator: str = field(metadata=meta("operator", "choice", choices=CTA_OPERATORS))


@dataclass(frozen=True, kw_only=True)
class PrivacyFilter(Filter):
    """The contact's current cookie-consent answer for a consent category
    (``family_privacy``)."""

    filter_type: ClassVar[str] = "PRIVACY"
    operator: str = field(
        metadata=meta(
            "operator", "choice", choices=("PRIVACY_CONSENT_GRANTED", "PRIVACY_CONSENT_NOT_GRANTED")
        )
    )
    privacy_name: str = field(metadata=meta("privacyName", "str"))


@dataclass(frozen=True, kw_only=True)
class LegacyEventFilter(Filter):
    """The contact completed a legacy behavioural event (``eventId``: the legacy id), or did
    not (``family_legacy_event``); only HAS_EVENT takes a refinement."""

    filter_type: ClassVar[str] = "EVENT"
    event_id: str = field(metadata=meta("eventId", "str"))
    operator: str = field(
        metadata=meta("operator", "choice", choices=("HAS_EVENT", "NOT_HAS_EVENT"))
    )


FILTER_TYPES: dict[str, type[Filter]] = {
    cls.filter_type: cls
    for cls in (
        PropertyFilter,
        NumAssociationsFilter,
        InListFilter,
        FormSubmissionFilter,
        EmailSubscriptionFilter,
        EmailEventFilter,
        PageViewFilter,
        CtaFilter,
        PrivacyFilter,
        LegacyEventFilter,
    )
}
AnyFilter = (
    PropertyFilter
    | NumAssociationsFilter
    | InListFilter
    | FormSubmissionFilter
    | EmailSubscriptionFilter
    | EmailEventFilter
    | PageViewFilter
    | CtaFilter
    | PrivacyFilter
    | LegacyEventFilter
)


def parse_filter(data: Any, path: str, problems: list[Problem]) -> Filter | None:
    tag = data.get("filterType") if isinstance(data, dict) else None
    if isinstance(tag, str) and tag in UNSUPPORTED_FILTER_TYPES:
        problems.append(
            Problem(
                join(path, "filterType"),
                f"{tag} filters are not supported: {UNSUPPORTED_FILTER_TYPES[tag]}",
            )
        )
        return None
    return parse_tagged(
        data,
        path,
        problems,
        key="filterType",
        classes=FILTER_TYPES,
        noun="a supported filter type",
    )


# --------------------------------------------------------------------------- branches


@dataclass(frozen=True)
class Branch:
    """OR / AND / ASSOCIATION / UNIFIED_EVENTS. The association fields are set only on
    ASSOCIATION branches; ``event_type_id`` and the refine-bys only on UNIFIED_EVENTS
    branches, whose ``operator`` is HAS_COMPLETED / HAS_NOT_COMPLETED (IN_LIST on
    ASSOCIATION branches)."""

    filter_branch_type: str
    filters: tuple[Filter, ...] = ()
    branches: tuple[Branch, ...] = ()
    filter_branch_operator: str | None = None
    object_type_id: str | None = None
    association_type_id: int | None = None
    association_category: str | None = None
    operator: str | None = None
    event_type_id: str | None = None
    pruning_refine_by: RefineBy | None = None
    coalescing_refine_by: RefineBy | None = None

    @property
    def is_association(self) -> bool:
        return self.filter_branch_type == "ASSOCIATION"

    @property
    def is_events(self) -> bool:
        return self.filter_branch_type == "UNIFIED_EVENTS"

    @property
    def refine_bys(self) -> tuple[RefineBy, ...]:
        return tuple(
            r for r in (self.pruning_refine_by, self.coalescing_refine_by) if r is not None
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "filterBranchType": self.filter_branch_type,
            "filterBranchOperator": self.filter_branch_operator
            or _default_operator(self.filter_branch_type),
            "filters": [f.to_json() for f in self.filters],
            "filterBranches": [b.to_json() for b in self.branches],
        }
        if self.is_association:
            out.update(
                {
                    "objectTypeId": self.object_type_id,
                    "associationTypeId": self.association_type_id,
                    "associationCategory": self.association_category,
                    "operator": self.operator,
                }
            )
        if self.is_events:
            out["eventTypeId"] = self.event_type_id
            out["operator"] = self.operator
            for key, refine in (
                ("pruningRefineBy", self.pruning_refine_by),
                ("coalescingRefineBy", self.coalescing_refine_by),
            ):
                if refine is not None:
                    out[key] = refine.to_json()
        return out

    def walk(self, path: str) -> Iterator[tuple[str, Branch | Filter]]:
        """Depth first: this branch, its filters, then its sub-branches, each with its JSON path."""
        yield path, self
        for i, f in enumerate(self.filters):
            yield f"{path}.filters[{i}]", f
        for i, b in enumerate(self.branches):
            yield from b.walk(f"{path}.filterBranches[{i}]")

    def iter_filters(self, path: str) -> Iterator[tuple[str, Filter]]:
        for p, node in self.walk(path):
            if not isinstance(node, Branch):
                yield p, node


def _default_operator(branch_type: str) -> str:
    return "AND" if branch_type in ("ASSOCIATION", "UNIFIED_EVENTS") else branch_type


def parse_branch(data: Any, path: str, problems: list[Problem], depth: int = 0) -> Branch | None:
    """Shape only: keys, JSON types and enums. Returns None when the branch cannot be built."""
    if depth > MAX_DEPTH:
        problems.append(Problem(path, f"branches nest more than {MAX_DEPTH} levels deep"))
        return None
    reader = Reader(data, path, problems)
    if not reader.ok:
        return None
    branch_type = reader.raw("filterBranchType")
    where = join(path, "filterBranchType")
    if branch_type is None:
        problems.append(Problem(where, "is required"))
        return None
    if branch_type in UNSUPPORTED_BRANCH_TYPES:
        problems.append(
            Problem(
                where, f"{branch_type} is not supported: {UNSUPPORTED_BRANCH_TYPES[branch_type]}"
            )
        )
        return None
    if branch_type not in BRANCH_TYPES:
        problems.append(
            Problem(where, f"{describe(branch_type)} is not one of {', '.join(BRANCH_TYPES)}")
        )
        return None

    operator = reader.raw("filterBranchOperator")
    if operator is not None and operator != _default_operator(branch_type):
        problems.append(
            Problem(
                join(path, "filterBranchOperator"),
                f"must be {_default_operator(branch_type)} for a {branch_type} branch, "
                f"not {describe(operator)}",
            )
        )
    filters = _parse_list(reader, "filters", parse_filter)
    branches = _parse_list(
        reader,
        "filterBranches",
        lambda item, where, found: parse_branch(item, where, found, depth + 1),
    )
    fields: dict[str, Any] = {}
    if branch_type in ("ASSOCIATION", "UNIFIED_EVENTS"):
        found = (
            _association_fields(reader)
            if branch_type == "ASSOCIATION"
            else parse_fields(_EventKeys, reader)
        )
        if found is None:
            reader.finish()
            return None
        fields = found
    reader.finish()
    return Branch(
        filter_branch_type=branch_type,
        filters=tuple(filters),
        branches=tuple(branches),
        filter_branch_operator=operator if isinstance(operator, str) else None,
        **fields,
    )


def _parse_list(reader: Reader, name: str, parse: Any) -> list[Any]:
    raw = reader.raw(name)
    if raw is None:
        return []
    path = join(reader.path, name)
    if not isinstance(raw, list):
        reader.problems.append(Problem(path, f"must be a list, not {describe(raw)}"))
        return []
    items = [parse(item, f"{path}[{i}]", reader.problems) for i, item in enumerate(raw)]
    return [item for item in items if item is not None]


@dataclass(frozen=True, kw_only=True)
class _AssociationKeys:
    object_type_id: str = field(metadata=meta("objectTypeId", "str"))
    association_type_id: int = field(metadata=meta("associationTypeId", "int"))
    association_category: str = field(
        metadata=meta("associationCategory", "choice", choices=ASSOCIATION_CATEGORIES)
    )
    operator: str = field(metadata=meta("operator", "choice", choices=("IN_LIST",)))


@dataclass(frozen=True, kw_only=True)
class _EventKeys:
    """The keys of a UNIFIED_EVENTS branch besides filters (HubSpot's
    PublicUnifiedEventsFilterBranch)."""

    event_type_id: str = field(metadata=meta("eventTypeId", "str"))
    operator: str = field(metadata=meta("operator", "choice", choices=EVENT_OPERATORS))
    pruning_refine_by: RefineBy | None = field(
        default=None, metadata=meta("pruningRefineBy", "node", resolver=parse_refine_by)
    )
    coalescing_refine_by: RefineBy | None = field(
        default=None, metadata=meta("coalescingRefineBy", "node", resolver=parse_refine_by)
    )


def _association_fields(reader: Reader) -> dict[str, Any] | None:
    if reader.data.get("operator") == "NOT_IN_LIST":
        reader.raw("operator")
        reader.problems.append(
            Problem(
                join(reader.path, "operator"),
                "NOT_IN_LIST association branches are not supported; "
                "use IN_LIST (some associated record matches)",
            )
        )
        return None
    return parse_fields(_AssociationKeys, reader)
