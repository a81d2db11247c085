"""PAGE_VIEW filters: the contact viewed a page whose URL is / contains / matches a pattern.

Counted over the contact's stored page views (event ``4-96000``, stored by the tracking
endpoint, ``crm.services.tracking``) exactly as FORM_SUBMISSION counts form submissions
(``family_events.Counter``: Python and SQL): HAS_PAGEVIEW_* at least once (or the
``coalescingRefineBy`` NUM_OCCURRENCES count), NOT_HAS_PAGEVIEW_* never - a time window
(``pruningRefineBy``) may narrow any of them, a count only the positive ones; one
refinement at most (HubSpot's rule). Views an anonymous visitor made before a form
identified them (status LINKED) count: they are the contact's page views.

Choices where HubSpot is silent:
- EQ compares URLs in one normal form (``crm.tracking_urls.normalise_url``, used at
  ingestion too): scheme and host in any case, default port, fragment, trailing ``/``
  ignored; path and query compared exactly. A ``pageUrl`` that is not an absolute http(s)
  URL is refused;
- CONTAINS ignores case, as HubSpot's text operators do;
- MATCHES_REGEX is case-sensitive and searches anywhere, in the subset of patterns that
  mean the same on SQLite and PostgreSQL and cannot backtrack exponentially
  (``safe_regex``); anything else is refused with the reason;
- a stored URL that is not a string never matches (not errored: there is nothing to
  repair - the endpoint only stores strings);
- files are never page views: the endpoint never stores them, so no filter sees them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, Value
from django.db.models.functions import StrIndex
from django.db.models.lookups import Exact, GreaterThan, Regex

from crm.event_types import PAGE_VIEWED, STANDARD_BY_ID
from crm.tracking_urls import BadUrl, normalise_url

from . import kinds
from .context import Needs, RecordContext
from .families import CompiledFilter
from .family_events import (
    EVENTS_KEY,
    Counter,
    bounds_of,
    refine_problems,
    sentence,
    window_for,
)
from .opcore import Env
from .problems import Problem
from .refine import is_relative
from .safe_regex import UnsafePattern, check_pattern
from .schema import Schema
from .sqlscope import SqlScope
from .trace import FAILED, PASSED, FilterTrace
from .tree import PageViewFilter

URL_PROPERTY = "hs_url"
MAX_PAGE_URL = 2048
_TESTS = {
    "HAS_PAGEVIEW_EQ": "EQ",
    "NOT_HAS_PAGEVIEW_EQ": "EQ",
    "HAS_PAGEVIEW_CONTAINS": "CONTAINS",
    "NOT_HAS_PAGEVIEW_CONTAINS": "CONTAINS",
    "HAS_PAGEVIEW_MATCHES_REGEX": "REGEX",
}
_WORDS = {"EQ": "is", "CONTAINS": "contains", "REGEX": "matches"}


@dataclass(frozen=True)
class TextCheck:
    """One occurrence's text property passes EQ (exact), CONTAINS (any case) or REGEX;
    a missing or non-string value fails. Never errored."""

    prop: str
    test: str
    needle: str

    def _ok(self, value: Any) -> bool:
        if not isinstance(value, str):
            return False
        if self.test == "EQ":
            return value == self.needle
        if self.test == "CONTAINS":
            return self.needle.lower() in value.lower()
        return re.search(self.needle, value) is not None

    def fast(self, e: RecordContext) -> bool:
        return self._ok(e.props.get(self.prop))

    def trace(self, e: RecordContext) -> FilterTrace:
        seen = e.props.get(self.prop)
        return FilterTrace(
            path="",
            filter_type="PROPERTY",
            status=PASSED if self._ok(seen) else FAILED,
            sentence=f"{self.prop} {_WORDS[self.test]} {self.needle} - was {seen}",
            object_type=e.object_type,
            record_id=e.record_id,
            property=self.prop,
            expected=f"{_WORDS[self.test]} {self.needle}",
            seen=(str(seen),) if seen is not None else (),
        )

    def sql(self, scope: SqlScope) -> Q:
        ref = scope.value(self.prop)
        if self.test == "EQ":
            found = Q(Exact(ref.text(), self.needle))
        elif self.test == "CONTAINS":
            found = Q(GreaterThan(StrIndex(ref.lower(), Value(self.needle.lower())), 0))
        else:
            found = Q(Regex(ref.text(), self.needle))
        return ref.kind_ok(kinds.STRING) & found

    errored_sql = None


def compile_count(
    *,
    filter_type: str,
    type_id: str,
    f: Any,
    path: str,
    object_type: str,
    env: Env,
    negated: bool,
    checks: Sequence[Any],
    subject: str,
    prop: str | None,
) -> CompiledFilter:
    """A filter that counts the record's occurrences of ``type_id`` passing ``checks``,
    with the filter's one refinement - the shape FORM_SUBMISSION has."""
    window = window_for(f.pruning_refine_by, env)
    bounds = bounds_of(negated, f.coalescing_refine_by)
    counter = Counter(type_id, window, bounds, list(checks))
    expected = f"{bounds.requirement()} {'times' if bounds.high != 0 else ''}".strip()
    if window.phrase:
        expected += f" {window.phrase}"

    def trace(ctx: RecordContext) -> FilterTrace:
        tally = counter.tally(ctx)
        return FilterTrace(
            path=path,
            filter_type=filter_type,
            status=tally.status,
            sentence=sentence(subject, window, bounds, tally),
            object_type=object_type,
            record_id=ctx.record_id,
            property=prop,
            operator=f.operator,
            expected=expected,
            seen=(str(tally.passed),),
            error=tally.error,
        )

    return CompiledFilter(
        fast=counter.fast,
        trace=trace,
        sql=lambda scope: counter.sql(scope),
        not_failed_sql=lambda scope: counter.sql(scope, not_failed=True),
    )


