"""Where to refine: local error indicators from the p-enrichment difference, Dörfler marking.

The indicator of a cell K at angular frequency ω is the local share of the compliance error
of the current (see ``error_estimate.py``): with e = φ_{p+1} − I φ_p, the difference of the
degree p + 1 and degree p solutions (φ_p interpolated into the richer space),

    η_K(ω) = | Σ_k ∫_K κ_k(ω) ∇e · conj ∇e  +  Σ_s ∫_{∂K ∩ Γ_s} Y_s(ω) w_s e conj e |,

i.e. the cell's part of a(e, e), the same sesquilinear form whose total is the current's error
(at DC exactly G_p − G_{p+1} = a(e, e)). The enrichment difference is already computed for the
estimate, so the indicators cost one assembly of a cell-wise (DG0) vector; they are large where
the discretisation error of the current is made (rims, edges, corners of thin gaps), not where
the field is merely large. Each frequency's indicators are scaled to add up to its relative
estimate, so a sum over frequencies weighs each by how far it misses the target.

Marking is Dörfler's bulk criterion: the fewest cells whose indicators hold a fraction θ of the
total, found by bisection on the threshold with one reduction per step (no rank gathers the
indicators), so each refinement removes a fixed share of the estimated error.

A pass without an estimate of its own (``simulation/adaptive``) marks by the recovery indicators
of ``recovery_indicator.py`` at the frequencies where the last estimate was worst (its
:class:`Anchor`), each scaled to the estimate predicted there from the ratio of recovery sums.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import ufl
from dolfinx import fem
from dolfinx.fem import petsc as fem_petsc
from mpi4py import MPI

from eisfem.solvers.error_estimate import SpatialEstimate
from eisfem.solvers.recovery_indicator import recovery_indicators
from eisfem.solvers.spectrum import SpectrumResult
from eisfem.solvers.system import ImpedanceSystem, Solution

DORFLER_FRACTION = 0.5  # θ: the share of the estimated error the marked cells hold
BISECTION_STEPS = 60


def cell_indicators(
    system: ImpedanceSystem, enriched: ImpedanceSystem, coarse: Solution, fine: Solution
) -> np.ndarray:
    """η_K of the owned cells for one frequency (``coarse``/``fine``: the degree p and p + 1
    solutions at the same ω on the same mesh)."""
    bundle = system.bundle
    mesh = bundle.mesh
    e = enriched.function(fine.phi)
    p = fem.Function(enriched.V)
    p.interpolate(system.function(coarse.phi))
    e.x.array[:] -= p.x.array
    W = fem.functionspace(mesh, ("DG", 0))
    w = ufl.TestFunction(W)
    dx = ufl.Measure("dx", domain=mesh, subdomain_data=bundle.cell_tags)
    ds = ufl.Measure("ds", domain=mesh, subdomain_data=bundle.facet_tags)
    forms = []
    for term in system.volume_terms:
        if (tag := bundle.tag(term.group)) is not None:
            kappa = complex(term.admittivity(coarse.omega))
            forms.append(ufl.inner(kappa * ufl.inner(ufl.grad(e), ufl.grad(e)), w) * dx(tag))
    for term in system.surface_terms:
        if (tag := bundle.tag(term.group)) is not None:
            weight = 1.0 if term.weight is None else term.weight
            y = complex(term.admittance(coarse.omega))
            forms.append(ufl.inner(y * weight * ufl.inner(e, e), w) * ds(tag))
    vector = fem_petsc.assemble_vector(fem.form(sum(forms)))
    n = mesh.topology.index_map(mesh.topology.dim).size_local
    return np.abs(vector.array[W.dofmap.list[:n, 0]])


def scaled(indicators: np.ndarray, estimate: float, comm: MPI.Comm) -> np.ndarray:
    """``indicators`` scaled to add up (over all ranks) to the relative ``estimate``."""
    total = comm.allreduce(float(indicators.sum()), MPI.SUM)
    return indicators * (estimate / total) if total > 0 else np.zeros_like(indicators)


def worst_frequencies(
    frequency: np.ndarray, estimate: np.ndarray, target: float, limit: int = 3
) -> list[int]:
    """Indices of at most ``limit`` frequencies above ``target``, worst first, each at least a
    decade from the others: the fields of neighbouring frequencies hardly differ, while across
    a relaxation the error moves (bulk conduction, then displacement through gaps)."""
    chosen: list[int] = []
    for i in np.argsort(estimate)[::-1]:
        if estimate[i] <= target or len(chosen) == limit:
            break
        if all(abs(np.log10(frequency[i] / frequency[j])) >= 1 for j in chosen):
            chosen.append(int(i))
    return chosen


def dorfler_mark(
    indicators: np.ndarray, comm: MPI.Comm, fraction: float = DORFLER_FRACTION
) -> np.ndarray:
    """Owned cells with η_K ≥ t, t the largest threshold whose cells hold ``fraction`` of Σ η."""
    total = comm.allreduce(float(indicators.sum()), MPI.SUM)
    lo, hi = 0.0, comm.allreduce(float(indicators.max(initial=0.0)), MPI.MAX)
    for _ in range(BISECTION_STEPS):
        t = 0.5 * (lo + hi)
        held = comm.allreduce(float(indicators[indicators >= t].sum()), MPI.SUM)
        lo, hi = (t, hi) if held >= fraction * total else (lo, t)
    return np.flatnonzero(indicators >= lo).astype(np.int32)


def refinement_indicators(
    result: SpectrumResult, estimate: SpatialEstimate, target: float
) -> np.ndarray:
    """Σ over the worst frequencies (:func:`worst_frequencies` of the combined estimate) of
    the owned cells' indicators, each frequency's scaled to its spatial estimate."""
    enriched = estimate.enriched
    if enriched is None:
        raise ValueError("the estimate has no enriched sweep to compute indicators from")
    indices = worst_frequencies(result.frequency, estimate.combined, target)
    etas = []
    for i in indices:
        f = float(result.frequency[i])
        etas.append(
            cell_indicators(
                result.system, enriched.system, result.solution(f), enriched.solution(f)
            )
        )
    return _scaled_sum(result.system, etas, estimate.spatial[indices])


def _scaled_sum(system: ImpedanceSystem, etas: list[np.ndarray], values: np.ndarray) -> np.ndarray:
    """Σ over frequencies of the owned cells' indicators, each scaled to add up to its value."""
    total = np.zeros(system.bundle.mesh.topology.index_map(3).size_local)
    for eta, value in zip(etas, values, strict=True):
        total += scaled(eta, float(value), system.comm)
    return total


