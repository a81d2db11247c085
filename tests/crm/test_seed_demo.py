"""``seed_demo``: a believable CRM, written through the services, and idempotent.

Seeding takes a few seconds, so the module seeds once (committed, outside the per-test
transactions) and removes it all afterwards.
"""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from crm import demo
from crm.models import (
    Association,
    AssociationChange,
    AssociationType,
    PropertyChange,
    Record,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        out = StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        # The demo touches most tables (subscription types, emails, tracking sites, legacy
        # events...): empty them all, as a transactional test does; post_migrate restores
        # the standard object types and properties.
        call_command("flush", interactive=False, verbosity=0)


def _of(object_type: str):
    return Record.objects.filter(object_type__name=object_type)


def _labelled(label: str) -> list[tuple[int, int]]:
    return list(
        Association.objects.filter(
            association_type__label=label, from_record__object_type__name="contacts"
        ).values_list("from_record_id", "to_record_id")
    )


def test_seed_demo__fresh_database__expected_volumes_and_one_line_summary(seeded) -> None:
    crm_line, workflows_line = seeded.splitlines()
    assert crm_line.startswith("Seeded demo data in ")
    assert workflows_line.startswith("Seeded 14 demo workflows")
    assert (_of("contacts").count(), _of("companies").count(), _of("deals").count()) == (
        300,
        60,
        100,
    )
    for object_type in (
        "tickets",
        "quotes",
        "line_items",
        "products",
        "subscriptions",
        "payments",
        "feedback_submissions",
        "conversations",
        "calls",
        "emails",
        "meetings",
        "notes",
        "tasks",
        "communications",
    ):
        assert _of(object_type).count() >= 10, object_type
    stages = set(_of("deals").values_list("properties__dealstage", flat=True))
    assert stages == {
        "appointmentscheduled",
        "qualifiedtobuy",
        "presentationscheduled",
        "decisionmakerboughtin",
        "contractsent",
        "closedwon",
        "closedlost",
    }


def test_seed_demo__labels__a_decision_maker_per_company_and_billing_contacts_for_customers(
    seeded,
) -> None:
    decision_makers = _labelled(demo.DECISION_MAKER)
    assert Counter(company for _, company in decision_makers) == {
        c: 1 for c in _of("companies").values_list("pk", flat=True)
    }
    billing = {company for _, company in _labelled(demo.BILLING_CONTACT)}
    customers = set(
        _of("companies").filter(properties__lifecyclestage="customer").values_list("pk", flat=True)
    )
    assert billing == customers and billing
    assert (
        AssociationType.objects.filter(label=demo.DECISION_MAKER, category="USER_DEFINED").count()
        == 2
    )


def test_seed_demo__contacts__most_have_a_primary_company_and_counts_match(seeded) -> None:
    with_company = (
        Association.objects.filter(
            from_record__object_type__name="contacts",
            association_type__type_id=1,  # Primary
        )
        .values("from_record")
        .distinct()
        .count()
    )
    assert with_company == demo.CONTACTS - demo.CONTACTS_WITHOUT_COMPANY
    real = dict(
        Association.objects.filter(
            from_record__object_type__name="companies", to_record__object_type__name="contacts"
        )
        .values_list("from_record_id")
        .annotate(n=Count("to_record", distinct=True))
    )
    stored = {c.pk: c.properties.get("num_associated_contacts") for c in _of("companies")}
    assert stored == real


def test_seed_demo__history__contacts_climbed_lifecycle_stages_one_by_one(seeded) -> None:
    customer = _of("contacts").filter(properties__lifecyclestage="customer").first()
    climbed = list(
        PropertyChange.objects.filter(record=customer, property_name="lifecyclestage")
        .order_by("id")
        .values_list("value", flat=True)
    )
    assert climbed[-5:] == [
        "lead",
        "marketingqualifiedlead",
        "salesqualifiedlead",
        "opportunity",
        "customer",
    ]
    ever_mql = PropertyChange.objects.filter(
        property_name="lifecyclestage", value="marketingqualifiedlead"
    )
    assert (
        ever_mql.values("record").distinct().count()
        > _of("contacts").filter(properties__lifecyclestage="marketingqualifiedlead").count()
    )
    assert set(PropertyChange.objects.values_list("source", flat=True)) <= {"IMPORT", "CALCULATED"}


def test_seed_demo__calls__transcripts_mention_tracked_terms(seeded) -> None:
    transcripts = list(_of("calls").values_list("properties__hs_call_transcript", flat=True))
    for term in ("pricing", "competitor", "renewal"):
        assert sum(term in t.lower() for t in transcripts) >= 5, term


def test_seed_demo__quotes__amount_is_the_sum_of_their_line_items(seeded) -> None:
    for quote in _of("quotes")[:10]:
        items = Record.objects.filter(
            pk__in=Association.objects.filter(
                from_record=quote, to_record__object_type__name="line_items"
            ).values("to_record")
        )
        assert items and quote.properties["hs_quote_amount"] == pytest.approx(
            sum(i.properties["amount"] for i in items)
        )


def test_seed_demo__second_run__writes_nothing(seeded) -> None:
    def counts() -> tuple[int, ...]:
        return tuple(
            m.objects.count()
            for m in (Record, Association, PropertyChange, AssociationChange, AssociationType)
        )

    from enrollment.models import EnrollmentEvent
    from workflows.models import Workflow

    before = (counts(), Workflow.objects.count(), EnrollmentEvent.objects.count())
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert (counts(), Workflow.objects.count(), EnrollmentEvent.objects.count()) == before
    assert "Demo data already present" in out.getvalue()
    assert "Demo workflows already present" in out.getvalue()


def test_seed_demo__workflows__each_capability_on_with_history_to_diagnose(seeded) -> None:
    """A new user's first view: workflows that are on, with enrollments and non-enrollments."""
    from enrollment.diagnose import diagnose
    from enrollment.models import EnrollmentEvent
    from workflows.models import Workflow

    flows = {f.name: f for f in Workflow.objects.all()}
    assert len(flows) == 14 and all(f.is_enabled for f in flows.values())
    reasons = set(EnrollmentEvent.objects.values_list("reason", flat=True))
    assert {
        "ENROLL_EXISTING",
        "MET_TRIGGERS",
        "REENROLLMENT_TRIGGER_MET",
        "MANUAL",
        "CRITERIA_NOT_MET",
        "SUPPRESSED",
        "UNENROLL_TRIGGER_MET",
        "GOAL_MET",
        "GOAL_ALREADY_MET",
        "NO_LONGER_MEETS_CRITERIA",
        "ALREADY_ENROLLED",
        "EVENT_OCCURRED",
        "EVENT_FILTERS_NOT_MET",
    } <= reasons
    for flow in flows.values():  # every demo workflow enrolled someone (event ones too)
        assert flow.enrollments.exists(), flow.name
    refused = EnrollmentEvent.objects.filter(reason="GOAL_ALREADY_MET").first()
    found = diagnose(refused.workflow, refused.record)
    assert not found["enrolled"] and found["summary"]


def test_seed_demo__page_views__linked_views_count_for_filters_but_never_enroll(seeded) -> None:
    """The demo website's visits: anonymous views linked on identification count for the
    page-view filter; only views as a known contact fire the page-view event trigger."""
    from collections import Counter

    from crm.demo_tracking import PRICING
    from crm.event_types import PAGE_VIEWED
    from crm.models import Event, EventStatus
    from workflows.models import Workflow

    views = Event.objects.filter(event_type_id=PAGE_VIEWED)
    assert views.filter(status=EventStatus.LINKED).count() == 24
    by_event = Workflow.objects.get(name__startswith="Pricing page viewed")
    causes = Event.objects.filter(
        pk__in=[int(e.cause["eventId"]) for e in by_event.enrollments.all()]
    )
    assert causes.count() == 3
    assert {(e.status, e.properties["hs_url"]) for e in causes} == {
        (EventStatus.PROCESSED, PRICING)
    }
    pricing = Counter(
        views.filter(properties__hs_url=PRICING)
        .exclude(status=EventStatus.NO_MATCH)
        .values_list("record_id", flat=True)
    )
    by_filter = Workflow.objects.get(name__startswith="Viewed pricing twice")
    enrolled = set(by_filter.enrollments.values_list("record_id", flat=True))
    assert enrolled == {pk for pk, n in pricing.items() if n >= 2} and len(enrolled) > 3
