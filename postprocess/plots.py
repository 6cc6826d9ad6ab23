"""Nyquist and Bode plots of a spectrum (area-specific, −Im Z up, decades marked)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from eisfem.postprocess.impedance import Spectrum


def _decade_points(frequency: np.ndarray) -> list[int]:
    """Indices of the grid points closest to each whole decade inside the range."""
    logf = np.log10(frequency)
    out = []
    for d in range(int(np.ceil(logf.min())), int(np.floor(logf.max())) + 1):
        i = int(np.argmin(np.abs(logf - d)))
        if abs(logf[i] - d) < 0.05:
            out.append(i)
    return out


def _frequency_label(f: float) -> str:
    for unit, scale in (("GHz", 1e9), ("MHz", 1e6), ("kHz", 1e3), ("Hz", 1.0), ("mHz", 1e-3)):
        if f >= scale:
            return f"{f / scale:g} {unit}"
    return f"{f:.1e} Hz"


def nyquist(spectrum: Spectrum, path: Path, title: str = "") -> None:
    z = spectrum.area_specific
    fig, ax = plt.subplots(figsize=(6.4, 4.8), layout="constrained")
    ax.plot(z.real, -z.imag, "o-", ms=3, lw=1)
    span = max(np.ptp(z.real), np.ptp(z.imag), 1e-300)
    last = None
    for i in _decade_points(spectrum.frequency):
        ax.plot(z.real[i], -z.imag[i], "s", color="C3", ms=5)
        if last is not None and abs(z[i] - z[last]) < 0.04 * span:
            continue  # decades crowded at the end of an arc keep their marker, not a label
        last = i
        ax.annotate(
            _frequency_label(spectrum.frequency[i]),
            (z.real[i], -z.imag[i]),
            textcoords="offset points",
            xytext=(4, 6),
            fontsize=7,
        )
    for arc in spectrum.arcs():
        i = int(np.argmin(np.abs(np.log10(spectrum.frequency / arc.apex_frequency_Hz))))
        ax.plot(z.real[i], -z.imag[i], "^", color="C2", ms=7)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("Re Z (Ω·cm²)")
    ax.set_ylabel("−Im Z (Ω·cm²)")
    ax.set_title(title or "Nyquist (squares: decades, triangles: arc apexes)", fontsize=10)
    ax.grid(alpha=0.3)
    fig.savefig(path, dpi=130)
    plt.close(fig)


def bode(spectrum: Spectrum, path: Path, title: str = "") -> None:
    z = spectrum.area_specific
    f = spectrum.frequency
    fig, (a1, a2) = plt.subplots(2, 1, sharex=True, figsize=(6.4, 5.2), layout="constrained")
    a1.loglog(f, np.abs(z), "o-", ms=3, lw=1)
    a1.set_ylabel("|Z| (Ω·cm²)")
    a2.semilogx(f, -np.degrees(np.angle(z)), "o-", ms=3, lw=1, color="C1")
    a2.set_ylabel("−phase (°)")
    a2.set_xlabel("frequency (Hz)")
    for arc in spectrum.arcs():
        for ax in (a1, a2):
            ax.axvline(arc.apex_frequency_Hz, color="C2", lw=0.8, ls="--")
    for ax in (a1, a2):
        ax.grid(alpha=0.3, which="both")
    a1.set_title(title or "Bode (dashed: arc apex frequencies)", fontsize=10)
    fig.savefig(path, dpi=130)
    plt.close(fig)