def offered_problems(schema: Schema, type_id: str, path: str, object_type: str, what: str) -> list:
    """A standard event type's object types (read from the catalogue of standard types: the
    schema only loads the types event branches name)."""
    spec = STANDARD_BY_ID.get(type_id)
    if spec is not None and not spec.offered_for(object_type):
        return [
            Problem(path, f"{what} belong to {', '.join(spec.object_types)}, not {object_type}")
        ]
    return []


def _needle(f: PageViewFilter) -> str:
    test = _TESTS[f.operator]
    if test == "EQ":
        return normalise_url(f.page_url)
    return f.page_url


class PageViewFamily:
    filter_type = "PAGE_VIEW"
    label = "Page views"
    description = (
        "The contact viewed a page whose URL is (HAS_PAGEVIEW_EQ), contains or matches a "
        "pattern, or has not viewed it (NOT_HAS_PAGEVIEW_*); a time window or a count "
        "(one refinement at most). Files are never page views. Marketing Hub Pro/Ent."
    )

    def validate(
        self,
        f: PageViewFilter,
        path: str,
        object_type: str,
        schema: Schema,
        *,
        refine_checked: bool,
    ) -> list[Problem]:
        problems = offered_problems(schema, PAGE_VIEWED, path, object_type, "page views")
        where = f"{path}.pageUrl"
        test = _TESTS.get(f.operator, "EQ")
        if not f.page_url.strip():
            problems.append(Problem(where, "must not be empty"))
        elif len(f.page_url) > MAX_PAGE_URL:
            problems.append(Problem(where, f"is longer than {MAX_PAGE_URL} characters"))
        elif test == "EQ":
            try:
                normalise_url(f.page_url)
            except BadUrl as exc:
                problems.append(Problem(where, f"{exc} (to match part of a URL use CONTAINS)"))
        elif test == "REGEX":
            try:
                check_pattern(f.page_url)
            except UnsafePattern as exc:
                problems.append(Problem(where, f"{exc} (see the accepted pattern subset)"))
        if not refine_checked:
            negated = f.operator.startswith("NOT_")
            problems.extend(
                refine_problems(
                    f.pruning_refine_by,
                    f.coalescing_refine_by,
                    path,
                    negated=f.operator if negated else None,
                )
            )
        return problems

    def needs(self, f: PageViewFilter, object_type: str, schema: Schema, needs: Needs) -> None:
        pruning = f.pruning_refine_by
        needs.add_events(PAGE_VIEWED, pruning.to_json() if pruning is not None else None)

    def watched(self, f: PageViewFilter, object_type: str, schema: Schema) -> set[tuple[str, str]]:
        return {(EVENTS_KEY, PAGE_VIEWED)}

    def dependency(self, f: PageViewFilter) -> str | None:
        pruning = f.pruning_refine_by
        return "clock" if pruning is not None and is_relative(pruning.to_json()) else None

    def compile(self, f: PageViewFilter, path: str, object_type: str, env: Env) -> CompiledFilter:
        test = _TESTS[f.operator]
        needle = _needle(f)
        verb = {"EQ": "", "CONTAINS": " containing", "REGEX": " matching"}[test]
        return compile_count(
            filter_type=self.filter_type,
            type_id=PAGE_VIEWED,
            f=f,
            path=path,
            object_type=object_type,
            env=env,
            negated=f.operator.startswith("NOT_"),
            checks=[TextCheck(URL_PROPERTY, test, needle)],
            subject=f"Viewed a page{verb} {needle}",
            prop=URL_PROPERTY,
        )
