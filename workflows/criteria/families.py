"""The filter-family protocol: what every filter type provides (one module per family).

A family validates its filters against the schema, says what context they need, and
compiles one filter into a ``CompiledFilter`` - a fast Python predicate (errored counts as
not passed, which gives the same ``matched`` as three-valued logic because criteria never
negate branches), a traced evaluation, and a SQL condition for a ``SqlScope``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .context import Needs, RecordContext
from .opcore import Env
from .problems import Problem
from .schema import Schema
from .sqlscope import SqlScope
from .trace import FilterTrace


@dataclass(frozen=True)
class CompiledFilter:
    fast: Callable[[RecordContext], bool]
    trace: Callable[[RecordContext], FilterTrace]
    sql: Callable[[SqlScope], Any]
    #: SQL for "this filter is *errored* on the row" (None: it never errors). With it, the
    #: compiler can also select "not failed" (passed or errored) - the rows for which a
    #: suppression or goal cannot be said to be false (``compile_sql.not_failed_queryset``)
    errored_sql: Callable[[SqlScope], Any] | None = None
    #: SQL for "passed or errored" when it is not ``sql | errored_sql`` - a count over
    #: occurrences, whose errored ones widen the count (``family_events``)
    not_failed_sql: Callable[[SqlScope], Any] | None = None


class Family(Protocol):
    """One filter type. ``label`` and ``description`` are what the trigger builder and the
    catalogue endpoint show (``catalogue.py``); the JSON schema comes from the filter's
    dataclass in ``tree.py``."""

    filter_type: str
    label: str
    description: str

    def validate(
        self, f: Any, path: str, object_type: str, schema: Schema, *, refine_checked: bool
    ) -> list[Problem]: ...

    def needs(self, f: Any, object_type: str, schema: Schema, needs: Needs) -> None: ...

    def watched(self, f: Any, object_type: str, schema: Schema) -> set[tuple[str, str]]: ...

    def dependency(self, f: Any) -> str | None: ...

    def compile(self, f: Any, path: str, object_type: str, env: Env) -> CompiledFilter: ...


def registry() -> dict[str, Family]:
    from .family_cta import CtaFamily
    from .family_email_event import EmailEventFamily
    from .family_email_subscription import EmailSubscriptionFamily
    from .family_events import FormSubmissionFamily
    from .family_in_list import InListFamily
    from .family_legacy_event import LegacyEventFamily
    from .family_num_associations import NumAssociationsFamily
    from .family_page_view import PageViewFamily
    from .family_privacy import PrivacyFamily
    from .family_property import PropertyFamily

    return {
        fam.filter_type: fam
        for fam in (
            PropertyFamily(),
            NumAssociationsFamily(),
            InListFamily(),
            FormSubmissionFamily(),
            PageViewFamily(),
            CtaFamily(),
            PrivacyFamily(),
            EmailSubscriptionFamily(),
            EmailEventFamily(),
            LegacyEventFamily(),
        )
    }
