"""DC current distributions at an applied current: Butler–Volmer kinetics by SNES against the
1D closed form, the linear limit against the impedance system, and the Wagner-number limits
of the secondary distribution on a disk contact.

A slab with full contact (P1) holds the exact solution, so the cell voltage must match
V = jL/σ + η(j), with η the root of the Butler–Volmer law, to the SNES/root-finding precision
(the applied current is matched to 1e-9).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from eisfem.config import parse_config
from eisfem.simulation.cell_terms import charge_transfer
from eisfem.simulation.model import build_mesh, build_system
from eisfem.solvers.applied_current import AppliedCurrentProblem
from eisfem.solvers.interface_current import InterfaceFlux
from tests.helpers import nzsp

SIGMA = 0.55
SIDE, THICKNESS = 50e-6, 20e-6


def built(raw: dict):
    cfg = parse_config(raw)
    return cfg, build_system(cfg, build_mesh(cfg))


@pytest.mark.parametrize(
    ("alpha_a", "alpha_c", "j"),
    [(0.5, 0.5, 1e-3), (0.5, 0.5, 1e3), (0.3, 0.7, 300.0), (0.3, 0.7, -300.0)],
)
def test_butler_volmer_slab_matches_the_1d_closed_form(alpha_a, alpha_c, j):
    """From the linear regime (j ≪ i0 = 10 A/m²) to deep Tafel (j = 100 i0), plating too."""
    cfg, system = built(
        {
            "cell": {"shape": "patch", "side": SIDE, "thickness": THICKNESS},
            "materials": nzsp(),
            "solver": {"degree": 1},
            "kinetics": {
                "we": {
                    "exchange_current_density": "1 mA/cm^2",
                    "alpha_anodic": alpha_a,
                    "alpha_cathodic": alpha_c,
                }
            },
        }
    )
    ct = charge_transfer(cfg.kinetics.we, cfg.temperature)
    dc = AppliedCurrentProblem(system, {"we_contact": ct}).at_current(j * SIDE**2)
    eta = brentq(lambda e: ct.current(e) - j, -2.0, 2.0, xtol=1e-15)
    assert dc.voltage == pytest.approx(j * THICKNESS / SIGMA + eta, rel=1e-8)


def test_linear_dc_problem_is_the_impedance_systems_dc_limit():
    """Pore array with R_ct on the contact: same current and same interface flux."""
    _, system = built(
        {
            "cell": {"shape": "patch", "side": 100e-6, "thickness": 20e-6},
            "interface": {"kind": "pores", "radius": 40e-6, "height": 20e-9, "spacing": 100e-6},
            "materials": nzsp(),
            "solver": {"degree": 1},
            "kinetics": {"we": {"charge_transfer_resistance": "1 ohm*cm^2"}},
        }
    )
    reference = system.solve_dc()
    current = 1e-7
    dc = AppliedCurrentProblem(system).at_current(current)
    assert dc.voltage / current == pytest.approx(reference.impedance.real, rel=1e-9)
    flux = InterfaceFlux(system)
    scale = dc.voltage / system.voltage
    assert np.allclose(flux(dc.solution).jn, scale * flux(reference).jn, rtol=1e-7, atol=1e-9)
