"""The API speaks JSON, as HubSpot's does: one parser, with the body limits enforced.

A form-encoded or multipart body is refused with 415 (DRF's answer when no parser matches)
instead of being read as an empty object - that was silent data loss. Views that need
another media type (a CSV import) set their own ``parser_classes``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from crm.api.limits import MAX_JSON_DEPTH


def json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether brackets nest deeper than ``limit`` outside strings (a linear scan)."""
    depth, in_string, escaped = 0, False, False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing bodies over the size limit (413) and nesting over the
    depth limit (400) instead of answering 500."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise RequestDataTooBig("request body too large")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(f"JSON parse error - the body is not valid {encoding}") from exc
        if json_depth_exceeds(text, MAX_JSON_DEPTH):
            raise ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels")
        try:
            data = json.loads(text, parse_constant=reject_json_constant)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        where = unstorable_text(data)
        if where is not None:
            raise ParseError(
                f"JSON parse error - {where or 'the body'} holds a NUL character or an unpaired "
                "surrogate (\\ud800-\\udfff): text must be valid Unicode"
            )
        return data


#: NUL (PostgreSQL text cannot hold it) and lone surrogates (not encodable as UTF-8): JSON
#: escapes let a body carry both, and storing them failed with a 500 on PostgreSQL.
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


def unstorable_text(value: Any, path: str = "") -> str | None:
    """The path of the first string (key or value) that cannot be stored, or None."""
    if isinstance(value, str):
        return path if _BAD_TEXT.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if _BAD_TEXT.search(key):
                return path or "a key"
            found = unstorable_text(item, here)
            if found is not None:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = unstorable_text(item, f"{path}[{i}]")
            if found is not None:
                return found
    return None


def reject_json_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")
