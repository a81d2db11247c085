"""factory-boy builders that go through the CRM services, so tests see real history and signals."""

from __future__ import annotations

from typing import Any

import factory

from crm.models import Record
from crm.services import association_create, record_create


class RecordFactory(factory.Factory):
    """``RecordFactory(object_type="contacts", properties={...})`` -> a Record created by the service."""

    class Meta:
        model = Record

    object_type = "contacts"
    properties: Any = factory.LazyFunction(dict)

    @classmethod
    def _create(
        cls, model_class: type, object_type: str, properties: dict[str, Any], **kwargs: Any
    ) -> Record:
        return record_create(object_type=object_type, properties=properties)

    @classmethod
    def _build(cls, model_class: type, *args: Any, **kwargs: Any) -> Record:
        raise NotImplementedError("Records are only created through the services.")


class ContactFactory(RecordFactory):
    object_type = "contacts"
    properties = factory.Sequence(
        lambda n: {
            "email": f"person{n}@example.com",
            "firstname": f"Person{n}",
            "lastname": "Example",
        }
    )


class CompanyFactory(RecordFactory):
    object_type = "companies"
    properties = factory.Sequence(
        lambda n: {"name": f"Company {n}", "domain": f"company{n}.example"}
    )


class DealFactory(RecordFactory):
    object_type = "deals"
    properties = factory.Sequence(
        lambda n: {
            "dealname": f"Deal {n}",
            "amount": 1000 + n,
            "dealstage": "appointmentscheduled",
            "pipeline": "default",
        }
    )


def associate(a: Record, b: Record, *types: tuple[str, int]) -> None:
    association_create(from_record=a, to_record=b, types=list(types) or None)
