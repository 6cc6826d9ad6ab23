"""Interface kinetics, thin layers, brick-layer grain boundaries and temperature, against
closed forms on a slab (full contact) where the FE space holds the exact solution.

Tolerances: the issue's bounds (0.5 % for the series circuits, 1 % for the brick-layer arcs)
are asserted; on a slab with P1 elements the potential is piecewise linear in z, so the
series-circuit agreement is at round-off level and asserted as such too. The arc values come
from the spectrum (apex by a parabola on the log-f grid, R = 2 × apex height), so they carry
the small cross-talk of the other arc (≈ R_other/R × f_ratio⁻¹ ≈ 0.1 % here).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from eisfem.config import parse_config
from eisfem.postprocess.impedance import Spectrum, log_frequencies
from eisfem.simulation.model import build_mesh, build_system
from eisfem.simulation.temperature import temperature_series
from eisfem.solvers.arrhenius import BOLTZMANN_EV, arrhenius_factor
from eisfem.solvers.kinetics import FARADAY, GAS_CONSTANT
from eisfem.solvers.materials import EPS0
from tests.helpers import nzsp

SIGMA, EPS_R = 0.55, 30.0  # the electrolyte of nzsp()
SIDE, THICKNESS = 50e-6, 20e-6
AREA = SIDE**2
OHM_CM2 = 1e-4


def slab(**sections) -> dict:
    raw = {
        "cell": {"shape": "patch", "side": SIDE, "thickness": THICKNESS},
        "materials": nzsp(),
        "solver": {"degree": 1},
    }
    raw.update(sections)
    return raw


def system_of(raw: dict):
    cfg = parse_config(raw)
    return cfg, build_system(cfg, build_mesh(cfg))


def bulk(w: np.ndarray, thickness: float = THICKNESS) -> np.ndarray:
    return thickness / ((SIGMA + 1j * w * EPS0 * EPS_R) * AREA)


def rc(w: np.ndarray, r_area: float, c_area: float) -> np.ndarray:
    """Impedance (Ω) of an area-specific R ‖ C on the electrode area."""
    return 1.0 / ((1.0 / r_area + 1j * w * c_area) * AREA)


FREQS = log_frequencies(1e10, 1e-1, 4)
W = 2 * np.pi * FREQS


def test_charge_transfer_on_we_is_the_exact_series_circuit():
    r_ct, c_dl = 7 * OHM_CM2, 10e-6 / OHM_CM2  # 7 Ω·cm², 10 µF/cm²
    _, system = system_of(
        slab(
            kinetics={
                "we": {
                    "charge_transfer_resistance": "7 ohm*cm^2",
                    "double_layer_capacitance": "10 uF/cm^2",
                }
            }
        )
    )
    exact = bulk(W) + rc(W, r_ct, c_dl)
    Z = system.direct_impedance(FREQS)
    assert np.max(np.abs(Z / exact - 1)) < 5e-3
    assert np.max(np.abs(Z / exact - 1)) < 1e-8
    assert system.solve_dc().impedance == pytest.approx(THICKNESS / (SIGMA * AREA) + r_ct / AREA)


def test_ce_kinetics_and_we_layer_add_in_series():
    """R_ct ‖ C_dl on the counter electrode plus a thin SEI (σ, εr, d) on the WE contact."""
    d, s_l, e_l = 50e-9, 1e-5, 8.0
    _, system = system_of(
        slab(
            kinetics={
                "ce": {"exchange_current_density": "1 mA/cm^2", "double_layer_capacitance": 0.2},
                "we": {"layer": {"thickness": d, "conductivity": s_l, "permittivity": e_l}},
            }
        )
    )
    r_ct = GAS_CONSTANT * 298.15 / (FARADAY * 10.0 * 1.0)  # i0 = 10 A/m², αa + αc = 1
    exact = bulk(W) + rc(W, r_ct, 0.2) + d / ((s_l + 1j * W * EPS0 * e_l) * AREA)
    assert np.max(np.abs(system.direct_impedance(FREQS) / exact - 1)) < 1e-8


def test_blocking_metal_has_no_dc_path():
    _, system = system_of(
        slab(kinetics={"we": {"metal": "Cu", "double_layer_capacitance": "5 uF/cm^2"}})
    )
    Z = system.direct_impedance(np.array([1e-2]))
    exact = bulk(2 * np.pi * 1e-2) + 1 / (1j * 2 * np.pi * 1e-2 * 0.05 * AREA)
    assert Z[0] == pytest.approx(exact, rel=1e-8)
    assert math.isinf(abs(system.solve_dc().impedance))


def test_metal_preset_sets_the_known_charge_transfer_resistance():
    cfg = parse_config(
        slab(
            materials={"electrolyte": {"preset": "NZSP"}},
            kinetics={"we": {"metal": "Na"}},
        )
    )
    assert cfg.kinetics.we.charge_transfer_resistance == pytest.approx(1.3 * OHM_CM2)
    assert cfg.materials.electrolyte.conductivity == pytest.approx(0.55)


GRAINS = {"conductivity": 1.0, "permittivity": 10.0}
BOUNDARIES = {
    "grain_size": "1 um",
    "thickness": "1 nm",
    "conductivity": 1e-3,
    "permittivity": 10.0,
}


def brick_raw(**extra) -> dict:
    electrolyte = {**GRAINS, "grain_boundaries": dict(BOUNDARIES)}
    raw = slab(
        materials={"electrolyte": electrolyte},
        frequencies={"max": 1e11, "min": 1e3, "points_per_decade": 20},
    )
    raw.update(extra)
    return raw


def test_brick_layer_gives_bulk_and_grain_boundary_arcs():
    cfg, system = system_of(brick_raw())
    f = log_frequencies(cfg.frequencies.max, cfg.frequencies.min, 20)
    arcs = Spectrum(f, system.direct_impedance(f), AREA).arcs()
    assert len(arcs) == 2
    r_bulk = THICKNESS / (1.0 * AREA)
    r_gb = THICKNESS * 1e-3 / (1e-3 * AREA)
    f_bulk = 1.0 / (2 * np.pi * EPS0 * 10.0)
    f_gb = 1e-3 / (2 * np.pi * EPS0 * 10.0)
    for arc, (r, fa) in zip(arcs, ((r_bulk, f_bulk), (r_gb, f_gb)), strict=True):
        assert arc.resistance_estimate_ohm == pytest.approx(r, rel=0.01)
        assert arc.apex_frequency_Hz == pytest.approx(fa, rel=0.01)


def test_arrhenius_moves_conductivity_to_the_run_temperature():
    ea, T0, T = 0.3, 298.15, 233.15
    expected = (T0 / T) * math.exp(-ea / BOLTZMANN_EV * (1 / T - 1 / T0))
    assert arrhenius_factor(ea, T0, T) == pytest.approx(expected)
    assert arrhenius_factor(None, T0, T) == 1.0
    raw = slab()
    raw["materials"]["electrolyte"]["activation_energy"] = "0.3 eV"
    raw["temperature"] = "-40 degC"
    _, system = system_of(raw)
    r = system.solve_dc().impedance.real
    assert r == pytest.approx(THICKNESS / (SIGMA * expected * AREA), rel=1e-10)


def test_temperature_sweep_recovers_each_arcs_activation_energy():
    raw = brick_raw()
    raw["materials"]["electrolyte"]["activation_energy"] = "0.26 eV"
    raw["materials"]["electrolyte"]["grain_boundaries"]["activation_energy"] = "0.36 eV"
    raw["frequencies"]["points_per_decade"] = 10
    sweep = temperature_series(parse_config(raw), [233.15, 263.15, 298.15, 333.15])
    bulk_arc, gb_arc = sweep.arcs
    for arc, ea in ((bulk_arc, 0.26), (gb_arc, 0.36)):
        assert arc.activation_energy_eV == pytest.approx(ea, rel=0.01)
        assert arc.activation_energy_from_apex_eV == pytest.approx(ea, rel=0.01)
