"""django-q2 tasks of the CRM: primitive ids in, one service call each; all idempotent."""

from __future__ import annotations


def run_import(import_id: int) -> str:
    from crm.services.imports import import_run

    return import_run(import_id)
