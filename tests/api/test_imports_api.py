"""``/crm/v3/imports`` end to end: multipart in, the task runs (sync), progress and errors out."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.models import ChangeSource, Import, ImportMembership, PropertyChange, Record
from crm.services import record_create

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/crm/v3/imports"


def mapping(column: str, prop: str | None, **extra: Any) -> dict[str, Any]:
    return {"columnName": column, "propertyName": prop, "columnObjectTypeId": "0-1", **extra}


def request_json(*mappings: dict[str, Any], name: str = "Q3 leads", **extra: Any) -> str:
    return json.dumps(
        {
            "name": name,
            "files": [
                {
                    "fileName": "leads.csv",
                    "fileFormat": "CSV",
                    "fileImportPage": {"hasHeader": True, "columnMappings": list(mappings)},
                }
            ],
            **extra,
        }
    )


DEFAULT = (mapping("Email", "email"), mapping("First", "firstname"), mapping("City", "city"))


def start(api, csv_text: str, *mappings: dict[str, Any], file_name: str = "leads.csv", **extra):
    body: dict[str, Any] = {"importRequest": request_json(*(mappings or DEFAULT), **extra)}
    if csv_text is not None:
        body["files"] = SimpleUploadedFile(file_name, csv_text.encode(), "text/csv")
    return api.post(URL, body, format="multipart")


def test_import__creates_and_updates_by_email__counts_and_history_say_import(api):
    ada = record_create(object_type="contacts", properties={"email": "ada@example.com"})
    answer = start(
        api,
        "Email,First,City,Views\nada@example.com,Ada,Dublin,3\nbob@example.com,Bob,,\n"
        "eve@example.com,Eve,Cork,many\n",
        *DEFAULT,
        mapping("Views", "hs_analytics_num_page_views"),
    )
    assert answer.status_code == 200, answer.json()
    import_id = answer.json()["id"]
    status = api.get(f"{URL}/{import_id}").json()
    assert status["state"] == "DONE"
    assert status["importName"] == "Q3 leads"
    counters = status["metadata"]["counters"]
    assert counters["TOTAL_ROWS"] == 3
    assert counters["CREATED_OBJECTS"] == 1
    assert counters["UPDATED_OBJECTS"] == 1
    assert counters["ERRORS"] == 1
    ada.refresh_from_db()
    assert ada.properties["firstname"] == "Ada" and ada.properties["city"] == "Dublin"
    bob = Record.objects.get(properties__email="bob@example.com")
    assert "city" not in bob.properties  # an empty cell is no value, not a clear
    change = PropertyChange.objects.get(record=ada, property_name="city")
    assert (change.source, change.source_id) == (ChangeSource.IMPORT, f"import:{import_id}")
    assert set(
        ImportMembership.objects.filter(crm_import_id=import_id).values_list("record_id", "action")
    ) == {(ada.pk, "UPDATED"), (bob.pk, "CREATED")}
    errors = api.get(f"{URL}/{import_id}/errors").json()["results"]
    assert len(errors) == 1
    assert errors[0]["sourceData"]["lineNumber"] == 4
    assert errors[0]["invalidValue"] == "many"
    assert errors[0]["errorType"] == "INVALID_NUMBER"
    assert errors[0]["knownColumnNumber"] == 4
    assert not Record.objects.filter(properties__email="eve@example.com").exists()
    listed = api.get(URL).json()["results"]
    assert [i["id"] for i in listed] == [import_id]


def test_import__duplicate_rows_in_the_file_make_one_record(api):
    answer = start(api, "Email,First,City\nx@example.com,X,Cork\nX@example.com,,Dublin\n")
    status = api.get(f"{URL}/{answer.json()['id']}").json()
    assert Record.objects.filter(object_type__name="contacts").count() == 1
    record = Record.objects.get()
    assert record.properties["city"] == "Dublin" and record.properties["firstname"] == "X"
    assert status["metadata"]["counters"]["CREATED_OBJECTS"] == 1


def test_import__by_object_id_column__unknown_id_is_a_row_error(api):
    ada = record_create(object_type="contacts", properties={"email": "ada@example.com"})
    answer = start(
        api,
        f"Id,City\n{ada.pk},Galway\n999999,Cork\n",
        mapping("Id", None, idColumnType="HUBSPOT_OBJECT_ID"),
        mapping("City", "city"),
    )
    import_id = answer.json()["id"]
    ada.refresh_from_db()
    assert ada.properties["city"] == "Galway"
    errors = api.get(f"{URL}/{import_id}/errors").json()["results"]
    assert [(e["errorType"], e["sourceData"]["lineNumber"]) for e in errors] == [
        ("OBJECT_NOT_FOUND", 3)
    ]


def test_import__update_only_does_not_create(api):
    answer = start(
        api, "Email,First,City\nnew@example.com,N,\n", importOperations={"0-1": "UPDATE"}
    )
    assert not Record.objects.filter(object_type__name="contacts").exists()
    errors = api.get(f"{URL}/{answer.json()['id']}/errors").json()["results"]
    assert errors[0]["errorType"] == "OBJECT_NOT_FOUND"


@pytest.mark.parametrize(
    ("mappings", "name"),
    [
        (
            (mapping("Email", "email"), mapping("First", "no_such_property")),
            "importRequest.files[0].fileImportPage.columnMappings[1].propertyName",
        ),
        (
            ({**mapping("Email", "email"), "columnObjectTypeId": "0-999"},),
            "importRequest.files[0].fileImportPage.columnMappings[0].columnObjectTypeId",
        ),
        (
            (mapping("Email", "email"), mapping("Missing", "city")),
            "importRequest.files[0].fileImportPage.columnMappings[1].columnName",
        ),
    ],
)
def test_import__bad_mapping__400_naming_the_field_nothing_stored(api, unchanged, mappings, name):
    unchanged()
    answer = start(api, "Email,First\nada@example.com,Ada\n", *mappings)
    assert answer.status_code == 400
    assert name in [e.get("name") for e in answer.json()["errors"]]
    assert not Import.objects.exists()
    unchanged.assert_same()


def test_import__missing_file__400_naming_files(api, unchanged):
    unchanged()
    answer = start(api, None)
    assert answer.status_code == 400
    assert "files" in [e.get("name") for e in answer.json()["errors"]]
    assert not Import.objects.exists()


def test_import__file_named_otherwise_and_bad_json(api):
    answer = start(api, "Email\na@example.com\n", file_name="other.csv")
    assert answer.status_code == 400
    assert "importRequest.files[0].fileName" in [e.get("name") for e in answer.json()["errors"]]
    bad = api.post(URL, {"importRequest": "{not json"}, format="multipart")
    assert bad.status_code == 400
    assert [e.get("name") for e in bad.json()["errors"]] == ["importRequest"]
    assert not Import.objects.exists()


def test_import__needs_auth(anon_api):
    assert anon_api.get(URL).status_code == 401
    assert anon_api.post(URL, {}, format="multipart").status_code == 401


def test_import__cancel_a_finished_import_is_409__unknown_is_404(api):
    answer = start(api, "Email,First,City\na@example.com,A,\n")
    import_id = answer.json()["id"]
    assert api.post(f"{URL}/{import_id}/cancel").status_code == 409
    assert api.get(f"{URL}/424242").status_code == 404
    assert api.get(f"{URL}/424242/errors").status_code == 404
