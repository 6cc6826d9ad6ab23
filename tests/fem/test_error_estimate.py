"""The spatial error estimate of Z (p-enrichment) against true errors: effectivity in [0.5, 3].

Effectivity = estimate / true relative error of the P2 impedance, at every frequency.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from eisfem.config import parse_config
from eisfem.simulation.model import build_mesh, build_system
from eisfem.solvers.error_estimate import enrichment_ratio, estimate_spatial_error
from eisfem.solvers.materials import EPS0
from eisfem.solvers.spectrum import solve_spectrum
from tests.helpers import flux_tube_disk_resistance, nzsp

EFFECTIVITY = (0.5, 3.0)
SIGMA = 0.55  # S/m, the electrolyte of nzsp()
FREQUENCIES = np.logspace(11, 5, 13)  # Hz, around the bulk relaxation (~330 MHz for NZSP)


def test_enrichment_ratio_of_the_rim_singularity():
    """ρ = (p/(p+1))^(4λ) for φ ~ r^(1/2): 4/9 from P2 to P3, 1/4 from P1 to P2."""
    assert enrichment_ratio(2) == pytest.approx(4 / 9)
    assert enrichment_ratio(1) == pytest.approx(1 / 4)


def test_disk_contact_in_a_pellet_across_the_spectrum():
    """A disk contact on a pellet of one medium: Z(ω) = R_dc / (1 + iωε/σ) exactly, with R_dc
    the flux-tube closed form (Newman's 1/(4σa) with Gibson's constriction factor), so the
    true error is known at every frequency. The rim singularity dominates the error here."""
    a, R, L = 10e-6, 100e-6, 200e-6
    cfg = parse_config(
        {
            "cell": {"shape": "cylinder", "radius": R, "thickness": L},
            "interface": {"kind": "disk", "radius": a},
            "materials": nzsp(),
        }
    )
    result = solve_spectrum(build_system(cfg, build_mesh(cfg)), FREQUENCIES)
    estimate = estimate_spatial_error(result, 1e-4)
    omega = 2 * np.pi * FREQUENCIES
    exact = flux_tube_disk_resistance(SIGMA, a, R, L) / (1 + 1j * omega * 30 * EPS0 / SIGMA)
    true = np.abs(result.impedance / exact - 1)
    effectivity = estimate.spatial / true
    assert true.min() > 1e-3  # a real error to estimate (P2 at default sizes)
    assert np.all((effectivity > EFFECTIVITY[0]) & (effectivity < EFFECTIVITY[1])), effectivity
    assert estimate.combined == pytest.approx(estimate.spatial + estimate.sweep)
    assert math.isclose(estimate.ratio, 4 / 9)


def effectivity_against_finer_mesh(raw: dict, refine: float = 2.0) -> np.ndarray:
    """Estimate / true error of the P2 spectrum of ``raw``, the truth being P3 on a mesh
    ``refine`` times finer. With singular errors ∝ h that reference keeps ~(4/9)/2 ≈ 0.22 of
    the P2 error, so the measured effectivity reads up to ~1.3× high: well inside [0.5, 3]."""
    cfg = parse_config(raw | {"materials": nzsp()})
    result = solve_spectrum(build_system(cfg, build_mesh(cfg)), FREQUENCIES)
    estimate = estimate_spatial_error(result, 1e-4)
    fine = parse_config(raw | {"materials": nzsp(), "mesh": raw["mesh"] | {"refine": refine}})
    reference = solve_spectrum(build_system(fine, build_mesh(fine)).with_degree(3), FREQUENCIES)
    true = np.abs(result.impedance / reference.impedance - 1)
    assert true.min() > 1e-3  # a real error to estimate
    return estimate.spatial / true


def test_offset_electrode():
    """A small electrode off the axis of a pellet: rim singularity on an asymmetric field."""
    cell = {"shape": "cylinder", "radius": 20e-6, "thickness": 10e-6}
    raw = {
        "cell": cell | {"electrode_radius": 8e-6, "electrode_offset": 6e-6},
        "mesh": {"size_edge": 1.5e-6, "size_bulk": 5e-6},  # coarse: a small test
    }
    effectivity = effectivity_against_finer_mesh(raw)
    assert np.all((effectivity > EFFECTIVITY[0]) & (effectivity < EFFECTIVITY[1])), effectivity


PATCH = {"shape": "patch", "side": 10e-6, "thickness": 5e-6}
GAP_MESH = {"size_bulk": 2e-6, "size_interface": 0.8e-6, "size_edge": 0.4e-6}


@pytest.mark.parametrize(
    "radius, height, spacing",
    [
        # 2 × 2 cylinder pores (structured gap layers): rim singularities plus the gaps'
        # displacement current, so the error changes across the spectrum (3.0e-3 to 3.6e-3)
        pytest.param(1.5e-6, 0.2e-6, 5e-6, id="pore-array"),
        # one void 100 nm high under a 3 µm radius (h/r = 1/30): a resolved thin gap, its rim
        # and its thin layers of elements (measured effectivity 1.23 at every frequency)
        pytest.param(3e-6, 0.1e-6, 10e-6, id="single-thin-gap"),
    ],
)
def test_resolved_flat_gaps(radius: float, height: float, spacing: float):
    """Resolved flat voids on a patch; the truth is P3 on a twice finer mesh."""
    interface = {"kind": "pores", "radius": radius, "height": height, "spacing": spacing}
    raw = {"cell": PATCH, "interface": interface, "mesh": GAP_MESH}
    effectivity = effectivity_against_finer_mesh(raw)
    assert np.all((effectivity > EFFECTIVITY[0]) & (effectivity < EFFECTIVITY[1])), effectivity


def test_low_rank_reference_is_as_good_as_an_exact_one():
    """The degree p + 1 reference is factorized block low-rank (MUMPS BLR, ε = 1e-8): MUMPS must
    really compress it, and its spectrum must match an exact factorization's to 1e-7 of |Z|,
    a thousandth of the smallest accuracy.target (1e-4), so the estimate is unchanged."""
    cfg = parse_config(
        {
            "cell": {"shape": "cylinder", "radius": 25e-6, "thickness": 50e-6},
            "interface": {"kind": "disk", "radius": 10e-6},
            "materials": nzsp(),
        }
    )
    system = build_system(cfg, build_mesh(cfg))
    result = solve_spectrum(system, FREQUENCIES)
    estimate = estimate_spatial_error(result, 1e-4)
    exact = solve_spectrum(system.with_degree(3), FREQUENCIES)
    kept = [
        r.system.operator.factor_info()["factor_entries_after_low_rank_compression"]
        / r.system.operator.factor_info()["factor_entries"]
        for r in (estimate.enriched, exact)
    ]
    assert kept[0] < 0.95 and kept[1] == 1, kept  # 0.93 on this small mesh, more when larger
    assert np.max(np.abs(estimate.enriched.impedance / exact.impedance - 1)) < 1e-7
