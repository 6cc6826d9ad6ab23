"""Kramers–Kronig consistency of a spectrum: the linear Kramers–Kronig test (Lin-KK).

Lin-KK (Schönleber, Klotz, Ivers-Tiffée, Electrochim. Acta 131 (2014) 20) fits the spectrum
with a series of RC elements whose time constants are spread over the frequency range; such a
series obeys the Kramers–Kronig relations by construction, so residuals above the noise level
flag a spectrum that is not causal, linear and stable. A simulated spectrum must pass: it is a
passive linear system solved to round-off, so its residuals measure only how well the RC series
resolves it.

pyimpspec does the fit (GPL-3.0-or-later, like eisfem), set up as the published test: fit of
the real part, the imaginary part predicted, the number of RC elements chosen by Schönleber's
|μ| criterion. pyimpspec's default choice (curvature heuristics tuned for noisy measurements)
stops at a handful of RC elements on noise-free spectra spanning many decades and reports
residuals of 100 %. Impedance representation only, no search over the time-constant range
extension (``num_F_ext_evaluations=0``), one process (no multiprocessing pool, so no
``__main__`` guard is needed and MPI runs are safe).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MU_CRITERION = 1  # pyimpspec's method 1: the |μ| criterion of Schönleber et al. (2014)


@dataclass
class KramersKronig:
    frequency: np.ndarray  # Hz
    residual_real: np.ndarray  # (Z_fit − Z)/|Z|, real part, fraction
    residual_imag: np.ndarray
    num_rc: int  # RC elements chosen by the test

    @property
    def max_residual(self) -> float:
        """Largest |residual| of real or imaginary part, as a fraction of |Z|."""
        return float(max(np.abs(self.residual_real).max(), np.abs(self.residual_imag).max()))


def lin_kk(frequency: np.ndarray, impedance: np.ndarray) -> KramersKronig:
    """Lin-KK test of Z(f) (any order of frequencies; Ω)."""
    import pyimpspec  # heavy (pandas, statsmodels, ...): only when asked for

    data = pyimpspec.DataSet(np.asarray(frequency, dtype=float), np.asarray(impedance))
    result = pyimpspec.perform_kramers_kronig_test(
        data,
        test="real",
        admittance=False,
        num_F_ext_evaluations=0,
        num_procs=1,
        methods=[MU_CRITERION],
    )
    f, real, imag = result.get_residuals_data()
    return KramersKronig(
        np.asarray(f), np.asarray(real) / 100, np.asarray(imag) / 100, result.num_RC
    )
