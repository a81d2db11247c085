"""``manage.py events``: counts per status, and retrying failed events by id or all at once."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from crm.actors import SYSTEM
from crm.models import AccountSettings, Event, EventStatus, Tier
from crm.services import record_create
from crm.services.events import EventIn, event_record
from tests.enrollment.events_helpers import signup_definition

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(django_capture_on_commit_callbacks) -> dict[str, Event]:
    """Two PROCESSED events made FAILED, one left PROCESSED, one NO_MATCH."""
    account = AccountSettings.load()
    account.marketing_hub = Tier.ENTERPRISE
    account.save()
    signup = signup_definition()
    ada = record_create(object_type="contacts", properties={"email": "a@x.com"}, actor=SYSTEM)

    def send(plan: str, **ref: Any) -> Event:
        item = EventIn(event_type_id=signup.type_id, source="API", properties={"plan": plan}, **ref)
        with django_capture_on_commit_callbacks(execute=True):
            return event_record(item).event

    made = {
        "first": send("pro", record_id=ada.pk),
        "second": send("free", record_id=ada.pk),
        "done": send("pro", record_id=ada.pk, sender_id="kept"),
        "ghost": send("pro", email="ghost@x.com"),
    }
    Event.objects.filter(pk__in=[made["first"].pk, made["second"].pk]).update(
        status=EventStatus.FAILED, error="RuntimeError: boom"
    )
    return made


def run(*args: str) -> str:
    out = StringIO()
    call_command("events", *args, stdout=out)
    return out.getvalue()


def status_of(event: Event) -> str:
    event.refresh_from_db()
    return event.status


def test_status__one_line_per_status(events) -> None:
    assert run("status").splitlines() == [
        "RECEIVED: 0",
        "PROCESSED: 1",
        "NO_MATCH: 1",
        "FAILED: 2",
        "LINKED: 0",
    ]


def test_status__no_events__zeros() -> None:
    assert run("status").splitlines() == [
        "RECEIVED: 0",
        "PROCESSED: 0",
        "NO_MATCH: 0",
        "FAILED: 0",
        "LINKED: 0",
    ]


def test_retry__by_id__only_that_one_processed(events, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        out = run("retry", "--id", str(events["first"].pk))
    assert out.strip() == "Queued 1 failed event to process again."
    assert status_of(events["first"]) == EventStatus.PROCESSED
    assert status_of(events["second"]) == EventStatus.FAILED


def test_retry__failed__all_failed_processed(events, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        out = run("retry", "--failed")
    assert out.strip() == "Queued 2 failed events to process again."
    assert Event.objects.filter(status=EventStatus.FAILED).count() == 0
    assert run("retry", "--failed").strip() == "No failed events to retry."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "say what to do"),
        (("restart",), '"restart" is not an action'),
        (("retry",), "retry needs --id N (repeat it for several) or --failed"),
        (("retry", "--failed", "--id", "1"), "not both"),
        (("retry", "--id", "abc"), '"abc" is not an event id'),
        (("retry", "--id", "999999"), "No stored event with id 999999"),
        (("status", "--failed"), "status takes no --id or --failed"),
    ],
)
def test_bad_input__one_readable_line(events, args, message) -> None:
    with pytest.raises(CommandError, match=re.escape(message)) as raised:
        run(*args)
    assert "\n" not in str(raised.value)
    assert Event.objects.filter(status=EventStatus.FAILED).count() == 2  # nothing retried


def test_retry__a_processed_id__refused_naming_its_status_and_nothing_retried(events) -> None:
    ids = [str(events["first"].pk), str(events["done"].pk)]
    with pytest.raises(CommandError, match=f"event {ids[1]} is PROCESSED"):
        run("retry", "--id", ids[0], "--id", ids[1])
    assert status_of(events["first"]) == EventStatus.FAILED


def test_bad_input__from_the_shell__exit_1_and_one_line(events, capsys) -> None:
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "events", "retry", "--id", "x"]).execute()
    assert exited.value.code == 1
    assert capsys.readouterr().err.strip() == 'CommandError: "x" is not an event id'
