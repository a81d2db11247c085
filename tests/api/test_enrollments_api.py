"""The enrollment API beside the v4 flows: enrollments, manual enroll and unenroll, enable and
disable, enroll-existing progress, diagnose, test, and HubSpot's legacy v2 enroll call."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from crm.actors import SYSTEM
from crm.models import AccountSettings, Record, Tier
from crm.services import record_create
from enrollment.models import BackfillRun, Enrollment, EnrollmentEvent
from tests.api.conftest import assert_error
from tests.api.test_flows_api import client_for, flow_body
from workflows.models import Workflow
from workflows.services import flow_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_trigger_index() -> None:
    """The trigger index is cached per process by IndexVersion, which restarts with every test
    database state: never let one test's index answer for another's workflows."""
    from enrollment.index import invalidate_local

    invalidate_local()


FLOWS = "/automation/v4/flows"
WAIT = {"actionId": "1", "actionTypeId": "0-1", "fields": {"delta": "60", "time_unit": "MINUTES"}}


def make_flow(object_type_id: str = "0-1", *, enabled: bool = True, **extra: Any) -> Workflow:
    return flow_create(payload=flow_body(object_type_id, isEnabled=enabled, **extra), actor=SYSTEM)


def waiting_flow(**extra: Any) -> Workflow:
    """A MANUAL flow whose first action waits an hour, so its enrollments stay ACTIVE."""
    return make_flow(actions=[WAIT], startActionId="1", **extra)


def contact(email: str = "ann@example.com", **props: Any) -> Record:
    return record_create(object_type="contacts", properties={"email": email, **props})


def enrollments_url(flow: Workflow) -> str:
    return f"{FLOWS}/{flow.pk}/enrollments"


def nothing_enrolled() -> bool:
    return not Enrollment.objects.exists() and not EnrollmentEvent.objects.exists()


# --------------------------------------------------------------------------- manual enroll


def test_enroll__one_record__enrolled_and_set_property_ran(
    api, django_capture_on_commit_callbacks
) -> None:
    flow = make_flow()
    ann = contact()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(enrollments_url(flow), {"objectId": str(ann.pk)}, format="json")
    assert response.status_code == 200, response.content
    [result] = response.json()["results"]
    assert result["objectId"] == str(ann.pk) and result["outcome"] == "ENROLLED"
    enrollment = Enrollment.objects.get(workflow=flow, record=ann)
    assert result["enrollmentId"] == str(enrollment.pk)
    assert enrollment.source == "MANUAL" and enrollment.enrolled_by.username == "root"
    ann.refresh_from_db()
    assert ann.properties["city"] == "Dublin"  # the flow's SET_PROPERTY action ran (django-q2 sync)


def test_enroll__bulk__each_record_answered_with_its_reason(api) -> None:
    flow = waiting_flow()
    ann, bob = contact(), contact("bob@example.com")
    api.post(enrollments_url(flow), {"objectId": str(ann.pk)}, format="json")
    response = api.post(
        enrollments_url(flow), {"objectIds": [str(ann.pk), str(bob.pk), "424242"]}, format="json"
    )
    assert response.status_code == 200
    results = {r["objectId"]: r for r in response.json()["results"]}
    assert results[str(ann.pk)]["outcome"] == "REFUSED"
    assert "currently enrolled" in results[str(ann.pk)]["reason"]
    assert results[str(bob.pk)]["outcome"] == "ENROLLED"
    assert (
        results["424242"]["outcome"] == "REFUSED"
        and "No contact with id 424242" in results["424242"]["reason"]
    )
    assert Enrollment.objects.filter(workflow=flow).count() == 2


def test_enroll__chatflow_source__recorded(api) -> None:
    flow = waiting_flow()
    ann = contact()
    api.post(enrollments_url(flow), {"objectIds": [ann.pk], "source": "CHATFLOW"}, format="json")
    assert Enrollment.objects.get(workflow=flow).source == "CHATFLOW"


def test_enroll__flow_off__refused_with_reason(api) -> None:
    flow = make_flow(enabled=False)
    ann = contact()
    [result] = api.post(enrollments_url(flow), {"objectId": str(ann.pk)}, format="json").json()[
        "results"
    ]
    assert result["outcome"] == "REFUSED" and "workflow is off" in result["reason"]
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize(
    "payload,name",
    [
        ({}, ""),
        ({"objectId": "1", "objectIds": ["2"]}, ""),
        ({"objectIds": []}, "objectIds"),
        ({"objectIds": "1,2"}, "objectIds"),
        ({"objectIds": ["1", "abc"]}, "objectIds[1]"),
        ({"objectId": "²"}, "objectId"),
        ({"objectId": "99999999999999999999999"}, "objectId"),
        ({"objectId": True}, "objectId"),
        ({"objectId": "1", "source": "TRIGGER"}, "source"),
        ({"objectIds": [str(i) for i in range(1, 1002)]}, "objectIds"),
    ],
)
def test_enroll__bad_body__400_and_nothing_written(api, payload: dict[str, Any], name: str) -> None:
    flow = make_flow()
    contact()
    assert_error(
        api.post(enrollments_url(flow), payload, format="json"), 400, "VALIDATION_ERROR", name
    )
    assert nothing_enrolled()


def test_enroll__bulk_limit_is_1000__accepted(api) -> None:
    flow = make_flow()
    response = api.post(
        enrollments_url(flow), {"objectIds": [str(i) for i in range(1, 1001)]}, format="json"
    )
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1000


def test_enroll__user_without_permission__403_and_nothing_written(django_user_model) -> None:
    flow = make_flow()
    ann = contact()
    client = client_for(django_user_model, "workflows.change_workflow")
    body = assert_error(
        client.post(enrollments_url(flow), {"objectId": str(ann.pk)}, format="json"),
        403,
        "FORBIDDEN",
    )
    assert "workflows.enroll_records" in body["message"]
    assert nothing_enrolled()


def test_enroll__user_with_permission__enrolled(django_user_model) -> None:
    flow = waiting_flow()
    ann = contact()
    client = client_for(django_user_model, "workflows.enroll_records")
    [result] = client.post(enrollments_url(flow), {"objectId": str(ann.pk)}, format="json").json()[
        "results"
    ]
    assert result["outcome"] == "ENROLLED"


def test_enroll__unknown_flow__404(api) -> None:
    assert_error(
        api.post(f"{FLOWS}/424242/enrollments", {"objectId": "1"}, format="json"),
        404,
        "OBJECT_NOT_FOUND",
        "flowId",
    )


# --------------------------------------------------------------------------- list and read


def test_list__filters_and_paging(api) -> None:
    flow = waiting_flow()
    people = [contact(f"p{i}@example.com") for i in range(4)]
    api.post(enrollments_url(flow), {"objectIds": [p.pk for p in people[:3]]}, format="json")
    api.post(enrollments_url(flow), {"objectId": people[3].pk, "source": "CHATFLOW"}, format="json")
    api.post(f"{FLOWS}/{flow.pk}/unenroll", {"objectId": people[0].pk}, format="json")
    url = enrollments_url(flow)

    def ids(**params: Any) -> list[str]:
        return [r["objectId"] for r in api.get(url, params).json()["results"]]

    assert ids() == [str(p.pk) for p in people]
    assert ids(status="UNENROLLED") == [str(people[0].pk)]
    assert ids(status="ACTIVE", source="MANUAL") == [str(people[1].pk), str(people[2].pk)]
    assert ids(source="CHATFLOW") == [str(people[3].pk)]
    assert ids(objectId=people[2].pk) == [str(people[2].pk)]
    hour_ago = (timezone.now() - timedelta(hours=1)).isoformat()
    in_an_hour = (timezone.now() + timedelta(hours=1)).isoformat()
    assert len(ids(enrolledAfter=hour_ago, enrolledBefore=in_an_hour)) == 4
    assert ids(enrolledAfter=in_an_hour) == []
    # An offset PostgreSQL cannot store (ISO 8601 allows up to 23:59) is compared in UTC.
    assert len(ids(enrolledAfter="0352-06-04T13:32:20.6-16:20")) == 4
    first = api.get(url, {"limit": 3}).json()
    assert len(first["results"]) == 3
    rest = api.get(url, {"limit": 3, "after": first["paging"]["next"]["after"]}).json()
    assert [r["objectId"] for r in rest["results"]] == [str(people[3].pk)] and "paging" not in rest
    item = first["results"][0]
    assert set(item) >= {
        "id",
        "flowId",
        "objectId",
        "objectTypeId",
        "status",
        "source",
        "cycle",
        "enrolledAt",
        "endedAt",
        "endReason",
    }
    assert (
        item["objectTypeId"] == "0-1" and item["endReason"] == "MANUAL_UNENROLL" and item["endedAt"]
    )


@pytest.mark.parametrize(
    "params,name",
    [
        ({"status": "SLEEPING"}, "status"),
        ({"source": "MAGIC"}, "source"),
        ({"objectId": "x"}, "objectId"),
        ({"objectId": "1.5"}, "objectId"),
        ({"objectId": "99999999999999999999999"}, "objectId"),
        ({"enrolledAfter": "last week"}, "enrolledAfter"),
        ({"enrolledBefore": "0001-01-01T00:00:00+05:00"}, "enrolledBefore"),
        ({"limit": 101}, "limit"),
        ({"after": "-3"}, "after"),
    ],
)
def test_list__bad_filter__400_names_it(api, params: dict[str, Any], name: str) -> None:
    flow = make_flow()
    assert_error(api.get(enrollments_url(flow), params), 400, "VALIDATION_ERROR", name)


def test_list__other_flows_enrollments__not_listed(api) -> None:
    mine, other = waiting_flow(), waiting_flow(name="Other")
    ann = contact()
    api.post(enrollments_url(other), {"objectId": ann.pk}, format="json")
    assert api.get(enrollments_url(mine)).json()["results"] == []


def test_get_enrollment__200_and_404_outside_its_flow(api) -> None:
    flow, other = waiting_flow(), waiting_flow(name="Other")
    ann = contact()
    [result] = api.post(enrollments_url(flow), {"objectId": ann.pk}, format="json").json()[
        "results"
    ]
    body = api.get(f"{enrollments_url(flow)}/{result['enrollmentId']}").json()
    assert (
        body["id"] == result["enrollmentId"] and body["status"] == "ACTIVE" and body["cycle"] == 1
    )
    assert_error(
        api.get(f"{enrollments_url(other)}/{result['enrollmentId']}"),
        404,
        "OBJECT_NOT_FOUND",
        "enrollmentId",
    )
    assert_error(api.get(f"{enrollments_url(flow)}/nope"), 404, "OBJECT_NOT_FOUND")
    assert_error(
        api.get(f"{enrollments_url(flow)}/99999999999999999999999"), 404, "OBJECT_NOT_FOUND"
    )


# --------------------------------------------------------------------------- unenroll


def test_unenroll__active_and_not_enrolled__each_answered(api) -> None:
    flow = waiting_flow()
    ann, bob = contact(), contact("bob@example.com")
    api.post(enrollments_url(flow), {"objectId": ann.pk}, format="json")
    response = api.post(
        f"{FLOWS}/{flow.pk}/unenroll", {"objectIds": [ann.pk, bob.pk]}, format="json"
    )
    assert response.status_code == 200
    results = {r["objectId"]: r for r in response.json()["results"]}
    assert (
        results[str(ann.pk)]["outcome"] == "UNENROLLED"
        and "Unenrolled manually" in results[str(ann.pk)]["reason"]
    )
    assert results[str(bob.pk)]["outcome"] == "NOT_ENROLLED"
    enrollment = Enrollment.objects.get(workflow=flow, record=ann)
    assert enrollment.status == "UNENROLLED" and enrollment.end_reason == "MANUAL_UNENROLL"
    event = EnrollmentEvent.objects.get(workflow=flow, record=ann, reason="MANUAL_UNENROLL")
    assert event.user.username == "root"


def test_unenroll__bad_body__400(api) -> None:
    flow = make_flow()
    assert_error(
        api.post(f"{FLOWS}/{flow.pk}/unenroll", {"objectIds": ["x"]}, format="json"),
        400,
        "VALIDATION_ERROR",
        "objectIds[0]",
    )


def test_unenroll__user_without_permission__403_and_still_active(api, django_user_model) -> None:
    flow = waiting_flow()
    ann = contact()
    api.post(enrollments_url(flow), {"objectId": ann.pk}, format="json")
    client = client_for(django_user_model, "workflows.change_workflow")
    assert_error(
        client.post(f"{FLOWS}/{flow.pk}/unenroll", {"objectId": ann.pk}, format="json"),
        403,
        "FORBIDDEN",
    )
    assert Enrollment.objects.get(workflow=flow).status == "ACTIVE"


# --------------------------------------------------------------------------- enable and disable


def test_enable_then_disable__flow_json_and_revision_bumped(api) -> None:
    flow = make_flow(enabled=False)
    response = api.post(f"{FLOWS}/{flow.pk}/enable", {"enrollExisting": False}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["isEnabled"] is True and body["revisionId"] == "2" and "backfill" not in body
    off = api.post(f"{FLOWS}/{flow.pk}/disable").json()
    assert off["isEnabled"] is False and off["revisionId"] == "3"
    flow.refresh_from_db()
    assert flow.is_enabled is False


def test_enable__no_body__enroll_existing_defaults_false(api) -> None:
    flow = make_flow(enabled=False)
    assert api.post(f"{FLOWS}/{flow.pk}/enable").json()["isEnabled"] is True
    assert not BackfillRun.objects.exists()


def test_enable__bad_body__400_and_still_off(api) -> None:
    flow = make_flow(enabled=False)
    assert_error(
        api.post(f"{FLOWS}/{flow.pk}/enable", {"enrollExisting": "perhaps"}, format="json"),
        400,
        "VALIDATION_ERROR",
        "enrollExisting",
    )
    flow.refresh_from_db()
    assert flow.is_enabled is False


def test_enable__quote_flow_on_sales_starter__403_and_still_off(api) -> None:
    flow = make_flow("0-14", enabled=False, actions=[])
    account = AccountSettings.load()
    account.sales_hub = Tier.STARTER
    account.save()
    body = assert_error(api.post(f"{FLOWS}/{flow.pk}/enable", format="json"), 403, "FORBIDDEN")
    assert "Quote-based workflows" in body["message"]
    flow.refresh_from_db()
    assert flow.is_enabled is False


def test_enable__user_without_permission__403(django_user_model) -> None:
    flow = make_flow(enabled=False)
    client = client_for(django_user_model, "workflows.enroll_records")
    assert_error(client.post(f"{FLOWS}/{flow.pk}/enable", format="json"), 403, "FORBIDDEN")
    assert_error(client.post(f"{FLOWS}/{flow.pk}/disable", format="json"), 403, "FORBIDDEN")
    flow.refresh_from_db()
    assert flow.is_enabled is False


def test_enable__unknown_flow__404(api) -> None:
    assert_error(api.post(f"{FLOWS}/424242/enable", format="json"), 404, "OBJECT_NOT_FOUND")


# --------------------------------------------------------------------------- backfill


def test_backfill__never_ran__404_says_so(api) -> None:
    flow = make_flow()
    body = assert_error(api.get(f"{FLOWS}/{flow.pk}/backfill"), 404, "OBJECT_NOT_FOUND")
    assert "never enrolled existing records" in body["message"]


def test_backfill__latest_run__progress_shape(api) -> None:
    flow = make_flow()
    BackfillRun.objects.create(
        workflow=flow,
        status="COMPLETE",
        done=3,
        enrolled=3,
        total=3,
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )
    body = api.get(f"{FLOWS}/{flow.pk}/backfill").json()
    assert body["status"] == "COMPLETE" and body["done"] == 3 and body["total"] == 3
    assert body["startedAt"].endswith("Z") and body["finishedAt"] and body["errors"] == []


# --------------------------------------------------------------------------- legacy v2


def v2(flow: Workflow, email: str) -> str:
    return f"/automation/v2/workflows/{flow.pk}/enrollments/contacts/{email}"


def test_v2_enroll__by_email__204_and_enrolled(api) -> None:
    flow = waiting_flow()
    ann = contact("Ann@Example.com")
    response = api.post(v2(flow, "ann@example.com"))
    assert response.status_code == 204, response.content
    assert Enrollment.objects.get(workflow=flow).record_id == ann.pk


def test_v2_enroll__already_enrolled__409_with_reason(api) -> None:
    flow = waiting_flow()
    contact()
    api.post(v2(flow, "ann@example.com"))
    body = assert_error(api.post(v2(flow, "ann@example.com")), 409, "CONFLICT")
    assert "currently enrolled" in body["message"]
    assert Enrollment.objects.count() == 1


def test_v2_enroll__unknown_email__404(api) -> None:
    flow = waiting_flow()
    body = assert_error(api.post(v2(flow, "nobody@example.com")), 404, "OBJECT_NOT_FOUND")
    assert "nobody@example.com" in body["message"]
    assert nothing_enrolled()


def test_v2_enroll__company_flow__400_says_contacts_only(api) -> None:
    flow = make_flow("0-2", actions=[])
    contact()
    body = assert_error(
        api.post(v2(flow, "ann@example.com")), 400, "VALIDATION_ERROR", "workflowId"
    )
    assert "contacts only" in body["message"]


def test_v2_enroll__without_permission__403(django_user_model) -> None:
    flow = waiting_flow()
    contact()
    client = client_for(django_user_model)
    assert_error(client.post(v2(flow, "ann@example.com")), 403, "FORBIDDEN")
    assert nothing_enrolled()


def test_v2_unenroll__204_then_404(api) -> None:
    flow = waiting_flow()
    contact()
    api.post(v2(flow, "ann@example.com"))
    assert api.delete(v2(flow, "ann@example.com")).status_code == 204
    assert Enrollment.objects.get(workflow=flow).end_reason == "MANUAL_UNENROLL"
    body = assert_error(api.delete(v2(flow, "ann@example.com")), 404, "OBJECT_NOT_FOUND")
    assert "not currently enrolled" in body["message"]


# --------------------------------------------------------------------------- authentication


@pytest.mark.parametrize(
    "method,suffix",
    [
        ("get", "enrollments"),
        ("post", "enrollments"),
        ("get", "enrollments/1"),
        ("post", "unenroll"),
        ("post", "enable"),
        ("post", "disable"),
        ("get", "backfill"),
        ("get", "diagnose/1"),
        ("post", "test"),
    ],
)
def test_enrollment_api__no_credentials__401(anon_api, method: str, suffix: str) -> None:
    flow = make_flow(enabled=False)
    ann = contact()
    path = f"{FLOWS}/{flow.pk}/{suffix}"
    assert_error(
        getattr(anon_api, method)(path, {"objectId": ann.pk}, format="json"),
        401,
        "INVALID_AUTHENTICATION",
    )
    flow.refresh_from_db()
    assert flow.is_enabled is False and nothing_enrolled()


@pytest.mark.parametrize("method", ["post", "delete"])
def test_v2__no_credentials__401(anon_api, method: str) -> None:
    flow = waiting_flow()
    contact()
    assert_error(
        getattr(anon_api, method)(v2(flow, "ann@example.com")), 401, "INVALID_AUTHENTICATION"
    )
    assert nothing_enrolled()


# --------------------------------------------------------------------------- filter triggers (criteria engine)


def city_is(city: str) -> dict[str, Any]:
    """LIST_BASED criteria: the contact's city is ``city``."""
    return {
        "type": "LIST_BASED",
        "shouldReEnroll": False,
        "reEnrollmentTriggersFilterBranches": [],
        "unEnrollObjectsNotMeetingCriteria": False,
        "listFilterBranch": {
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
                            "filterType": "PROPERTY",
                            "property": "city",
                            "operation": {
                                "operationType": "MULTISTRING",
                                "operator": "IS_EQUAL_TO",
                                "values": [city],
                            },
                        }
                    ],
                }
            ],
        },
    }


