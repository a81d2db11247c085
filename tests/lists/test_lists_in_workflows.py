"""Lists in workflows: IN_LIST / NOT_IN_LIST filters read memberships for real, a join is
the transition that enrolls (as a property change is), and a workflow names only lists
of its own object type."""

from __future__ import annotations

from typing import Any

import pytest

from crm.actors import SYSTEM
from crm.models import Record
from crm.services import record_create, record_update
from enrollment.models import Enrollment
from tests.lists.test_lists_service import active, contact
from workflows.errors import FlowInvalid
from workflows.lists import list_create, memberships_change

pytestmark = pytest.mark.django_db(transaction=True)


def in_list(list_id: int, operator: str = "IN_LIST") -> dict[str, Any]:
    return {
        "type": "LIST_BASED",
        "shouldReEnroll": False,
        "listFilterBranch": {
            "filterBranchType": "OR",
            "filters": [],
            "filterBranches": [
                {
                    "filterBranchType": "AND",
                    "filterBranches": [],
                    "filters": [
                        {"filterType": "IN_LIST", "listId": str(list_id), "operator": operator}
                    ],
                }
            ],
        },
    }


def enrolled(flow: Any) -> list[int]:
    return sorted(Enrollment.objects.filter(workflow=flow).values_list("record_id", flat=True))


def test_static_list__added_by_hand__enrolls_then_removal_does_not_enroll_again(make_flow) -> None:
    vips = list_create(
        data={"name": "VIPs", "objectTypeId": "0-1", "processingType": "MANUAL"}, actor=SYSTEM
    )
    flow = make_flow("contacts", in_list(vips.pk))
    ada, bob = contact("CEO"), contact("CTO")
    memberships_change(list_id=vips.pk, add=[ada], actor=SYSTEM)
    assert enrolled(flow) == [ada]
    enrollment = Enrollment.objects.get(workflow=flow)
    assert enrollment.cause["kind"] == "LIST_MEMBERSHIP_CHANGE"
    assert enrollment.cause["listId"] == str(vips.pk)
    memberships_change(list_id=vips.pk, remove=[ada], add=[bob], actor=SYSTEM)
    assert enrolled(flow) == sorted([ada, bob])


def test_active_list__a_property_change_joins_the_list_and_enrolls(make_flow) -> None:
    ceos = active()
    flow = make_flow("contacts", in_list(ceos.pk))
    cto = contact("CTO")
    assert enrolled(flow) == []
    record_update(record=cto, object_type="contacts", properties={"jobtitle": "CEO"})
    assert enrolled(flow) == [cto]


def test_not_in_list__enroll_existing_reads_memberships_in_sql(make_flow) -> None:
    ceo, cto = contact("CEO"), contact("CTO")
    ceos = active()
    flow = make_flow("contacts", in_list(ceos.pk, "NOT_IN_LIST"), enabled=False)
    from enrollment.backfill import run_backfill, start_backfill
    from workflows.services import flow_set_enabled

    flow_set_enabled(flow_id=flow.pk, enabled=True, actor=SYSTEM)
    run_backfill(start_backfill(flow_id=flow.pk, run_async=False).pk)
    assert cto in enrolled(flow) and ceo not in enrolled(flow)


def test_list_of_another_object_type__refused_naming_both(make_flow) -> None:
    companies = list_create(
        data={"name": "Accounts", "objectTypeId": "0-2", "processingType": "MANUAL"},
        actor=SYSTEM,
    )
    with pytest.raises(FlowInvalid) as caught:
        make_flow("contacts", in_list(companies.pk))
    assert "holds companies, not contacts" in str(caught.value)
    with pytest.raises(FlowInvalid, match='no list "999"'):
        make_flow("contacts", in_list(999))


def test_trace_names_the_list_and_what_was_seen() -> None:
    from workflows.criteria import evaluate, parse

    vips = list_create(
        data={"name": "VIPs", "objectTypeId": "0-1", "processingType": "MANUAL"}, actor=SYSTEM
    )
    ada = contact("CEO")
    memberships_change(list_id=vips.pk, add=[ada], actor=SYSTEM)
    criteria = parse(in_list(vips.pk)["listFilterBranch"], object_type="contacts")
    result = evaluate(criteria, Record.objects.get(pk=ada))
    assert result.matched
    assert 'Is in list "VIPs"' in str(result.trace) or any(
        'list "VIPs"' in line for line in result.trace.sentences()
    )


def test_record_created_into_an_active_list_enrolls(make_flow) -> None:
    ceos = active()
    flow = make_flow("contacts", in_list(ceos.pk))
    new = record_create(object_type="contacts", properties={"email": "n@x.io", "jobtitle": "CEO"})
    assert enrolled(flow) == [new.pk]


def title_trigger(title: str) -> dict[str, Any]:
    from tests.lists.test_lists_service import title_is

    return {"type": "LIST_BASED", "shouldReEnroll": False, "listFilterBranch": title_is(title)}


