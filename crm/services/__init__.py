"""CRM services: the only code that writes records, properties and associations."""

from crm.services.associations import (
    association_create,
    association_label_create,
    association_label_delete,
    association_label_update,
    association_remove,
    associations_create,
    associations_of,
)
from crm.services.lookup import get_record, property_definitions, resolve_object_type
from crm.services.properties import property_archive, property_create, property_update
from crm.services.records import (
    Actor,
    record_archive,
    record_create,
    record_restore,
    record_update,
    records_archive,
    records_create,
    records_import,
    records_update,
)
from crm.services.schemas import schema_create, schema_update

__all__ = [
    "Actor",
    "association_create",
    "association_label_create",
    "association_label_delete",
    "association_label_update",
    "association_remove",
    "associations_create",
    "associations_of",
    "get_record",
    "property_archive",
    "property_create",
    "property_definitions",
    "property_update",
    "record_archive",
    "record_create",
    "record_restore",
    "record_update",
    "records_archive",
    "records_create",
    "records_import",
    "records_update",
    "resolve_object_type",
    "schema_create",
    "schema_update",
]
