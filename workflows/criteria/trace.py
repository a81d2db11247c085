"""Evaluation results that carry their reasons: a frozen trace mirroring the criteria tree.

Three statuses, as in Sentry's evaluations: *passed*, *failed*, *errored*. Errored is not
failed: a filter that could not be evaluated (a value of the wrong type, a list filter
before lists exist) never counts as a pass, and an evaluation whose outcome hangs on an
errored filter is ``errored`` and not ``matched`` - never enroll on it. Branches combine
statuses with three-valued logic: AND passes when all pass, fails when one fails, else
errors; OR passes when one passes, errors when none passes but one errored, else fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

PASSED = "passed"
FAILED = "failed"
ERRORED = "errored"

_MARKS = {PASSED: "✓", FAILED: "✗", ERRORED: "!"}


def all_of(statuses: list[str]) -> str:
    if any(s == FAILED for s in statuses):
        return FAILED
    if any(s == ERRORED for s in statuses):
        return ERRORED
    return PASSED


def any_of(statuses: list[str]) -> str:
    if any(s == PASSED for s in statuses):
        return PASSED
    if any(s == ERRORED for s in statuses):
        return ERRORED
    return FAILED


@dataclass(frozen=True)
class FilterTrace:
    """One filter on one record: what was expected, what was seen, and the verdict."""

    path: str
    filter_type: str
    status: str
    sentence: str  # "Lifecycle stage is any of MQL, SQL - was Lead"
    object_type: str  # the type of the record that supplied the values
    record_id: int | None  # that record (the evaluated one, or an associated one)
    property: str | None = None
    operation_type: str | None = None
    operator: str | None = None
    expected: str = ""  # operator phrase with values: "is any of MQL, SQL"
    seen: tuple[str, ...] = ()  # values seen, for display
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "filterType": self.filter_type,
            "status": self.status,
            "sentence": self.sentence,
            "objectType": self.object_type,
            "recordId": str(self.record_id) if self.record_id is not None else None,
            "property": self.property,
            "operationType": self.operation_type,
            "operator": self.operator,
            "expected": self.expected,
            "seen": list(self.seen),
            "error": self.error,
        }


@dataclass(frozen=True)
class CandidateTrace:
    """One associated record checked by an ASSOCIATION branch."""

    record_id: int
    status: str
    filters: tuple[FilterTrace, ...] = ()
    branches: tuple[BranchTrace, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "recordId": str(self.record_id),
            "status": self.status,
            "filters": [f.to_dict() for f in self.filters],
            "branches": [b.to_dict() for b in self.branches],
        }


@dataclass(frozen=True)
class BranchTrace:
    """A branch on one record. For ASSOCIATION branches ``filters``/``branches`` are those of the
    deciding associated record (the first that passed, else the first that errored, else the
    first checked) and ``candidates`` lists the associated records checked (at most 20). For
    UNIFIED_EVENTS branches ``filters`` are those of one occurrence (the latest that passed,
    else that errored, else the latest in the window) and the sentence says what was counted."""

    path: str
    branch_type: str
    status: str
    object_type: str
    record_id: int | None
    filters: tuple[FilterTrace, ...] = ()
    branches: tuple[BranchTrace, ...] = ()
    association: str | None = None  # "Companies (Primary)"
    candidates: tuple[CandidateTrace, ...] = ()
    candidate_count: int = 0  # ASSOCIATION: records checked; UNIFIED_EVENTS: occurrences
    sentence: str = ""
    event_type_id: str | None = None  # UNIFIED_EVENTS: the type counted
    counted: int = 0  # UNIFIED_EVENTS: occurrences that passed the event's filters

    def iter_filters(self) -> Iterator[FilterTrace]:
        yield from self.filters
        for b in self.branches:
            yield from b.iter_filters()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path,
            "filterBranchType": self.branch_type,
            "status": self.status,
            "objectType": self.object_type,
            "recordId": str(self.record_id) if self.record_id is not None else None,
            "sentence": self.sentence,
            "filters": [f.to_dict() for f in self.filters],
            "filterBranches": [b.to_dict() for b in self.branches],
        }
        if self.branch_type == "ASSOCIATION":
            out["association"] = self.association
            out["candidateCount"] = self.candidate_count
            out["candidates"] = [c.to_dict() for c in self.candidates]
        if self.branch_type == "UNIFIED_EVENTS":
            out["eventTypeId"] = self.event_type_id
            out["occurrencesChecked"] = self.candidate_count
            out["occurrencesCounted"] = self.counted
        return out


@dataclass(frozen=True)
class Evaluation:
    """The decision for one record, with its reasons. ``matched`` only when definitely true."""

    matched: bool
    errored: bool
    trace: BranchTrace
    record_id: int
    object_type: str
    now: datetime
    as_of: datetime | None = None
    criteria_hash: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def status(self) -> str:
        return self.trace.status

    def filters(self) -> Iterator[FilterTrace]:
        """Every filter trace (associated branches: those of the deciding record)."""
        return self.trace.iter_filters()

    def passed_filters(self) -> list[FilterTrace]:
        return [f for f in self.filters() if f.status == PASSED]

    def failed_filters(self) -> list[FilterTrace]:
        return [f for f in self.filters() if f.status == FAILED]

    def errored_filters(self) -> list[FilterTrace]:
        return [f for f in self.filters() if f.status == ERRORED]

    def filter_statuses(self) -> dict[str, str]:
        """JSON path -> status, to compare two evaluations (before / after a change)."""
        out: dict[str, str] = {}

        def visit(branch: BranchTrace) -> None:
            out[branch.path] = branch.status
            for f in branch.filters:
                out[f.path] = f.status
            for b in branch.branches:
                visit(b)

        visit(self.trace)
        return out

    def status_of(self, path: str) -> str | None:
        return self.filter_statuses().get(path)

    def summary(self) -> list[str]:
        """Readable lines: the verdict, then each group and filter with its sentence."""
        if self.matched:
            head = "Matched"
        elif self.errored:
            head = "Could not be evaluated (errored)"
        else:
            head = "Not matched"
        lines = [
            f"{head}: {self.object_type} {self.record_id}"
            + (f" as of {self.as_of.isoformat()}" if self.as_of else "")
        ]
        lines.extend(self.notes)
        for i, group in enumerate(self.trace.branches, start=1):
            lines.append(f"Group {i} {group.status}")
            lines.extend(_branch_lines(group, "  "))
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "matched": self.matched,
            "errored": self.errored,
            "status": self.status,
            "objectType": self.object_type,
            "recordId": str(self.record_id),
            "now": self.now.isoformat(),
            "asOf": self.as_of.isoformat() if self.as_of else None,
            "criteriaHash": self.criteria_hash,
            "notes": list(self.notes),
            "summary": self.summary(),
            "trace": self.trace.to_dict(),
        }


def _branch_lines(branch: BranchTrace, indent: str) -> list[str]:
    lines = [f"{indent}{_MARKS[f.status]} {f.sentence}" for f in branch.filters]
    for sub in branch.branches:
        lines.append(f"{indent}{_MARKS[sub.status]} {sub.sentence}")
        lines.extend(_branch_lines(sub, indent + "  "))
    return lines
