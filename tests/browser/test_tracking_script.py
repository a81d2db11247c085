"""The tracking script in a real browser (Debian's Chromium, driven by Playwright).

A small website is served by the test on its own port (another origin than the product's
live server, both on loopback as Chromium's local-network rules want): its pages
embed ``static/tracking/hstrack.js`` from the product's own static files, and its sign-up
form posts to the site's backend, which forwards the submission to the Forms API with the
visitor cookie as ``context.hutk`` (as a website holding the API token would). Then:
an anonymous visit and a CTA click are stored for the visitor but enroll no one; the form
identifies the visitor and links those hits to the contact; the next page view enrolls the
contact in the page-view workflow - once, for the view after identification (HubSpot's
rule: an anonymous event never enrolls a contact later).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from crm.actors import SYSTEM
from crm.event_types import CTA_CLICKED, CTA_VIEWED, PAGE_VIEWED
from crm.models import AccountSettings, Cta, Event, EventStatus, Record, TrackingSite
from crm.services.forms import form_create
from enrollment.models import Enrollment
from tests.api.test_forms_api import form_body
from tests.enrollment.conftest import string_is
from tests.enrollment.events_helpers import event_based, event_branch

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(check: Callable[[], Any], what: str, timeout: float = 10.0) -> Any:
    """Poll the database until ``check()`` is truthy: the browser's hits arrive
    asynchronously (fetch with keepalive)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


def page_html(title: str, *, product: str, site_key: str, cta_id: str) -> str:
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title>
<script src="{product}/static/tracking/hstrack.js" data-site-key="{site_key}"
        data-endpoint="{product}/tracking/v1/hits" defer></script></head>
<body>
  <h1>{title}</h1>
  <button data-cta-id="{cta_id}">Book a demo</button>
  <form method="post" action="/signup">
    <label>Email <input name="email" type="email"></label>
    <button type="submit">Sign up</button>
  </form>
