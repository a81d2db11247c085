"""Reading JSON into frozen dataclasses and back, collecting every problem on the way.

Each node class declares its JSON keys with ``meta(...)`` field metadata; ``parse_node`` reads a
dict into the class (unknown keys, missing keys and wrong JSON types become ``Problem``s, the
parse goes on) and ``node_json`` writes it back. Optional keys that were absent stay ``None``
and are left out again, so ``node_json(parse_node(x)) == x`` for every well-formed ``x``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

from .problems import Problem

Resolver = Callable[[Any, str, list[Problem]], Any]


def meta(
    json_name: str,
    kind: str,
    *,
    choices: tuple[str, ...] = (),
    resolver: Resolver | None = None,
) -> dict[str, Any]:
    """Field metadata: the JSON key and its kind (str, int, number, bool, strs, choice, node, raw, month).

    A field with a default (``field(default=None, metadata=meta(...))``) is optional.
    """
    return {"json": json_name, "kind": kind, "choices": choices, "resolver": resolver}


def join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 60 else f'"{value[:57]}..."'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


# --------------------------------------------------------------------------- frozen JSON


def freeze(value: Any) -> Any:
    """JSON -> hashable: dicts become sorted tuples of pairs tagged as dicts, lists tuples."""
    if isinstance(value, dict):
        return ("__dict__", tuple(sorted((k, freeze(v)) for k, v in value.items())))
    if isinstance(value, list):
        return ("__list__", tuple(freeze(v) for v in value))
    return value


def thaw(value: Any) -> Any:
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "__dict__":
        return {k: thaw(v) for k, v in value[1]}
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "__list__":
        return [thaw(v) for v in value[1]]
    return value


# --------------------------------------------------------------------------- reading


def _is_int(value: Any) -> bool:
    return type(value) is int or (
        type(value) is float and value.is_integer() and abs(value) < 2**53
    )


def _read_value(
    kind: str, meta: dict[str, Any], value: Any, path: str, problems: list[Problem]
) -> Any:
    def bad(expected: str) -> None:
        problems.append(Problem(path, f"must be {expected}, not {describe(value)}"))

    if kind == "str":
        if isinstance(value, str):
            return value
        return bad("a string")
    if kind == "int":
        if _is_int(value):
            return int(value)
        return bad("a whole number")
    if kind == "number":
        if type(value) in (int, float) and math.isfinite(value):
            return value
        return bad("a number")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        return bad("true or false")
    if kind == "strs":
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        return bad("a list of strings")
    if kind == "choice":
        choices = meta["choices"]
        if isinstance(value, str) and value in choices:
            return value
        problems.append(Problem(path, f"{describe(value)} is not one of {', '.join(choices)}"))
        return None
    if kind == "month":  # DATE operations: HubSpot's spec says string, examples use numbers
        if _is_int(value) or isinstance(value, str):
            return int(value) if _is_int(value) else value
        return bad("a month (1-12 or a month name)")
    if kind == "node":
        return meta["resolver"](value, path, problems)
    if kind == "raw":
        return freeze(value)
    raise ValueError(f"unknown kind {kind!r}")


class Reader:
    """Reads keys of one JSON object; ``finish`` reports the keys nobody asked for."""

    def __init__(
        self, data: Any, path: str, problems: list[Problem], what: str = "an object"
    ) -> None:
        self.path = path
        self.problems = problems
        self.ok = isinstance(data, dict)
        if not self.ok:
            problems.append(Problem(path, f"must be {what}, not {describe(data)}"))
        self.data: dict[str, Any] = data if self.ok else {}
        self.used: set[str] = set()

    def has(self, name: str) -> bool:
        return name in self.data

    def raw(self, name: str) -> Any:
        self.used.add(name)
        return self.data.get(name)

    def finish(self) -> None:
        for name in self.data:
            if name not in self.used:
                self.problems.append(Problem(join(self.path, name), f'unknown key "{name}"'))


def parse_fields(cls: type, reader: Reader, skip: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """Values for ``cls``'s fields read from ``reader``; None if a required one is missing or bad."""
    values: dict[str, Any] = {}
    complete = True
    for f in dataclasses.fields(cls):
        meta = f.metadata
        if not meta or f.name in skip:
            continue
        name = meta["json"]
        if not reader.has(name) or reader.data[name] is None:
            reader.raw(name)
            if f.default is dataclasses.MISSING:
                reader.problems.append(Problem(join(reader.path, name), "is required"))
                complete = False
            values[f.name] = None
            continue
        value = _read_value(
            meta["kind"], meta, reader.raw(name), join(reader.path, name), reader.problems
        )
        if value is None:
            complete = False
        values[f.name] = value
    return values if complete else None


def parse_node(cls: type, data: Any, path: str, problems: list[Problem], **extra: Any) -> Any:
    reader = Reader(data, path, problems)
    for name in extra.pop("_consumed", ()):
        reader.raw(name)
    values = parse_fields(cls, reader)
    reader.finish()
    if values is None or not reader.ok:
        return None
    return cls(**values, **extra)


def parse_tagged(
    data: Any,
    path: str,
    problems: list[Problem],
    *,
    key: str,
    classes: dict[str, type],
    noun: str,
) -> Any:
    """A node whose class is named by its ``key`` field (HubSpot's discriminators:
    ``filterType``, ``operationType``, ``timeType``): one parser for all of them, so a
    missing or unknown tag reads the same everywhere."""
    reader = Reader(data, path, problems)
    if not reader.ok:
        return None
    tag = reader.raw(key)
    cls = classes.get(tag) if isinstance(tag, str) else None
    if cls is None:
        where = join(path, key)
        if tag is None:
            problems.append(Problem(where, "is required"))
        else:
            problems.append(
                Problem(where, f"{describe(tag)} is not {noun} (one of {', '.join(classes)})")
            )
        return None
    values = parse_fields(cls, reader)
    reader.finish()
    return cls(**values) if values is not None else None


def node_json(node: Any) -> dict[str, Any]:
    """The JSON keys of a node, in declaration order, optional ones only when set."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(node):
        meta = f.metadata
        if not meta:
            continue
        value = getattr(node, f.name)
        if value is None:
            continue
        kind = meta["kind"]
        if kind == "strs":
            out[meta["json"]] = list(value)
        elif kind == "node":
            out[meta["json"]] = value.to_json()
        elif kind == "raw":
            out[meta["json"]] = thaw(value)
        else:
            out[meta["json"]] = value
    return out
