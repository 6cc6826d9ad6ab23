"""Fit files: bounds the run-config validator refuses stop the fit before any solve, with one
line naming the fit file, the field and the reason; values come back in SI."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from eisfem.core.errors import ConfigError
from eisfem.inverse.fitfile import load_fit

BASE = {
    "cell": {"shape": "patch", "side": "40 um", "thickness": "20 um"},
    "interface": {
        "kind": "pores",
        "shape": "cylinder",
        "placement": "square",
        "spacing": "20 um",
        "radius": "5 um",
        "height": "100 nm",
    },
    "materials": {"electrolyte": {"conductivity": "5.5 mS/cm", "permittivity": 30}},
}


def fit_file(tmp_path: Path, free: dict, **extra) -> Path:
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(BASE))
    path = tmp_path / "fit.yaml"
    raw = {"base": "base.yaml", "measured": {"path": "m.csv"}, "free": free} | extra
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def refused(path: Path, overrides: list[str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load_fit(path, overrides)
    return str(info.value)


def test_bounds_are_read_in_si_and_the_start_is_the_base_value(tmp_path: Path):
    free = {
        "interface.radius": {"low": "2 um", "high": "0.008 mm"},
        "interface.height": {"low": "20 nm", "high": "1 um", "scale": "log"},
    }
    problem = load_fit(fit_file(tmp_path, free, frequencies={"min": "1 kHz", "max": "10 MHz"}))
    (r, h) = problem.coords
    assert (r.low, r.high) == pytest.approx((2e-6, 8e-6))
    assert r.scale == "linear"
    assert (h.low, h.high) == pytest.approx((20e-9, 1e-6))
    assert problem.start == pytest.approx([5e-6, 100e-9])
    assert problem.window == pytest.approx((1e3, 1e7))


def test_a_bound_the_validator_refuses_names_the_field(tmp_path: Path):
    free = {"interface.radius": {"low": "2 um", "high": "12 um"}}
    message = refused(fit_file(tmp_path, free))
    assert "fit.yaml: free.interface.radius.high" in message
    assert "spacing" in message and "\n" not in message


def test_a_corner_of_the_box_the_validator_refuses(tmp_path: Path):
    """Each bound passes with the other field at its base value, a corner does not: an
    electrode of 400 µm radius 200 µm off the axis of a 500 µm pellet."""
    free = {
        "cell.electrode_radius": {"low": "100 um", "high": "400 um"},
        "cell.electrode_offset": {"low": "0 um", "high": "200 um"},
    }
    pellet = {"shape": "cylinder", "radius": "500 um", "thickness": "200 um"}
    base = BASE | {"cell": pellet | {"electrode_radius": "200 um"}, "interface": {"kind": "full"}}
    message = refused(fit_file(tmp_path, free, base=base))
    corner = "cell.electrode_radius=0.0004, cell.electrode_offset=0.0002"
    assert f"free: at the corner {corner}" in message


@pytest.mark.parametrize(
    ("free", "expected"),
    [
        ({"interface.height": {"low": "0 nm", "high": "1 um", "scale": "log"}}, "low"),
        ({"interface.height": {"low": "1 um", "high": "20 nm"}}, "high must be > low"),
        ({"interface.shape": {"low": 1, "high": 2}}, "free.interface.shape.low"),
        ({"interface.seed": {"low": 1, "high": 2}}, "not a continuous quantity"),
        ({"interface.raduis": {"low": "1 um", "high": "2 um"}}, "unknown field"),
        ({"interface.height": {"low": "1 um", "high": "2 um", "start": "3 um"}}, "start"),
        ({"interface.height": {"low": "5 kHz", "high": "2 um"}}, "wrong dimension"),
    ],
)
def test_bad_free_fields_are_one_line_errors(tmp_path: Path, free: dict, expected: str):
    message = refused(fit_file(tmp_path, free))
    assert expected in message and "\n" not in message


def test_set_overrides_fix_base_fields(tmp_path: Path):
    free = {"interface.height": {"low": "20 nm", "high": "1 um", "scale": "log"}}
    path = fit_file(tmp_path, free)
    assert load_fit(path, ["interface.radius=6 um"]).config([1e-7]).interface.radius == 6e-6
    assert "fit.yaml (base): interface" in refused(path, ["interface.radius=15 um"])
