"""The relaxation spectrum in the run folder: the summary.json key ``relaxation`` and drt.png.

Each arc j of Z(ω) = R_∞ + Σ R_j/(1 + iωτ_j) is a time constant τ_j with its resistance R_j
(also area-specific, and as the equivalent capacitance C_j = τ_j/R_j and peak frequency
1/(2πτ_j)). The DC resistance from the separate DC solve is given beside R_∞ + Σ R_j as a check
of the whole expansion.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
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


def plot_relaxation(relax: Relaxation, area: float, path: Path, title: str = "") -> None:
    """R_j (Ω·cm²) against τ_j as stems, with the cumulative resistance."""
    area_cm2 = area * M2_TO_CM2
    r = relax.resistance * area_cm2
    fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
    if r.size:
        ax.vlines(relax.tau, 0, r, color="C0", lw=2)
        ax.plot(relax.tau, r, "o", color="C0", ms=4, label="arc resistance R_j")
        ax.step(
            relax.tau,
            relax.r_inf * area_cm2 + np.cumsum(r),
            where="post",
            color="C1",
            lw=1,
            label="R_∞ + cumulative Σ R_j",
        )
        ax.set_xscale("log")
        ax.legend(fontsize=8)
    ax.set_xlabel("relaxation time τ (s)")
    ax.set_ylabel("R (Ω·cm²)")
    ax.set_title(title or f"relaxation times ({relax.method})", fontsize=10)
    ax.grid(alpha=0.3, which="both")
    fig.savefig(path, dpi=130)
    plt.close(fig)