def dublin_flow(*, enabled: bool = False) -> Workflow:
    return make_flow(
        enabled=enabled, enrollmentCriteria=city_is("Dublin"), actions=[WAIT], startActionId="1"
    )


def test_create__unknown_filter_property__400_with_json_path(api) -> None:
    body = flow_body(enrollmentCriteria=city_is("Dublin"))
    body["enrollmentCriteria"]["listFilterBranch"]["filterBranches"][0]["filters"][0][
        "property"
    ] = "shoe_size"
    response = api.post(FLOWS, body, format="json")
    path = "enrollmentCriteria.listFilterBranch.filterBranches[0].filters[0].property"
    result = assert_error(response, 400, "VALIDATION_ERROR", path)
    assert "shoe_size" in result["message"]
    assert not Workflow.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_enable__enroll_existing__backfill_progress_and_matching_records_enrolled(api) -> None:
    dubliners = [contact(f"d{i}@example.com", city="Dublin") for i in range(2)]
    contact("cork@example.com", city="Cork")
    flow = dublin_flow()
    response = api.post(f"{FLOWS}/{flow.pk}/enable", {"enrollExisting": True}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["isEnabled"] is True
    assert body["backfill"]["status"] == "COMPLETE"
    assert (body["backfill"]["done"], body["backfill"]["total"]) == (2, 2) and body["backfill"][
        "errors"
    ] == []
    enrolled = Enrollment.objects.filter(workflow=flow)
    assert sorted(enrolled.values_list("record_id", flat=True)) == sorted(d.pk for d in dubliners)
    assert set(enrolled.values_list("source", flat=True)) == {"BACKFILL"}
    progress = api.get(f"{FLOWS}/{flow.pk}/backfill").json()
    assert progress["status"] == "COMPLETE" and progress["done"] == 2 and progress["finishedAt"]


@pytest.mark.django_db(transaction=True)
def test_enable__enroll_existing_false__nobody_enrolled_until_a_change(api) -> None:
    contact("d@example.com", city="Dublin")
    bob = contact("bob@example.com", city="Cork")
    flow = dublin_flow()
    body = api.post(f"{FLOWS}/{flow.pk}/enable", {"enrollExisting": False}, format="json").json()
    assert "backfill" not in body and not Enrollment.objects.exists()
    api.patch(
        f"/crm/v3/objects/contacts/{bob.pk}", {"properties": {"city": "Dublin"}}, format="json"
    )
    assert list(Enrollment.objects.values_list("record_id", "source")) == [(bob.pk, "TRIGGER")]


@pytest.mark.django_db(transaction=True)
def test_put__new_criteria_with_enroll_existing__records_meeting_them_enrolled(api) -> None:
    cork = contact("cork@example.com", city="Cork")
    flow = dublin_flow(enabled=True)
    update = flow_body(
        enrollmentCriteria=city_is("Cork"),
        actions=[WAIT],
        startActionId="1",
        isEnabled=True,
        revisionId=str(flow.revision_id),
    )
    response = api.put(f"{FLOWS}/{flow.pk}?enrollExisting=true", update, format="json")
    assert response.status_code == 200, response.content
    assert list(Enrollment.objects.filter(workflow=flow).values_list("record_id", "source")) == [
        (cork.pk, "BACKFILL")
    ]


def test_test__list_based__matched_and_not_with_sentences_and_nothing_enrolled(api) -> None:
    flow = dublin_flow(enabled=True)
    ann, bob = contact(city="Dublin"), contact("bob@example.com", city="Cork")
    yes = api.post(f"{FLOWS}/{flow.pk}/test", {"objectId": str(ann.pk)}, format="json").json()
    assert yes["objectId"] == str(ann.pk) and yes["matched"] is True
    assert yes["summary"][0] == "The record meets the enrollment triggers."
    assert yes["evaluation"]["matched"] is True
    no = api.post(f"{FLOWS}/{flow.pk}/test", {"objectId": bob.pk}, format="json").json()
    assert no["matched"] is False and any("was Cork" in line for line in no["summary"])
    assert not Enrollment.objects.exists()


def test_test__manual_flow__says_there_is_nothing_to_test(api) -> None:
    flow = make_flow()
    body = api.post(f"{FLOWS}/{flow.pk}/test", {"objectId": contact().pk}, format="json").json()
    assert body["matched"] is False and "no filter triggers" in body["summary"][0]


def test_test__bad_body__400(api) -> None:
    flow = dublin_flow()
    company = record_create(object_type="companies", properties={"name": "Acme"})
    assert_error(
        api.post(f"{FLOWS}/{flow.pk}/test", {}, format="json"), 400, "VALIDATION_ERROR", "objectId"
    )
    body = assert_error(
        api.post(f"{FLOWS}/{flow.pk}/test", {"objectId": "424242"}, format="json"),
        400,
        "VALIDATION_ERROR",
        "objectId",
    )
    assert "No contact with id 424242" in body["message"]
    assert_error(
        api.post(f"{FLOWS}/{flow.pk}/test", {"objectId": company.pk}, format="json"),
        400,
        "VALIDATION_ERROR",
        "objectId",
    )


@pytest.mark.django_db(transaction=True)
def test_diagnose__enrolled_by_trigger__says_why_with_history(api) -> None:
    flow = dublin_flow(enabled=True)
    ann = contact(city="Dublin")  # created matching: the trigger enrolls it
    body = api.get(f"{FLOWS}/{flow.pk}/diagnose/{ann.pk}").json()
    assert body["enrolled"] is True and body["currentlyMatches"] is True
    assert body["summary"][0].startswith("Enrolled now (cycle 1, trigger")
    assert any("met the enrollment triggers" in line for line in body["summary"])
    assert [e["source"] for e in body["enrollments"]] == ["TRIGGER"]
    assert body["decisions"][0]["decision"] == "ENROLLED" and body["decisions"][0]["evaluation"]


def test_diagnose__not_enrolled__explains_failing_filter(api) -> None:
    flow = dublin_flow(enabled=True)
    bob = contact("bob@example.com", city="Cork")
    body = api.get(f"{FLOWS}/{flow.pk}/diagnose/{bob.pk}").json()
    assert body["enrolled"] is False and body["currentlyMatches"] is False
    assert "Never enrolled in this workflow." in body["summary"]
    assert any("was Cork" in line for line in body["summary"])
    assert body["enrollments"] == [] and body["evaluation"]["matched"] is False


def test_diagnose__manual_enrollment__enrolled_now(api) -> None:
    flow = waiting_flow()
    ann = contact()
    api.post(enrollments_url(flow), {"objectId": ann.pk}, format="json")
    body = api.get(f"{FLOWS}/{flow.pk}/diagnose/{ann.pk}").json()
    assert body["enrolled"] is True and body["evaluation"] is None
    assert any("Enrolled manually" in line for line in body["summary"])


@pytest.mark.parametrize("object_id", ["424242", "abc", "99999999999999999999999"])
def test_diagnose__unknown_record__404(api, object_id: str) -> None:
    flow = dublin_flow()
    assert_error(
        api.get(f"{FLOWS}/{flow.pk}/diagnose/{object_id}"), 404, "OBJECT_NOT_FOUND", "objectId"
    )


def test_diagnose__record_of_another_object_type__404(api) -> None:
    flow = dublin_flow()
    company = record_create(object_type="companies", properties={"name": "Acme"})
    body = assert_error(
        api.get(f"{FLOWS}/{flow.pk}/diagnose/{company.pk}"), 404, "OBJECT_NOT_FOUND"
    )
    assert "No contact" in body["message"]
