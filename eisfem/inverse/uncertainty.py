"""95 % intervals and identifiability of a least-squares fit: Jacobian directions, checked.

The residuals are relative misfits (real and imaginary parts), so their noise level s is
estimated from the fit itself: s² = RSS/(m − n) for m residuals and n free parameters.

Near the optimum the model is linear, r(z) ≈ r(ẑ) + J (z − ẑ), in relative coordinates z (ln p
for log-scaled fields, p/p̂ for linear ones: a step of 0.01 is 1 % of any parameter). The
singular value decomposition J = U Σ Vᵀ gives the directions v_k that the data constrain
(large σ_k) and those they do not (small σ_k); along v_k a linear model's 95 % range is
±δ_k = ±t·s/σ_k, with Student's t for m − n degrees of freedom (s is estimated from the same
residuals).

That linear range is then *checked* by evaluating the misfit at ẑ ± δ_k v_k, profiled to first
order: one Gauss–Newton step across the other directions with the optimum's Jacobian (no extra
evaluation), so the check follows a curved trade-off valley instead of leaving it along a straight
line. For a linear model the profiled RSS there rises by exactly t²s², the one-parameter
likelihood-ratio threshold. Where it rises less the range is widened, where it rises more it is
narrowed (quadratic interpolation, a few rounds of 2n evaluations), and a range that reaches the
bounds box before the threshold is reported as such. This catches what the linearisation cannot
see: curvature (the ranges become asymmetric), curved valleys, and steps in the misfit where a
re-meshed geometry changes its mesh. Each parameter's interval is the shadow of the checked
ranges on its axis, sqrt(Σ_k (V_ik δ_k)²), taken on each side with that side's ranges.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

CONFIDENCE = 0.95
TRADE_OFF_CORRELATION = 0.95  # |ρ| above which a pair is reported as trading off
WELL_CONSTRAINED_FACTOR = 1.1  # a direction known to within ×/÷ 1.1 (±10 %) at 95 %
CHECK_ROUNDS = 4  # rounds of the misfit check along the singular directions
MAX_GROWTH = 10.0  # widest widening of a range in one round

# SI values (one array per point) -> residual vectors, None where the evaluation failed
Residuals = Callable[[list[np.ndarray]], list[np.ndarray | None]]


@dataclass(frozen=True)
class Coordinate:
    """How a free parameter is fitted: ``log`` in ln p, ``linear`` in p, between bounds."""

    name: str
    low: float
    high: float
    scale: str  # "linear" | "log"

    def to_fit(self, p: float) -> float:
        return float(np.log(p)) if self.scale == "log" else float(p)

    def from_fit(self, x: float) -> float:
        return float(np.exp(x)) if self.scale == "log" else float(x)


def t_quantile(dof: int) -> float:
    """Two-sided 95 % quantile of Student's t with ``dof`` degrees of freedom."""
    return float(stats.t.ppf(0.5 + CONFIDENCE / 2, max(dof, 1)))


def noise_level(residuals: np.ndarray, n_params: int) -> float:
    """Estimated standard deviation of one residual: sqrt(RSS/(m − n))."""
    return float(np.sqrt(np.sum(residuals**2) / max(residuals.size - n_params, 1)))


class Relative:
    """Relative coordinates z around the optimum: z = x / w with x = ln p (w = 1) or p (w = p̂)."""

    def __init__(self, coords: Sequence[Coordinate], values: np.ndarray):
        self.coords = list(coords)
        self.w = np.array(
            [
                1.0 if c.scale == "log" else (abs(v) if v != 0 else c.high - c.low)
                for c, v in zip(coords, values, strict=True)
            ]
        )
        self.z0 = self.to_z(values)

    def to_z(self, values: np.ndarray) -> np.ndarray:
        return np.array([c.to_fit(v) for c, v in zip(self.coords, values, strict=True)]) / self.w

    def to_values(self, z: np.ndarray) -> np.ndarray:
        x = z * self.w
        return np.array([c.from_fit(xi) for c, xi in zip(self.coords, x, strict=True)])

    def reach(self, v: np.ndarray) -> float:
        """Largest step t ≥ 0 from the optimum along v that stays inside the bounds."""
        lo = np.array([c.to_fit(c.low) for c in self.coords]) / self.w
        hi = np.array([c.to_fit(c.high) for c in self.coords]) / self.w
        steps = [
            ((hi[i] if v[i] > 0 else lo[i]) - self.z0[i]) / v[i]
            for i in range(v.size)
            if abs(v[i]) > 1e-12
        ]
        return max(0.0, min(steps)) if steps else np.inf


