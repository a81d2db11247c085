"""Database ids written as text (paths, bodies, query strings, command lines).

The one place that decides what an id looks like: ASCII digits, surrounding whitespace
ignored, at most ``MAX_ID``. Anything else - signs, exponents, other scripts' digits
(``int("١٢")`` is 12), ids past BIGINT - is "not an id", so a lookup answers "not found"
or "bad input" instead of overflowing the database query (a 500). The crm app owns it
because every app may import crm.
"""

from __future__ import annotations

#: The largest id a database row can have (BIGINT); a bigger one would overflow the query.
MAX_ID = 2**63 - 1


def parse_id(raw: object) -> int | None:
    """The id ``raw`` writes (``"42"``, ``" 42 "``, ``42``), or None when it cannot be one.
    0 parses (it names no row, so a lookup of it finds nothing)."""
    return _digits(str(raw).strip())


def parse_id_bound(raw: object) -> int | None:
    """A value compared with ids (``hs_object_id GT -1``): an id or its negative, else None."""
    text = str(raw).strip()
    if text.startswith("-"):
        value = _digits(text[1:])
        return None if value is None else -value
    return _digits(text)


def _digits(text: str) -> int | None:
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= MAX_ID else None
