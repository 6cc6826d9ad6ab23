"""Current focusing on a disk contact (radius a on a flux tube, as in Newman's test): the
focusing metrics against the primary distribution's closed forms, and the secondary
(Butler–Volmer) distribution between its two Wagner-number limits.

Primary distribution of an equipotential disk on a half-space: j(r)/j_mean = 1/(2√(1 − ρ²)),
ρ = r/a. Hence the current through the band a − w < r < a is √(1 − (1 − w/a)²) of the total,
on (1 − (1 − w/a)²) of the area, and the area-weighted median of j/j_mean is 1/√2. The flux
tube (a/R = 0.1) changes the shape of the distribution only at O((a/R)³).

Tolerances: the band fractions are integrals of the consistent flux and converge with the mesh
(1.2 % and 0.9 % off at this mesh, 1.1 % and 0.4 % at half the edge size), so 2.5 % is
asserted. The median is taken over facet means; facets here are ≈ a/4 wide near ρ = 0.7, where
j changes by ~10 % across one, which narrows the distribution of facet means by a few per cent
(2.2 % here, 0.3 % at half the edge size): 3 % is asserted.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from eisfem.config import parse_config
from eisfem.postprocess.focusing import ContactFocusing
from eisfem.simulation.cell_terms import charge_transfer
from eisfem.simulation.model import build_mesh, build_system
from eisfem.solvers.applied_current import AppliedCurrentProblem
from eisfem.solvers.arrhenius import BOLTZMANN_EV
from eisfem.solvers.interface_current import InterfaceFlux
from tests.helpers import nzsp

A, R, L, SIGMA = 10e-6, 100e-6, 200e-6, 0.55


@pytest.fixture(scope="module")
def disk():
    cfg = parse_config(
        {
            "cell": {"shape": "cylinder", "radius": R, "thickness": L},
            "interface": {"kind": "disk", "radius": A},
            "materials": nzsp(),
            "mesh": {"size_bulk": 25e-6, "size_edge": 0.5e-6},
            "solver": {"degree": 2},
            "kinetics": {"we": {"exchange_current_density": 1.0}},
        }
    )
    bundle = build_mesh(cfg)
    system = build_system(cfg, bundle)
    flux = InterfaceFlux(system)
    return cfg, system, flux, ContactFocusing(flux)


def test_primary_focusing_metrics_match_the_closed_form(disk):
    _cfg, system, _flux, contact = disk
    primary = AppliedCurrentProblem(system, ideal={"we_contact"}).at_current(1e-9)
    m = contact.metrics(
        primary.solution, primary.current, system.bundle.electrode_area, [1e-6, 2e-6], [2], [50]
    )
    assert m["contact_current_fraction"] == pytest.approx(1.0, abs=1e-9)
    for band in m["bands"]:
        inner = 1 - band["width_m"] / A
        assert band["current_fraction"] == pytest.approx(np.sqrt(1 - inner**2), rel=0.025)
        assert band["area_fraction"] == pytest.approx(1 - inner**2, rel=0.01)
    assert m["percentiles"]["p50"] == pytest.approx(1 / np.sqrt(2), rel=0.03)
    assert m["peak_mesh_sensitivity"] > 0.3  # the unresolved edge singularity is flagged


def wagner_run(disk, wagner: float):
    """Butler–Volmer at 1 µA/cm², far below i0: the secondary distribution at Wa = σR_ct/a."""
    cfg, system, flux, _contact = disk
    T = cfg.temperature
    i0 = BOLTZMANN_EV * T * SIGMA / (wagner * A)  # R_ct = kT/(e i0) for αa + αc = 1
    ct = charge_transfer(cfg.kinetics.we.model_copy(update={"exchange_current_density": i0}), T)
    assert SIGMA / (ct.conductance * A) == pytest.approx(wagner, rel=1e-6)
    dc = AppliedCurrentProblem(system, {"we_contact": ct}).at_current(1e-2 * np.pi * A**2)
    return dc, flux(dc.solution)


def test_secondary_distribution_between_its_wagner_limits(disk):
    _, _, flux, _contact = disk
    rho = np.hypot(flux.centroid[:, 0], flux.centroid[:, 1]) / A
    area = flux.area

    def mean(j, where):
        return (j * area)[where].sum() / area[where].sum()

    ratios = []
    for wagner in (1e-3, 1.0, 100.0):
        _dc, current = wagner_run(disk, wagner)
        j = current.jn.real
        ratios.append(mean(j, rho >= 0.95) / mean(j, rho <= 0.2))
        if wagner == 1e-3:  # fast kinetics: the primary shape away from the rim
            reference = primary_facet_means(flux.tri)
            rings = np.linspace(0, 0.8, 5)
            inner = rho < 0.8
            for lo, hi in itertools.pairwise(rings):
                ring = (rho >= lo) & (rho < hi)
                share = (j * area)[ring].sum() / (j * area)[inner].sum()
                exact = (reference * area)[ring].sum() / (reference * area)[inner].sum()
                assert share == pytest.approx(exact, rel=0.03)
    assert ratios[0] > ratios[1] > ratios[2] > 1
    assert ratios[0] > 3  # strongly focused
    assert ratios[2] - 1 < 0.01  # slow kinetics: uniform


def primary_facet_means(tri: np.ndarray, n: int = 12) -> np.ndarray:
    """Facet means of 1/√(1 − ρ²) by the centroids of n² sub-triangles."""
    uv = [((i + 1 / 3) / n, (j + 1 / 3) / n) for i in range(n) for j in range(n - i)]
    uv += [((i + 2 / 3) / n, (j + 2 / 3) / n) for i in range(n) for j in range(n - i - 1)]
    uv = np.array(uv)
    bary = np.column_stack([1 - uv.sum(axis=1), uv])
    points = np.einsum("sk,nkd->nsd", bary, tri)
    rho = np.hypot(points[..., 0], points[..., 1]) / A
    return (1 / np.sqrt(np.clip(1 - rho**2, 1e-12, None))).mean(axis=1)


def test_kinetics_resolve_the_peak(disk):
    """With Wa = 1 the edge current is finite: the peak no longer depends on the mesh."""
    _, system, _, contact = disk
    dc, _ = wagner_run(disk, 1.0)
    m = contact.metrics(dc.solution, dc.current, system.bundle.electrode_area, [1e-6], [2], [50])
    assert m["peak_mesh_sensitivity"] < 0.1