</body></html>"""


@pytest.fixture
def shop(live_server: Any, api_token: str) -> Iterator[dict[str, Any]]:
    """The website, on its own loopback port (another origin than the product's): every
    page embeds the script; POST /signup is its backend, forwarding to the Forms API."""
    site = TrackingSite.objects.create(name="Shop", allowed_origins=[])
    cta = Cta.objects.create(cta_id="book-demo", name="Book a demo")
    form = form_create(data=form_body(), actor=SYSTEM)
    portal = str(AccountSettings.load().portal_id)
    submitted: list[dict[str, Any]] = []

    class Website(BaseHTTPRequestHandler):
        def _answer(self, html: str) -> None:
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            title = "Pricing" if urlparse(self.path).path == "/pricing" else "Home"
            self._answer(
                page_html(
                    title, product=live_server.url, site_key=site.site_key, cta_id="book-demo"
                )
            )

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            email = parse_qs(self.rfile.read(length).decode())["email"][0]
            cookies = SimpleCookie(self.headers.get("Cookie", ""))
            utk = cookies["hubspotutk"].value if "hubspotutk" in cookies else None
            body = {
                "fields": [{"objectTypeId": "0-1", "name": "email", "value": email}],
                "context": {"hutk": utk, "pageName": "Sign up"},
            }
            forwarded = urllib.request.Request(
                f"{live_server.url}/submissions/v3/integration/submit/{portal}/{form.guid}",
                data=json.dumps(body).encode(),
                headers={
                    "Authorization": f"Bearer {api_token}",
                    "Content-Type": "application/json",
                },
                method="POST",
            )
            with urllib.request.urlopen(forwarded, timeout=10) as answer:
                submitted.append({"status": answer.status, "utk": utk})
            self._answer("<p>Thanks!</p>")

        def log_message(self, *args: Any) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Website)
    url = f"http://127.0.0.1:{server.server_port}"
    site.allowed_origins = [url]
    site.save()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": url, "site": site, "cta": cta, "submitted": submitted}
    server.shutdown()
    server.server_close()


def hits(type_id: str) -> list[Event]:
    return list(Event.objects.filter(event_type_id=type_id).order_by("pk"))


def test_tracking_script__anonymous_visit_then_form__only_views_after_identification_enroll(
    page: Any, shop: dict[str, Any], make_flow: Any
) -> None:
    pricing = shop["url"] + "/pricing"
    flow = make_flow(
        "contacts", event_based(event_branch(PAGE_VIEWED, string_is("hs_url", pricing)))
    )

    # 1. An anonymous visit: the page view and the CTA are stored for the visitor cookie.
    page.goto(shop["url"] + "/pricing")
    utk = next(c["value"] for c in page.context.cookies(shop["url"]) if c["name"] == "hubspotutk")
    assert len(utk) == 32
    first = wait_for(lambda: hits(PAGE_VIEWED), "the anonymous page view")[0]
    assert (first.status, first.record_id, first.properties["hs_url"]) == (
        EventStatus.NO_MATCH,
        None,
        pricing,
    )
    assert first.properties["hs_page_title"] == "Pricing"
    wait_for(lambda: hits(CTA_VIEWED), "the CTA view")
    page.get_by_role("button", name="Book a demo").click()
    click = wait_for(lambda: hits(CTA_CLICKED), "the CTA click")[0]
    assert click.status == EventStatus.NO_MATCH
    assert not Enrollment.objects.filter(workflow=flow).exists()

    # 2. The form identifies the visitor: earlier hits are linked, and enroll no one.
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_role("button", name="Sign up").click()
    page.get_by_text("Thanks!").wait_for()
    assert shop["submitted"] == [{"status": 200, "utk": utk}]
    ada = Record.objects.get(object_type__name="contacts", properties__email="ada@example.com")
    for event in (first, click):
        event.refresh_from_db()
        assert (event.record_id, event.status) == (ada.pk, EventStatus.LINKED)
    assert not Enrollment.objects.filter(workflow=flow).exists()

    # 3. The next page view is the known contact's: it enrolls them, once.
    page.goto(pricing)
    later = wait_for(
        lambda: [e for e in hits(PAGE_VIEWED) if e.status == EventStatus.PROCESSED],
        "the identified page view",
    )
    assert [e.record_id for e in later] == [ada.pk]
    enrollment = wait_for(lambda: list(Enrollment.objects.filter(workflow=flow)), "the enrollment")
    assert [(e.record_id, e.cause.get("eventId")) for e in enrollment] == [
        (ada.pk, str(later[0].pk))
    ]


def test_demo_page__page_view_cta_and_consent_banner__stored(page: Any, live_server: Any) -> None:
    """The demo website page served by the product itself (README: "try the tracking
    script"): a load, the CTA button and the cookie banner's Accept each store a hit."""
    from crm.event_types import PRIVACY_CONSENT_CHANGED

    site = TrackingSite.objects.create(name="Demo website", allowed_origins=[live_server.url])
    Cta.objects.create(cta_id="book-a-demo", name="Book a demo")
    page.goto(f"{live_server.url}/static/tracking/demo.html?siteKey={site.site_key}")
    view = wait_for(lambda: hits(PAGE_VIEWED), "the page view")[0]
    assert view.properties["hs_page_title"] == "Demo website - tracking script"
    page.get_by_role("button", name="Book a demo").click()
    wait_for(lambda: hits(CTA_CLICKED), "the CTA click")
    page.get_by_role("button", name="Accept").click()
    consent = wait_for(lambda: hits(PRIVACY_CONSENT_CHANGED), "the consent")[0]
    assert consent.properties["hs_consent_status"] == "accepted"
    page.screenshot(path=str(_screenshots() / "tracking-demo-page.png"))


def _screenshots() -> Any:
    from pathlib import Path

    out = Path(__file__).resolve().parents[2] / "var" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    return out
