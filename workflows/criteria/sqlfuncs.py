"""SQL expressions on the JSON ``properties`` column that mean the same on SQLite and PostgreSQL.

Every boolean here is NULL-safe (COALESCE(..., false)) so that a negation (``~Q``) of a
missing key is TRUE, as it is in Python - SQL's three-valued NOT would otherwise drop the row.
Keys are passed as parameters, never spliced into SQL.

Case-insensitive text uses ``LOWER`` on PostgreSQL and, on SQLite (whose LOWER folds ASCII
only), a ``criteria_lower`` function registered on every connection that is Python's
``str.lower`` - the function the Python evaluator uses. PostgreSQL's LOWER follows the
database locale; it agrees with Python for the letters of European languages, but may differ
on rare characters (Turkish dotted I, for one).
"""

from __future__ import annotations

from typing import Any

from django.db import NotSupportedError
from django.db.backends.signals import connection_created
from django.db.models import BooleanField, Expression, FloatField, Func, TextField

from . import kinds

_SQLITE_TYPES = {
    kinds.STRING: "= 'text'",
    kinds.NUMBER: "IN ('integer', 'real')",
    kinds.BOOL: "IN ('true', 'false')",
    kinds.DATE: "= 'text'",
    kinds.INSTANT: "= 'text'",
}
_PG_TYPES = {
    kinds.STRING: "= 'string'",
    kinds.NUMBER: "= 'number'",
    kinds.BOOL: "= 'boolean'",
    kinds.DATE: "= 'string'",
    kinds.INSTANT: "= 'string'",
}
_LENGTHS = {kinds.DATE: kinds.DATE_LENGTH, kinds.INSTANT: kinds.INSTANT_LENGTH}


class _Json(Func):
    """Base: ``source`` is the JSON column; ``key`` a top-level key, or None for the whole value."""

    arity = 1

    def __init__(self, source: Any, key: str | None, **extra: Any) -> None:
        super().__init__(source, **extra)
        self.key = key

    def _parts(
        self, compiler: Any, connection: Any
    ) -> tuple[str, list[Any], str, str, str, list[Any]]:
        """(column sql, params, type sql, text sql, text params) for the vendor."""
        column, params = compiler.compile(self.source_expressions[0])
        params = list(params)
        if connection.vendor == "postgresql":
            if self.key is None:
                return column, params, f"jsonb_typeof({column})", f"({column} #>> '{{}}')", "", []
            return (
                column,
                params,
                f"jsonb_typeof({column} -> %s)",
                f"({column} ->> %s)",
                "k",
                [self.key],
            )
        if connection.vendor == "sqlite":
            path = "$" if self.key is None else '$."' + self.key.replace('"', '""') + '"'
            return (
                column,
                params,
                f"json_type({column}, %s)",
                f"json_extract({column}, %s)",
                "p",
                [path],
            )
        raise NotSupportedError(
            f"criteria SQL supports SQLite and PostgreSQL, not {connection.vendor}"
        )

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        _, params, type_sql, text_sql, _, key_params = self._parts(compiler, connection)
        return self.render(connection.vendor, type_sql, text_sql, params, key_params)

    def render(
        self, vendor: str, type_sql: str, text_sql: str, params: list[Any], key_params: list[Any]
    ) -> tuple[str, list[Any]]:
        raise NotImplementedError


def _repeat(fragment_count: int, params: list[Any], key_params: list[Any]) -> list[Any]:
    return (params + key_params) * fragment_count


class JsonKindIs(_Json):
    """TRUE when the value exists and has the shape ``kind`` expects (``kinds.is_kind``)."""

    output_field = BooleanField()

    def __init__(self, source: Any, key: str | None, kind: str) -> None:
        super().__init__(source, key)
        self.kind = kind

    def render(self, vendor, type_sql, text_sql, params, key_params):
        table = _PG_TYPES if vendor == "postgresql" else _SQLITE_TYPES
        false = "false" if vendor == "postgresql" else "0"
        length_fn = "char_length" if vendor == "postgresql" else "length"
        test = f"{type_sql} {table[self.kind]}"
        if self.kind in _LENGTHS:
            sql = f"COALESCE(({test} AND {length_fn}({text_sql}) = {_LENGTHS[self.kind]}), {false})"
            return sql, _repeat(2, params, key_params)
        return f"COALESCE(({test}), {false})", _repeat(1, params, key_params)


