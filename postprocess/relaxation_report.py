"""The relaxation spectrum in the run folder: the summary.json key ``relaxation``.

drt.png draws it over the DRT of the spectrum (eisfem/simulation/outputs.py).

Each arc j of Z(ω) = R_∞ + Σ R_j/(1 + iωτ_j) is a time constant τ_j with its resistance R_j
(also area-specific, and as the equivalent capacitance C_j = τ_j/R_j and peak frequency
1/(2πτ_j)). The DC resistance from the separate DC solve is given beside R_∞ + Σ R_j as a check
of the whole expansion.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from eisfem.postprocess.impedance import M2_TO_CM2
from eisfem.solvers.relaxation import Relaxation


def relaxation_summary(relax: Relaxation, area: float, dc_impedance: complex) -> dict[str, Any]:
    """The ``relaxation`` section of summary.json (``area`` in m² for Ω·cm² values)."""
    area_cm2 = area * M2_TO_CM2
    r_dc = dc_impedance.real
    return {
        "method": relax.method,
        "tau_s": relax.tau.tolist(),
        "resistance_ohm": relax.resistance.tolist(),
        "resistance_ohm_cm2": (relax.resistance * area_cm2).tolist(),
        "capacitance_F": (relax.tau / relax.resistance).tolist(),
        "capacitance_F_per_cm2": (relax.tau / relax.resistance / area_cm2).tolist(),
        "peak_frequency_Hz": (1 / (2 * np.pi * relax.tau)).tolist(),
        "r_inf_ohm": relax.r_inf,
        "r_inf_ohm_cm2": relax.r_inf * area_cm2,
        "sum_ohm": relax.r_inf + float(relax.resistance.sum()),
        "resistance_dc_ohm": r_dc if math.isfinite(r_dc) else None,
        "dropped_resistance_ohm": relax.dropped_resistance,
        "complex_poles": relax.complex_poles,
        "reconstruction_max_relative_error": relax.reconstruction_error,
    }
