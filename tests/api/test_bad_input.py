"""Bad input never answers 500: each of these did, and each is now a clear 4xx in the
envelope, with nothing stored."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from crm.models import Record

pytestmark = pytest.mark.django_db


def assert_envelope(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == "error" and body["correlationId"]
    return body


def test_options__enrollments_collection__describes_methods_not_500(api, make_flow) -> None:
    flow = make_flow("contacts")
    got = api.options(f"/automation/v4/flows/{flow.pk}/enrollments")
    assert got.status_code == 200
    assert got.json()["parses"] == ["application/json"]


def test_more_than_1000_query_parameters__400_naming_the_limit(api) -> None:
    many = "&".join(f"properties=p{i}" for i in range(1001))
    body = assert_envelope(api.get(f"/crm/v3/objects/contacts?{many}"), 400)
    assert "More than 1000" in body["message"] and body["context"]["limit"] == ["1000"]
    assert_envelope(api.post(f"/crm/v3/objects/contacts?{many}", {"properties": {}}), 400)
    assert not Record.objects.exists()


@pytest.mark.parametrize("path", ["/crm/v3/objects/contacts", "/crm/v3/objects/contacts/search"])
def test_body_over_the_limit__413_naming_it__nothing_stored(api, path) -> None:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    big = json.dumps({"properties": {"email": "a@b.io", "firstname": "x" * (limit + 10)}})
    body = assert_envelope(api.post(path, data=big, content_type="application/json"), 413)
    assert "8 MiB" in body["message"] and body["category"] == "REQUEST_TOO_LARGE"
    assert not Record.objects.exists()


def test_json_nested_deeper_than_the_limit__400(api) -> None:
    deep = '{"properties": ' + "[" * 2000 + "]" * 2000 + "}"
    body = assert_envelope(
        api.post("/crm/v3/objects/contacts", data=deep, content_type="application/json"), 400
    )
    assert "nested deeper than 100 levels" in body["message"]


def test_nesting_inside_strings_does_not_count(api) -> None:
    text = "[" * 500
    got = api.post(
        "/crm/v3/objects/contacts",
        data=json.dumps({"properties": {"email": "s@b.io", "firstname": text}}),
        content_type="application/json",
    )
    assert got.status_code == 201
    assert Record.objects.get().properties["firstname"] == text


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("application/x-www-form-urlencoded", 'properties={"email":"x@y.io"}'),
        ("text/plain", '{"properties": {"email": "x@y.io"}}'),
    ],
)
def test_non_json_body__415__no_empty_record_created(api, content_type, data) -> None:
    body = assert_envelope(
        api.post("/crm/v3/objects/contacts", data=data, content_type=content_type), 415
    )
    assert "Unsupported media type" in body["message"]
    assert not Record.objects.exists()


def test_multipart_body__415(api) -> None:
    got = api.post(
        "/crm/v3/objects/contacts", {"properties": '{"email":"x@y.io"}'}, format="multipart"
    )
    assert_envelope(got, 415)
    assert not Record.objects.exists()


@pytest.mark.parametrize("path", ["/crm/v3/nothing/here", "/automation/v4/nope", "/api/nope"])
def test_unmatched_api_route__json_404(api, anon_api, path) -> None:
    body = assert_envelope(api.get(path), 404)
    assert path in body["message"]
    assert_envelope(anon_api.get(path), 404)
    assert_envelope(api.delete(path), 404)  # an unsafe method too: not a CSRF page


#: the bodies that are not JSON alone: a CSV upload (HubSpot's multipart import), and the
#: tracking script's hits (``navigator.sendBeacon`` sends text/plain to avoid a preflight)
NOT_JSON_ONLY = {
    ("/crm/v3/imports", "post"): {"multipart/form-data"},
    ("/tracking/v1/hits", "post"): {"application/json", "text/plain"},
}


def test_schema_advertises_json_bodies_except_upload_and_beacon(api) -> None:
    schema = api.get("/api/schema/?format=json").json()
    media = {
        (path, method): set(op["requestBody"]["content"])
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if isinstance(op, dict) and "requestBody" in op
    }
    odd = {k: v for k, v in media.items() if v != {"application/json"}}
    assert odd == NOT_JSON_ONLY


def test_search__null_filter_group__400_naming_it(api) -> None:
    body = assert_envelope(
        api.post("/crm/v3/objects/contacts/search", {"filterGroups": [None]}), 400
    )
    assert "filterGroups[0]" in body["message"]


@pytest.mark.parametrize("text", ["a\\u0000b", "\\ud83d alone"])
def test_text_that_cannot_be_stored__400_naming_where(api, text) -> None:
    raw = '{"properties": {"email": "n@b.io", "firstname": "' + text + '"}}'
    body = assert_envelope(
        api.post("/crm/v3/objects/contacts", data=raw, content_type="application/json"), 400
    )
    assert "properties.firstname" in body["message"] and "valid Unicode" in body["message"]
    assert not Record.objects.exists()


def test_paired_surrogates_are_fine(api) -> None:
    raw = '{"properties": {"email": "e@b.io", "firstname": "\\ud83d\\ude00"}}'
    got = api.post("/crm/v3/objects/contacts", data=raw, content_type="application/json")
    assert got.status_code == 201 and Record.objects.get().properties["firstname"] == "😀"
