"""The one id parser (``crm.ids``) every path, body, cursor and command line goes through."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.api.paging import parse_after
from crm.errors import CrmValidationError
from crm.ids import MAX_ID, parse_id, parse_id_bound

NOT_IDS = [
    "",
    "   ",
    "-1",
    "+1",
    "1e3",
    "1.0",
    "1_000",
    "0x1f",
    "١٢",  # Arabic-Indic digits: int() reads them as 12, an id does not
    "²",  # isdigit() is true, int() fails
    "12a",
    "1 2",
    str(2**63),
    str(MAX_ID + 1),
    "9" * 30,
    "None",
    None,
    True,  # int(True) is 1; a JSON true is not flow 1
    1.0,
    [],
]


@pytest.mark.parametrize("raw", NOT_IDS)
def test_parse_id__anything_but_ascii_digits_up_to_max_id__none(raw: object) -> None:
    assert parse_id(raw) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        (" 42 ", 42),  # paths and bodies are trimmed
        ("007", 7),
        ("0", 0),  # names no row: a lookup finds nothing, it is not bad input
        (42, 42),  # a JSON number
        (str(MAX_ID), MAX_ID),
    ],
)
def test_parse_id__ascii_digits__the_int(raw: object, expected: int) -> None:
    assert parse_id(raw) == expected


def test_max_id__the_largest_bigint() -> None:
    assert MAX_ID == 2**63 - 1


@given(st.integers(min_value=0, max_value=MAX_ID))
def test_parse_id__round_trips_every_id(pk: int) -> None:
    assert parse_id(str(pk)) == pk


@given(st.text(max_size=25))
def test_parse_id__any_text__none_or_what_its_digits_say(text: str) -> None:
    pk = parse_id(text)
    if pk is not None:
        digits = text.strip()
        assert digits.isascii() and digits.isdigit() and int(digits) == pk <= MAX_ID


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("5", 5), ("-5", -5), ("-0", 0), (" -7 ", -7), (str(-MAX_ID), -MAX_ID)],
)
def test_parse_id_bound__an_id_or_its_negative(raw: str, expected: int) -> None:
    assert parse_id_bound(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "-", "--5", "- 5", "+5", "1e3", "١٢", str(-(2**63)), str(2**63)]
)
def test_parse_id_bound__not_a_signed_id__none(raw: str) -> None:
    assert parse_id_bound(raw) is None


# --------------------------------------------------------------------------- the paging cursor


@pytest.mark.parametrize(("raw", "expected"), [(None, 0), ("", 0), ("0", 0), ("12", 12)])
def test_parse_after__absent_or_an_id(raw: str | None, expected: int) -> None:
    assert parse_after(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "-5", "+5", "١٢", "1_0", str(2**63)])
def test_parse_after__not_an_id__invalid_cursor_names_after(raw: str) -> None:
    with pytest.raises(CrmValidationError) as caught:
        parse_after(raw)
    [detail] = caught.value.errors
    assert (detail.name, detail.code) == ("after", "INVALID_CURSOR")
