"""The enrollment commands: enroll, enroll_existing, diagnose and setup_schedules."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django_q.models import Schedule

from crm.models import Record
from crm.services import record_create
from enrollment.models import BackfillRun, Enrollment, EnrollmentEvent
from tests.enrollment.conftest import set_property

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_trigger_index() -> None:
    """The trigger index is cached per process by IndexVersion, which restarts with every test
    database state: never let one test's index answer for another's workflows."""
    from enrollment.index import invalidate_local

    invalidate_local()


WAIT = {"actionId": "1", "actionTypeId": "0-1", "fields": {"delta": "60", "time_unit": "MINUTES"}}


def run(*args: Any, **kwargs: Any) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


@pytest.fixture
def ann():
    return record_create(object_type="contacts", properties={"email": "ann@example.com"})


# --------------------------------------------------------------------------- enroll


def test_enroll__records__one_line_each_with_outcome(make_flow, ann) -> None:
    flow = make_flow(actions=[WAIT])
    output = run("enroll", str(flow.pk), str(ann.pk), "424242")
    lines = output.strip().splitlines()
    assert lines[0].split("\t")[:2] == [str(ann.pk), "ENROLLED"]
    assert lines[1].startswith("424242\tREFUSED\tNo contact with id 424242")
    assert Enrollment.objects.get(workflow=flow).source == "MANUAL"


def test_enroll__again__refused_with_reason(make_flow, ann) -> None:
    flow = make_flow(actions=[WAIT])
    run("enroll", str(flow.pk), str(ann.pk))
    assert "REFUSED\tNot enrolled again: the record is currently enrolled." in run(
        "enroll", str(flow.pk), str(ann.pk)
    )


def test_enroll__chatflow_source_and_user__recorded(make_flow, ann, admin_user) -> None:
    flow = make_flow(actions=[WAIT])
    run("enroll", str(flow.pk), str(ann.pk), "--source", "CHATFLOW", "--user", "root")
    enrollment = Enrollment.objects.get(workflow=flow)
    assert enrollment.source == "CHATFLOW" and enrollment.enrolled_by == admin_user


@pytest.mark.parametrize(
    "extra,message",
    [
        (["abc"], "'abc' is not a record id"),
        (["--user", "nobody"], 'No user "nobody"'),
    ],
)
def test_enroll__bad_input__command_error_and_nothing_written(
    make_flow, ann, extra: list[str], message: str
) -> None:
    flow = make_flow()
    with pytest.raises(CommandError, match=message):
        run("enroll", str(flow.pk), str(ann.pk), *extra)
    assert not Enrollment.objects.exists() and not EnrollmentEvent.objects.exists()


def test_enroll__unknown_flow__command_error(ann) -> None:
    with pytest.raises(CommandError, match="No flow with id 999"):
        run("enroll", "999", str(ann.pk))


def test_enroll__bad_source__command_error(make_flow, ann) -> None:
    flow = make_flow()
    with pytest.raises(CommandError, match="invalid choice"):
        run("enroll", str(flow.pk), str(ann.pk), "--source", "TRIGGER")
    assert not Enrollment.objects.exists()


def test_enroll__user_without_permission__command_error(make_flow, ann, django_user_model) -> None:
    flow = make_flow()
    django_user_model.objects.create_user(username="clerk", password="x")
    with pytest.raises(CommandError, match=r"workflows\.enroll_records"):
        run("enroll", str(flow.pk), str(ann.pk), "--user", "clerk")
    assert not Enrollment.objects.exists()


def test_enroll__runs_actions(make_flow, ann, django_capture_on_commit_callbacks) -> None:
    flow = make_flow(actions=[set_property("1", "city", "Dublin")])
    with django_capture_on_commit_callbacks(execute=True):
        run("enroll", str(flow.pk), str(ann.pk))
    ann.refresh_from_db()
    assert ann.properties["city"] == "Dublin"
    assert Enrollment.objects.get(workflow=flow).status == "COMPLETED"


# --------------------------------------------------------------------------- enroll_existing


def test_enroll_existing__manual_flow__command_error_says_why(make_flow) -> None:
    flow = make_flow()
    with pytest.raises(
        CommandError, match="only filter-based triggers can enroll existing records"
    ):
        run("enroll_existing", str(flow.pk))
    assert BackfillRun.objects.get(workflow=flow).status == "FAILED"


def test_enroll_existing__unknown_flow__command_error() -> None:
    with pytest.raises(CommandError, match="No flow with id 31337"):
        run("enroll_existing", "31337")
    assert not BackfillRun.objects.exists()


def test_enroll_existing__async__queued_and_run_by_the_task(
    make_flow, django_capture_on_commit_callbacks
) -> None:
    flow = make_flow()
    with django_capture_on_commit_callbacks(execute=True):
        output = run("enroll_existing", str(flow.pk), "--async")
    run_row = BackfillRun.objects.get(workflow=flow)
    assert f"Queued enroll-existing run {run_row.pk}" in output
    assert (
        run_row.status == "FAILED"
    )  # sync django-q2 ran the task: a MANUAL flow has nothing to backfill


# --------------------------------------------------------------------------- setup_schedules


def _schedules() -> dict[str, tuple[str, str, int | None]]:
    return {s.name: (s.func, s.schedule_type, s.minutes) for s in Schedule.objects.all()}


def test_setup_schedules__creates_every_job() -> None:
    output = run("setup_schedules")
    assert (
        "enrollment.run_due_steps: created" in output
        and "enrollment.prune_history: created" in output
        and "enrollment.retry_due_events: created" in output
    )
    assert _schedules() == {
        "enrollment.run_due_steps": ("enrollment.tasks.run_due_steps", Schedule.MINUTES, 1),
        "enrollment.retry_due_events": ("enrollment.tasks.retry_due_events", Schedule.MINUTES, 1),
        "enrollment.prune_history": ("enrollment.tasks.prune_history", Schedule.DAILY, None),
    }


def test_setup_schedules__twice__idempotent() -> None:
    run("setup_schedules")
    before = list(
        Schedule.objects.order_by("pk").values_list(
            "pk", "name", "func", "schedule_type", "minutes"
        )
    )
    output = run("setup_schedules")
    assert output.count("unchanged") == 3
    assert (
        list(
            Schedule.objects.order_by("pk").values_list(
                "pk", "name", "func", "schedule_type", "minutes"
            )
        )
        == before
    )


def test_setup_schedules__drifted_and_duplicated__repaired() -> None:
    run("setup_schedules")
    Schedule.objects.filter(name="enrollment.run_due_steps").update(minutes=15)
    Schedule.objects.create(
        name="enrollment.prune_history",
        func="enrollment.tasks.prune_history",
        schedule_type=Schedule.DAILY,
    )
    output = run("setup_schedules")
    assert (
        "enrollment.run_due_steps: updated" in output
        and "enrollment.prune_history: updated" in output
    )
    assert Schedule.objects.count() == 3
    assert _schedules()["enrollment.run_due_steps"][2] == 1


# --------------------------------------------------------------------------- with filter triggers


@pytest.fixture
def dublin(make_flow):
    from tests.enrollment.conftest import list_based, string_is

    people = [
        record_create(object_type="contacts", properties={"email": f"d{i}@x.io", "city": "Dublin"})
        for i in range(3)
    ]
    record_create(object_type="contacts", properties={"email": "c@x.io", "city": "Cork"})
    flow = make_flow(
        criteria=list_based(string_is("city", "Dublin")), actions=[WAIT], name="Dubliners"
    )
    return flow, people


def test_enroll_existing__list_based__progress_bar_and_enrolled(dublin) -> None:
    flow, people = dublin
    output = run("enroll_existing", str(flow.pk))
    assert f'"Dubliners" ({flow.pk})' in output
    assert f"[{'#' * 30}] 3/3 (100%)" in output
    assert "Done: enrolled 3 of the 3 records that met the triggers" in output
    assert sorted(
        Enrollment.objects.filter(workflow=flow, source="BACKFILL").values_list(
            "record_id", flat=True
        )
    ) == sorted(p.pk for p in people)
    again = run("enroll_existing", str(flow.pk))  # first time only: nobody is enrolled twice
    assert "Done: enrolled 0 of the 0 records" in again
    assert Enrollment.objects.filter(workflow=flow).count() == 3


def test_diagnose__enrolled_record__readable_summary(dublin) -> None:
    flow, people = dublin
    run("enroll", str(flow.pk), str(people[0].pk))
    output = run("diagnose", str(flow.pk), str(people[0].pk))
    lines = output.splitlines()
    assert lines[0] == f'Contact {people[0].pk} in workflow "Dubliners" ({flow.pk}): enrolled now'
    assert any("Enrolled manually" in line for line in lines)
    assert "Enrollments:" in output and "#1 ACTIVE via MANUAL" in output
    assert "Decisions (newest first):" in output


def test_diagnose__not_enrolled__says_which_filter_failed(dublin) -> None:
    flow, _ = dublin
    cork = Record.objects.get(properties__city="Cork")
    output = run("diagnose", str(flow.pk), str(cork.pk))
    assert "not enrolled now" in output and "Never enrolled in this workflow." in output
    assert "was Cork" in output


def test_diagnose__json__full_diagnosis(dublin) -> None:
    import json

    flow, people = dublin
    data = json.loads(run("diagnose", str(flow.pk), str(people[1].pk), "--json"))
    assert data["objectId"] == str(people[1].pk) and data["currentlyMatches"] is True


@pytest.mark.parametrize(
    "object_id,message", [("424242", "No contact with id 424242"), ("x", "No contact with id x")]
)
def test_diagnose__unknown_record__command_error(dublin, object_id: str, message: str) -> None:
    flow, _ = dublin
    with pytest.raises(CommandError, match=message):
        run("diagnose", str(flow.pk), object_id)


def test_diagnose__unknown_flow__command_error() -> None:
    with pytest.raises(CommandError, match="No flow with id 5"):
        run("diagnose", "5", "1")