@dataclass(frozen=True)
class Anchor:
    """The last p-enrichment estimate at its worst frequencies and the recovery sums there: a
    pass without an estimate of its own predicts one from the ratio of its sums to these."""

    indices: list[int]  # into the spectrum's frequencies
    estimate: np.ndarray  # the spatial estimate at those frequencies
    sums: np.ndarray  # Σ_K η_K² · |Z| at those frequencies (recovery_indicator)


def _recovery(result: SpectrumResult, indices: list[int]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Σ η² · |Z| (all ranks) and the owned η_K² of the recovery indicator at ``indices``."""
    comm = result.system.comm
    etas = [
        recovery_indicators(result.system, result.solution(float(result.frequency[i])))
        for i in indices
    ]
    sums = np.array(
        [
            comm.allreduce(float(eta.sum()), MPI.SUM) * abs(result.impedance[i])
            for eta, i in zip(etas, indices, strict=True)
        ]
    )
    return sums, etas


def anchor(result: SpectrumResult, estimate: SpatialEstimate, target: float) -> Anchor:
    """The anchor of later predictions: the worst frequencies of ``estimate`` above ``target``."""
    indices = worst_frequencies(result.frequency, estimate.combined, target)
    sums, _ = _recovery(result, indices)
    return Anchor(indices, estimate.spatial[indices], sums)


def predicted_indicators(result: SpectrumResult, anchor: Anchor) -> tuple[np.ndarray, np.ndarray]:
    """The predicted spatial estimate at the anchor's frequencies (its estimate times the ratio
    of the recovery sums) and the owned cells' recovery indicators, each frequency's scaled to
    its prediction and summed (what :func:`refinement_indicators` gives with an estimate)."""
    sums, etas = _recovery(result, anchor.indices)
    predicted = anchor.estimate * sums / anchor.sums
    return predicted, _scaled_sum(result.system, etas, predicted)
