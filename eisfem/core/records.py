"""Typed records as JSON: write a frozen dataclass tree, read it back, describe it as JSON Schema.

Results (summary.json of a run) are frozen dataclasses whose field names are the JSON keys, so
the Python attribute and the file key are one name. Three conventions of the existing files do
not map onto plain ``dataclasses.asdict``, hence this small module rather than pydantic (whose
support for stdlib dataclasses has none of them):

* a field made with :func:`optional` is left out of the JSON object when it is None (a section
  that exists only for some runs, e.g. ``dc``), while a plain ``float | None`` field is written
  as null (e.g. an open-circuit DC resistance);
* a field made with :func:`inline` is a ``dict`` (or a record) whose items sit directly in the
  parent object (keys named after data, e.g. ``R_<arc label>_ohm`` of a circuit fit; focusing
  metrics beside their frequency); on reading, every key that is not another field's goes in;
* a field made with :func:`renamed` has a JSON key that is no Python name (``Y_S_s^n``).

Supported field types: dataclasses, ``bool``, ``int``, ``float``, ``str``, ``None``, ``Any``,
``Literal``, unions, ``list[T]``, ``tuple[T, ...]`` and ``dict[str, T]``.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from functools import cache
from typing import Any, Literal, TypeVar, Union

from eisfem.core.errors import EisfemError

T = TypeVar("T")  # a plain TypeVar: the repo's tools parse Python 3.11 syntax

_KIND = "records"
OMIT_NONE = "omit_none"
INLINE = "inline"


def record(cls: type) -> type:
    """Frozen, keyword-only dataclass: records are built once and never edited."""
    return dataclasses.dataclass(frozen=True, kw_only=True)(cls)


def optional(*, doc: str = "") -> Any:
    """A field that defaults to None and is left out of the JSON object when None."""
    return dataclasses.field(default=None, metadata={_KIND: OMIT_NONE, "doc": doc})


def inline(*, doc: str = "") -> Any:
    """A ``dict`` field (or a record, or None) whose items are keys of the enclosing object."""
    return dataclasses.field(default=None, metadata={_KIND: INLINE, "doc": doc})


def renamed(key: str, *, doc: str = "") -> Any:
    """A field written under ``key``, a JSON key that is no Python name (e.g. ``Y_S_s^n``)."""
    return dataclasses.field(metadata={"key": key, "doc": doc})


def _kind(f: dataclasses.Field) -> str | None:
    return f.metadata.get(_KIND)


def _key(f: dataclasses.Field) -> str:
    return f.metadata.get("key", f.name)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


# --- writing ----------------------------------------------------------------------------------


def to_json(value: Any) -> Any:
    """``value`` as JSON-ready Python (dicts in field order, lists, plain scalars)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if _kind(f) == INLINE:
                out |= to_json(item) if item is not None else {}
            elif not (item is None and _kind(f) == OMIT_NONE):
                out[_key(f)] = to_json(item)
        return out
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if hasattr(value, "tolist"):  # NumPy scalars and arrays
        return to_json(value.tolist())
    return value


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """JSON data (e.g. :func:`to_json` of a record) as one row ``{dotted.key: scalar}``.

    Nested keys join with dots (``geometry.contact_fraction``); list items are numbered after
    the singular of the list's name (``arcs`` → ``arc0.apex_frequency_Hz``): the columns of a
    sweep's results table.
    """
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            out |= flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(data, list):
        stem = prefix.removesuffix("s")
        out = {}
        for i, item in enumerate(data):
            out |= flatten(item, f"{stem}{i}")
        return out
    return {prefix: data}


# --- reading ----------------------------------------------------------------------------------


class RecordError(EisfemError, ValueError):
    """JSON that does not fit the record type (the message names the key)."""


def from_json(cls: type[T], data: Any, source: str = "") -> T:
    """Rebuild a record of type ``cls`` from what :func:`to_json` wrote.

    A mismatch raises :class:`RecordError` naming ``source`` (default: the type) and the key,
    e.g. ``summary.json: fit.arcs[0]: missing 'tau_s'``.
    """
    try:
        return _convert(cls, data, "")
    except RecordError as exc:
        raise RecordError(f"{source or cls.__name__}: {exc}") from None


def _fail(where: str, message: str) -> RecordError:
    return RecordError(f"{where}: {message}" if where else message)


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _union_members(tp: Any) -> tuple[Any, ...] | None:
    if typing.get_origin(tp) in (Union, types.UnionType):
        return typing.get_args(tp)
    return None


