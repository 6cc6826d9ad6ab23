"""Typed records ↔ JSON ↔ JSON Schema (eisfem.core.records) and the published summary schema."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError, dataclass

import jsonschema
import pytest

from eisfem.core.records import (
    RecordError,
    from_json,
    inline,
    json_schema,
    optional,
    renamed,
    to_json,
)
from eisfem.simulation.result import summary_schema
from tests.helpers import ROOT


@dataclass(frozen=True, kw_only=True)
class Inner:
    x: float
    tag: str | None


@dataclass(frozen=True, kw_only=True)
class Failure:
    error: str


@dataclass(frozen=True, kw_only=True)
class Outer:
    """An outer record."""

    name: str
    extra: Inner | None = optional()
    by_label: dict[str, float | str] = inline()
    odd: int = renamed("odd^key")
    items: list[Inner]
    either: Inner | Failure
    counts: dict[str, int]


def sample(**changes) -> Outer:
    values = {
        "name": "a",
        "by_label": {"R_bulk_ohm": 2.5, "R_bulk_from": "series"},
        "odd": 3,
        "items": [Inner(x=1.0, tag=None), Inner(x=0.5, tag="t")],
        "either": Failure(error="no arcs"),
        "counts": {"pores": 2},
    }
    return Outer(**(values | changes))


def test_round_trip_keeps_keys_order_and_values():
    record = sample(extra=Inner(x=2.0, tag="e"))
    data = to_json(record)
    assert list(data) == [
        "name",
        "extra",
        "R_bulk_ohm",
        "R_bulk_from",
        "odd^key",
        "items",
        "either",
        "counts",
    ]
    assert data["items"][0] == {"x": 1.0, "tag": None}  # plain None fields are written as null
    back = from_json(Outer, json.loads(json.dumps(data)))
    assert back == record
    with pytest.raises(FrozenInstanceError):
        back.name = "b"  # type: ignore[misc]


def test_optional_none_is_left_out_and_read_back_as_none():
    data = to_json(sample())
    assert "extra" not in data
    assert from_json(Outer, data).extra is None


def test_union_members_are_told_apart_by_their_keys():
    data = to_json(sample(either=Inner(x=3.0, tag=None)))
    assert from_json(Outer, data).either == Inner(x=3.0, tag=None)


def test_reading_names_the_bad_key():
    data = to_json(sample())
    del data["odd^key"]
    with pytest.raises(RecordError, match="missing 'odd\\^key'"):
        from_json(Outer, data)
    data = to_json(sample())
    data["items"][1]["x"] = "wide"
    with pytest.raises(RecordError, match=r"Outer: items\[1\].x: expected float"):
        from_json(Outer, data)
    data = to_json(sample())
    data["items"][0]["surprise"] = 1
    with pytest.raises(RecordError, match="unknown key"):
        from_json(Outer, data)


def test_schema_accepts_what_is_written_and_rejects_what_is_not():
    schema = json_schema(Outer)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(to_json(sample(extra=Inner(x=2.0, tag="e"))), schema)
    jsonschema.validate(to_json(sample()), schema)
    bad = to_json(sample())
    bad["extra"] = None  # an optional section is absent, never null
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    bad = to_json(sample())
    bad["items"][0]["unexpected"] = 1.0
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    bad = to_json(sample())
    bad["R_bulk_ohm"] = [1.0]  # inline values keep their type
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    assert schema["$defs"]["Outer"]["description"] == "An outer record."


def test_numpy_values_become_plain_json():
    np = pytest.importorskip("numpy")
    data = to_json(sample(items=[Inner(x=np.float64(1.5), tag=None)]))
    assert type(data["items"][0]["x"]) is float
    assert json.loads(json.dumps(data))["items"][0]["x"] == 1.5


def test_checked_in_summary_schema_is_current():
    """docs/summary.schema.json is what `eisfem schema --summary` prints today."""
    stored = json.loads((ROOT / "docs" / "summary.schema.json").read_text())
    # if this fails: eisfem schema --summary > docs/summary.schema.json
    assert stored == summary_schema()
    jsonschema.Draft202012Validator.check_schema(stored)
