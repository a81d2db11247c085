"""Imports as triggers: "Record imported" events enroll (event trigger, refined by the import
id), "was in import X" enrolls filter-based workflows - even for rows that changed nothing -
and nothing is stored when no workflow listens."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from crm.actors import SYSTEM
from crm.event_types import RECORD_IMPORTED
from crm.models import Event, Record
from crm.services import record_create
from crm.services.imports import UploadedFile, import_create
from enrollment.models import Enrollment
from tests.enrollment.conftest import and_branch, or_root, string_is
from tests.enrollment.events_helpers import event_based, event_branch

pytestmark = pytest.mark.django_db(transaction=True)


def start_import(emails: list[str], name: str = "Fair leads") -> Any:
    req = {
        "name": name,
        "files": [
            {
                "fileName": "f.csv",
                "fileImportPage": {
                    "hasHeader": True,
                    "columnMappings": [
                        {
                            "columnName": "Email",
                            "propertyName": "email",
                            "columnObjectTypeId": "0-1",
                        }
                    ],
                },
            }
        ],
    }
    content = ("Email\n" + "\n".join(emails) + "\n").encode()
    return import_create(request=req, files=[UploadedFile("f.csv", content)], actor=SYSTEM)


def in_import(import_id: int) -> dict[str, Any]:
    return {
        "filterType": "IN_LIST",
        "listId": str(import_id),
        "operator": "IN_LIST",
        "metadata": {"inListType": "IMPORT"},
    }


def test_record_imported_event__enrolls_created_and_updated_contacts(make_flow):
    ada = record_create(object_type="contacts", properties={"email": "ada@example.com"})
    flow = make_flow("contacts", event_based(event_branch(RECORD_IMPORTED)))
    imp = start_import(["ada@example.com", "bob@example.com"])
    bob = Record.objects.get(properties__email="bob@example.com")
    assert set(Enrollment.objects.filter(workflow=flow).values_list("record_id", flat=True)) == {
        ada.pk,
        bob.pk,
    }
    event = Event.objects.get(record=ada, event_type_id=RECORD_IMPORTED)
    assert event.properties == {
        "hs_import_id": str(imp.pk),
        "hs_import_name": "Fair leads",
        "hs_import_action": "UPDATED",
    }


def test_record_imported_event__refined_by_import_name(make_flow):
    flow = make_flow(
        "contacts",
        event_based(event_branch(RECORD_IMPORTED, string_is("hs_import_name", "Webinar"))),
    )
    start_import(["a@example.com"], name="Fair leads")
    start_import(["b@example.com"], name="Webinar")
    enrolled = Enrollment.objects.filter(workflow=flow).values_list("record__properties", flat=True)
    assert [p["email"] for p in enrolled] == ["b@example.com"]


def test_was_in_import_filter__enrolls_even_a_row_that_changed_nothing(make_flow):
    ada = record_create(object_type="contacts", properties={"email": "ada@example.com"})
    with transaction.atomic():  # the import runs when this commits: after the flow exists
        imp = start_import(["ada@example.com", "new@example.com"])
        criteria = {
            "type": "LIST_BASED",
            "listFilterBranch": or_root(and_branch(in_import(imp.pk))),
            "shouldReEnroll": False,
            "reEnrollmentTriggersFilterBranches": [],
            "unEnrollObjectsNotMeetingCriteria": False,
        }
        flow = make_flow("contacts", criteria)
    new = Record.objects.get(properties__email="new@example.com")
    assert set(Enrollment.objects.filter(workflow=flow).values_list("record_id", flat=True)) == {
        ada.pk,
        new.pk,
    }
    # a later import of the same contact is not "was in import X"
    start_import(["ada@example.com"], name="Again")
    assert Enrollment.objects.filter(workflow=flow).count() == 2


def test_nothing_is_stored_when_no_workflow_listens(make_flow):
    make_flow("contacts", event_based(event_branch(RECORD_IMPORTED)), enabled=False)
    start_import(["a@example.com"])
    assert not Event.objects.exists()


def test_import_trigger__offered_for_contacts_only(make_flow):
    from workflows.errors import FlowInvalid

    with pytest.raises(FlowInvalid) as caught:
        make_flow("companies", event_based(event_branch(RECORD_IMPORTED)))
    assert "contacts" in str(caught.value)