def test_suppression_list__member_not_enrolled__joining_ends_an_active_enrollment(
    make_flow,
) -> None:
    from enrollment.models import EnrollmentEvent

    blocked = list_create(
        data={"name": "Do not contact", "objectTypeId": "0-1", "processingType": "MANUAL"},
        actor=SYSTEM,
    )
    from tests.enrollment.conftest import delay

    flow = make_flow(
        "contacts",
        title_trigger("CEO"),
        actions=[delay("1", 60)],  # stays ACTIVE until the suppression ends it
        suppressionListIds=[str(blocked.pk)],
    )
    ada, bob = contact("CTO"), contact("CTO")
    memberships_change(list_id=blocked.pk, add=[ada], actor=SYSTEM)
    record_update(record=ada, object_type="contacts", properties={"jobtitle": "CEO"})
    record_update(record=bob, object_type="contacts", properties={"jobtitle": "CEO"})
    assert enrolled(flow) == [bob]
    reasons = set(
        EnrollmentEvent.objects.filter(workflow=flow, record_id=ada).values_list(
            "reason", flat=True
        )
    )
    assert "SUPPRESSED" in reasons and "MET_TRIGGERS" not in reasons
    memberships_change(list_id=blocked.pk, add=[bob], actor=SYSTEM)
    ended = Enrollment.objects.get(workflow=flow, record_id=bob)
    last = EnrollmentEvent.objects.filter(workflow=flow, record_id=bob).order_by("-id").first()
    assert ended.status != "ACTIVE" and last.reason == "UNENROLL_TRIGGER_MET", (
        ended.status,
        last.reason,
    )


def test_suppression_list__other_type_or_unknown__refused(make_flow) -> None:
    companies = list_create(
        data={"name": "Accounts", "objectTypeId": "0-2", "processingType": "MANUAL"},
        actor=SYSTEM,
    )
    with pytest.raises(FlowInvalid) as caught:
        make_flow("contacts", title_trigger("CEO"), suppressionListIds=[str(companies.pk), "999"])
    text = str(caught.value)
    assert "suppressionListIds[0]: list" in text and "holds companies" in text
    assert 'suppressionListIds[1]: no list "999"' in text


def joined(list_id: int, operator: str = "IN_LIST") -> dict[str, Any]:
    return {
        "type": "EVENT_BASED",
        "shouldReEnroll": False,
        "eventFilterBranches": [],
        "listMembershipFilterBranches": [
            {
                "filterBranchType": "AND",
                "filterBranches": [],
                "filters": [
                    {"filterType": "IN_LIST", "listId": str(list_id), "operator": operator}
                ],
            }
        ],
    }


def test_list_membership_trigger__joining_enrolls__members_from_before_do_not(make_flow) -> None:
    from crm.event_types import LIST_MEMBERSHIP_ADDED
    from crm.models import Event

    early = contact("CEO")
    ceos = active()  # early joins now, before any workflow listens: no event, no enrollment
    flow = make_flow("contacts", joined(ceos.pk))
    late = contact("CTO")
    record_update(record=late, object_type="contacts", properties={"jobtitle": "CEO"})
    assert enrolled(flow) == [late]
    event = Event.objects.get(event_type_id=LIST_MEMBERSHIP_ADDED, record_id=late)
    assert event.properties == {"hs_list_id": str(ceos.pk), "hs_list_name": "CEOs"}
    assert not Event.objects.filter(record_id=early, event_type_id=LIST_MEMBERSHIP_ADDED).exists()


def test_list_membership_trigger__removed_from_list(make_flow) -> None:
    vips = list_create(
        data={"name": "VIPs", "objectTypeId": "0-1", "processingType": "MANUAL"}, actor=SYSTEM
    )
    flow = make_flow("contacts", joined(vips.pk, "NOT_IN_LIST"))
    ada = contact("x")
    memberships_change(list_id=vips.pk, add=[ada], actor=SYSTEM)
    assert enrolled(flow) == []
    memberships_change(list_id=vips.pk, remove=[ada], actor=SYSTEM)
    assert enrolled(flow) == [ada]


def test_list_membership_trigger__other_type_list_or_deal_workflow__refused(make_flow) -> None:
    companies = list_create(
        data={"name": "Accounts", "objectTypeId": "0-2", "processingType": "MANUAL"},
        actor=SYSTEM,
    )
    with pytest.raises(FlowInvalid) as caught:
        make_flow("contacts", joined(companies.pk))
    assert "holds companies; a contacts workflow is triggered by lists of contacts" in str(
        caught.value
    )
    with pytest.raises(FlowInvalid, match="offered for contacts, companies workflows, not deals"):
        make_flow("deals", joined(companies.pk))
    assert make_flow("companies", joined(companies.pk)).pk
