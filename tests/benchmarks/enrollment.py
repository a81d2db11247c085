"""Enrollment benchmarks: on-save cost, the trigger index against a scan, enroll-existing.

    python -m tests.benchmarks.enrollment [--quick]

Prints one JSON object. Ratios are measured within one run (machines here are noisy).
Run against PostgreSQL for the backfill figures (DATABASE_URL=postgres://...); 1M
contacts only without --quick.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from typing import Any

from crm.actors import SYSTEM
from tests.benchmarks._harness import bulk_contacts, setup_django, throwaway_database, timed

#: Custom properties the benchmark workflows filter on (each uses 10-50 of them). Real
#: accounts have thousands of properties and workflows about different ones; the JSON
#: reports how many workflows watch the property the "touched" save changes.
POOL = 1000


def _filters(rng: random.Random, count: int) -> list[dict[str, Any]]:
    props = rng.sample(range(POOL), count)
    out = []
    for i, p in enumerate(props):
        if i % 3 == 0:
            op = {
                "operationType": "NUMBER",
                "operator": "IS_GREATER_THAN",
                "value": rng.randint(0, 50),
            }
        elif i % 3 == 1:
            op = {"operationType": "MULTISTRING", "operator": "IS_EQUAL_TO", "values": ["a", "b"]}
        else:
            op = {"operationType": "MULTISTRING", "operator": "DOES_NOT_CONTAIN", "values": ["zz"]}
        prop = f"bench_n{p}" if i % 3 == 0 else f"bench_s{p}"
        out.append({"filterType": "PROPERTY", "property": prop, "operation": op})
    return out


def _make_properties() -> None:
    from crm.services import property_create

    for p in range(POOL):
        property_create(
            object_type="contacts", data={"name": f"bench_n{p}", "label": f"N{p}", "type": "number"}
        )
        property_create(
            object_type="contacts", data={"name": f"bench_s{p}", "label": f"S{p}", "type": "string"}
        )


def _make_flows(n: int, rng: random.Random, start: int = 0) -> list[Any]:
    from workflows.services import flow_create

    flows = []
    for i in range(n):
        filters = _filters(rng, rng.randint(10, 50))
        criteria = {
            "type": "LIST_BASED",
            "shouldReEnroll": False,
            "unEnrollObjectsNotMeetingCriteria": False,
            "reEnrollmentTriggersFilterBranches": [],
            "listFilterBranch": {
                "filterBranchType": "OR",
                "filterBranchOperator": "OR",
                "filters": [],
                "filterBranches": [
                    {
                        "filterBranchType": "AND",
                        "filterBranchOperator": "AND",
                        "filters": filters,
                        "filterBranches": [],
                    }
                ],
            },
        }
        flows.append(
            flow_create(
                payload={
                    "type": "CONTACT_FLOW",
                    "objectTypeId": "0-1",
                    "name": f"B{start + i}",
                    "isEnabled": True,
                    "actions": [],
                    "enrollmentCriteria": criteria,
                },
                actor=SYSTEM,
            )
        )
    return flows


def on_save(quick: bool) -> dict[str, Any]:
    from crm.services import record_create, record_update
    from enrollment.engine import Cause, evaluate_pairs, handle_records_changed
    from enrollment.index import current_index

    rng = random.Random(7)
    _make_properties()
    contact = record_create(
        object_type="contacts", properties={"email": "save@example.com", "bench_n1": 1}
    )
    counter = iter(range(10**9))
    repeat = 30 if quick else 100

    def untouched() -> None:
        for _ in range(repeat):
            record_update(
                record=contact.pk, object_type="contacts", properties={"phone": str(next(counter))}
            )

    def touched() -> None:
        for _ in range(repeat):
            record_update(
                record=contact.pk,
                object_type="contacts",
                properties={"bench_n0": next(counter) % 100},
            )

    result: dict[str, Any] = {}
    # The bare save, with the enrollment receiver disconnected: what the engine adds at all.
    from crm.signals import records_changed
    from enrollment import receivers

    records_changed.disconnect(dispatch_uid="enrollment.records")
    try:
        result["untouched_save_ms_no_engine"] = round(timed(untouched, repeat=5) / repeat * 1000, 3)
    finally:
        records_changed.connect(receivers.on_records_changed, dispatch_uid="enrollment.records")
    created = 0
    for n in (0, 100, 500):
        _make_flows(n - created, rng, created)
        created = n
        current_index()  # build once: its cost is per workflow edit, not per save
        result[f"untouched_save_ms_{n}"] = round(timed(untouched, repeat=5) / repeat * 1000, 3)
        result[f"touched_save_ms_{n}"] = round(timed(touched, repeat=3) / repeat * 1000, 3)
    result["untouched_save_ratio"] = round(
        result["untouched_save_ms_500"] / result["untouched_save_ms_0"], 3
    )
    result["untouched_save_ratio_100"] = round(
        result["untouched_save_ms_100"] / result["untouched_save_ms_0"], 3
    )
    result["untouched_save_ratio_vs_no_engine"] = round(
        result["untouched_save_ms_500"] / result["untouched_save_ms_no_engine"], 3
    )

    # The index against evaluating every workflow, for one change at 500 workflows.
    from crm.models import Record
    from crm.signals import RecordsChanged

    index = current_index()
    record = Record.objects.get(pk=contact.pk)
    change = RecordsChanged(
        object_type_id="0-1",
        object_type="contacts",
        kind="updated",
        record_ids=(record.pk,),
        changed_properties={record.pk: frozenset({"bench_s3"})},
        source="API",
    )
    watching = len(index.flows_watching("contacts", {"bench_s3"}))

    def via_index() -> None:
        handle_records_changed(change)

    watchers = index.flows_watching("contacts", {"bench_s3"})

    def scan() -> None:
        # The engine without an index: every enabled workflow evaluated for the change, with
        # the same observable output (history rows for the workflows the change touched).
        evaluate_pairs(
            [(flow, record.pk) for flow in index.flows.values()],
            cause=Cause("PROPERTY_CHANGE", "contacts", record.pk, ("bench_s3",)),
            created=False,
            record_history={f: f in watchers for f in index.flows},
            changed={},
        )

    t_index = timed(via_index, repeat=5)
    t_scan = timed(scan, repeat=3)
    result.update(
        {
            "index_ms": round(t_index * 1000, 3),
            "scan_ms": round(t_scan * 1000, 3),
            "index_vs_scan": round(t_scan / t_index, 1),
            "flows_watching_changed_property": watching,
            "flows": len(index.flows),
        }
    )
    return result


def backfill(quick: bool) -> dict[str, Any]:
    from django.db import connection

    from crm.models import Record
    from enrollment.backfill import run_backfill, start_backfill
    from enrollment.models import Enrollment
    from workflows.criteria import evaluate, parse
    from workflows.services import flow_create, flow_set_enabled

    def criteria_json() -> dict[str, Any]:
        filters = [
            {
                "filterType": "PROPERTY",
                "property": "city",
                "operation": {
                    "operationType": "MULTISTRING",
                    "operator": "IS_EQUAL_TO",
                    "values": ["Dublin", "Paris"],
                },
            },
            {
                "filterType": "PROPERTY",
                "property": "hs_analytics_num_page_views",
                "operation": {
                    "operationType": "NUMBER",
                    "operator": "IS_GREATER_THAN_OR_EQUAL_TO",
                    "value": 10,
                },
            },
            {
                "filterType": "PROPERTY",
                "property": "jobtitle",
                "operation": {
                    "operationType": "STRING",
                    "operator": "DOES_NOT_CONTAIN",
                    "value": "intern",
                },
            },
        ]
        return {
            "filterBranchType": "OR",
            "filterBranchOperator": "OR",
            "filters": [],
            "filterBranches": [
                {
                    "filterBranchType": "AND",
                    "filterBranchOperator": "AND",
                    "filters": filters,
                    "filterBranches": [],
                }
            ],
        }

    def make_flow(name: str) -> Any:
        return flow_create(
            payload={
                "type": "CONTACT_FLOW",
                "objectTypeId": "0-1",
                "name": name,
                "isEnabled": False,
                "actions": [],
                "enrollmentCriteria": {
                    "type": "LIST_BASED",
                    "shouldReEnroll": False,
                    "unEnrollObjectsNotMeetingCriteria": False,
                    "reEnrollmentTriggersFilterBranches": [],
                    "listFilterBranch": criteria_json(),
                },
            },
            actor=SYSTEM,
        )

    sizes = [10_000] if quick else [100_000, 1_000_000]
    result: dict[str, Any] = {"database": connection.vendor}
    loaded = 0
    for size in sizes:
        bulk_contacts(size - loaded, start=loaded)
        loaded = size
        flow = make_flow(f"backfill {size}")
        flow_set_enabled(flow_id=flow.pk, enabled=True, actor=SYSTEM)
        run = start_backfill(flow_id=flow.pk, run_async=False)
        start = time.perf_counter()
        run = run_backfill(run.pk)
        seconds = time.perf_counter() - start
        if run.status != "COMPLETE":
            raise SystemExit(f"backfill failed: {run.status} {run.errors}")
        result[f"backfill_{size}_seconds"] = round(seconds, 3)
        result[f"backfill_{size}_enrolled"] = run.enrolled
        if size == sizes[0]:
            # The row-by-row alternative: evaluate each record in Python, insert one by one.
            # Measured on a sample and scaled linearly (it is linear by construction).
            criteria = parse(criteria_json(), object_type="contacts")
            other = make_flow("python loop")
            sample = list(Record.objects.filter(object_type__name="contacts").order_by("pk")[:2000])
            start = time.perf_counter()
            for record in sample:
                if evaluate(criteria, record).matched:
                    Enrollment.objects.create(workflow=other, record=record, source="BACKFILL")
            per_row = (time.perf_counter() - start) / len(sample)
            result["python_loop_sampled_rows"] = len(sample)
            result[f"python_loop_{size}_seconds_scaled"] = round(per_row * size, 3)
            result["backfill_vs_python"] = round(per_row * size / seconds, 1)
    if "backfill_1000000_seconds" in result:
        result["backfill_1m_seconds"] = result["backfill_1000000_seconds"]
    else:
        result["backfill_1m_seconds"] = None
        result["backfill_1m_note"] = "not measured with --quick"
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--only", choices=["save", "backfill"], help="run one part only")
    args = parser.parse_args(argv)
    setup_django()
    out: dict[str, Any] = {"quick": args.quick}
    if args.only in (None, "save"):
        with throwaway_database():
            out.update(on_save(args.quick))
    if args.only in (None, "backfill"):
        with throwaway_database():
            out.update(backfill(args.quick))
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
