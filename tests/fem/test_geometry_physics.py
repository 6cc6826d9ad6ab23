"""Physics invariants that check the geometry end to end (what the solver is fed).

* A thin gap (not meshed, a surface admittance κ_gap/h) and the same gap resolved as a void
  layer give the same impedance when h ≪ the gap's width: the field in the gap is then
  uniform across it, which one P2 layer represents exactly, so the two differ only by the
  fringe at the contact rims (a share ~h/r of the rim region).
* A symmetric cell of thickness 2L with mirrored interfaces is exactly two half-cells of
  thickness L in series (the mid-plane is an equipotential at V/2 by antisymmetry).
"""

from __future__ import annotations

import numpy as np

from eisfem.simulation.model import build_system
from tests.helpers import bundle_of

FREQUENCIES = (1e5, 1e6, 1e7, 1e8)  # Hz: across the constriction arc and into the bulk arc


def impedances(cell: dict, interface: dict, degree: int = 2) -> np.ndarray:
    cfg, bundle = bundle_of(cell=cell, interface=interface, solver={"degree": degree})
    system = build_system(cfg, bundle)
    z = [system.solve_dc().impedance]
    z += [system.solve(2 * np.pi * f).impedance for f in FREQUENCIES]
    return np.array(z)


SPOTS = {"kind": "spots", "placement": "square", "spacing": "40 um", "radius": "8 um"}


def test_thin_gap_equals_resolved_gap():
    cell = {"shape": "patch", "side": "40 um", "thickness": "20 um"}
    gap = SPOTS | {"height": "50 nm"}
    resolved = impedances(cell, gap | {"gap_model": "resolved"})
    thin = impedances(cell, gap | {"gap_model": "thin"})
    # The electrolyte meshes differ slightly (HXT meshes the extra void layer's neighbourhood
    # differently): at DC, where no gap carries current, the two differ by 6e-5. The gap
    # model adds no more than that across the arc; 1e-3 leaves a margin of ~15.
    assert np.all(np.abs(thin - resolved) / np.abs(resolved) < 1e-3), thin / resolved - 1


def test_symmetric_cell_is_two_half_cells_in_series():
    gap = SPOTS | {"height": "50 nm", "gap_model": "thin"}
    half = impedances({"shape": "patch", "side": "40 um", "thickness": "15 um"}, gap)
    sym = impedances(
        {"shape": "patch", "side": "40 um", "thickness": "30 um", "layout": "symmetric"}, gap
    )
    # different meshes (L vs 2L): they differ by 2e-4 at DC, the discretisation level
    assert np.all(np.abs(sym - 2 * half) / np.abs(2 * half) < 2e-3), sym / (2 * half) - 1
