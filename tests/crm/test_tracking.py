"""Web tracking in the CRM: URL normal form, file recognition, visitor identification."""

from __future__ import annotations

import pytest

from crm.event_types import FORM_SUBMISSION, PAGE_VIEWED
from crm.models import Event, EventStatus, TrackingSite, Visitor
from crm.services import tracking
from crm.tracking_urls import BadUrl, file_reason, normalise_url
from tests.api.test_tracking_api import ORIGIN, UTK, post_hit
from tests.workflows.conftest import make_record

OTHER = "f" * 32


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("HTTPS://WWW.Example.COM", "https://www.example.com/"),
        ("https://www.example.com:443/a/b/?x=1#frag", "https://www.example.com/a/b?x=1"),
        ("http://example.com:8080/A", "http://example.com:8080/A"),
        ("  https://example.com/a//  ", "https://example.com/a"),
    ],
)
def test_normalise_url__one_form(url: str, normal: str) -> None:
    assert normalise_url(url) == normal


@pytest.mark.parametrize(
    "url", ["/pricing", "ftp://x.com/a", "mailto:a@b.c", "https://", "http://[::1"]
)
def test_normalise_url__not_an_http_url__refused(url: str) -> None:
    with pytest.raises(BadUrl):
        normalise_url(url)


@pytest.mark.parametrize(
    ("url", "is_file"),
    [
        ("https://x.com/guide.pdf", True),
        ("https://x.com/a/Deck.PPTX?dl=1", True),
        ("https://x.com/hubfs/guide", True),
        ("https://x.com/hs-fs/hubfs/a.jpg", True),
        ("https://x.com/archive.tar.gz", True),
        ("https://x.com/pricing", False),
        ("https://x.com/v1.2/release-notes", False),
        ("https://x.com/page.html", False),
        ("https://x.com/docs/pdf", False),
    ],
)
def test_file_reason__extensions_and_file_paths(url: str, is_file: bool) -> None:
    assert (file_reason(url) is not None) == is_file


def test_file_reason__download_flag__always_a_file() -> None:
    assert file_reason("https://x.com/pricing", download=True) is not None


@pytest.fixture
def site(db: None) -> TrackingSite:
    return TrackingSite.objects.create(name="Site", allowed_origins=[ORIGIN])


def test_identify__links_only_this_cookies_tracking_hits(site: TrackingSite) -> None:
    mine = post_hit(site).json()["eventId"]
    theirs = post_hit(site, utk=OTHER).json()["eventId"]
    ada = make_record("contacts", {"email": "ada@ex.com"})
    assert tracking.visitor_identify(contact=ada, utk=UTK) == 1
    assert Event.objects.get(pk=mine).status == EventStatus.LINKED
    assert Event.objects.get(pk=theirs).record_id is None
    assert Visitor.objects.get(utk=UTK).contact_id == ada.pk


def test_identify__first_identification_of_a_cookie_stays(site: TrackingSite) -> None:
    ada = make_record("contacts", {"email": "ada@ex.com"})
    bob = make_record("contacts", {"email": "bob@ex.com"})
    tracking.visitor_identify(contact=ada, utk=UTK)
    tracking.visitor_identify(contact=bob, utk=UTK)  # a shared computer: the first stays
    assert tracking.visitor_contact(UTK) == ada


def test_visitor_contact__a_second_cookie_of_the_contact_resolves(site: TrackingSite) -> None:
    """The contact keeps its first hubspotutk; a second browser's cookie, identified by a
    form, still resolves to it through the Visitor row."""
    ada = make_record("contacts", {"email": "ada@ex.com", "hubspotutk": UTK})
    assert tracking.visitor_contact(OTHER) is None
    tracking.visitor_identify(contact=ada, utk=OTHER)
    answer = post_hit(site, utk=OTHER).json()
    assert answer["known"] is True
    assert Event.objects.get(pk=answer["eventId"]).record_id == ada.pk


def test_identify__bad_or_missing_cookie__nothing(site: TrackingSite) -> None:
    post_hit(site)
    ada = make_record("contacts", {"email": "ada@ex.com"})
    assert tracking.visitor_identify(contact=ada, utk=None) == 0
    assert tracking.visitor_identify(contact=ada, utk="x' OR 1=1") == 0
    assert not Visitor.objects.exists()


def test_identify__never_links_other_events_of_the_cookie(site: TrackingSite) -> None:
    """Only tracking hits are linked: another NO_MATCH event that names the cookie in its
    raw payload (e.g. a form submission for a deleted contact) stays NO_MATCH."""
    from crm.models import ObjectType

    Event.objects.create(
        event_type_id=FORM_SUBMISSION,
        object_type=ObjectType.objects.get(name="contacts"),
        occurred_at="2025-01-01T00:00:00Z",
        source="FORM",
        raw={"utk": UTK},
        key="other",
        status=EventStatus.NO_MATCH,
    )
    post_hit(site)
    ada = make_record("contacts", {"email": "ada@ex.com"})
    assert tracking.visitor_identify(contact=ada, utk=UTK) == 1
    assert Event.objects.get(key="other").status == EventStatus.NO_MATCH
    assert Event.objects.get(event_type_id=PAGE_VIEWED).record_id == ada.pk


@pytest.mark.django_db
def test_admin__tracking_pages_render(admin_client) -> None:
    site = TrackingSite.objects.create(name="Site", allowed_origins=[ORIGIN])
    for path in ("trackingsite", "cta", "visitor"):
        assert admin_client.get(f"/admin/crm/{path}/").status_code == 200
    page = admin_client.get(f"/admin/crm/trackingsite/{site.pk}/change/")
    assert page.status_code == 200 and site.site_key in page.content.decode()
    assert "tracking/hstrack.js" in page.content.decode()
