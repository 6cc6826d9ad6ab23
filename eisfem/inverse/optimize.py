"""The fit loop: bounded trust-region least squares over the free parameters.

scipy's ``least_squares`` (method ``trf``) works in unit coordinates: each parameter's fitting
coordinate (ln p or p) mapped linearly onto [0, 1] between its bounds, so one trust region
suits parameters of any size and the bounds are simple box constraints. The Jacobian is ours,
not scipy's finite differences: its n perturbed points are evaluated together, which is where
``--workers`` runs evaluations in parallel. Steps are 2 % of the parameter (0.02 in ln p):
a re-meshed geometry carries a jitter of a few 1e-4 in Z (a different mesh of nearly the same
shape), so smaller steps would difference that noise, larger ones the curvature. At the
optimum the Jacobian is recomputed with central differences (second-order accurate) for the
confidence intervals and the identifiability analysis.

A failed evaluation (a geometry gmsh cannot mesh, a solver failure) is penalised: its
residuals are all PENALTY (a 100 % misfit at every point), worse than any fit the optimiser
would accept, so it shrinks its step and goes on. A Jacobian column whose forward point fails
is taken backwards; if both fail, that parameter is held for the step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

from eisfem.inverse.uncertainty import Coordinate

REL_STEP = 0.02  # finite-difference step in the fitting coordinate (ln p; p relative to |p|)
PENALTY = 1.0  # residual of a failed evaluation at every point
FTOL = 1e-6  # relative reduction of the cost below which the fit has converged
XTOL = 1e-4  # relative step in unit coordinates below which the fit has converged

# values (SI, one row per point) -> residual vectors, None where the evaluation failed
Residuals = Callable[[list[np.ndarray]], list[np.ndarray | None]]


@dataclass
class Optimum:
    values: np.ndarray  # SI
    residuals: np.ndarray
    jacobian_fit: np.ndarray  # ∂r/∂(ln p or p), central differences at the optimum
    status: str  # scipy's message
    converged: bool
    iterations: int  # points scipy evaluated (trial steps), Jacobians not counted


class UnitBox:
    """Map between SI values and unit coordinates u ∈ [0, 1]^n."""

    def __init__(self, coords: Sequence[Coordinate]):
        self.coords = list(coords)
        self.lo = np.array([c.to_fit(c.low) for c in coords], dtype=float)
        self.span = np.array([c.to_fit(c.high) for c in coords], dtype=float) - self.lo

    def to_unit(self, values: np.ndarray) -> np.ndarray:
        fit = np.array([c.to_fit(v) for c, v in zip(self.coords, values, strict=True)])
        return (fit - self.lo) / self.span

    def to_values(self, u: np.ndarray) -> np.ndarray:
        fit = self.lo + self.span * np.clip(u, 0.0, 1.0)
        return np.array([c.from_fit(x) for c, x in zip(self.coords, fit, strict=True)])

    def step(self, values: np.ndarray) -> np.ndarray:
        """Finite-difference step in unit coordinates for each parameter."""
        h = [
            REL_STEP if c.scale == "log" else REL_STEP * max(abs(v), 1e-3 * (c.high - c.low))
            for c, v in zip(self.coords, values, strict=True)
        ]
        return np.asarray(h) / self.span


def _penalised(r: np.ndarray | None, size: int) -> np.ndarray:
    return np.full(size, PENALTY) if r is None else r


def _jacobian(
    box: UnitBox, residuals: Residuals, u: np.ndarray, r0: np.ndarray, central: bool
) -> np.ndarray:
    """∂r/∂u by forward (or central) differences, all perturbed points in one batch.

    A forward point beyond the bound is taken backwards instead; a failed point is retried on
    the other side; a parameter with no usable point gets a zero column (held for the step).
    """
    n = u.size
    h = box.step(box.to_values(u))

    def shifted(i: int, sign: float) -> np.ndarray:
        p = u.copy()
        p[i] = np.clip(u[i] + sign * h[i], 0.0, 1.0)
        return p

    def run(wanted: list[tuple[int, float]]) -> dict[tuple[int, float], np.ndarray | None]:
        points = [shifted(i, s) for i, s in wanted]
        return dict(zip(wanted, residuals([box.to_values(p) for p in points]), strict=True))

    sides = [(1.0, -1.0) if central else (1.0 if u[i] + h[i] <= 1.0 else -1.0,) for i in range(n)]
    got = run([(i, s) for i in range(n) for s in sides[i]])
    if not central:
        got |= run([(i, -s) for (i, s), r in list(got.items()) if r is None])
    jac = np.zeros((r0.size, n))
    for i in range(n):
        ends = [(shifted(i, s)[i], got[(i, s)]) for s in (1.0, -1.0) if got.get((i, s)) is not None]
        if len(ends) == 1:
            ends.append((u[i], r0))
        if len(ends) == 2 and ends[0][0] != ends[1][0]:
            (a, ra), (b, rb) = ends
            jac[:, i] = (ra - rb) / (a - b)
    return jac


def minimise(
    coords: Sequence[Coordinate],
    start: np.ndarray,
    residuals: Residuals,
    size: int,
    max_evaluations: int,
) -> Optimum:
    """Least-squares fit from ``start`` (SI); ``size`` is the length of a residual vector."""
    box = UnitBox(coords)
    n = len(coords)

    def fun(u: np.ndarray) -> np.ndarray:
        (r,) = residuals([box.to_values(u)])
        return _penalised(r, size)

    def jac(u: np.ndarray) -> np.ndarray:
        return _jacobian(box, residuals, u, fun(u), central=False)

    result = least_squares(
        fun,
        box.to_unit(start),
        jac=jac,
        bounds=(np.zeros(n), np.ones(n)),
        method="trf",
        ftol=FTOL,
        xtol=XTOL,
        max_nfev=max(2, max_evaluations // (n + 1)),
    )
    u = result.x
    r0 = fun(u)
    jac_unit = _jacobian(box, residuals, u, r0, central=True)
    return Optimum(
        values=box.to_values(u),
        residuals=r0,
        jacobian_fit=jac_unit / box.span,
        status=str(result.message),
        converged=bool(result.status > 0),
        iterations=int(result.nfev),
    )
