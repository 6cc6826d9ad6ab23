"""The one way the pipeline gets a spectrum: ``fast`` (error-controlled reduced model, the
default) or ``direct`` (one full solve per frequency, the reference), with the fields at chosen
frequencies and the relaxation spectrum from the same result."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from eisfem.solvers.reduced_order import (
    DEFAULT_TOLERANCE,
    ReducedModel,
    Snapshot,
    build_reduced_model,
    candidate_grid,
)
from eisfem.solvers.relaxation import Relaxation, from_pencil, from_samples
from eisfem.solvers.system import ImpedanceSystem, Solution

AFFINE_RTOL = 1e-9  # c(ω) = a + iωb to this relative accuracy on the whole grid

SpectrumMethod = Literal["fast", "direct"]


@dataclass
class SpectrumResult:
    frequency: np.ndarray  # Hz, as requested
    impedance: np.ndarray  # Ω
    method: SpectrumMethod
    system: ImpedanceSystem
    model: ReducedModel | None = None  # fast sweeps
    report: dict[str, Any] = field(default_factory=dict)

    def solution(self, frequency: float) -> Solution:
        """The potential at ``frequency`` (Hz): from the reduced model (no solve) for a fast
        sweep, a full solve for a direct one."""
        omega = 2 * np.pi * frequency
        if self.model is not None:
            return self.model.solution(omega)
        return self.system.solve(omega)

    def error_estimate(self) -> np.ndarray:
        """The sweep's own relative error estimate of Z at each requested frequency: the
        calibrated reduced-model estimate (fast), zero for one full solve per frequency."""
        if self.model is None:
            return np.zeros(self.frequency.size)
        _, est = self.model.estimate(2 * np.pi * self.frequency)
        return self.report.get("estimate_calibration", 1.0) * est

    def relaxation(self) -> Relaxation:
        """Poles and residues of Z: the reduced pencil when every coefficient is affine in ω,
        else a AAA fit (of the reduced model on its dense grid, or of the direct samples)."""
        if self.model is None:
            omega = 2 * np.pi * self.frequency
            return from_samples(omega, self.impedance)
        omega = 2 * np.pi * candidate_grid(self.frequency)
        _, _, Z = self.model.reduced_solve(omega)
        parts = affine_parts(self.model.coefficient_laws, omega)
        if parts is None:
            return from_samples(omega, Z)
        a, b = parts
        M = np.array(self.model.pencil())
        return from_pencil(np.tensordot(a, M, 1), np.tensordot(b, M, 1), omega, Z)


def affine_parts(
    laws: Sequence[Callable[[float], complex]], omega: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """Real (a_k, b_k) with c_k(ω) = a_k + iω b_k on the whole grid, or None."""
    c = np.array([[complex(law(float(w))) for law in laws] for w in omega])
    lo, hi = omega[0], omega[-1]
    b = ((c[-1] - c[0]) / (1j * (hi - lo))).real
    a = (c[0] - 1j * lo * b).real
    model = a + 1j * omega[:, None] * b
    if np.all(np.abs(model - c) <= AFFINE_RTOL * np.abs(c) + 1e-300):
        return a, b
    return None


def solve_spectrum(
    system: ImpedanceSystem,
    frequencies: np.ndarray,
    method: SpectrumMethod = "fast",
    tolerance: float = DEFAULT_TOLERANCE,
    on_snapshot: Callable[[Snapshot], None] | None = None,
) -> SpectrumResult:
    """Z at ``frequencies`` (Hz) by the chosen method."""
    frequencies = np.asarray(frequencies, dtype=float)
    stats0 = system.operator.stats.solves, system.operator.stats.setups
    if method == "direct":
        result = SpectrumResult(frequencies, system.direct_impedance(frequencies), "direct", system)
    else:
        model, report = build_reduced_model(system, frequencies, tolerance, on_snapshot)
        _, _, Z = model.reduced_solve(2 * np.pi * frequencies)
        result = SpectrumResult(frequencies, Z, "fast", system, model, report.as_dict())
    stats = system.operator.stats
    result.report |= {
        "method": method,
        "operator_setups": stats.setups - stats0[1],
        "operator_solves": stats.solves - stats0[0],
    }
    return result
