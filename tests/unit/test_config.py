"""Config parsing: units, ranges, one-line errors naming the field, overrides, schema."""

from __future__ import annotations

import json

import pytest

from eisfem.cli.main import main
from eisfem.config import apply_overrides, load_config, parse_config
from eisfem.core.errors import ConfigError
from tests.helpers import ROOT

DEMO = ROOT / "configs" / "demo.yaml"


def base() -> dict:
    return {
        "cell": {"shape": "patch", "side": "100 um", "thickness": "30 um"},
        "interface": {"kind": "pores", "radius": "20 um", "height": "1 um", "spacing": "50 um"},
        "materials": {"electrolyte": {"conductivity": "5.5 mS/cm", "permittivity": 30}},
    }


def error_of(raw: dict) -> str:
    with pytest.raises(ConfigError) as info:
        parse_config(raw, "cfg.yaml")
    return str(info.value)


def test_units_are_converted_to_si():
    cfg = parse_config(base())
    assert cfg.cell.side == pytest.approx(100e-6)
    assert cfg.materials.electrolyte.conductivity == pytest.approx(0.55)
    assert cfg.interface.height == pytest.approx(1e-6)
    assert cfg.frequencies.max == pytest.approx(1e7)


def test_bare_numbers_are_si():
    raw = base()
    raw["cell"]["thickness"] = 3e-5
    assert parse_config(raw).cell.thickness == pytest.approx(3e-5)


def test_wrong_dimension_names_field_and_unit():
    raw = base()
    raw["materials"]["electrolyte"]["conductivity"] = "5 mS"
    msg = error_of(raw)
    assert msg.count("\n") == 0
    assert msg.startswith("cfg.yaml: materials.electrolyte.conductivity:")
    assert "S/m" in msg


def test_out_of_range_names_allowed_range():
    raw = base()
    raw["interface"]["radius"] = "-2 um"
    msg = error_of(raw)
    assert "interface.radius" in msg and "> 0 m" in msg


def test_unknown_field_is_refused():
    raw = base()
    raw["cell"]["sidee"] = "1 um"
    assert "cell.sidee: unknown field" in error_of(raw)


def test_unknown_kind_lists_the_choices():
    raw = base()
    raw["interface"]["kind"] = "holes"
    msg = error_of(raw)
    assert "interface" in msg and "'pores'" in msg


def test_overlapping_pores_are_refused_before_meshing():
    raw = base()
    raw["interface"]["radius"] = "25 um"
    assert "interface.spacing must be >= 2 × radius + min_distance" in error_of(raw)


def test_patch_must_hold_whole_lattice_cells():
    raw = base()
    raw["interface"]["spacing"] = "45 um"
    assert "cell.side must be a whole multiple of interface.spacing" in error_of(raw)


def test_disk_larger_than_electrode_is_refused():
    raw = base()
    raw["interface"] = {"kind": "disk", "radius": "60 um"}
    assert "interface.radius must be <" in error_of(raw)


def test_frequency_order():
    raw = base()
    raw["frequencies"] = {"max": "1 Hz", "min": "1 kHz"}
    assert "frequencies.max must be > frequencies.min" in error_of(raw)


def test_overrides_parse_yaml_values():
    raw = apply_overrides(base(), ["solver.degree=2", "interface.radius=10 um", "new.key=[1, 2]"])
    assert raw["solver"]["degree"] == 2
    assert raw["interface"]["radius"] == "10 um"
    assert raw["new"]["key"] == [1, 2]
    with pytest.raises(ConfigError):
        apply_overrides(base(), ["no_equals_sign"])


def test_yaml_syntax_error_is_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("cell: {shape: patch\n  side: 1\n")
    with pytest.raises(ConfigError) as info:
        load_config(bad)
    assert str(info.value).startswith(str(bad)) and "line" in str(info.value)


def test_demo_config_is_valid_and_cli_validate(capsys):
    cfg = load_config(DEMO)
    assert cfg.interface.kind == "pores"
    assert main(["validate", str(DEMO)]) == 0
    assert main(["validate", str(DEMO), "--set", "interface.radius=-1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("eisfem: error:") and "interface.radius" in err


def test_schema_is_json(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "cell" in schema["properties"]
