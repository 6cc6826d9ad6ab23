"""The thin-gap model against resolved pores, and a symmetric cell against its two half-cells.

Thin gap: the model replaces a pore of radius r and height h by a surface admittance
κ_pore/h on its footprint; what it leaves out (the fringe field at the rim, the pore walls) is
O(h/r). Both geometries are meshed separately with P2 elements, whose mesh-to-mesh difference
is ~3e-5 in |Z| (measured at h/r = 0.0025), far below the model error at h/r = 0.1.

Symmetric cell: kinetics on both interfaces (R_ct ‖ C_dl on the pore-array WE contact, a
different R_ct ‖ C_dl on the flat CE). With the CE 2 × 60 µm away, the constriction field of
the 100 µm lattice decays as exp(−2πz/100 µm), so at mid-thickness the cell splits into a WE
half-cell (ideal CE) and a CE half-cell (ideal flat WE) in series up to exp(−4π·0.6) ≈ 5e-4 of
the constriction resistance; the rest is the discretisation error of three different meshes.
"""

from __future__ import annotations

import numpy as np
import pytest

from eisfem.config import parse_config
from eisfem.postprocess.impedance import log_frequencies
from eisfem.simulation.model import build_mesh, build_system
from tests.helpers import nzsp


def sweep(raw: dict, f: np.ndarray) -> np.ndarray:
    cfg = parse_config(raw)
    return build_system(cfg, build_mesh(cfg)).direct_impedance(f)


def pore_cell(
    radius: float, height: float, gap_model: str, thickness: float = 20e-6, degree: int = 2
) -> dict:
    return {
        "cell": {"shape": "patch", "side": 100e-6, "thickness": thickness},
        "interface": {
            "kind": "pores",
            "radius": radius,
            "height": height,
            "spacing": 100e-6,
            "gap_model": gap_model,
        },
        "materials": nzsp(),
        "solver": {"degree": degree},
    }


def thin_gap_error(h_over_r: float, degree: int, f: np.ndarray) -> float:
    """Largest relative |Z| difference, thin-gap model against the resolved pore."""
    r = 40e-6
    resolved, thin = (
        sweep(pore_cell(r, h_over_r * r, model, degree=degree), f) for model in ("resolved", "thin")
    )
    return float(np.max(np.abs(np.abs(thin) / np.abs(resolved) - 1)))


def test_thin_gap_matches_the_resolved_pore_at_h_over_r_of_one_percent():
    # P1: the two meshes differ by ~1e-3 in |Z|, well inside the 2 %
    assert thin_gap_error(0.01, 1, log_frequencies(1e10, 1e3, 4)) < 0.02


@pytest.mark.slow
def test_thin_gap_converges_to_the_resolved_pore_as_h_over_r_falls():
    f = log_frequencies(1e10, 1e3, 2)
    coarse, fine = (thin_gap_error(h_over_r, 2, f) for h_over_r in (0.1, 0.01))
    assert fine < 0.02
    assert fine < 0.3 * coarse  # the model error is O(h/r): 1.8e-3 at 0.1, 7e-5 at 0.01


def test_symmetric_cell_is_we_half_cell_plus_ce_half_cell():
    f = log_frequencies(1e9, 1e1, 3)
    we_kinetics = {"charge_transfer_resistance": "2 ohm*cm^2", "double_layer_capacitance": 0.1}
    ce_kinetics = {"charge_transfer_resistance": "1 ohm*cm^2", "double_layer_capacitance": 0.3}
    symmetric = pore_cell(40e-6, 20e-9, "resolved", thickness=120e-6)
    symmetric["kinetics"] = {"we": we_kinetics, "ce": ce_kinetics}
    we_half = pore_cell(40e-6, 20e-9, "resolved", thickness=60e-6)
    we_half["kinetics"] = {"we": we_kinetics}
    ce_half = {
        "cell": {"shape": "patch", "side": 100e-6, "thickness": 60e-6},
        "materials": nzsp(),
        "kinetics": {"ce": ce_kinetics},
        "solver": {"degree": 2},
    }
    Z = sweep(symmetric, f)
    halves = sweep(we_half, f) + sweep(ce_half, f)
    assert np.max(np.abs(Z / halves - 1)) < 5e-3