class JsonPresent(_Json):
    """TRUE when the key is there and not JSON null - HubSpot's "has a value"."""

    output_field = BooleanField()

    def render(self, vendor, type_sql, text_sql, params, key_params):
        false = "false" if vendor == "postgresql" else "0"
        return f"COALESCE(({type_sql} <> 'null'), {false})", _repeat(1, params, key_params)


class JsonText(_Json):
    """The value as text; meaningful only where the kind is a string kind."""

    output_field = TextField()

    def render(self, vendor, type_sql, text_sql, params, key_params):
        return text_sql, _repeat(1, params, key_params)


class JsonNumber(_Json):
    """The value as a double when it is a JSON number, else NULL (never a cast error)."""

    output_field = FloatField()

    def render(self, vendor, type_sql, text_sql, params, key_params):
        if vendor == "postgresql":
            sql = f"(CASE WHEN {type_sql} = 'number' THEN CAST({text_sql} AS double precision) END)"
        else:
            sql = f"(CASE WHEN {type_sql} IN ('integer', 'real') THEN CAST({text_sql} AS REAL) END)"
        return sql, _repeat(2, params, key_params)


class JsonBoolIs(_Json):
    """TRUE when the value is the JSON boolean ``value``."""

    output_field = BooleanField()

    def __init__(self, source: Any, key: str | None, value: bool) -> None:
        super().__init__(source, key)
        self.value = value

    def render(self, vendor, type_sql, text_sql, params, key_params):
        word = "true" if self.value else "false"
        if vendor == "postgresql":
            sql = f"COALESCE(({type_sql} = 'boolean' AND {text_sql} = '{word}'), false)"
            return sql, _repeat(2, params, key_params)
        return f"COALESCE(({type_sql} = '{word}'), 0)", _repeat(1, params, key_params)


class Lower(Func):
    """Python's ``str.lower`` on SQLite (registered function), LOWER on PostgreSQL."""

    arity = 1
    output_field = TextField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        inner, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "sqlite":
            return f"criteria_lower({inner})", list(params)
        return f"LOWER({inner})", list(params)


class Sortable(Func):
    """Text compared byte-wise (dates, instants), whatever the database's collation."""

    arity = 1
    output_field = TextField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        inner, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            return f'(({inner}) COLLATE "C")', list(params)
        return inner, list(params)


class TimestampText(Func):
    """A timestamp column as fixed-width UTC text with milliseconds (``crm.values.format_datetime``).

    Milliseconds are truncated, as ``format_datetime`` truncates. SQLite stores Django
    datetimes as ``YYYY-MM-DD HH:MM:SS[.ffffff]`` in UTC, which is reshaped as text.
    """

    arity = 1
    output_field = TextField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        inner, params = compiler.compile(self.source_expressions[0])
        params = list(params)
        if connection.vendor == "postgresql":
            return (
                f"to_char(({inner}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
            ), params
        sql = (
            f"(substr({inner}, 1, 10) || 'T' || substr({inner}, 12, 8) || '.' || "
            f"substr(substr({inner}, 21) || '000', 1, 3) || 'Z')"
        )
        return sql, params * 3


class Joined(Func):
    """Text concatenation that stays NULL when a part is NULL (Django's Concat turns NULL into '')."""

    template = "(%(expressions)s)"
    arg_joiner = " || "
    output_field = TextField()


# --------------------------------------------------------------------------- SQLite function


def _py_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def register_sqlite_functions(connection: Any) -> None:
    if connection.vendor == "sqlite" and connection.connection is not None:
        connection.connection.create_function("criteria_lower", 1, _py_lower, deterministic=True)


def _on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    register_sqlite_functions(connection)


connection_created.connect(_on_connection_created, dispatch_uid="workflows.criteria.sqlfuncs")


def ensure_functions() -> None:
    """Register on connections opened before this module was imported."""
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        register_sqlite_functions(conn)


def is_expression(value: Any) -> bool:
    return isinstance(value, Expression)
