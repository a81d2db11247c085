"""Small helpers the apps share: the admin's JSON box and the usual 404 (``ObjectNotFound.named``)."""

from __future__ import annotations

from django import forms

from crm.admin_forms import PrettyJSONField
from crm.errors import ObjectNotFound


def test_pretty_json_field__indented_unicode_kept() -> None:
    shown = PrettyJSONField().prepare_value({"a": [1, "é"]})
    assert shown == '{\n  "a": [\n    1,\n    "é"\n  ]\n}'


def test_pretty_json_field__unset_is_an_empty_box_not_null() -> None:
    assert PrettyJSONField().prepare_value(None) == ""


def test_pretty_json_field__bad_input_shown_back_as_typed() -> None:
    typed = forms.fields.InvalidJSONInput("{oops")
    assert PrettyJSONField().prepare_value(typed) == "{oops"


def test_pretty_json_field__optional_monospace_box_of_the_given_height() -> None:
    field = PrettyJSONField(rows=3)
    assert not field.required
    assert field.widget.attrs["rows"] == 3
    assert "monospace" in field.widget.attrs["style"]
    assert field.clean("") is None


def test_pretty_json_field__own_widget_and_required_win() -> None:
    widget = forms.Textarea(attrs={"rows": 8})
    field = PrettyJSONField(required=True, widget=widget)
    assert field.required and field.widget.attrs["rows"] == 8
    assert "monospace" not in field.widget.attrs.get("style", "")


def test_object_not_found_named__message_repeated_on_the_field_with_context() -> None:
    exc = ObjectNotFound.named("No contact with id 5.", "id", context={"ids": ["5"]})
    assert (exc.status, exc.message) == (404, "No contact with id 5.")
    assert [e.as_dict() for e in exc.errors] == [
        {
            "message": "No contact with id 5.",
            "code": "OBJECT_NOT_FOUND",
            "name": "id",
            "context": {"ids": ["5"]},
        }
    ]