@dataclass
class Direction:
    v: np.ndarray  # unit vector in relative coordinates
    singular_value: float
    linear: float  # t·s/σ (the unchecked range)
    width: list[float]  # checked range on the + and − side
    at_bound: list[bool]  # that side reached the bounds before the threshold


def _profiled_rss(r: np.ndarray, jac_z: np.ndarray, dirs: list[Direction], k: int) -> float:
    """RSS at a point on direction k after one Gauss–Newton step along the other directions.

    A first-order profile: the fit may move across direction k to follow a curved valley,
    which a straight line in any coordinates misses (r·h = const is curved in (r, ln h)).
    """
    others = np.array([d.v for j, d in enumerate(dirs) if j != k]).T
    if others.size == 0:
        return float(np.sum(r**2))
    a = jac_z @ others
    step, *_ = np.linalg.lstsq(a, -r, rcond=None)
    return float(np.sum((r + a @ step) ** 2))


def _check(
    rel: Relative,
    dirs: list[Direction],
    residuals: Residuals,
    jac_z: np.ndarray,
    rss0: float,
    threshold: float,
) -> None:
    """Widen or narrow each direction's ± range until the profiled RSS rises by
    ``threshold``."""
    pending = [(k, side) for k in range(len(dirs)) for side in (0, 1)]
    for d in dirs:
        d.width = [min(d.linear, rel.reach(d.v)), min(d.linear, rel.reach(-d.v))]
    for _ in range(CHECK_ROUNDS):
        if not pending:
            break
        points = [rel.z0 + (1 - 2 * s) * dirs[k].width[s] * dirs[k].v for k, s in pending]
        results = residuals([rel.to_values(p) for p in points])
        still = []
        for (k, s), r in zip(pending, results, strict=True):
            d = dirs[k]
            reach = rel.reach(d.v if s == 0 else -d.v)
            rise = np.inf if r is None else _profiled_rss(r, jac_z, dirs, k) - rss0
            if rise >= threshold:  # past the threshold: interpolate back (quadratic)
                d.width[s] *= float(np.sqrt(threshold / rise)) if np.isfinite(rise) else 0.5
            elif d.width[s] >= reach * (1 - 1e-9):
                d.at_bound[s] = True
            else:  # not yet: extrapolate (quadratic), at most MAX_GROWTH per round
                growth = np.sqrt(threshold / rise) * 1.2 if rise > 0 else MAX_GROWTH
                d.width[s] = min(d.width[s] * min(growth, MAX_GROWTH), reach)
                still.append((k, s))
        pending = still


def _power_product(names: Sequence[str], weights: np.ndarray) -> str:
    """'a^1.00 · b^-0.98': the largest |weight| scaled to 1, the first shown one positive (a
    product and its inverse are constant together), weights under 0.05 left out."""
    w = weights / np.abs(weights).max()
    w = w * np.sign(w[np.argmax(np.abs(w) >= 0.05)])
    return " · ".join(f"{n}^{x:.2f}" for n, x in zip(names, w, strict=True) if abs(x) >= 0.05)


