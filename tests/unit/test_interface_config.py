"""Config of kinetics, grain boundaries, temperature, presets and DC: units, presets that
fill only what is left out, and one-line errors that name the field."""

from __future__ import annotations

import pytest

from eisfem.config import parse_config
from eisfem.core.errors import ConfigError


def base(**sections) -> dict:
    raw = {
        "cell": {"shape": "patch", "side": "100 um", "thickness": "30 um"},
        "materials": {"electrolyte": {"conductivity": "5.5 mS/cm", "permittivity": 30}},
    }
    raw.update(sections)
    return raw


def error_of(raw: dict) -> str:
    with pytest.raises(ConfigError) as info:
        parse_config(raw, "cfg.yaml")
    message = str(info.value)
    assert message.count("\n") == 0
    return message


def test_kinetics_units_and_temperature_are_si():
    cfg = parse_config(
        base(
            temperature="-40 degC",
            kinetics={
                "we": {
                    "charge_transfer_resistance": "7 ohm*cm^2",
                    "double_layer_capacitance": "10 uF/cm^2",
                    "activation_energy": "0.37 eV",
                },
                "ce": {"exchange_current_density": "1 mA/cm^2"},
            },
            dc={"current_density": "-0.5 mA/cm^2"},
        )
    )
    assert cfg.temperature == pytest.approx(233.15)
    assert cfg.kinetics.we.charge_transfer_resistance == pytest.approx(7e-4)
    assert cfg.kinetics.we.double_layer_capacitance == pytest.approx(0.1)
    assert cfg.kinetics.ce.exchange_current_density == pytest.approx(10.0)
    assert cfg.dc.current_density == pytest.approx(-5.0)


def test_preset_fills_only_what_the_user_left_out():
    raw = base()
    raw["materials"]["electrolyte"] = {
        "preset": "NZSP-polycrystal",
        "conductivity": "12 mS/cm",
        "grain_boundaries": {"thickness": "50 nm"},
    }
    e = parse_config(raw).materials.electrolyte
    assert e.conductivity == pytest.approx(1.2)  # the user's
    assert e.activation_energy == pytest.approx(0.26)  # the preset's
    assert e.grain_boundaries.thickness == pytest.approx(50e-9)
    assert e.grain_boundaries.activation_energy == pytest.approx(0.36)


@pytest.mark.parametrize(
    ("sections", "expected"),
    [
        ({"materials": {"electrolyte": {"preset": "NZS"}}}, "is not one of ['NZSP'"),
        (
            {
                "kinetics": {
                    "we": {"charge_transfer_resistance": 1e-4, "exchange_current_density": 10}
                }
            },
            "kinetics.we: give charge_transfer_resistance or exchange_current_density, not both",
        ),
        ({"kinetics": {"we": {"metal": "Cu"}}}, "metal Cu blocks the ion: give its double_layer"),
        (
            {
                "kinetics": {
                    "we": {
                        "metal": "Cu",
                        "charge_transfer_resistance": 1e-4,
                        "double_layer_capacitance": 0.1,
                    }
                }
            },
            "metal Cu blocks the ion: it has no charge_transfer_resistance",
        ),
        ({"kinetics": {"we": {"metal": "Li"}}}, "kinetics.we: no preset R_ct for Li|this"),
        ({"kinetics": {"ce": {"double_layer_capacitance": 0.1}}}, "kinetics.ce.double_layer"),
        ({"kinetics": {"we": {"alpha_anodic": 0}}}, "kinetics.we.alpha_anodic"),
        ({"kinetics": {"we": {"charge_transfer_resistance": "7 ohm"}}}, "Ω·m²"),
        ({"temperature": "-300 degC"}, "temperature: must be > 0 K"),
        ({"dc": {"current_density": 0}}, "dc: current_density must be non-zero"),
        (
            {
                "kinetics": {"we": {"metal": "Al", "double_layer_capacitance": 0.1}},
                "dc": {"current_density": 1},
            },
            "dc: kinetics.we.metal Al blocks the ion",
        ),
        (
            {
                "kinetics": {"we": {"layer": {"thickness": "10 nm", "conductivity": 1e-5}}},
                "dc": {"current_density": 1},
            },
            "dc.kinetics butler_volmer cannot take kinetics.we.layer",
        ),
        ({"focusing": {"thresholds": [0]}}, "focusing.thresholds"),
    ],
)
def test_bad_interface_input_names_the_field(sections, expected):
    assert expected in error_of(base(**sections))


def test_grain_boundaries_thinner_than_grains():
    raw = base()
    raw["materials"]["electrolyte"]["grain_boundaries"] = {
        "grain_size": "1 um",
        "thickness": "2 um",
        "conductivity": 1e-3,
        "permittivity": 30,
    }
    assert "grain_boundaries.thickness must be < grain_boundaries.grain_size" in error_of(raw)
