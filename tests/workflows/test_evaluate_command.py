"""``manage.py evaluate``: the readable trace of criteria on one record, and one-line errors."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from crm.models import Record
from crm.services import record_create

pytestmark = pytest.mark.django_db

LEAD_WITH_VIEWS = {
    "filterBranchType": "OR",
    "filters": [],
    "filterBranches": [
        {
            "filterBranchType": "AND",
            "filterBranches": [],
            "filters": [
                {
                    "filterType": "PROPERTY",
                    "property": "lifecyclestage",
                    "operation": {
                        "operationType": "ENUMERATION",
                        "operator": "IS_ANY_OF",
                        "values": ["lead"],
                    },
                },
                {
                    "filterType": "PROPERTY",
                    "property": "hs_analytics_num_page_views",
                    "operation": {
                        "operationType": "NUMBER",
                        "operator": "IS_GREATER_THAN",
                        "value": 5,
                    },
                },
            ],
        }
    ],
}
CREATED_THIS_YEAR = {
    "filterBranchType": "OR",
    "filters": [],
    "filterBranches": [
        {
            "filterBranchType": "AND",
            "filterBranches": [],
            "filters": [
                {
                    "filterType": "PROPERTY",
                    "property": "date_of_birth",
                    "operation": {
                        "operationType": "CALENDAR_DATE",
                        "operator": "IN_THIS_TIME_UNIT",
                        "timeUnit": "YEAR",
                    },
                },
            ],
        }
    ],
}


def run(*args: str) -> str:
    out = StringIO()
    call_command("evaluate", *args, stdout=out)
    return out.getvalue()


def write(tmp_path: Path, data: Any, name: str = "criteria.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


@pytest.fixture
def ada() -> Record:
    return record_create(
        object_type="contacts",
        properties={
            "firstname": "Ada",
            "lifecyclestage": "lead",
            "hs_analytics_num_page_views": 3,
            "date_of_birth": "2024-02-29",
        },
    )


def test_evaluate__failing_filter__trace_shows_verdict_and_values_seen(tmp_path, ada) -> None:
    lines = run(
        "--criteria",
        write(tmp_path, LEAD_WITH_VIEWS),
        "--object-type",
        "contacts",
        "--record",
        str(ada.pk),
    ).splitlines()
    assert lines[0] == f"Not matched: contacts {ada.pk}"
    assert lines[1] == "Group 1 failed"
    passed, failed = lines[2], lines[3]
    assert passed.startswith("  ✓ ") and "Lead" in passed
    assert failed.startswith("  ✗ ") and "is greater than 5" in failed and "3" in failed


def test_evaluate__matching_record__says_matched(tmp_path, ada) -> None:
    from crm.services import record_update

    record_update(record=ada, properties={"hs_analytics_num_page_views": 8})
    output = run(
        "--criteria",
        write(tmp_path, LEAD_WITH_VIEWS),
        "--object-type",
        "0-1",
        "--record",
        str(ada.pk),
    )
    assert output.splitlines()[0] == f"Matched: contacts {ada.pk}"
    assert "✗" not in output


def test_evaluate__now__relative_dates_read_that_clock(tmp_path, ada) -> None:
    path = write(tmp_path, CREATED_THIS_YEAR)
    args = ("--criteria", path, "--object-type", "contacts", "--record", str(ada.pk))
    assert run(*args, "--now", "2024-06-01T12:00:00Z").startswith("Matched")
    assert run(*args, "--now", "2025-06-01T12:00:00Z").startswith("Not matched")


def test_evaluate__json__whole_evaluation_with_trace(tmp_path, ada) -> None:
    wrapped = {"type": "LIST_BASED", "listFilterBranch": LEAD_WITH_VIEWS}
    data = json.loads(
        run(
            "--criteria",
            write(tmp_path, wrapped),
            "--object-type",
            "contacts",
            "--record",
            str(ada.pk),
            "--json",
        )
    )
    assert data["matched"] is False and data["recordId"] == str(ada.pk)
    filters = data["trace"]["filterBranches"][0]["filters"]
    assert [f["status"] for f in filters] == ["passed", "failed"]
    assert filters[1]["seen"] == ["3"]


@pytest.mark.parametrize(
    ("make", "args", "words"),
    [
        (lambda tmp: str(tmp / "missing.json"), (), "cannot read the criteria file"),
        (lambda tmp: write(tmp, "{not json"), (), "not JSON (line 1"),
        (lambda tmp: write(tmp, "[1, 2]"), (), "must be a JSON object"),
        (lambda tmp: write(tmp, {"filterBranchType": "AND"}), (), "the root branch must be OR"),
        (lambda tmp: write(tmp, LEAD_WITH_VIEWS), ("--object-type", "widgets"), "widgets"),
        (lambda tmp: write(tmp, LEAD_WITH_VIEWS), ("--record", "424242"), "424242"),
        (lambda tmp: write(tmp, LEAD_WITH_VIEWS), ("--record", "ada"), '"ada" is not a record id'),
        (
            lambda tmp: write(tmp, LEAD_WITH_VIEWS),
            ("--record", "99999999999999999999999"),
            "is not a record id",
        ),
        (
            lambda tmp: write(tmp, LEAD_WITH_VIEWS),
            ("--now", "soon"),
            '"soon" is not an ISO-8601 time',
        ),
    ],
    ids=[
        "missing file",
        "bad json",
        "not an object",
        "invalid criteria",
        "unknown type",
        "unknown record",
        "bad id",
        "huge id",
        "bad now",
    ],
)
def test_evaluate__bad_input__one_readable_line(tmp_path, ada, make, args, words) -> None:
    options = {"--object-type": "contacts", "--record": str(ada.pk)}
    options.update(dict(zip(args[::2], args[1::2], strict=True)))
    argv = ["--criteria", make(tmp_path)] + [x for pair in options.items() for x in pair]
    with pytest.raises(CommandError) as refused:
        run(*argv)
    message = str(refused.value)
    assert words in message
    assert "\n" not in message and "Traceback" not in message


def test_evaluate__record_of_another_type__not_found(tmp_path) -> None:
    company = record_create(object_type="companies", properties={"name": "Acme"})
    with pytest.raises(CommandError, match=f"No contacts record with id {company.pk}"):
        run(
            "--criteria",
            write(tmp_path, LEAD_WITH_VIEWS),
            "--object-type",
            "contacts",
            "--record",
            str(company.pk),
        )