def assess(
    coords: Sequence[Coordinate],
    values: np.ndarray,
    jacobian_fit: np.ndarray,
    residuals_at: np.ndarray,
    residuals: Residuals,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per-parameter values with checked 95 % intervals, and the identifiability report.

    ``jacobian_fit`` is ∂r/∂x in the fitting coordinates (ln p or p) at ``values``;
    ``residuals_at`` the residuals there; ``residuals`` evaluates more points for the check.
    """
    n = len(coords)
    names = [c.name for c in coords]
    rel = Relative(coords, values)
    s = noise_level(residuals_at, n)
    t = t_quantile(residuals_at.size - n)
    jac_z = jacobian_fit * rel.w
    _, sv, vt = np.linalg.svd(jac_z, full_matrices=False)
    dirs = []
    for k in range(n):
        v = vt[k] * np.sign(vt[k][np.argmax(np.abs(vt[k]))])
        linear = t * s / sv[k] if sv[k] > 0 else np.inf
        dirs.append(Direction(v, float(sv[k]), float(linear), [0.0, 0.0], [False, False]))
    _check(rel, dirs, residuals, jac_z, float(np.sum(residuals_at**2)), (t * s) ** 2)
    params = []
    for i, c in enumerate(coords):
        up = np.sqrt(sum((d.v[i] * d.width[0 if d.v[i] > 0 else 1]) ** 2 for d in dirs))
        down = np.sqrt(sum((d.v[i] * d.width[1 if d.v[i] > 0 else 0]) ** 2 for d in dirs))
        x = c.to_fit(values[i])
        lo = c.from_fit(x - down * rel.w[i])
        hi = c.from_fit(x + up * rel.w[i])
        bound = any(d.at_bound[j] and abs(d.v[i]) >= 0.05 for d in dirs for j in (0, 1))
        params.append(
            {
                "value": float(values[i]),
                "ci95": [max(lo, c.low), min(hi, c.high)],
                "ci95_reaches_bounds": bool(bound or lo <= c.low or hi >= c.high),
            }
        )
    return params, _report(names, dirs, s, t, residuals_at.size - n)


def _verdict(d: Direction) -> str:
    if all(d.at_bound):
        return "not constrained"
    if any(d.at_bound):
        return "constrained on one side only"
    return "well constrained" if np.exp(max(d.width)) <= WELL_CONSTRAINED_FACTOR else "constrained"


def _percent(factor: float) -> str:
    """A ×/÷ factor as the percentage it reads as: 1.0014 → "±0.14 %", 2.5 → '×/÷ 2.5'."""
    return f"±{100 * (factor - 1):.2g} %" if factor < 1.5 else f"×/÷ {factor:.2g}"


def _line(direction: dict[str, Any]) -> str:
    line = f"{direction['combination']}: {direction['verdict']}"
    if any(direction["reaches_bounds"]):
        return line
    return line + f" ({_percent(max(direction['factor95']))} at 95 %)"


def _report(
    names: list[str], dirs: list[Direction], s: float, t: float, dof: int
) -> dict[str, Any]:
    n = len(names)
    # covariance of the checked ranges: V diag((δ/t)²) Vᵀ with δ the mean of the two sides
    V = np.array([d.v for d in dirs])
    var = np.array([(np.mean(d.width) / t) ** 2 for d in dirs])
    cov = V.T @ np.diag(var) @ V
    sd = np.sqrt(np.diag(cov))
    rho = cov / np.outer(sd, sd) if np.all(sd > 0) else np.eye(n)
    directions = [
        {
            "combination": _power_product(names, d.v),
            "direction": {name: float(w) for name, w in zip(names, d.v, strict=True)},
            "singular_value": d.singular_value,
            "factor95_linear": float(np.exp(d.linear)) if d.linear < 700 else None,
            "factor95": [float(np.exp(w)) for w in d.width],
            "reaches_bounds": list(d.at_bound),
            "verdict": _verdict(d),
        }
        for d in dirs
    ]
    trade_offs = [
        {"fields": [names[i], names[j]], "correlation": float(rho[i, j])}
        for i in range(n)
        for j in range(i + 1, n)
        if abs(rho[i, j]) >= TRADE_OFF_CORRELATION
    ]
    constrained = [x["combination"] for x in directions if x["verdict"] != "not constrained"]
    degenerate = [
        {
            "direction": x["combination"],
            "meaning": f"{x['combination']} is not determined by the data (its 95 % range "
            "reaches the bounds both ways)"
            + (f"; they determine only {', '.join(constrained)}" if constrained else ""),
        }
        for x in directions
        if x["verdict"] == "not constrained"
    ]
    return {
        "noise_level": s,
        "degrees_of_freedom": int(dof),
        "t_quantile": t,
        "directions": directions,
        "degenerate_directions": degenerate,
        "trade_offs": trade_offs,
        "correlation": {
            names[i]: dict(zip(names, map(float, rho[i]), strict=True)) for i in range(n)
        },
        "summary": "; ".join(_line(x) for x in directions),
    }