def _convert(tp: Any, data: Any, where: str) -> Any:
    if tp is Any:
        return data
    members = _union_members(tp)
    if members is not None:
        if data is None and type(None) in members:
            return None
        errors = []
        for member in (m for m in members if m is not type(None)):
            try:
                return _convert(member, data, where)
            except RecordError as exc:
                errors.append(str(exc))
        raise RecordError("; ".join(errors))
    if dataclasses.is_dataclass(tp):
        return _record(tp, data, where)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is Literal:
        if data not in args:
            raise _fail(where, f"{data!r} is not one of {list(args)}")
        return data
    if origin in (list, tuple):
        if not isinstance(data, list):
            raise _fail(where, f"expected a list, got {type(data).__name__}")
        item = args[0] if args else Any
        items = [_convert(item, v, f"{where}[{i}]") for i, v in enumerate(data)]
        return items if origin is list else tuple(items)
    if origin is dict:
        if not isinstance(data, dict):
            raise _fail(where, f"expected an object, got {type(data).__name__}")
        value = args[1] if args else Any
        return {k: _convert(value, v, _at(where, k)) for k, v in data.items()}
    return _scalar(tp, data, where)


def _scalar(tp: Any, data: Any, where: str) -> Any:
    if tp is type(None):
        if data is not None:
            raise _fail(where, "expected null")
        return None
    if tp is float and isinstance(data, int | float) and not isinstance(data, bool):
        return float(data)
    if tp is int and isinstance(data, int) and not isinstance(data, bool):
        return data
    if tp in (str, bool) and isinstance(data, tp):
        return data
    raise _fail(where, f"expected {tp.__name__}, got {data!r}")


def _record(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise _fail(where, f"expected an object, got {type(data).__name__}")
    hints = _hints(cls)
    fields = dataclasses.fields(cls)
    named = {_key(f) for f in fields if _kind(f) != INLINE}
    values: dict[str, Any] = {}
    for f in fields:
        if _kind(f) == INLINE:
            rest = {k: v for k, v in data.items() if k not in named}
            values[f.name] = _inline_value(hints[f.name], rest, where)
        elif _key(f) in data:
            values[f.name] = _convert(hints[f.name], data[_key(f)], _at(where, _key(f)))
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise _fail(where, f"missing {_key(f)!r}")
    if not any(_kind(f) == INLINE for f in fields) and (extra := set(data) - named):
        raise _fail(where, f"unknown key(s) {sorted(extra)}")
    return cls(**values)


def _inline_value(tp: Any, rest: dict[str, Any], where: str) -> Any:
    """The keys no other field took: None (if allowed) when there are none."""
    if not rest and type(None) in (_union_members(tp) or ()):
        return None
    return _convert(tp, rest, where)


# --- schema -----------------------------------------------------------------------------------


def json_schema(cls: type, title: str | None = None) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of what :func:`to_json` writes for records of type ``cls``."""
    defs: dict[str, Any] = {}
    root = _schema(cls, defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title or cls.__name__,
        **root,
        "$defs": dict(sorted(defs.items())),
    }


def _schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    if tp is Any:
        return {}
    members = _union_members(tp)
    if members is not None:
        return {"anyOf": [_schema(m, defs) for m in members]}
    if dataclasses.is_dataclass(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # placeholder: recursive and shared records are written once
            defs[name] = _object_schema(tp, defs)
        return {"$ref": f"#/$defs/{name}"}
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is Literal:
        return {"enum": list(args)}
    if origin in (list, tuple):
        return {"type": "array", "items": _schema(args[0] if args else Any, defs)}
    if origin is dict:
        return {"type": "object", "additionalProperties": _schema(args[1], defs)}
    scalar = {float: "number", int: "integer", str: "string", bool: "boolean"}
    if tp is type(None):
        return {"type": "null"}
    if tp in scalar:
        return {"type": scalar[tp]}
    raise TypeError(f"no JSON schema for {tp!r}")


def _object_schema(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    hints = _hints(cls)
    properties: dict[str, Any] = {}
    required: list[str] = []
    extra: Any = False
    for f in dataclasses.fields(cls):
        if _kind(f) == INLINE:
            inner = _inline_schema(hints[f.name], defs)
            properties |= inner.get("properties", {})
            extra = inner.get("additionalProperties", False)
            continue
        schema = _schema(hints[f.name], defs)
        if _kind(f) == OMIT_NONE:
            schema = _without_null(schema)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            required.append(_key(f))
        if doc := f.metadata.get("doc"):
            schema = {"description": doc, **schema}
        properties[_key(f)] = schema
    out: dict[str, Any] = {"type": "object"}
    if cls.__doc__ and not cls.__doc__.startswith(f"{cls.__name__}("):
        out["description"] = " ".join(cls.__doc__.split())
    out |= {"properties": properties, "required": required, "additionalProperties": extra}
    return out


def _inline_schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    """The object an inline field adds to its parent (its keys are never required)."""
    members = [m for m in (_union_members(tp) or (tp,)) if m is not type(None)]
    (member,) = members
    if dataclasses.is_dataclass(member):
        _schema(member, defs)
        return defs[member.__name__]
    return _schema(member, defs)


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """An omitted-when-None field never holds null in the file."""
    options = [s for s in schema.get("anyOf", []) if s != {"type": "null"}]
    if "anyOf" not in schema:
        return schema
    return options[0] if len(options) == 1 else {"anyOf": options}


def finite(x: float) -> float | None:
    """JSON has no infinity or NaN: such a number is written as null."""
    return float(x) if math.isfinite(x) else None
