"""Physics verification against closed forms and invariants (docs/design.md §2.10).

Tolerances: the closed forms are exact for the modelled problem, so what remains is the
discretisation error, which each test either drives below the stated bound by refinement or,
where the FE space contains the exact solution (the layered slab), expects at round-off level.
"""

from __future__ import annotations

import numpy as np
import pytest

from eisfem.config import load_config, parse_config
from eisfem.postprocess.impedance import Spectrum, log_frequencies
from eisfem.simulation.model import build_mesh, build_system
from eisfem.solvers.materials import EPS0
from tests.helpers import DEMO, flux_tube_disk_resistance, nzsp

SIGMA = 0.55  # S/m, the electrolyte of nzsp()


def solved(raw: dict):
    cfg = parse_config(raw)
    return cfg, build_system(cfg, build_mesh(cfg))


def test_newman_disk_converges_to_closed_form():
    a, R, L = 10e-6, 100e-6, 200e-6
    exact = flux_tube_disk_resistance(SIGMA, a, R, L)
    assert exact == pytest.approx(1 / (4 * SIGMA * a), rel=0.2)  # the domain effect is modest
    errors = []
    for edge in (2e-6, 1e-6, 0.5e-6):
        _, system = solved(
            {
                "cell": {"shape": "cylinder", "radius": R, "thickness": L},
                "interface": {"kind": "disk", "radius": a},
                "materials": nzsp(),
                "mesh": {"size_bulk": 25e-6, "size_edge": edge},
                "solver": {"degree": 2},
            }
        )
        errors.append(system.solve_dc().impedance.real / exact - 1)
    # a conforming FE solution over-estimates the conductance: R converges from below
    assert all(e < 0 for e in errors)
    assert abs(errors[2]) < abs(errors[1]) < abs(errors[0])
    assert abs(errors[-1]) < 0.02


def test_newman_disk_p1_refinement():
    a, R, L = 10e-6, 100e-6, 200e-6
    exact = flux_tube_disk_resistance(SIGMA, a, R, L)
    errors = []
    for refine in (1.0, 2.0):
        _, system = solved(
            {
                "cell": {"shape": "cylinder", "radius": R, "thickness": L},
                "interface": {"kind": "disk", "radius": a},
                "materials": nzsp(),
                "mesh": {"size_bulk": 25e-6, "size_edge": 1e-6, "refine": refine},
                "solver": {"degree": 1},
            }
        )
        errors.append(abs(system.solve_dc().impedance.real / exact - 1))
    assert errors[1] < 0.75 * errors[0]


def test_layered_slab_is_two_parallel_rc_in_series():
    side, t1, t2 = 50e-6, 20e-6, 2e-6
    s2, e1, e2 = 2e-3, 30.0, 8.0
    _cfg, system = solved(
        {
            "cell": {"shape": "patch", "side": side, "thickness": t1},
            "interphase": {"thickness": t2, "conductivity": s2, "permittivity": e2},
            "materials": nzsp(),
            "solver": {"degree": 1},
        }
    )
    area = side**2
    f = log_frequencies(1e10, 1.0, 4)
    w = 2 * np.pi * f
    exact = sum(
        1 / ((s + 1j * w * EPS0 * e) * area / t) for s, e, t in ((SIGMA, e1, t1), (s2, e2, t2))
    )
    Z = system.direct_impedance(f)
    assert np.max(np.abs(Z / exact - 1)) < 5e-3
    # P1 holds the exact (piecewise linear) solution: the agreement is at round-off level
    assert np.max(np.abs(Z / exact - 1)) < 1e-8


def pore_raw(radius: float, **extra) -> dict:
    raw = {
        "cell": {"shape": "patch", "side": 100e-6, "thickness": 20e-6},
        "interface": {"kind": "pores", "radius": radius, "height": 20e-9, "spacing": 100e-6},
        "materials": nzsp(),
        "frequencies": {"max": 1e10, "min": 10.0, "points_per_decade": 5},
        "solver": {"degree": 1},  # these tests check invariants, not the last digit
    }
    for key, value in extra.items():
        raw[key] = value
    return raw


def test_pore_array_limits_and_passivity():
    # εr = 0 in the electrolyte removes its bulk arc, so the high-frequency limit is exact:
    # the gaps short-circuit and the electrolyte is a uniform slab of resistance t/(σA).
    raw = pore_raw(40e-6)
    raw["materials"]["electrolyte"]["permittivity"] = 0
    _cfg, system = solved(raw)
    area = 100e-6**2
    r_bulk = 20e-6 / (SIGMA * area)
    f = log_frequencies(1e14, 1.0, 3)
    Z = system.direct_impedance(f)
    r_dc = system.solve_dc().impedance
    assert np.all(Z.real >= 0)
    assert np.all(Z.imag <= 0)  # capacitive everywhere
    assert abs(Z[-1] / r_dc - 1) < 1e-6  # 1 Hz is DC for a 10 MHz arc
    assert abs(Z[0] / r_bulk - 1) < 1e-4
    assert r_dc.real > 1.1 * r_bulk  # there is a constriction to speak of


def test_pore_array_shows_bulk_and_constriction_arcs():
    cfg, system = solved(pore_raw(46e-6))
    f = log_frequencies(cfg.frequencies.max, cfg.frequencies.min, 8)
    spectrum = Spectrum(f, system.direct_impedance(f), 100e-6**2)
    assert np.all(spectrum.impedance.real >= 0)
    arcs = spectrum.arcs()
    assert len(arcs) == 2
    bulk_apex = SIGMA / (2 * np.pi * EPS0 * 30)
    assert arcs[0].apex_frequency_Hz == pytest.approx(bulk_apex, rel=0.1)
    assert arcs[1].apex_frequency_Hz < bulk_apex / 20


def test_constriction_resistance_rises_with_pore_fraction():
    r_bulk = 20e-6 / (SIGMA * 100e-6**2)
    cstr = []
    for radius in (25e-6, 35e-6, 45e-6):
        _, system = solved(pore_raw(radius))
        cstr.append(system.solve_dc().impedance.real - r_bulk)
    assert 0 < cstr[0] < cstr[1] < cstr[2]


def test_patch_of_one_pore_equals_patch_of_four():
    """The mirror side walls make the patch a unit cell: a 2 × 2 patch has the same ASR."""
    one = solved(pore_raw(40e-6))[1]
    raw = pore_raw(40e-6)
    raw["cell"]["side"] = 200e-6
    four = solved(raw)[1]
    for omega in (0.0, 2 * np.pi * 1e7):
        z1 = one.solve(omega).impedance * 100e-6**2
        z4 = four.solve(omega).impedance * 200e-6**2
        assert abs(z4 / z1 - 1) < 2e-3


@pytest.mark.slow
def test_demo_mesh_is_converged_to_one_percent():
    """The demo's default mesh (P2) against a 1.5× refined mesh, at DC and mid-spectrum."""
    systems = []
    for refine in ("1", "1.5"):
        cfg = load_config(DEMO, [f"mesh.refine={refine}"])
        systems.append(build_system(cfg, build_mesh(cfg)))
    for omega in (0.0, 2 * np.pi * 8e6, 2 * np.pi * 3e8):
        coarse, fine = (s.solve(omega).impedance for s in systems)
        assert abs(coarse / fine - 1) < 0.01
