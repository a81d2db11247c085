"""Request limits: what the API refuses as too large, with the limit named in the answer.

Chosen, not inherited:

- body: 8 MiB (``MAX_REQUEST_BODY_BYTES``). The largest legitimate request is a batch of
  100 records (HubSpot's batch limit) each carrying many properties; 8 MiB holds 100
  records x 80 KB, and a longer body is a mistake or an attack. Answered 413.
- query parameters and form fields: 1,000 (Django's ``DATA_UPLOAD_MAX_NUMBER_FIELDS``).
  ``properties=`` repeated more often than that is refused with 400; the comma form
  (``properties=a,b,c``) has no such count.
- JSON nesting: 100 levels (``MAX_JSON_DEPTH``). Criteria nest a few levels (OR -> AND ->
  association branch -> AND); nothing the API accepts is deeper. Answered 400, before the
  parser recurses (Python's JSON parser raises RecursionError at about 1,000 levels).
"""

from __future__ import annotations

#: The body and field limits are Django's settings (``DATA_UPLOAD_MAX_MEMORY_SIZE``, from
#: ``MAX_REQUEST_BODY_BYTES``, and ``DATA_UPLOAD_MAX_NUMBER_FIELDS``), set in config/settings.py.
MAX_JSON_DEPTH = 100


def human_bytes(n: int) -> str:
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MiB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KiB"
    return f"{n} bytes"
