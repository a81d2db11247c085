"""Tracking events through real flows: page view, CTA and consent triggers fire for a known
visitor; an anonymous visitor's hits, linked when a form identifies them, never enroll
(HubSpot's rule) but count for filters."""

from __future__ import annotations

from typing import Any

import pytest

from crm.actors import SYSTEM
from crm.event_types import CTA_CLICKED, PAGE_VIEWED, PRIVACY_CONSENT_CHANGED
from crm.models import Cta, Event, EventStatus, Record, TrackingSite
from crm.services.form_submissions import form_submit
from crm.services.forms import form_create
from enrollment.models import Enrollment
from tests.api.test_forms_api import form_body, values
from tests.api.test_tracking_api import ORIGIN, UTK, post_hit
from tests.enrollment.conftest import enum_any, list_based, string_is
from tests.enrollment.events_helpers import event_based, event_branch

pytestmark = pytest.mark.django_db
PRICING = f"{ORIGIN}/pricing"


@pytest.fixture
def site(db: None) -> TrackingSite:
    return TrackingSite.objects.create(name="Site", allowed_origins=[ORIGIN])


@pytest.fixture
def hit(site: TrackingSite, django_capture_on_commit_callbacks):
    """Post one hit from the browser's side, running what commits (the event task)."""

    def send(**fields: Any) -> dict[str, Any]:
        with django_capture_on_commit_callbacks(execute=True):
            response = post_hit(site, **fields)
        assert response.status_code in (200, 202), response.content
        return response.json()

    return send


def identify(email: str, utk: str = UTK) -> Record:
    """A form submission carrying the visitor cookie (the Forms API's context.hutk)."""
    form = form_create(data=form_body(), actor=SYSTEM)
    form_submit(
        portal_id=_portal(),
        form_guid=str(form.guid),
        data={"fields": values(email=email), "context": {"hutk": utk}},
        received_from=SYSTEM,
    )
    return Record.objects.get(properties__email=email)


def _portal() -> str:
    from crm.models import AccountSettings

    return str(AccountSettings.load().portal_id)


def enrolled(flow: Any) -> list[int]:
    return sorted(Enrollment.objects.filter(workflow=flow).values_list("record_id", flat=True))


def page_view_trigger() -> dict[str, Any]:
    return event_based(event_branch(PAGE_VIEWED, string_is("hs_url", PRICING)))


def test_page_view_trigger__anonymous_views_never_enroll__views_after_identification_do(
    make_flow, hit, django_capture_on_commit_callbacks
) -> None:
    flow = make_flow("contacts", page_view_trigger())
    hit(url=PRICING)
    hit(url=PRICING, hitId="second-anonymous")
    assert enrolled(flow) == []
    with django_capture_on_commit_callbacks(execute=True):
        ada = identify("ada@ex.com")
    linked = Event.objects.filter(record=ada, event_type_id=PAGE_VIEWED)
    assert sorted(linked.values_list("status", flat=True)) == [EventStatus.LINKED] * 2
    assert enrolled(flow) == []  # identification links them; it does not replay them
    hit(url=f"{ORIGIN}/blog")
    assert enrolled(flow) == []  # another page
    hit(url=PRICING, hitId="after-identification")
    assert enrolled(flow) == [ada.pk]
    assert Enrollment.objects.get(workflow=flow).source == "EVENT"


def test_page_view_filter_workflow__counts_linked_views(make_flow, hit) -> None:
    """A filter sees the contact's views from before identification: the third view of
    /pricing (two anonymous, one known) meets "viewed at least 3 times"."""
    page_view = {
        "filterType": "PAGE_VIEW",
        "pageUrl": "pricing",
        "operator": "HAS_PAGEVIEW_CONTAINS",
        "coalescingRefineBy": {"type": "NUM_OCCURRENCES", "minOccurrences": 3},
    }
    flow = make_flow("contacts", list_based(page_view))
    hit(url=PRICING)
    hit(url=PRICING, hitId="second-anonymous")
    ada = identify("ada@ex.com")
    assert enrolled(flow) == []
    hit(url=PRICING, hitId="known-view-1")
    assert enrolled(flow) == [ada.pk]


def test_file_view__never_triggers(make_flow, hit) -> None:
    ada = identify("ada@ex.com")
    any_view = make_flow("contacts", event_based(event_branch(PAGE_VIEWED)))
    answer = hit(url=f"{ORIGIN}/pricing.pdf")
    assert answer["status"] == "NOT_COUNTED"
    assert enrolled(any_view) == [] and not Event.objects.filter(record=ada).exclude(
        event_type_id="4-1639801"
    )


def test_cta_click_trigger__enrolls_the_known_visitor(make_flow, hit) -> None:
    Cta.objects.create(cta_id="demo", name="Book a demo")
    flow = make_flow(
        "contacts", event_based(event_branch(CTA_CLICKED, string_is("hs_cta_id", "demo")))
    )
    ada = identify("ada@ex.com")
    hit(type="CTA_VIEW", ctaId="demo")
    assert enrolled(flow) == []  # seen is not clicked
    hit(type="CTA_CLICK", ctaId="demo")
    assert enrolled(flow) == [ada.pk]


def test_consent_trigger_and_privacy_filter(make_flow, hit) -> None:
    accepted = make_flow(
        "contacts",
        event_based(
            event_branch(PRIVACY_CONSENT_CHANGED, enum_any("hs_consent_status", "accepted"))
        ),
        name="Accepted",
    )
    granted = make_flow(
        "contacts",
        list_based(
            {
                "filterType": "PRIVACY",
                "operator": "PRIVACY_CONSENT_GRANTED",
                "privacyName": "cookies",
            }
        ),
        name="Granted",
    )
    ada = identify("ada@ex.com")
    hit(type="CONSENT", consent="declined")
    assert enrolled(accepted) == [] and enrolled(granted) == []
    hit(type="CONSENT", consent="accepted")
    assert enrolled(accepted) == [ada.pk]
    assert enrolled(granted) == [ada.pk]  # the new answer re-evaluated the filter
