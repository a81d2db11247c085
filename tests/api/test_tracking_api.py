"""The public tracking endpoint (browser auth, CORS, limits, files) and the CTA objects API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from crm.event_types import CTA_CLICKED, PAGE_VIEWED, PRIVACY_CONSENT_CHANGED
from crm.models import AccountSettings, Cta, Event, EventStatus, Record, TrackingSite
from crm.services import tracking
from tests.api.conftest import assert_error
from tests.api.test_flows_api import FLOWS, flow_body
from tests.api.test_forms_api import create as create_form
from tests.api.test_forms_api import submit_path, values
from tests.enrollment.conftest import list_based

pytestmark = pytest.mark.django_db

HITS = "/tracking/v1/hits"
ORIGIN = "https://www.example.com"
UTK = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def site(db: None) -> TrackingSite:
    return TrackingSite.objects.create(name="Site", allowed_origins=[ORIGIN])


def post_hit(
    site: TrackingSite | None, *, origin: str | None = ORIGIN, raw: bytes | None = None, **hit: Any
) -> Any:
    body: dict[str, Any] = {
        "siteKey": site.site_key if site else "nope",
        "type": "PAGE_VIEW",
        "utk": UTK,
        "url": f"{ORIGIN}/pricing",
        "title": "Pricing",
        **hit,
    }
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    data = raw if raw is not None else json.dumps(body).encode()
    return APIClient().post(HITS, data, content_type="text/plain", **headers)


def test_hit__unknown_visitor__202_stored_no_match_with_cookie_and_cors(site: TrackingSite) -> None:
    response = post_hit(site, referrer="https://google.com/")
    assert response.status_code == 202, response.content
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert response.json()["status"] == "STORED" and response.json()["known"] is False
    event = Event.objects.get(pk=response.json()["eventId"])
    assert event.event_type_id == PAGE_VIEWED and event.record is None
    assert event.status == EventStatus.NO_MATCH and event.raw["utk"] == UTK
    assert event.properties == {
        "hs_url": f"{ORIGIN}/pricing",
        "hs_page_title": "Pricing",
        "hs_referrer": "https://google.com/",
    }


def test_hit__known_visitor__resolved_to_the_contact(site: TrackingSite, make_flow) -> None:
    from tests.workflows.conftest import make_record

    ada = make_record("contacts", {"email": "ada@ex.com", "hubspotutk": UTK})
    response = post_hit(site, url=f"{ORIGIN}/Pricing/#top")
    assert response.status_code == 202 and response.json()["known"] is True
    event = Event.objects.get(pk=response.json()["eventId"])
    assert event.record_id == ada.pk and event.status != EventStatus.NO_MATCH
    assert event.properties["hs_url"] == f"{ORIGIN}/Pricing"  # normal form: no fragment, no /


def test_hit__same_hit_id_twice__stored_once(site: TrackingSite) -> None:
    first = post_hit(site, hitId="abcdef123456").json()["eventId"]
    assert post_hit(site, hitId="abcdef123456").json()["eventId"] == first
    assert Event.objects.count() == 1


@pytest.mark.parametrize(
    ("url", "extra"),
    [
        (f"{ORIGIN}/files/brochure.PDF", {}),
        (f"{ORIGIN}/media/logo.png?v=2", {}),
        (f"{ORIGIN}/hubfs/whitepaper", {}),
        (f"{ORIGIN}/report", {"download": True}),
    ],
)
def test_hit__file__not_counted_and_nothing_stored(
    site: TrackingSite, url: str, extra: dict[str, Any]
) -> None:
    response = post_hit(site, url=url, **extra)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "NOT_COUNTED" and body["reason"] == "FILE"
    assert "never page views" in body["message"]
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("hit", "names"),
    [
        ({"utk": "not-a-cookie"}, ["utk"]),
        ({"type": "CLICK"}, ["type"]),
        ({"url": "/relative"}, ["url"]),
        ({"url": ""}, ["url"]),
        ({"title": "x" * 600, "referrer": 5}, ["title", "referrer"]),
        ({"occurredAt": "yesterday"}, ["occurredAt"]),
        ({"extra": 1}, ["extra"]),
        ({"type": "CTA_CLICK"}, ["ctaId"]),
        ({"type": "CTA_CLICK", "ctaId": "nope"}, ["ctaId"]),
        ({"type": "CONSENT", "consent": "maybe"}, ["consent"]),
        ({"siteKey": "pk_unknown"}, ["siteKey"]),
        # PostgreSQL text cannot hold NUL (found by the schemathesis run: it was a 500)
        ({"title": "a\x00b"}, ["title"]),
        ({"url": "https://www.example.com/\ud800"}, ["url"]),
    ],
)
def test_hit__bad_input__400_naming_the_field_and_nothing_stored(
    site: TrackingSite, hit: dict[str, Any], names: list[str]
) -> None:
    assert_error(post_hit(site, **hit), 400, "VALIDATION_ERROR", *names)
    assert not Event.objects.exists()


def test_hit__not_json__400(site: TrackingSite) -> None:
    assert_error(post_hit(site, raw=b"{oops"), 400, "VALIDATION_ERROR", "body")
    assert_error(post_hit(site, raw=b'{"a": NaN}'), 400, "VALIDATION_ERROR", "body")


def test_hit__other_origin_or_none__403_without_cors(site: TrackingSite) -> None:
    refused = post_hit(site, origin="https://evil.example")
    assert_error(refused, 403, "FORBIDDEN")
    assert "Access-Control-Allow-Origin" not in refused
    assert_error(post_hit(site, origin=None), 403, "FORBIDDEN")
    by_referer = APIClient().post(
        HITS,
        json.dumps({"siteKey": site.site_key, "type": "PAGE_VIEW", "utk": UTK, "url": ORIGIN}),
        content_type="text/plain",
        HTTP_REFERER=f"{ORIGIN}/somewhere",
    )
    assert by_referer.status_code == 202, by_referer.content
    assert Event.objects.count() == 1


def test_hit__body_over_8_kib__413(site: TrackingSite) -> None:
    response = post_hit(site, raw=b"{" + b" " * tracking.MAX_BODY_BYTES + b"}")
    assert response.status_code == 413
    assert not Event.objects.exists()


def test_hit__too_many_per_minute__429(site: TrackingSite, monkeypatch) -> None:
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(tracking, "RATE_PER_MINUTE", 2)
    monkeypatch.setattr(
        tracking, "rate_ok", lambda s, c, limit=2, _f=tracking.rate_ok: _f(s, c, limit=limit)
    )
    assert [post_hit(site, hitId=f"hit-{i:08d}").status_code for i in range(3)] == [202, 202, 429]
    assert Event.objects.count() == 2


def test_preflight__allowed_origin_answered__others_not(site: TrackingSite) -> None:
    ok = APIClient().options(HITS, HTTP_ORIGIN=ORIGIN)
    assert ok.status_code == 204 and ok["Access-Control-Allow-Origin"] == ORIGIN
    other = APIClient().options(HITS, HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other


def test_cta_and_consent_hits__stored_with_cta_name_and_status(site: TrackingSite) -> None:
    Cta.objects.create(cta_id="demo", name="Book a demo")
    click = post_hit(site, type="CTA_CLICK", ctaId="demo")
    assert click.status_code == 202, click.content
    assert Event.objects.get(event_type_id=CTA_CLICKED).properties["hs_cta_name"] == "Book a demo"
    consent = post_hit(site, type="CONSENT", consent="declined")
    assert consent.status_code == 202, consent.content
    stored = Event.objects.get(event_type_id=PRIVACY_CONSENT_CHANGED).properties
    assert stored["hs_consent_status"] == "declined" and stored["hs_privacy_name"] == "cookies"


def test_form_with_the_cookie__identifies_the_visitor_and_links_earlier_views(
    site: TrackingSite, api
) -> None:
    before = post_hit(site).json()["eventId"]
    form = create_form(api)
    response = api.post(
        submit_path(form["id"]),
        {"fields": values(email="ada@ex.com"), "context": {"hutk": UTK}},
        format="json",
    )
    assert response.status_code == 200, response.content
    ada = Record.objects.get(properties__email="ada@ex.com")
    linked = Event.objects.get(pk=before)
    assert linked.record_id == ada.pk and linked.status == EventStatus.LINKED
    after = post_hit(site, url=f"{ORIGIN}/after").json()
    assert after["known"] is True
    assert Event.objects.get(pk=after["eventId"]).status != EventStatus.LINKED


# --------------------------------------------------------------------------- CTAs API


def test_ctas__create_list_conflict_bad_id_anonymous(api, anon_api) -> None:
    created = api.post("/marketing/v3/ctas", {"id": "demo", "name": "Book a demo"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["id"] == "demo" and created.json()["name"] == "Book a demo"
    listed = api.get("/marketing/v3/ctas").json()["results"]
    assert [c["id"] for c in listed] == ["demo"]
    again = api.post("/marketing/v3/ctas", {"id": "demo", "name": "Other"}, format="json")
    assert_error(again, 409, "CONFLICT", "id")
    bad = api.post("/marketing/v3/ctas", {"id": "not a slug!", "name": ""}, format="json")
    assert bad.status_code == 400 and Cta.objects.count() == 1
    assert anon_api.get("/marketing/v3/ctas").status_code == 401


# --------------------------------------------------------------------------- gating


def test_flow_with_page_view_filter__marketing_starter__403_with_reason(api) -> None:
    account = AccountSettings.load()
    account.marketing_hub = "STARTER"
    account.save()
    page_view = {
        "filterType": "PAGE_VIEW",
        "pageUrl": "https://www.example.com/pricing",
        "operator": "HAS_PAGEVIEW_EQ",
    }
    body = flow_body(enrollmentCriteria=list_based(page_view))
    error = assert_error(api.post(FLOWS, body, format="json"), 403, "FORBIDDEN")
    assert "Page view triggers and filters need Marketing Hub Professional+" in error["message"]
    Cta.objects.create(cta_id="demo", name="Demo")
    cta = {"filterType": "CTA", "ctaName": "demo", "operator": "HAS_CLICKED_CTA"}
    error = assert_error(
        api.post(FLOWS, flow_body(enrollmentCriteria=list_based(cta)), format="json"),
        403,
        "FORBIDDEN",
    )
    assert "CTA triggers and filters need Marketing Hub Professional+" in error["message"]
    privacy = {"filterType": "PRIVACY", "operator": "PRIVACY_CONSENT_GRANTED", "privacyName": "x"}
    allowed = api.post(FLOWS, flow_body(enrollmentCriteria=list_based(privacy)), format="json")
    assert allowed.status_code == 201, allowed.content  # consent has no tier
    account.marketing_hub = "PROFESSIONAL"
    account.save()
    assert api.post(FLOWS, body, format="json").status_code == 201


def test_flow_with_page_view_filter__company_workflow__400_naming_the_family(api) -> None:
    page_view = {"filterType": "PAGE_VIEW", "pageUrl": "x", "operator": "HAS_PAGEVIEW_CONTAINS"}
    body = flow_body("0-2", enrollmentCriteria=list_based(page_view))
    error = assert_error(api.post(FLOWS, body, format="json"), 400, "VALIDATION_ERROR")
    assert "Page views" in error["message"] and "contacts" in error["message"]


def test_catalogue__lists_tracking_families_with_availability(api) -> None:
    account = AccountSettings.load()
    account.marketing_hub = "STARTER"
    account.save()
    found = api.get("/automation/v4/triggers/catalogue", {"objectTypeId": "0-1"}).json()
    rows = {f["key"]: f for f in found["triggers"]}
    assert rows["PAGE_VIEWS"]["available"] is False
    assert "Marketing Hub Professional+" in rows["PAGE_VIEWS"]["unavailableReason"]
    assert rows["CTAS"]["available"] is False and rows["PRIVACY_CONSENT"]["available"] is True
    assert {t["eventTypeId"] for t in rows["CTAS"]["eventTypes"]} == {"9-1200", "4-1555805"}
