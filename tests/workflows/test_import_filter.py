""" "Was in import X" (IN_LIST, inListType IMPORT): both evaluators, as_of, validation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from crm.actors import SYSTEM
from crm.models import ImportMembership, Record
from crm.services import record_create
from crm.services.imports import UploadedFile, import_create
from workflows.criteria import evaluate, parse, to_queryset, validate

pytestmark = pytest.mark.django_db(transaction=True)


def run_import(rows: list[str], object_type: str = "0-1", key: str = "email") -> int:
    req = {
        "name": "Fair leads",
        "files": [
            {
                "fileName": "f.csv",
                "fileFormat": "CSV",
                "fileImportPage": {
                    "hasHeader": True,
                    "columnMappings": [
                        {"columnName": "K", "propertyName": key, "columnObjectTypeId": object_type}
                    ],
                },
            }
        ],
    }
    content = ("K\n" + "\n".join(rows) + "\n").encode()
    return import_create(request=req, files=[UploadedFile("f.csv", content)], actor=SYSTEM).pk


def criteria(import_id: Any, operator: str = "IN_LIST") -> dict[str, Any]:
    return {
        "filterBranchType": "OR",
        "filterBranchOperator": "OR",
        "filters": [],
        "filterBranches": [
            {
                "filterBranchType": "AND",
                "filterBranchOperator": "AND",
                "filterBranches": [],
                "filters": [
                    {
                        "filterType": "IN_LIST",
                        "listId": str(import_id),
                        "operator": operator,
                        "metadata": {"inListType": "IMPORT", "id": str(import_id)},
                    }
                ],
            }
        ],
    }


@pytest.mark.parametrize("operator", ["IN_LIST", "NOT_IN_LIST"])
def test_import_filter__python_and_sql_agree(operator):
    before = record_create(object_type="contacts", properties={"email": "old@example.com"})
    outsider = record_create(object_type="contacts", properties={"email": "out@example.com"})
    import_id = run_import(["old@example.com", "new@example.com"])
    other_import = run_import(["out@example.com"])
    new = Record.objects.get(properties__email="new@example.com")
    parsed = parse(criteria(import_id, operator), object_type="contacts")
    members = {before.pk, new.pk}
    for record in (before, new, outsider):
        evaluation = evaluate(parsed, record)
        assert evaluation.matched == ((record.pk in members) == (operator == "IN_LIST"))
        trace = evaluation.to_dict()
        assert "Fair leads" in str(trace)
    selected = set(to_queryset(parsed).values_list("pk", flat=True))
    expected = members if operator == "IN_LIST" else {outsider.pk}
    assert selected == expected
    assert other_import != import_id


def test_import_filter__as_of_before_the_import__not_a_member():
    ada = record_create(object_type="contacts", properties={"email": "ada@example.com"})
    import_id = run_import(["ada@example.com"])
    at = ImportMembership.objects.get(record=ada).at
    parsed = parse(criteria(import_id), object_type="contacts")
    assert evaluate(parsed, ada).matched
    assert evaluate(parsed, ada, as_of=at).matched
    assert not evaluate(parsed, ada, as_of=at - timedelta(milliseconds=1)).matched


def test_import_filter__validation_names_the_problem():
    import_id = run_import(["a@example.com"])
    company_import = run_import(["acme.com"], object_type="0-2", key="domain")
    problems = validate(criteria(9999), object_type="contacts")
    assert any(p.path.endswith(".listId") and "no import" in p.message for p in problems)
    problems = validate(criteria(company_import), object_type="contacts")
    assert any("companies" in p.message for p in problems)
    problems = validate(criteria(import_id), object_type="companies")
    assert any(p.path.endswith("metadata.inListType") for p in problems)
    assert validate(criteria(import_id), object_type="contacts") == []
