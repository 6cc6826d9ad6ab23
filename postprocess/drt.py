"""Distribution of relaxation times (DRT) of a spectrum, and its comparison with an exact one.

The DRT is pyimpspec's Tikhonov-regularised non-negative least squares (TR-NNLS, Kulikovsky,
J. Electrochem. Soc. 168 (2021) 044512): milliseconds, deterministic, no optional solver. Its
automatic λ leaves spurious split peaks on spectra with dispersed (CPE-like) arcs, so λ is fixed
at 1e-3: one peak per arc on simulated spectra, each on the right grid point, and noise of
measured spectra is still damped.

γ(τ) is a density per unit ln τ in Ω: the area ∫γ d(ln τ) under a peak is that process's
resistance, which is what makes peaks comparable with an exact set of relaxations
(R_k, τ_k) of the model (Z = R∞ + Σ R_k / (1 + iωτ_k)). The τ grid is 1/(2πf) of the data, so a
process outside the measured window is clipped at its edge.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

LAMBDA = 1e-3
# Below this share of max |Z|, Re Z does not change over the window: no relaxation to resolve.
FLAT = 1e-6
METHOD = f"TR-NNLS (pyimpspec), real part, lambda = {LAMBDA:g}"


@dataclass
class Peak:
    tau: float  # s, grid point of the maximum
    gamma: float  # Ω, γ at the maximum
    resistance: float  # Ω, area of γ over the peak's band
    band: tuple[float, float]  # τ range (s) assigned to this peak, split at the minima of γ

    @property
    def frequency(self) -> float:
        """The apex frequency of a parallel RC with this τ, 1/(2πτ) in Hz."""
        return 1.0 / (2 * np.pi * self.tau)


@dataclass
class DRT:
    tau: np.ndarray  # s, increasing
    gamma: np.ndarray  # Ω per unit ln τ
    r_inf: float  # Ω, real part at the highest frequency

    @property
    def weights(self) -> np.ndarray:
        """Resistance (Ω) carried by each grid point: γ times its share of ln τ."""
        ln = np.log(self.tau)
        edges = np.concatenate([ln[:1], 0.5 * (ln[1:] + ln[:-1]), ln[-1:]])
        return self.gamma * np.diff(edges)

    def peaks(self, min_fraction: float = 0.01) -> list[Peak]:
        """Local maxima of γ carrying at least ``min_fraction`` of the total resistance.

        Neighbouring maxima split the τ axis at the smallest γ between them; a peak's
        resistance is the area under γ in its band. The weakest peak is dropped (its band
        re-split between its neighbours) until every peak carries ``min_fraction``.
        """
        g = self.gamma
        if g.size < 3 or g.max() <= 0:
            return []
        maxima = [
            i
            for i in range(g.size)
            if g[i] > 0 and (i == 0 or g[i] > g[i - 1]) and (i == g.size - 1 or g[i] >= g[i + 1])
        ]
        total = self.weights.sum()
        while True:
            bounds = [0]
            for a, b in pairwise(maxima):
                bounds.append(a + int(np.argmin(g[a : b + 1])))
            bounds.append(g.size)
            shares = [self.weights[lo:hi].sum() for lo, hi in pairwise(bounds)]
            weakest = int(np.argmin(shares))
            if len(maxima) == 1 or shares[weakest] >= min_fraction * total:
                break
            maxima.pop(weakest)
        return [
            Peak(
                float(self.tau[i]),
                float(g[i]),
                float(r),
                (float(self.tau[lo]), float(self.tau[hi - 1])),
            )
            for i, r, lo, hi in zip(maxima, shares, bounds[:-1], bounds[1:], strict=True)
        ]


def compute_drt(frequency: np.ndarray, impedance: np.ndarray) -> DRT:
    """The DRT of Z(f) (Ω, any frequency order) by TR-NNLS; γ = 0 if Re Z is flat."""
    import pyimpspec  # heavy import (about 2 s): only when a DRT is asked for

    order = np.argsort(frequency)[::-1]  # TR-NNLS takes the first point as the high-f end
    z = impedance[order]
    if abs(z[-1].real - z[0].real) <= FLAT * np.abs(z).max():
        tau = np.sort(1 / (2 * np.pi * frequency))
        return DRT(tau, np.zeros_like(tau), float(z[0].real))
    data = pyimpspec.DataSet(frequency[order], z)
    result = pyimpspec.calculate_drt(data, method="tr-nnls", mode="real", lambda_value=LAMBDA)
    tau, gamma = result.get_drt_data()
    o = np.argsort(tau)
    return DRT(np.asarray(tau)[o], np.asarray(gamma)[o], float(z[0].real))


def exact_per_peak(
    peaks: list[Peak], tau: np.ndarray, resistance: np.ndarray
) -> list[dict[str, float]]:
    """Compare each DRT peak with the exact relaxations whose τ fall in its band.

    ``tau``/``resistance`` are the model's exact relaxation times and resistances (Ω); the
    band edges are extended to the neighbouring peaks' bands so that no exact relaxation inside
    the window is lost between two bands.
    """
    tau = np.asarray(tau, dtype=float)
    resistance = np.asarray(resistance, dtype=float)
    out = []
    for k, p in enumerate(peaks):
        lo = 0.0 if k == 0 else np.sqrt(peaks[k - 1].band[1] * p.band[0])
        hi = np.inf if k == len(peaks) - 1 else np.sqrt(p.band[1] * peaks[k + 1].band[0])
        inside = (tau >= lo) & (tau < hi)
        r_exact = float(resistance[inside].sum())
        tau_exact = (
            float(np.exp(np.average(np.log(tau[inside]), weights=resistance[inside])))
            if r_exact > 0
            else float("nan")
        )
        out.append(
            {
                "tau_s": p.tau,
                "resistance_ohm": p.resistance,
                "exact_tau_s": tau_exact,
                "exact_resistance_ohm": r_exact,
            }
        )
    return out
