"""The model's own distribution of relaxation times: Z(ω) = R_∞ + Σ_j R_j / (1 + iωτ_j).

An impedance of RC media is a rational function of s = iω with real negative poles
λ_j = −1/τ_j; R_j = −res_j/λ_j is the resistance of arc j. Two routes to the poles:

* :func:`from_pencil`: when every coefficient is affine, c_k = a_k + s b_k, the bordered reduced
  matrices M_k of :meth:`ReducedModel.pencil` give Z(s) = [(M₀ + s M₁)⁻¹]_(−1,−1), so the poles
  are the eigenvalues of the pencil (M₀, −M₁) and the residues come from its left and right
  eigenvectors: the exact relaxation spectrum of the reduced model, no fitting.
* :func:`from_samples`: otherwise (e.g. a brick-layer medium, not affine in ω) a AAA rational
  fit of Z on the imaginary axis (scipy), fitted on ±iω so the poles come in conjugate pairs.

Poles whose arcs carry less than ``NEGLIGIBLE`` of the total resistance (pore-interior modes
that the electrodes do not see, numerical near-cancellations) are dropped and their total
reported. The expansion is checked against the impedance it came from on the sweep's grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
from scipy.interpolate import AAA

NEGLIGIBLE = 1e-6  # fraction of the total resistance below which an arc is dropped
REAL_POLE = 1e-3  # |Im λ| / |λ| below which a pole counts as real (AAA leaves ~1e-4 noise)
NEWTON_STEPS = 4
CLUSTER = 1e-7  # relative distance below which eigenvalues are one (repeated) pole


@dataclass
class Relaxation:
    tau: np.ndarray  # s, increasing
    resistance: np.ndarray  # Ω
    r_inf: float  # Ω, the ω → ∞ limit
    method: str
    dropped_resistance: float  # Ω carried by dropped poles
    complex_poles: int  # poles off the negative real axis (none for RC media)
    reconstruction_error: float = np.nan  # max |Z_expansion / Z − 1| on the grid

    def impedance(self, omega: np.ndarray) -> np.ndarray:
        s = 1j * np.asarray(omega)[:, None]
        return self.r_inf + (self.resistance / (1 + s * self.tau)).sum(axis=1)

    def checked(self, omega: np.ndarray, impedance: np.ndarray) -> Relaxation:
        """Set the reconstruction error against ``impedance`` at ``omega``."""
        self.reconstruction_error = float(np.max(np.abs(self.impedance(omega) / impedance - 1)))
        return self


def _from_poles(
    poles: np.ndarray, residues: np.ndarray, omega: np.ndarray, Z: np.ndarray, method: str
) -> Relaxation:
    """Arcs from poles λ and residues of Z; R_∞ is the constant left on the grid."""
    real = np.abs(poles.imag) <= REAL_POLE * np.abs(poles)
    stable = real & (poles.real < 0)
    lam = poles[stable].real
    resistance = -residues[stable].real / lam
    # conjugate pairs of complex poles give a real contribution; kept out of the arcs
    s = 1j * omega[:, None]
    other = ~stable  # complex pairs (and any unstable pole): kept out of the arcs
    rest = (residues[other] / (s - poles[other])).sum(axis=1)
    arcs = (resistance / (1 - s / lam)).sum(axis=1)
    r_inf = float(np.median((Z - arcs - rest).real))
    total = np.abs(resistance).sum() + abs(r_inf)
    big = np.abs(resistance) >= NEGLIGIBLE * total
    order = np.argsort(-1 / lam[big])
    return Relaxation(
        tau=(-1 / lam[big])[order],
        resistance=resistance[big][order],
        r_inf=r_inf,
        method=method,
        dropped_resistance=float(np.abs(resistance[~big]).sum()),
        complex_poles=int(other.sum()),
    ).checked(omega, Z)


def from_pencil(
    matrices0: np.ndarray, matrices1: np.ndarray, omega: np.ndarray, Z: np.ndarray
) -> Relaxation:
    """Poles and residues of Z(s) = [(M₀ + s M₁)⁻¹]_(−1,−1) (checked against Z at ``omega``)."""
    alpha_beta, vl, vr = scipy.linalg.eig(
        matrices0, -matrices1, left=True, right=True, homogeneous_eigvals=True
    )
    alpha, beta = alpha_beta
    finite = np.abs(beta) > 1e-12 * np.abs(alpha)
    lam = alpha[finite] / beta[finite]
    vl, vr = vl[:, finite], vr[:, finite]
    # a repeated eigenvalue (every mode of one homogeneous medium relaxes with the same τ)
    # has no unique eigenvectors: take the residue of the whole cluster,
    # e_nᵀ U (Wᴴ M₁ U)⁻¹ Wᴴ e_n, which does not depend on the basis of the eigenspace
    order = np.argsort(lam.real)
    lam, vl, vr = lam[order], vl[:, order], vr[:, order]
    poles, residues = [], []
    start = 0
    for i in range(1, lam.size + 1):
        if i < lam.size and abs(lam[i] - lam[start]) <= CLUSTER * abs(lam[start]):
            continue
        U, W = vr[:, start:i], vl[:, start:i]
        gram = W.conj().T @ matrices1 @ U
        poles.append(lam[start:i].mean())
        residues.append(U[-1, :] @ np.linalg.lstsq(gram, W[-1, :].conj(), rcond=None)[0])
        start = i
    return _from_poles(
        np.array(poles),
        np.array(residues),
        omega,
        Z,
        "reduced-model pencil (exact for the reduced model)",
    )


def from_samples(omega: np.ndarray, Z: np.ndarray, rtol: float = 1e-11) -> Relaxation:
    """A AAA rational fit of Z(iω) (ω > 0 and its mirror −ω, Z(−iω) = conj Z(iω)).

    scipy's poles (eigenvalues of the barycentric arrowhead pencil) lose digits when the
    weights span many decades, as they do over a wide spectrum (a 2 ms pole came out 1 % and
    7° off while the fit itself was right to 1e-12); each pole is polished by Newton steps on
    the barycentric denominator d(z) = Σ w_j / (z − z_j), and its residue is n(z)/d'(z).
    """
    scale = float(np.sqrt(omega.min() * omega.max()))  # keeps the support points O(1)
    x = np.concatenate([1j * omega, -1j * omega]) / scale
    fit = AAA(x, np.concatenate([Z, Z.conj()]), rtol=rtol)
    zj, fj, wj = fit.support_points, fit.support_values, fit.weights
    poles = fit.poles()
    poles = poles[np.isfinite(poles)]
    for _ in range(NEWTON_STEPS):
        q = 1 / (poles[:, None] - zj)
        poles = poles + (q @ wj) / ((q**2) @ wj)
    q = 1 / (poles[:, None] - zj)
    residues = (q @ (wj * fj)) / (-(q**2) @ wj)
    return _from_poles(
        poles * scale, residues * scale, omega, Z, "AAA rational fit of the spectrum"
    )
